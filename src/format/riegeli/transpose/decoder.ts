// Decodes a transposed chunk ('t') by running its state machine, which rebuilds the records back to front.

import { constants as bufferConstants } from 'node:buffer';
import { CorruptFileError } from '../../errors.js';
import { SHARED_SLABS, type ByteAllocator } from '../../io/output-arena.js';
import type { DecodedChunk } from '../decoded-chunk.js';
import { NodeKind, parseTransposedChunk, TAG_SLOT, type TransposedLayout } from './layout.js';
import type { Where } from '../../place.js';

// Below this many bytes a byte loop beats subarray() + set().
const SMALL_COPY = 24;

function fail(where: Where, message: string): never {
  throw new CorruptFileError(`transposed ${where}: ${message}`);
}

/**
 * The most steps the machine can take: a transition byte covers at most four explicit transitions,
 * each followed by a chain of implicit ones shorter than the state count (implicit chains cannot loop).
 */
function maxSteps(layout: TransposedLayout): number {
  return (4 * layout.transitions.length + 1) * layout.numStates;
}

/** Bytes of all decoded buffers: each reappears once in the records (or as a non-proto record length). */
function bufferBytes(layout: TransposedLayout): number {
  let total = 0;
  for (const buffer of layout.buffers) total += buffer.length;
  return total;
}

/** The most bytes the machine can write: all buffer bytes plus, per step, a tag and a submessage length (11 bytes). */
function maxOutputSize(layout: TransposedLayout): number {
  return bufferBytes(layout) + 11 * maxSteps(layout);
}

/**
 * Decodes a transposed chunk's data into its records.
 *
 * The chunk stores proto records column by column: a state machine (one state per field path and
 * kind) walks the fields of all records from the last byte of the last record to the first byte of
 * the first, writing tags and taking field values from per-column buffers. Records that are not
 * proto messages are stored whole. Every index, length and transition is checked, and the walk has
 * a step budget derived from the sizes, so corrupt data fails instead of looping or writing a wrong
 * record.
 *
 * @param numRecords record count from the chunk header (1 for a metadata chunk).
 * @param decodedDataSize total record bytes from the chunk header.
 * @param where names the chunk in errors, e.g. "chunk at 64 of data.array_record".
 * @param output where the records are assembled.
 * @throws CorruptFileError when the data contradicts itself or the header counts.
 * @example
 * const chunk = decodeTransposedChunk(data, header.numRecords, header.decodedDataSize, 'chunk at 64');
 * const first = recordOf(chunk, 0);
 */
export function decodeTransposedChunk(
  data: Uint8Array,
  numRecords: number,
  decodedDataSize: number,
  where: Where,
  output: ByteAllocator = SHARED_SLABS,
): DecodedChunk {
  const layout = parseTransposedChunk(data, numRecords, decodedDataSize, where);
  // Checked before allocating: both counts come from the chunk header.
  if (decodedDataSize > bufferConstants.MAX_LENGTH || decodedDataSize > maxOutputSize(layout)) {
    fail(where, `the chunk header announces ${decodedDataSize} record bytes, more than this chunk data can produce`);
  }
  if (numRecords > maxSteps(layout)) {
    fail(where, `the chunk header announces ${numRecords} records, more than this chunk data can produce`);
  }
  // Both counts are still claims, bounded only by a product of sizes: the first attempt gets room for
  // what such data usually produces, and only output the machine really writes earns it more.
  let room = initialRoom(layout, numRecords, decodedDataSize);
  for (;;) {
    const result = runStateMachine(layout, numRecords, decodedDataSize, room, where, output);
    if (result === NEEDS_BYTES) room = { bytes: grown(room.bytes, decodedDataSize), records: room.records };
    else if (result === NEEDS_RECORDS) room = { bytes: room.bytes, records: grown(room.records, numRecords) };
    else return result;
  }
}

/** What one run of the state machine may fill: output bytes and record starts. */
interface Room {
  readonly bytes: number;
  readonly records: number;
}

