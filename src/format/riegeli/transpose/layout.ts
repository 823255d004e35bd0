// Parses a transposed chunk's data (header, buckets, transitions) into typed arrays the decoder runs on.
//
// Chunk data: compression byte, varint(header block length), header block, the buckets (each a
// block holding consecutive buffers), then the transitions block. Header fields, all varints:
// num_buckets, num_buffers, bucket lengths (stored sizes), buffer lengths (decoded sizes),
// num_states, one tag per state, one base per state, one subtype byte per varint state, one buffer
// index per state that reads a buffer, the first state.

import { decodeBlock, isKnownCompressionType } from '../compression.js';
import { ChunkScratch } from '../../io/chunk-scratch.js';
import { parseBuffers } from './chunk-buffers.js';
import { MessageId, Subtype, TRANSPOSE_SCRATCH_BYTES, WireType } from './constants.js';
import { HeaderCursor } from './header-cursor.js';
import { partOf, type Where } from '../../place.js';
import { fail } from './fail.js';

/** What a decoder state does; the decoder switches on these. */
export const NodeKind = {
  noOp: 0,
  messageStart: 1,
  nonProto: 2,
  submessageStart: 3,
  submessageEnd: 4,
  /** Writes its tag bytes (plus an inline varint byte for inline varint states). */
  copyTag: 5,
  varint: 6,
  /** A fixed32 or fixed64 field: `dataLength` bytes copied from the buffer. */
  fixed: 7,
  string: 8,
} as const;

/**
 * The fields of a state in `TransposedLayout.states`, each an int32: all of a state's facts in one
 * typed array, next to each other, so a step of the decoder reads one array near one place.
 */
export const StateField = {
  /** `NodeKind`. */
  kind: 0,
  /** The state the machine moves to (plus a transition byte's offset, unless implicit). */
  next: 1,
  /** 1 when leaving the state reads no transition byte. */
  implicit: 2,
  /** Buffer index; -1 for states without a buffer. */
  buffer: 3,
  /** How many tag bytes the state writes (with the value byte of an inline varint). */
  tagLength: 4,
  /** Value bytes taken from the buffer: the varint length of a buffered varint, 4 or 8 for a fixed field. */
  dataLength: 5,
  /** Tag bytes 0-3, byte 0 (the first in the record) lowest. */
  tagLow: 6,
  /** Tag bytes 4 and 5. */
  tagHigh: 7,
} as const;

/** log2 of the int32 fields per state: state `s` starts at `s << STATE_SHIFT` in `states`. */
export const STATE_SHIFT = 3;

/** A parsed transposed chunk: the state machine as one array of fields per state, its buffers and transitions. */
export interface TransposedLayout {
  readonly compressionType: number;
  readonly numStates: number;
  /** `1 << STATE_SHIFT` int32s per state, laid out as `StateField` says. */
  readonly states: Int32Array;
  readonly firstState: number;
  /** All decoded buffers (views of the chunk data, or of scratch memory valid until the next parse with it). */
  readonly source: Uint8Array;
  /** Buffer `b` is `source[bounds[2b], bounds[2b + 1])`; buffers in header order. */
  readonly bounds: Uint32Array;
  /** Bytes of all buffers. */
  readonly bufferBytes: number;
  /** Index of the buffer of non-proto record lengths (the last one), -1 when no state is non-proto. */
  readonly nonProtoLengthsBuffer: number;
  /** One byte per explicit transition group. */
  readonly transitions: Uint8Array;
}

/** Upper bounds on block sizes a valid chunk with these header counts can have; they stop absurd allocations. */
function sizeLimits(numRecords: number, decodedDataSize: number): { header: number; buffers: number; transitions: number } {
  const work = numRecords + 2 * decodedDataSize + 16;
  return {
    header: Math.min(Number.MAX_SAFE_INTEGER, 64 * work),
    // Every buffer byte reappears in the records, except non-proto lengths (at most 10 bytes a record).
    buffers: decodedDataSize + 10 * numRecords,
    transitions: Math.min(Number.MAX_SAFE_INTEGER, 16 * work),
  };
}

/**
 * `bytes` as a plain Uint8Array: a Buffer (zlib's output, a file read) has another map, and the
 * decoder's loops stay monomorphic, and fast, on one array type.
 */
function plainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

