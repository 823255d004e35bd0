// Parses a transposed chunk's data (header, buckets, transitions) into typed arrays the decoder runs on.
//
// Chunk data: compression byte, varint(header block length), header block, the buckets (each a
// block holding consecutive buffers), then the transitions block. Header fields, all varints:
// num_buckets, num_buffers, bucket lengths (stored sizes), buffer lengths (decoded sizes),
// num_states, one tag per state, one base per state, one subtype byte per varint state, one buffer
// index per state that reads a buffer, the first state.

import { CorruptFileError } from '../../errors.js';
import { VarintCursor } from '../bytes.js';
import { decodeBlock, isKnownCompressionType } from '../compression.js';
import { MessageId, Subtype, WireType } from './constants.js';
import type { Where } from '../../place.js';

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
  fixed32: 7,
  fixed64: 8,
  string: 9,
} as const;

/** Bytes reserved per state in `tagBytes`: a varint32 tag and one inline value byte. */
export const TAG_SLOT = 6;

/** A parsed transposed chunk: the state machine as parallel arrays, its buffers and transitions. */
export interface TransposedLayout {
  readonly compressionType: number;
  readonly numStates: number;
  /** `NodeKind` per state. */
  readonly kind: Uint8Array;
  /** The state the machine moves to (plus a transition byte's offset, unless implicit). */
  readonly next: Int32Array;
  /** 1 when leaving the state reads no transition byte. */
  readonly implicit: Uint8Array;
  /** `TAG_SLOT` bytes per state: the encoded tag, then the inline varint value if any. */
  readonly tagBytes: Uint8Array;
  /** How many of the state's `tagBytes` it writes. */
  readonly tagLength: Uint8Array;
  /** Varint byte count of buffered varint states. */
  readonly dataLength: Uint8Array;
  /** Buffer index per state, -1 for states without a buffer. */
  readonly buffer: Int32Array;
  readonly firstState: number;
  /** Decoded buffers in header order; the last one holds non-proto record lengths if any. */
  readonly buffers: readonly Uint8Array[];
  /** Index of the buffer of non-proto record lengths, -1 when no state is non-proto. */
  readonly nonProtoLengthsBuffer: number;
  /** One byte per explicit transition group. */
  readonly transitions: Uint8Array;
}

function fail(where: Where, message: string): never {
  throw new CorruptFileError(`transposed ${where}: ${message}`);
}