/** A run's result when it needed more room of one kind than it had (below the header's claim). */
const NEEDS_BYTES = 1;
const NEEDS_RECORDS = 2;

/**
 * Room for what a chunk usually yields: each transition byte leads to at most four steps, each state
 * may follow once by implicit transitions, and a step writes buffer bytes plus at most 11 of its own.
 * Chunks whose implicit chains repeat (many fields per record without buffers) need another run.
 */
function initialRoom(layout: TransposedLayout, numRecords: number, size: number): Room {
  const steps = 4 * layout.transitions.length + layout.numStates + 1;
  return { bytes: Math.min(size, bufferBytes(layout) + 11 * steps), records: Math.min(numRecords, steps) };
}

/** The next room of a kind: four times more, at most the claim, so a few runs reach any true size. */
function grown(room: number, claim: number): number {
  return Math.min(claim, Math.max(4 * room, 4096));
}

/** Ends a run whose output outgrew its room: another run gets more, unless the room was the whole claim. */
function outOfRoom(room: Room, size: number, where: Where, state: number): typeof NEEDS_BYTES {
  if (room.bytes < size) return NEEDS_BYTES;
  return fail(where, `state ${state} writes beyond the ${size} record bytes the chunk header announces`);
}

// Reads a varint32 length at src[q]; returns length * 8 + the varint's byte count.
function readLongLength(src: Uint8Array, q: number, where: Where, what: string): number {
  let length = 0;
  let scale = 1;
  for (let count = 1; count <= 5; count++) {
    if (q >= src.length) fail(where, `${what} ends inside a length`);
    const byte = src[q++]!;
    length += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (length > 0xffff_ffff) fail(where, `${what} holds a length of ${length}, above 2^32 - 1`);
      return length * 8 + count;
    }
    scale *= 128;
  }
  return fail(where, `${what} holds a length longer than 5 bytes`);
}

/**
 * Runs the state machine into `room`; returns the records, or which room ran out when it was smaller
 * than the header's claim (the run is then discarded).
 */
