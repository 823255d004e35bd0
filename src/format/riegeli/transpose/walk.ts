// The state machine's walk: the decoder's hot loop, which writes the records back to front.

import type { Where } from '../../place.js';
import { fail } from './fail.js';
import type { STATE_SHIFT, StateField, TransposedLayout } from './layout.js';

/** Results of `walkSlice`. */
export const Walked = {
  /** The slice's steps are taken; call again. */
  more: 0,
  /** The output room is used up below the header's claim: another run needs more. */
  needsBytes: 1,
  /** The record room is used up below the header's claim: another run needs more. */
  needsRecords: 2,
  /** The last transition is taken. */
  done: 3,
} as const;

/**
 * The most steps a call of `walkSlice` takes; a walk's first calls take 16, 32, 64... Without slices
 * the first chunk a process decodes runs its whole walk in one call: V8 optimizes the function while
 * that call is still in its loop, before the code around the loop and the paths a chunk takes once
 * (its end) have type feedback, deoptimizes there on the next chunk and from then on runs an
 * on-stack-replacement version that checks every typed array at every step. Decoding then took 1.3
 * to 1.5 times longer, in about half of the processes.
 */
const SLICE_STEPS = 1024;

/** Where a run of the state machine stands between slices, and what it writes. */
export class Walk {
  /** The state to run next. */
  state: number;
  /** Moves left before the next transition byte is read. */
  pendingSteps = 0;
  /** Steps the next slice takes (see SLICE_STEPS). */
  sliceSteps = 16;
  /** Records are written back to front: where the last byte written begins. */
  p: number;
  transitionPos = 0;
  /** Steps left: a valid chunk takes at most one per record, two per output byte and four per transition byte. */
  budget: number;
  recordsLeft: number;
  /** Where the record begun last starts. */
  firstStart = 0;
  /** Open submessages: where each one ends in `out` and where the fields of the state that ended it begin. */
  stackEnds = new Uint32Array(16);
  stackStates = new Int32Array(16);
  stackDepth = 0;
  readonly outView: DataView;
  readonly sourceView: DataView;

  /**
   * @param out the room for the records; unzeroed, since every byte gets written (checked at the end).
   * @param cursors per buffer, the next byte to read and the end: [pos0, end0, pos1, end1, ...].
   * @param ends record ends, found back to front as the next record's start; the first `unroomed`
   *   records (counted from the front) have no slot.
   */
  constructor(
    readonly layout: TransposedLayout,
    readonly numRecords: number,
    readonly size: number,
    readonly out: Uint8Array,
    readonly cursors: Uint32Array,
    readonly ends: Float64Array,
    readonly unroomed: number,
  ) {
    this.state = layout.firstState;
    this.p = out.length;
    this.budget = numRecords + 2 * size + 4 * layout.transitions.length + 1;
    this.recordsLeft = numRecords;
    this.outView = new DataView(out.buffer, out.byteOffset, out.length);
    const source = layout.source;
    this.sourceView = new DataView(source.buffer, source.byteOffset, source.length);
  }
}

/** Ends a run whose output outgrew its room: another run gets more, unless the room was the whole claim. */
function outOfRoom(walk: Walk, where: Where, state: number): typeof Walked.needsBytes {
  if (walk.out.length < walk.size) return Walked.needsBytes;
  return fail(where, 'state $0 writes beyond the $1 record bytes the chunk header announces', state, walk.size);
}

// Reads a varint32 length at src[q], before `end`, in buffer `buffer`; returns length * 8 + the varint's byte count.
function readLongLength(src: Uint8Array, q: number, end: number, where: Where, buffer: number): number {
  let length = 0;
  let scale = 1;
  for (let count = 1; count <= 5; count++) {
    if (q >= end) fail(where, 'buffer $0 ends inside a length', buffer);
    const byte = src[q++]!;
    length += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (length > 0xffff_ffff) fail(where, 'buffer $0 holds a length of $1, above 2^32 - 1', buffer, length);
      return length * 8 + count;
    }
    scale *= 128;
  }
  return fail(where, 'buffer $0 holds a length longer than 5 bytes', buffer);
}

