// Decodes a transposed chunk ('t') by running its state machine, which rebuilds the records back to front.

import { constants as bufferConstants } from 'node:buffer';
import { CorruptFileError } from '../../errors.js';
import type { DecodedChunk } from '../decoded-chunk.js';
import { NodeKind, parseTransposedChunk, TAG_SLOT, type TransposedLayout } from './layout.js';

// Below this many bytes a byte loop beats subarray() + set().
const SMALL_COPY = 24;

function fail(where: string, message: string): never {
  throw new CorruptFileError(`transposed ${where}: ${message}`);
}

/**
 * The most bytes the machine can write: all buffer bytes plus, per step, a tag and a submessage
 * length (11 bytes). Steps are bounded because implicit transitions cannot loop.
 */
function maxOutputSize(layout: TransposedLayout): number {
  let bufferBytes = 0;
  for (const buffer of layout.buffers) bufferBytes += buffer.length;
  return bufferBytes + 11 * (4 * layout.transitions.length + 1) * layout.numStates;
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
 * @throws CorruptFileError when the data contradicts itself or the header counts.
 * @example
 * const chunk = decodeTransposedChunk(data, header.numRecords, header.decodedDataSize, 'chunk at 64');
 * const first = recordOf(chunk, 0);
 */
export function decodeTransposedChunk(data: Uint8Array, numRecords: number, decodedDataSize: number, where: string): DecodedChunk {
  const layout = parseTransposedChunk(data, numRecords, decodedDataSize, where);
  if (decodedDataSize > bufferConstants.MAX_LENGTH || decodedDataSize > maxOutputSize(layout)) {
    fail(where, `the chunk header announces ${decodedDataSize} record bytes, more than this chunk data can produce`);
  }
  return runStateMachine(layout, numRecords, decodedDataSize, where);
}

function runStateMachine(layout: TransposedLayout, numRecords: number, size: number, where: string): DecodedChunk {
  const { kind, next, implicit, tagBytes, tagLength, dataLength, buffer, buffers, transitions, numStates } = layout;
  const out = Buffer.allocUnsafe(size);
  const bufferPos = new Float64Array(buffers.length);
  const starts = new Float64Array(numRecords);
  let recordsLeft = numRecords;
  // Open submessages: where each one ends in `out` and the state that ended it (it holds the tag).
  let stackEnds = new Float64Array(16);
  let stackStates = new Int32Array(16);
  let stackDepth = 0;

  const transitionsEnd = transitions.length;
  let transitionPos = 0;
  // A valid chunk takes at most one step per record, two per output byte and four per transition byte.
  let budget = numRecords + 2 * size + 4 * transitionsEnd + 1;
  let state = layout.firstState;
  let pendingSteps = implicit[state]!;
  let p = size;

  for (;;) {
    if (--budget < 0) fail(where, `the state machine takes more steps than ${numRecords} records of ${size} bytes can need`);
    switch (kind[state]) {
      case NodeKind.noOp:
        break;
      case NodeKind.copyTag: {
        const n = tagLength[state]!;
        if (p < n) fail(where, `state ${state} writes beyond the ${size} record bytes the chunk header announces`);
        p -= n;
        const from = state * TAG_SLOT;
        for (let k = 0; k < n; k++) out[p + k] = tagBytes[from + k]!;
        break;
      }
      case NodeKind.varint: {
        const b = buffer[state]!;
        const src = buffers[b]!;
        const q = bufferPos[b]!;
        const n = dataLength[state]!;
        const t = tagLength[state]!;
        if (q + n > src.length) fail(where, `buffer ${b} ends inside a ${n}-byte varint of state ${state}`);
        if (p < n + t) fail(where, `state ${state} writes beyond the ${size} record bytes the chunk header announces`);
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
      case NodeKind.fixed32:
      case NodeKind.fixed64: {
        const b = buffer[state]!;
        const src = buffers[b]!;
        const q = bufferPos[b]!;
        const n = kind[state] === NodeKind.fixed32 ? 4 : 8;
        const t = tagLength[state]!;
        if (q + n > src.length) fail(where, `buffer ${b} ends inside a ${n}-byte fixed value of state ${state}`);
        if (p < n + t) fail(where, `state ${state} writes beyond the ${size} record bytes the chunk header announces`);
        p -= n;
        for (let k = 0; k < n; k++) out[p + k] = src[q + k]!;
        bufferPos[b] = q + n;
        p -= t;
        const from = state * TAG_SLOT;
        for (let k = 0; k < t; k++) out[p + k] = tagBytes[from + k]!;
        break;
      }
      case NodeKind.string: {
        const b = buffer[state]!;
        const src = buffers[b]!;
        const q = bufferPos[b]!;
        // The buffer holds each string as varint32(length) + bytes, exactly as the record does.
        let length = 0;
        let lengthBytes = 0;
        let scale = 1;
        for (;;) {
          if (q + lengthBytes >= src.length) fail(where, `buffer ${b} ends inside a string length of state ${state}`);
          const byte = src[q + lengthBytes++]!;
          length += (byte & 0x7f) * scale;
          if (byte < 0x80) break;
          if (lengthBytes === 5) fail(where, `buffer ${b} holds a string length longer than 5 bytes at ${q}`);
          scale *= 128;
        }
        const total = lengthBytes + length;
        if (length > 0xffff_ffff || q + total > src.length) {
          fail(where, `state ${state} needs a ${length}-byte string, buffer ${b} has ${src.length - q - lengthBytes} bytes left`);
        }
        const t = tagLength[state]!;
        if (p < total + t) fail(where, `state ${state} writes beyond the ${size} record bytes the chunk header announces`);
        p -= total;
        if (total < SMALL_COPY) {
          for (let k = 0; k < total; k++) out[p + k] = src[q + k]!;
        } else {
          out.set(src.subarray(q, q + total), p);
        }
        bufferPos[b] = q + total;
        p -= t;
        const from = state * TAG_SLOT;
        for (let k = 0; k < t; k++) out[p + k] = tagBytes[from + k]!;
        break;
      }
      case NodeKind.submessageEnd:
        if (stackDepth === stackEnds.length) {
          const ends = new Float64Array(stackDepth * 2);
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
      case NodeKind.submessageStart: {
        if (stackDepth === 0) fail(where, `state ${state} starts a submessage that no state ended`);
        stackDepth--;
        let length = stackEnds[stackDepth]! - p;
        const endState = stackStates[stackDepth]!;
        if (length > 0xffff_ffff) fail(where, `submessage of ${length} bytes, more than 2^32 - 1`);
        let lengthBytes = 1;
        for (let rest = length; rest >= 0x80; rest = Math.floor(rest / 128)) lengthBytes++;
        const t = tagLength[endState]!;
        if (p < lengthBytes + t) fail(where, `state ${state} writes beyond the ${size} record bytes the chunk header announces`);
        p -= lengthBytes;
        for (let k = 0; k < lengthBytes - 1; k++) {
          out[p + k] = (length & 0x7f) | 0x80;
          length = Math.floor(length / 128);
        }
        out[p + lengthBytes - 1] = length;
        p -= t;
        const from = endState * TAG_SLOT;
        for (let k = 0; k < t; k++) out[p + k] = tagBytes[from + k]!;
        break;
      }
      case NodeKind.nonProto: {
        const lengths = buffers[layout.nonProtoLengthsBuffer]!;
        let q = bufferPos[layout.nonProtoLengthsBuffer]!;
        let length = 0;
        let scale = 1;
        for (let k = 0; ; k++) {
          if (q >= lengths.length) fail(where, 'the buffer of non-proto record lengths ends early');
          if (k === 5) fail(where, `non-proto record length longer than 5 bytes at ${q}`);
          const byte = lengths[q++]!;
          length += (byte & 0x7f) * scale;
          if (byte < 0x80) break;
          scale *= 128;
        }
        bufferPos[layout.nonProtoLengthsBuffer] = q;
        const b = buffer[state]!;
        const src = buffers[b]!;
        const from = bufferPos[b]!;
        if (from + length > src.length) fail(where, `non-proto record of ${length} bytes, buffer ${b} has ${src.length - from} left`);
        if (p < length) fail(where, `state ${state} writes beyond the ${size} record bytes the chunk header announces`);
        p -= length;
        out.set(src.subarray(from, from + length), p);
        bufferPos[b] = from + length;
        // A non-proto record is complete once its bytes are written.
        if (stackDepth !== 0) fail(where, `a record starts while ${stackDepth} submessages are open`);
        if (recordsLeft === 0) fail(where, `more records than the ${numRecords} the chunk header announces`);
        starts[--recordsLeft] = p;
        break;
      }
      case NodeKind.messageStart:
        if (stackDepth !== 0) fail(where, `a record starts while ${stackDepth} submessages are open`);
        if (recordsLeft === 0) fail(where, `more records than the ${numRecords} the chunk header announces`);
        starts[--recordsLeft] = p;
        break;
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
  if (p !== 0 || (numRecords > 0 && starts[0] !== 0)) {
    fail(where, `records fill ${size - p} bytes, the chunk header announces ${size}`);
  }
  for (let b = 0; b < buffers.length; b++) {
    if (bufferPos[b] !== buffers[b]!.length) fail(where, `buffer ${b} has ${buffers[b]!.length - bufferPos[b]!} bytes no state read`);
  }
  const ends = new Float64Array(numRecords);
  for (let i = 0; i + 1 < numRecords; i++) ends[i] = starts[i + 1]!;
  if (numRecords > 0) ends[numRecords - 1] = size;
  return { values: out, ends };
}