function isValidTag(tag: number): boolean {
  const wireType = tag & 7;
  return wireType <= WireType.fixed32 && tag >= 8;
}

/** Appends `byte` to the tag bytes of the state whose fields start at `at`. */
function appendTagByte(states: Int32Array, at: number, byte: number): void {
  const length = states[at + StateField.tagLength]!;
  if (length < 4) states[at + StateField.tagLow]! |= byte << (8 * length);
  else states[at + StateField.tagHigh]! |= byte << (8 * (length - 4));
  states[at + StateField.tagLength] = length + 1;
}

/** Appends the varint of a 32-bit tag to the tag bytes of the state at `at`. */
function appendTag(states: Int32Array, at: number, tag: number): void {
  while (tag >= 0x80) {
    appendTagByte(states, at, (tag & 0x7f) | 0x80);
    tag >>>= 7;
  }
  appendTagByte(states, at, tag);
}

// True when following implicit transitions from some state comes back to a state of the same walk.
function hasImplicitLoop(states: Int32Array, numStates: number): boolean {
  const walk = new Int32Array(numStates);
  for (let start = 0; start < numStates; start++) {
    if (walk[start] !== 0) continue;
    const id = start + 1;
    walk[start] = id;
    let state = start;
    while (states[(state << STATE_SHIFT) + StateField.implicit] === 1) {
      state = states[(state << STATE_SHIFT) + StateField.next]!;
      if (walk[state] === id) return true;
      if (walk[state] !== 0) break;
      walk[state] = id;
    }
  }
  return false;
}

/**
 * Parses transposed chunk data into its state machine, decoded buffers and transitions, checking
 * every count, index and length against what the data holds.
 * @param numRecords and decodedDataSize come from the chunk header; they bound block sizes.
 * @param scratch where compressed blocks are decoded to; the layout's buffers and transitions may
 *   live there (a fresh scratch by default).
 * @throws CorruptFileError for anything a valid chunk cannot contain.
 */