/**
 * Writes the `length` tag bytes of a state (`low` holds bytes 0-3, `high` bytes 4-5) so that they end
 * at out[p]; returns where they begin. Uint8Array stores keep the low 8 bits of what they are given.
 */
function putTag(out: Uint8Array, p: number, length: number, low: number, high: number): number {
  for (let k = length - 1; k >= 4; k--) out[--p] = high >>> ((k - 4) << 3);
  for (let k = Math.min(length, 4) - 1; k >= 0; k--) out[--p] = low >>> (k << 3);
  return p;
}

/**
 * Takes up to SLICE_STEPS steps of `walk`: each step runs a state (writing its field below `p`,
 * reading its buffer) and moves to the next state, by a transition byte unless the state is
 * implicit or the last byte asked for repeats. Every index, length and count is checked.
 * @returns a `Walked` value.
 * @throws CorruptFileError when the chunk contradicts itself or its header.
 */
export function walkSlice(walk: Walk, where: Where): number {
  // StateField and STATE_SHIFT as local literals (their types keep them equal): TurboFan folds these
  // into the instructions, while a module binding or an object member is loaded and checked at each use.
  const SHIFT: typeof STATE_SHIFT = 3;
  const KIND: typeof StateField.kind = 0;
  const NEXT: typeof StateField.next = 1;
  const IMPLICIT: typeof StateField.implicit = 2;
  const BUFFER: typeof StateField.buffer = 3;
  const TAG_LENGTH: typeof StateField.tagLength = 4;
  const DATA_LENGTH: typeof StateField.dataLength = 5;
  const TAG_LOW: typeof StateField.tagLow = 6;
  const TAG_HIGH: typeof StateField.tagHigh = 7;
  // Strings up to this size are copied four bytes at a time; longer ones with subarray() + set().
  const SMALL_STRING = 64;

  const { layout, numRecords, out, cursors, ends, unroomed, outView, sourceView } = walk;
  const { states, source: src, transitions, numStates } = layout;
  const transitionsEnd = transitions.length;
  let { p, recordsLeft, firstStart, stackEnds, stackStates } = walk;
  // `| 0` tells TurboFan these are int32s (all stay below 2^31), so the loop keeps them untagged in
  // registers instead of checking and untagging a field's value at every step: a quarter faster.
  let state = walk.state | 0;
  let pendingSteps = walk.pendingSteps | 0;
  let transitionPos = walk.transitionPos | 0;
  let stackDepth = walk.stackDepth | 0;
  const sliceSteps = Math.min(walk.sliceSteps, walk.budget) | 0;
  walk.sliceSteps = Math.min(2 * walk.sliceSteps, SLICE_STEPS);
  let steps = sliceSteps;
  // Walked values as literals, for the reason the fields are: Walked.more until the walk ends.
  let result = 0;

  for (;;) {
    if (--steps < 0) {
      steps = 0;
      break;
    }
    const at = state << SHIFT;
    // Case labels are NodeKind values written as literals, for the same reason as the fields above.
    switch (states[at + KIND]) {
      case 8 /* string */: {
        const b = states[at + BUFFER]! << 1;
        const q = cursors[b]!;
        const end = cursors[b + 1]!;
        // The buffer holds each string as varint32(length) + bytes, exactly as the record does.
        if (q >= end) fail(where, 'buffer $0 ends before a string of state $1', b >> 1, state);
        let total = src[q]! + 1;
        if (total > 0x80) {
          const packed = readLongLength(src, q, end, where, b >> 1);
          total = Math.floor(packed / 8) + (packed & 7);
        }
        if (total > end - q) fail(where, 'state $0 needs a $1-byte string, buffer $2 has $3 bytes left', state, total, b >> 1, end - q);
        const t = states[at + TAG_LENGTH]!;
        if (p < total + t) return outOfRoom(walk, where, state);
        let e = q + total;
        cursors[b] = e;
        const start = p - total;
        if (total > SMALL_STRING) {
          out.set(src.subarray(q, e), start);
        } else if (total >= 4) {
          // Whole words from the end; the last one, at the string's start, overlaps the one before.
          for (let k = total - 4; k > 0; k -= 4) outView.setInt32(start + k, sourceView.getInt32(q + k));
          outView.setInt32(start, sourceView.getInt32(q));
        } else {
          while (e > q) out[--p] = src[--e]!;
        }
        p = start;
        if (t === 1) out[--p] = states[at + TAG_LOW]!;
        else p = putTag(out, p, t, states[at + TAG_LOW]!, states[at + TAG_HIGH]!);
        break;
      }
      case 4 /* submessageEnd */:
        // Every open submessage still needs a length and a tag byte below `p`: the room bounds the stack.
        if (2 * stackDepth + 2 > p) return outOfRoom(walk, where, state);
        if (stackDepth === stackEnds.length) {
          const grownEnds = new Uint32Array(stackDepth * 2);
          grownEnds.set(stackEnds);
          stackEnds = grownEnds;
          const grownStates = new Int32Array(stackDepth * 2);
          grownStates.set(stackStates);
          stackStates = grownStates;
        }
        stackEnds[stackDepth] = p;
        stackStates[stackDepth] = at;
        stackDepth++;
        break;
      case 3 /* submessageStart */: {
        if (stackDepth === 0) fail(where, 'state $0 starts a submessage that no state ended', state);
        stackDepth--;
        let length = stackEnds[stackDepth]! - p;
        const endAt = stackStates[stackDepth]!;
        const t = states[endAt + TAG_LENGTH]!;
        if (length < 0x80) {
          if (p < 1 + t) return outOfRoom(walk, where, state);
          out[--p] = length;
        } else {
          if (length > 0xffff_ffff) fail(where, 'submessage of $0 bytes, more than 2^32 - 1', length);
          let lengthBytes = 1;
          for (let rest = length >>> 7; rest !== 0; rest >>>= 7) lengthBytes++;
          if (p < lengthBytes + t) return outOfRoom(walk, where, state);
          p -= lengthBytes;
          for (let k = 0; k < lengthBytes - 1; k++) {
            out[p + k] = (length & 0x7f) | 0x80;
            length >>>= 7;
          }
          out[p + lengthBytes - 1] = length;
        }
        if (t === 1) out[--p] = states[endAt + TAG_LOW]!;
        else p = putTag(out, p, t, states[endAt + TAG_LOW]!, states[endAt + TAG_HIGH]!);
        break;
      }
      case 5 /* copyTag */: {
        const t = states[at + TAG_LENGTH]!;
        if (p < t) return outOfRoom(walk, where, state);
        p = putTag(out, p, t, states[at + TAG_LOW]!, states[at + TAG_HIGH]!);
        break;
      }
      case 6 /* varint */: {
        const b = states[at + BUFFER]! << 1;
        const q = cursors[b]!;
        const n = states[at + DATA_LENGTH]!;
        const t = states[at + TAG_LENGTH]!;
        if (n > cursors[b + 1]! - q) fail(where, 'buffer $0 ends inside a $1-byte varint of state $2', b >> 1, n, state);
        if (p < n + t) return outOfRoom(walk, where, state);
        // Buffers keep varints with their continuation bits cleared; restore them, and refuse a set one.
        let e = q + n - 1;
        let bits = src[e]!;
        out[--p] = bits;
        while (e > q) {
          const byte = src[--e]!;
          bits |= byte;
          out[--p] = byte | 0x80;
        }
        if ((bits & 0x80) !== 0) fail(where, 'buffer $0 holds a varint byte with the high bit set at $1', b >> 1, q);
        cursors[b] = q + n;
        if (t === 1) out[--p] = states[at + TAG_LOW]!;
        else p = putTag(out, p, t, states[at + TAG_LOW]!, states[at + TAG_HIGH]!);
        break;
      }
      case 7 /* fixed */: {
        const b = states[at + BUFFER]! << 1;
        const q = cursors[b]!;
        const n = states[at + DATA_LENGTH]!;
        const t = states[at + TAG_LENGTH]!;
        if (n > cursors[b + 1]! - q) fail(where, 'buffer $0 ends inside a $1-byte fixed value of state $2', b >> 1, n, state);
        if (p < n + t) return outOfRoom(walk, where, state);
        // 4 or 8 bytes: one or two words.
        p -= n;
        outView.setInt32(p + n - 4, sourceView.getInt32(q + n - 4));
        if (n === 8) outView.setInt32(p, sourceView.getInt32(q));
        cursors[b] = q + n;
        if (t === 1) out[--p] = states[at + TAG_LOW]!;
        else p = putTag(out, p, t, states[at + TAG_LOW]!, states[at + TAG_HIGH]!);
        break;
      }
      case 1 /* messageStart */:
        if (stackDepth !== 0) fail(where, 'a record starts while $0 submessages are open', stackDepth);
        if (recordsLeft === 0) fail(where, 'more records than the $0 the chunk header announces', numRecords);
        if (--recordsLeft < unroomed) return 2; // Walked.needsRecords
        if (recordsLeft > unroomed) ends[recordsLeft - unroomed - 1] = p;
        firstStart = p;
        break;
      case 2 /* nonProto */: {
        const l = layout.nonProtoLengthsBuffer << 1;
        const lengthPos = cursors[l]!;
        const packed = readLongLength(src, lengthPos, cursors[l + 1]!, where, l >> 1);
        const length = Math.floor(packed / 8);
        cursors[l] = lengthPos + (packed & 7);
        const b = states[at + BUFFER]! << 1;
        const from = cursors[b]!;
        if (length > cursors[b + 1]! - from) {
          fail(where, 'non-proto record of $0 bytes, buffer $1 has $2 left', length, b >> 1, cursors[b + 1]! - from);
        }
        if (p < length) return outOfRoom(walk, where, state);
        p -= length;
        out.set(src.subarray(from, from + length), p);
        cursors[b] = from + length;
        // A non-proto record is complete once its bytes are written.
        if (stackDepth !== 0) fail(where, 'a record starts while $0 submessages are open', stackDepth);
        if (recordsLeft === 0) fail(where, 'more records than the $0 the chunk header announces', numRecords);
        if (--recordsLeft < unroomed) return 2; // Walked.needsRecords
        if (recordsLeft > unroomed) ends[recordsLeft - unroomed - 1] = p;
        firstStart = p;
        break;
      }
      // 0: noOp only moves on.
    }

    // Leaving a state without a transition byte: an implicit state, or a repeat the last byte asked for.
    pendingSteps += states[at + IMPLICIT]!;
    let target = states[at + NEXT]!;
    if (pendingSteps === 0) {
      if (transitionPos === transitionsEnd) {
        result = 3; // Walked.done
        break;
      }
      const byte = transitions[transitionPos++]!;
      target += byte >> 2;
      if (target >= numStates) fail(where, 'transition byte $0 leads to state $1, there are $2', transitionPos - 1, target, numStates);
      // The low bits repeat the transition to the base state.
      pendingSteps = byte & 3;
    } else {
      pendingSteps--;
    }
    state = target;
  }

  walk.budget -= sliceSteps - steps;
  if (result === 0 && walk.budget === 0) {
    fail(where, 'the state machine takes more steps than $0 records of $1 bytes can need', numRecords, walk.size);
  }
  walk.state = state;
  walk.pendingSteps = pendingSteps;
  walk.p = p;
  walk.transitionPos = transitionPos;
  walk.recordsLeft = recordsLeft;
  walk.firstStart = firstStart;
  walk.stackEnds = stackEnds;
  walk.stackStates = stackStates;
  walk.stackDepth = stackDepth;
  return result;
}