function readVarint32(cursor: VarintCursor, what: string, where: Where): number {
  const value = cursor.readVarint(`${what} of transposed ${where}`);
  if (value > 0xffff_ffff) fail(where, `${what} is ${value}, expected a 32-bit value`);
  return value;
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

function parseBuffers(
  data: Uint8Array,
  dataStart: number,
  header: VarintCursor,
  compressionType: number,
  maxBuffers: number,
  where: Where,
): { buffers: Uint8Array[]; dataEnd: number } {
  const numBuckets = readVarint32(header, 'bucket count', where);
  const numBuffers = readVarint32(header, 'buffer count', where);
  if (numBuckets === 0) {
    if (numBuffers !== 0) fail(where, `${numBuffers} buffers but no bucket to hold them`);
    return { buffers: [], dataEnd: dataStart };
  }
  // Each count needs at least one header byte; checking first keeps corrupt counts from allocating.
  if (numBuckets + numBuffers > header.end - header.pos) {
    fail(where, `${numBuckets} buckets and ${numBuffers} buffers need more lengths than the ${header.end - header.pos} header bytes left`);
  }
  const buckets: Uint8Array[] = [];
  let position = dataStart;
  for (let i = 0; i < numBuckets; i++) {
    const length = header.readVarint(`length of bucket ${i} of transposed ${where}`);
    if (length > data.length - position) {
      fail(where, `bucket ${i} claims ${length} bytes at offset ${position}, only ${data.length - position} remain`);
    }
    buckets.push(decodeBlock(compressionType, data.subarray(position, position + length), `bucket ${i} of transposed ${where}`, maxBuffers));
    position += length;
  }

  const buffers: Uint8Array[] = [];
  let bucketIndex = 0;
  let bucketPos = 0;
  let total = 0;
  for (let i = 0; i < numBuffers; i++) {
    const length = header.readVarint(`length of buffer ${i} of transposed ${where}`);
    total += length;
    if (total > maxBuffers) fail(where, `buffers hold more than ${maxBuffers} bytes, more than the records can contain`);
    const bucket = buckets[bucketIndex]!;
    if (length > bucket.length - bucketPos) {
      fail(where, `buffer ${i} needs ${length} bytes, bucket ${bucketIndex} has ${bucket.length - bucketPos} left`);
    }
    // Plain Uint8Array views (not Buffers): the decoder's subarray() calls stay on the fast builtin.
    buffers.push(new Uint8Array(bucket.buffer, bucket.byteOffset + bucketPos, length));
    bucketPos += length;
    // A buffer never spans buckets: once a bucket is used up, the next buffer starts the next bucket.
    while (bucketPos === buckets[bucketIndex]!.length && bucketIndex + 1 < numBuckets) {
      bucketIndex++;
      bucketPos = 0;
    }
  }
  if (bucketIndex + 1 < numBuckets) {
    fail(where, `buffers fill ${bucketIndex + 1} buckets, the header announces ${numBuckets}`);
  }
  const lastBucket = buckets[bucketIndex]!;
  if (bucketPos !== lastBucket.length) {
    fail(where, `bucket ${bucketIndex} holds ${lastBucket.length} bytes, its buffers use ${bucketPos}`);
  }
  return { buffers, dataEnd: position };
}

function isValidTag(tag: number): boolean {
  const wireType = tag & 7;
  return wireType <= WireType.fixed32 && tag >= 8;
}

/** Writes the varint of a 32-bit tag into `target` at `offset`; returns its length. */
function writeTag(target: Uint8Array, offset: number, tag: number): number {
  let length = 0;
  while (tag >= 0x80) {
    target[offset + length++] = (tag & 0x7f) | 0x80;
    tag >>>= 7;
  }
  target[offset + length++] = tag;
  return length;
}

// True when following implicit transitions from some state comes back to a state of the same walk.
function hasImplicitLoop(next: Int32Array, implicit: Uint8Array): boolean {
  const walk = new Int32Array(next.length);
  for (let start = 0; start < next.length; start++) {
    if (walk[start] !== 0) continue;
    const id = start + 1;
    walk[start] = id;
    let state = start;
    while (implicit[state] === 1) {
      state = next[state]!;
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
 * @throws CorruptFileError for anything a valid chunk cannot contain.
 */
export function parseTransposedChunk(data: Uint8Array, numRecords: number, decodedDataSize: number, where: Where): TransposedLayout {
  if (data.length === 0) fail(where, 'no compression type byte (chunk data is empty)');
  const compressionType = data[0]!;
  if (!isKnownCompressionType(compressionType)) {
    fail(where, `compression type 0x${compressionType.toString(16)}, expected 0 (none), 0x62 (brotli), 0x7a (zstd) or 0x73 (snappy)`);
  }
  const limits = sizeLimits(numRecords, decodedDataSize);
  const prefix = new VarintCursor(data, 1);
  const headerLength = prefix.readVarint(`header length of transposed ${where}`);
  if (headerLength > data.length - prefix.pos) {
    fail(where, `header claims ${headerLength} bytes, only ${data.length - prefix.pos} remain`);
  }
  const headerEnd = prefix.pos + headerLength;
  const headerBytes = decodeBlock(compressionType, data.subarray(prefix.pos, headerEnd), `header of transposed ${where}`, limits.header);
  const header = new VarintCursor(headerBytes);

  const { buffers, dataEnd } = parseBuffers(data, headerEnd, header, compressionType, limits.buffers, where);
  const transitions = decodeBlock(compressionType, data.subarray(dataEnd), `transitions of transposed ${where}`, limits.transitions);

  const numStates = readVarint32(header, 'state count', where);
  // Each state takes at least a tag byte and a base byte.
  if (numStates * 2 > header.end - header.pos) {
    fail(where, `${numStates} states need at least ${numStates * 2} header bytes, ${header.end - header.pos} remain`);
  }
  const tags = new Float64Array(numStates);
  let numSubtypes = 0;
  for (let i = 0; i < numStates; i++) {
    const tag = readVarint32(header, `tag of state ${i}`, where);
    tags[i] = tag;
    if (isValidTag(tag) && (tag & 7) === WireType.varint) numSubtypes++;
  }
  const next = new Int32Array(numStates);
  const implicit = new Uint8Array(numStates);
  for (let i = 0; i < numStates; i++) {
    let base = readVarint32(header, `base of state ${i}`, where);
    // The encoder marks a state whose only destination is its base by adding the state count.
    if (base >= numStates) {
      base -= numStates;
      implicit[i] = 1;
    }
    if (base >= numStates) fail(where, `state ${i} has base ${base + numStates}, expected below ${2 * numStates}`);
    next[i] = base;
  }
  if (numSubtypes > header.end - header.pos) {
    fail(where, `${numSubtypes} subtype bytes expected, ${header.end - header.pos} header bytes remain`);
  }
  const subtypes = headerBytes.subarray(header.pos, header.pos + numSubtypes);
  header.pos += numSubtypes;

  const kind = new Uint8Array(numStates);
  const tagBytes = new Uint8Array(numStates * TAG_SLOT);
  const tagLength = new Uint8Array(numStates);
  const dataLength = new Uint8Array(numStates);
  const buffer = new Int32Array(numStates).fill(-1);
  const readBufferIndex = (state: number): number => {
    const index = readVarint32(header, `buffer index of state ${state}`, where);
    if (index >= buffers.length) fail(where, `state ${state} reads buffer ${index}, there are ${buffers.length}`);
    return index;
  };
  let subtypeIndex = 0;
  let hasNonProto = false;
  for (let i = 0; i < numStates; i++) {
    let tag = tags[i]!;
    switch (tag) {
      case MessageId.noOp:
        kind[i] = NodeKind.noOp;
        continue;
      case MessageId.nonProto:
        kind[i] = NodeKind.nonProto;
        buffer[i] = readBufferIndex(i);
        hasNonProto = true;
        continue;
      case MessageId.startOfMessage:
        kind[i] = NodeKind.messageStart;
        continue;
      case MessageId.startOfSubmessage:
        kind[i] = NodeKind.submessageStart;
        continue;
    }
    let isSubmessageEnd = false;
    if ((tag & 7) === WireType.submessageEnd) {
      tag -= WireType.submessageEnd - WireType.lengthDelimited;
      isSubmessageEnd = true;
    }
    if (!isValidTag(tag)) {
      fail(where, `state ${i} has tag ${tags[i]}, expected an id 0-3 or a proto tag (field number >= 1, wire type 0-6)`);
    }
    const length = writeTag(tagBytes, i * TAG_SLOT, tag);
    tagLength[i] = length;
    switch (tag & 7) {
      case WireType.varint: {
        const subtype = subtypes[subtypeIndex++]!;
        if (subtype <= Subtype.varintMax) {
          kind[i] = NodeKind.varint;
          dataLength[i] = subtype - Subtype.varint1 + 1;
          buffer[i] = readBufferIndex(i);
        } else if (subtype <= Subtype.varintInlineMax) {
          kind[i] = NodeKind.copyTag;
          tagBytes[i * TAG_SLOT + length] = subtype - Subtype.varintInline0;
          tagLength[i] = length + 1;
        } else {
          fail(where, `state ${i} (varint tag ${tag}) has subtype ${subtype}, expected 0-${Subtype.varintInlineMax}`);
        }
        break;
      }
      case WireType.fixed32:
        kind[i] = NodeKind.fixed32;
        buffer[i] = readBufferIndex(i);
        break;
      case WireType.fixed64:
        kind[i] = NodeKind.fixed64;
        buffer[i] = readBufferIndex(i);
        break;
      case WireType.lengthDelimited:
        if (isSubmessageEnd) {
          kind[i] = NodeKind.submessageEnd;
        } else {
          kind[i] = NodeKind.string;
          buffer[i] = readBufferIndex(i);
        }
        break;
      default:
        kind[i] = NodeKind.copyTag;
    }
  }
  const firstState = readVarint32(header, 'first state', where);
  if (firstState >= numStates) fail(where, `first state is ${firstState}, expected below ${numStates}`);
  if (!header.atEnd()) fail(where, `header has ${header.end - header.pos} bytes after the first state index`);
  if (hasImplicitLoop(next, implicit)) fail(where, 'implicit transitions form a loop');

  return {
    compressionType,
    numStates,
    kind,
    next,
    implicit,
    tagBytes,
    tagLength,
    dataLength,
    buffer,
    firstState,
    buffers,
    // A non-proto state reads a valid buffer index, so there is at least one buffer.
    nonProtoLengthsBuffer: hasNonProto ? buffers.length - 1 : -1,
    transitions,
  };
}