export function parseTransposedChunk(
  data: Uint8Array,
  numRecords: number,
  decodedDataSize: number,
  where: Where,
  scratch = new ChunkScratch(TRANSPOSE_SCRATCH_BYTES),
): TransposedLayout {
  if (data.length === 0) fail(where, 'no compression type byte (chunk data is empty)');
  const compressionType = data[0]!;
  if (!isKnownCompressionType(compressionType)) {
    fail(where, `compression type 0x${compressionType.toString(16)}, expected 0 (none), 0x62 (brotli), 0x7a (zstd) or 0x73 (snappy)`);
  }
  const limits = sizeLimits(numRecords, decodedDataSize);
  const prefix = new HeaderCursor(data, where);
  prefix.pos = 1;
  const headerLength = prefix.varint('header length');
  if (headerLength > prefix.left) fail(where, `header claims ${headerLength} bytes, only ${prefix.left} remain`);
  const headerEnd = prefix.pos + headerLength;
  const headerBytes = plainBytes(decodeBlock(compressionType, data.subarray(prefix.pos, headerEnd), partOf('header', where), limits.header, scratch));
  const header = new HeaderCursor(headerBytes, where);

  const buffers = parseBuffers(data, headerEnd, header, compressionType, limits.buffers, scratch, where);
  const transitions = plainBytes(decodeBlock(compressionType, data.subarray(buffers.dataEnd), partOf('transitions', where), limits.transitions, scratch));

  const numStates = header.varint32('state count');
  // Each state takes at least a tag byte and a base byte.
  if (numStates * 2 > header.left) fail(where, `${numStates} states need at least ${numStates * 2} header bytes, ${header.left} remain`);
  // The decoder keeps state field offsets and transition positions in int32s; no real chunk comes close.
  if (numStates >= 2 ** 28 || transitions.length >= 2 ** 31) {
    fail(where, `${numStates} states and ${transitions.length} transition bytes, beyond 2^28 - 1 and 2^31 - 1`);
  }
  const states = new Int32Array(numStates << STATE_SHIFT);
  // Tags are kept in the `tagLow` fields (as int32 bits) until their states are filled in below.
  let numSubtypes = 0;
  for (let i = 0; i < numStates; i++) {
    const tag = header.varint32('tag of state', i);
    states[(i << STATE_SHIFT) + StateField.tagLow] = tag;
    if (isValidTag(tag) && (tag & 7) === WireType.varint) numSubtypes++;
  }
  for (let i = 0; i < numStates; i++) {
    let base = header.varint32('base of state', i);
    // The encoder marks a state whose only destination is its base by adding the state count.
    if (base >= numStates) {
      base -= numStates;
      states[(i << STATE_SHIFT) + StateField.implicit] = 1;
    }
    if (base >= numStates) fail(where, `state ${i} has base ${base + numStates}, expected below ${2 * numStates}`);
    states[(i << STATE_SHIFT) + StateField.next] = base;
  }
  if (numSubtypes > header.left) fail(where, `${numSubtypes} subtype bytes expected, ${header.left} header bytes remain`);
  let subtypePos = header.pos;
  header.pos += numSubtypes;

  const numBuffers = buffers.bounds.length / 2;
  let hasNonProto = false;
  for (let i = 0; i < numStates; i++) {
    const at = i << STATE_SHIFT;
    const rawTag = states[at + StateField.tagLow]! >>> 0;
    states[at + StateField.tagLow] = 0;
    let kind: number;
    let readsBuffer = true;
    switch (rawTag) {
      case MessageId.noOp:
        kind = NodeKind.noOp;
        readsBuffer = false;
        break;
      case MessageId.nonProto:
        kind = NodeKind.nonProto;
        hasNonProto = true;
        break;
      case MessageId.startOfMessage:
        kind = NodeKind.messageStart;
        readsBuffer = false;
        break;
      case MessageId.startOfSubmessage:
        kind = NodeKind.submessageStart;
        readsBuffer = false;
        break;
      default: {
        const isSubmessageEnd = (rawTag & 7) === WireType.submessageEnd;
        const tag = isSubmessageEnd ? rawTag - (WireType.submessageEnd - WireType.lengthDelimited) : rawTag;
        if (!isValidTag(tag)) {
          fail(where, `state ${i} has tag ${rawTag}, expected an id 0-3 or a proto tag (field number >= 1, wire type 0-6)`);
        }
        appendTag(states, at, tag);
        switch (tag & 7) {
          case WireType.varint: {
            const subtype = headerBytes[subtypePos++]!;
            if (subtype <= Subtype.varintMax) {
              kind = NodeKind.varint;
              states[at + StateField.dataLength] = subtype - Subtype.varint1 + 1;
            } else if (subtype <= Subtype.varintInlineMax) {
              kind = NodeKind.copyTag;
              appendTagByte(states, at, subtype - Subtype.varintInline0);
              readsBuffer = false;
            } else {
              fail(where, `state ${i} (varint tag ${tag}) has subtype ${subtype}, expected 0-${Subtype.varintInlineMax}`);
            }
            break;
          }
          case WireType.fixed32:
          case WireType.fixed64:
            kind = NodeKind.fixed;
            states[at + StateField.dataLength] = (tag & 7) === WireType.fixed32 ? 4 : 8;
            break;
          case WireType.lengthDelimited:
            kind = isSubmessageEnd ? NodeKind.submessageEnd : NodeKind.string;
            readsBuffer = !isSubmessageEnd;
            break;
          default:
            kind = NodeKind.copyTag;
            readsBuffer = false;
        }
      }
    }
    states[at + StateField.kind] = kind;
    let buffer = -1;
    if (readsBuffer) {
      buffer = header.varint32('buffer index of state', i);
      if (buffer >= numBuffers) fail(where, `state ${i} reads buffer ${buffer}, there are ${numBuffers}`);
    }
    states[at + StateField.buffer] = buffer;
  }
  const firstState = header.varint32('first state');
  if (firstState >= numStates) fail(where, `first state is ${firstState}, expected below ${numStates}`);
  if (header.left !== 0) fail(where, `header has ${header.left} bytes after the first state index`);
  if (hasImplicitLoop(states, numStates)) fail(where, 'implicit transitions form a loop');

  return {
    compressionType,
    numStates,
    states,
    firstState,
    source: buffers.source,
    bounds: buffers.bounds,
    bufferBytes: buffers.total,
    // A non-proto state reads a valid buffer index, so there is at least one buffer.
    nonProtoLengthsBuffer: hasNonProto ? numBuffers - 1 : -1,
    transitions,
  };
}