function runStateMachine(
  layout: TransposedLayout,
  numRecords: number,
  size: number,
  room: Room,
  where: Where,
  output: ByteAllocator,
): DecodedChunk | typeof NEEDS_BYTES | typeof NEEDS_RECORDS {
  const { kind, next, implicit, tagBytes, tagLength, dataLength, buffer, buffers, transitions, numStates } = layout;
  // Every byte gets written (checked at the end), so unzeroed memory is safe.
  const out = output.take(room.bytes);
  const bufferPos = new Uint32Array(buffers.length);
  // Record starts fill from the back; the first `unroomed` records (counted from the front) have no slot.
  const starts = new Float64Array(room.records);
  const unroomed = numRecords - room.records;
  let recordsLeft = numRecords;
  // Open submessages: where each one ends in `out` and the state that ended it (it holds the tag).
  let stackEnds = new Uint32Array(16);
  let stackStates = new Int32Array(16);
  let stackDepth = 0;

  const transitionsEnd = transitions.length;
  let transitionPos = 0;
  // A valid chunk takes at most one step per record, two per output byte and four per transition byte.
  let budget = numRecords + 2 * size + 4 * transitionsEnd + 1;
  let state = layout.firstState;
  let pendingSteps = implicit[state]!;
  // Records are written back to front: `p` is where the last byte written begins.
  let p = room.bytes;

  for (;;) {
    if (--budget < 0) fail(where, `the state machine takes more steps than ${numRecords} records of ${size} bytes can need`);
    // Case labels are NodeKind values written as literals, measured faster than loading NodeKind members.
    switch (kind[state]) {
      case 9 /* string */: {
        const b = buffer[state]!;
        const src = buffers[b]!;
        const q = bufferPos[b]!;
        // The buffer holds each string as varint32(length) + bytes, exactly as the record does.
        if (q >= src.length) fail(where, `buffer ${b} ends before a string of state ${state}`);
        let total = src[q]! + 1;
        if (total > 0x80) {
          const packed = readLongLength(src, q, where, `buffer ${b}`);
          total = Math.floor(packed / 8) + (packed & 7);
        }
        if (total > src.length - q) fail(where, `state ${state} needs a ${total}-byte string, buffer ${b} has ${src.length - q} bytes left`);
        const t = tagLength[state]!;
        if (p < total + t) return outOfRoom(room, size, where, state);
        p -= total;
        if (total < SMALL_COPY) {
          for (let k = 0; k < total; k++) out[p + k] = src[q + k]!;
        } else {
          out.set(src.subarray(q, q + total), p);
        }
        bufferPos[b] = q + total;
        const from = state * TAG_SLOT;
        if (t === 1) {
          out[--p] = tagBytes[from]!;
        } else {
          p -= t;
          for (let k = 0; k < t; k++) out[p + k] = tagBytes[from + k]!;
        }
        break;
      }
      case 4 /* submessageEnd */:
        if (stackDepth === stackEnds.length) {
          const ends = new Uint32Array(stackDepth * 2);
          ends.set(stackEnds);
          stackEnds = ends;
          const states = new Int32Array(stackDepth * 2);
          states.set(stackStates);
          stackStates = states;
        }
        stackEnds[stackDepth] = p;
        stackStates[stackDepth] = state;
        stackDepth++;
        break;
      case 3 /* submessageStart */: {
        if (stackDepth === 0) fail(where, `state ${state} starts a submessage that no state ended`);
        stackDepth--;
        let length = stackEnds[stackDepth]! - p;
        const endState = stackStates[stackDepth]!;
        const t = tagLength[endState]!;
        if (length < 0x80) {
          if (p < 1 + t) return outOfRoom(room, size, where, state);
          out[--p] = length;
        } else {
          if (length > 0xffff_ffff) fail(where, `submessage of ${length} bytes, more than 2^32 - 1`);
          let lengthBytes = 1;
          for (let rest = length >>> 7; rest !== 0; rest >>>= 7) lengthBytes++;
          if (p < lengthBytes + t) return outOfRoom(room, size, where, state);
          p -= lengthBytes;
          for (let k = 0; k < lengthBytes - 1; k++) {
            out[p + k] = (length & 0x7f) | 0x80;
            length >>>= 7;
          }
          out[p + lengthBytes - 1] = length;
        }
        const from = endState * TAG_SLOT;
        if (t === 1) {
          out[--p] = tagBytes[from]!;
        } else {
          p -= t;
          for (let k = 0; k < t; k++) out[p + k] = tagBytes[from + k]!;
        }
        break;
      }
      case 5 /* copyTag */: {
        const n = tagLength[state]!;
        if (p < n) return outOfRoom(room, size, where, state);
        p -= n;
        const from = state * TAG_SLOT;
        for (let k = 0; k < n; k++) out[p + k] = tagBytes[from + k]!;
        break;
      }
      case 6 /* varint */: {
        const b = buffer[state]!;
        const src = buffers[b]!;
        const q = bufferPos[b]!;
        const n = dataLength[state]!;
        const t = tagLength[state]!;
        if (n > src.length - q) fail(where, `buffer ${b} ends inside a ${n}-byte varint of state ${state}`);
        if (p < n + t) return outOfRoom(room, size, where, state);
        p -= n;
        // Buffers keep varints with their continuation bits cleared; restore them, and refuse a set one.
        let bits = 0;
        for (let k = 0; k < n - 1; k++) {
          const byte = src[q + k]!;
          bits |= byte;
          out[p + k] = byte | 0x80;
        }
        const last = src[q + n - 1]!;
        out[p + n - 1] = last;
        if (((bits | last) & 0x80) !== 0) fail(where, `buffer ${b} holds a varint byte with the high bit set at ${q}`);
        bufferPos[b] = q + n;
        p -= t;
        const from = state * TAG_SLOT;
        for (let k = 0; k < t; k++) out[p + k] = tagBytes[from + k]!;
        break;
      }
      case 7 /* fixed32 */:
      case 8 /* fixed64 */: {
        const b = buffer[state]!;
        const src = buffers[b]!;
        const q = bufferPos[b]!;
        const n = kind[state] === NodeKind.fixed32 ? 4 : 8;
        const t = tagLength[state]!;
        if (n > src.length - q) fail(where, `buffer ${b} ends inside a ${n}-byte fixed value of state ${state}`);
        if (p < n + t) return outOfRoom(room, size, where, state);
        p -= n;
        for (let k = 0; k < n; k++) out[p + k] = src[q + k]!;
        bufferPos[b] = q + n;
        p -= t;
        const from = state * TAG_SLOT;
        for (let k = 0; k < t; k++) out[p + k] = tagBytes[from + k]!;
        break;
      }
      case 1 /* messageStart */:
        if (stackDepth !== 0) fail(where, `a record starts while ${stackDepth} submessages are open`);
        if (recordsLeft === 0) fail(where, `more records than the ${numRecords} the chunk header announces`);
        if (--recordsLeft < unroomed) return NEEDS_RECORDS;
        starts[recordsLeft - unroomed] = p;
        break;
      case 2 /* nonProto */: {
        const lengthsIndex = layout.nonProtoLengthsBuffer;
        const lengths = buffers[lengthsIndex]!;
        const lengthPos = bufferPos[lengthsIndex]!;
        const packed = readLongLength(lengths, lengthPos, where, 'the buffer of non-proto record lengths');
        const length = Math.floor(packed / 8);
        bufferPos[lengthsIndex] = lengthPos + (packed & 7);
        const b = buffer[state]!;
        const src = buffers[b]!;
        const from = bufferPos[b]!;
        if (length > src.length - from) fail(where, `non-proto record of ${length} bytes, buffer ${b} has ${src.length - from} left`);
        if (p < length) return outOfRoom(room, size, where, state);
        p -= length;
        out.set(src.subarray(from, from + length), p);
        bufferPos[b] = from + length;
        // A non-proto record is complete once its bytes are written.
        if (stackDepth !== 0) fail(where, `a record starts while ${stackDepth} submessages are open`);
        if (recordsLeft === 0) fail(where, `more records than the ${numRecords} the chunk header announces`);
        if (--recordsLeft < unroomed) return NEEDS_RECORDS;
        starts[recordsLeft - unroomed] = p;
        break;
      }
      // 0: noOp only moves on.
    }

    let target = next[state]!;
    if (pendingSteps === 0) {
      if (transitionPos === transitionsEnd) break;
      const byte = transitions[transitionPos++]!;
      target += byte >> 2;
      if (target >= numStates) fail(where, `transition byte ${transitionPos - 1} leads to state ${target}, there are ${numStates}`);
      // The low bits repeat the transition to the base state; implicit transitions come on top.
      pendingSteps = (byte & 3) + implicit[target]!;
    } else {
      pendingSteps = pendingSteps - 1 + implicit[target]!;
    }
    state = target;
  }

  if (stackDepth !== 0) fail(where, `${stackDepth} submessages are still open after the last transition`);
  if (recordsLeft !== 0) fail(where, `${numRecords - recordsLeft} records decoded, the chunk header announces ${numRecords}`);
  if (p !== 0 || room.bytes !== size) fail(where, `records fill ${room.bytes - p} bytes, the chunk header announces ${size}`);
  if (numRecords > 0 && starts[0] !== 0) fail(where, `${starts[0]} bytes precede the first record`);
  for (let b = 0; b < buffers.length; b++) {
    if (bufferPos[b] !== buffers[b]!.length) fail(where, `buffer ${b} has ${buffers[b]!.length - bufferPos[b]!} bytes no state read`);
  }
  const ends = new Float64Array(numRecords);
  for (let i = 0; i + 1 < numRecords; i++) ends[i] = starts[i + 1]!;
  if (numRecords > 0) ends[numRecords - 1] = size;
  return { values: out, ends };
}
