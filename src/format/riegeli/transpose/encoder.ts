// Encodes records as a transposed chunk ('t'), laid out as Riegeli's TransposeEncoder lays it out.

import { InvalidArgumentError } from '../../errors.js';
import { varintLength, writeVarint } from '../bytes.js';
import { encodeBlock, type CompressorOptions } from '../compression.js';
import { ChunkType, CompressionType } from '../constants.js';
import type { EncodedChunkData } from '../decoded-chunk.js';
import { BufferKind, ColumnSet, type ColumnBuffer, type EncodedTag } from './columns.js';
import { MAX_TRANSITION, MessageId, Subtype, WireType } from './constants.js';
import { buildStateMachine, INVALID, type StateMachinePlan } from './state-machine.js';

/** A growable byte array for the header and transitions. */
class ByteSink {
  bytes = new Uint8Array(256);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  varint(value: number): void {
    this.reserve(10);
    this.length = writeVarint(this.bytes, this.length, value);
  }

  byte(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

// Below this many bytes a byte loop beats subarray() + set(), which allocate a view per piece.
const SMALL_PIECE = 64;

/** The bytes of one column buffer: its pieces last first, varints with continuation bits cleared. */
function bufferBytes(buffer: ColumnBuffer, records: readonly Uint8Array[], target: Uint8Array, offset: number): number {
  const pieces = buffer.pieces;
  const clearHighBits = buffer.kind === BufferKind.varint;
  for (let i = pieces.length - 3; i >= 0; i -= 3) {
    const record = records[pieces[i]!]!;
    const start = pieces[i + 1]!;
    const end = pieces[i + 2]!;
    if (clearHighBits) {
      for (let k = start; k < end; k++) target[offset++] = record[k]! & 0x7f;
    } else if (end - start < SMALL_PIECE) {
      for (let k = start; k < end; k++) target[offset++] = record[k]!;
    } else {
      target.set(record.subarray(start, end), offset);
      offset += end - start;
    }
  }
  return offset;
}

/**
 * Splits one kind's buffers (sorted small to large) into bucket sizes, as Riegeli does: walking from
 * the largest, a bucket closes before a buffer when adding half of it would reach `bucketSize`, and
 * once what is left fits in half a bucket it all joins the current one. Returns sizes in write order.
 */
function bucketSizes(buffers: readonly ColumnBuffer[], bucketSize: number): number[] {
  let remaining = 0;
  for (const buffer of buffers) remaining += buffer.size;
  const sizes: number[] = [];
  let current = 0;
  for (let i = buffers.length - 1; i >= 0; i--) {
    const size = buffers[i]!.size;
    if (current > 0 && current + Math.floor(size / 2) >= bucketSize) {
      sizes.push(current);
      current = 0;
    }
    current += size;
    remaining -= size;
    if (remaining <= Math.floor(bucketSize / 2)) {
      current += remaining;
      break;
    }
  }
  if (current > 0) sizes.push(current);
  return sizes.reverse();
}

function compareBuffers(a: ColumnBuffer, b: ColumnBuffer): number {
  return a.size - b.size || a.node.parentId - b.node.parentId || a.node.tag - b.node.tag;
}

/**
 * Writes the buffers into buckets: kinds in order, each kind's buffers smallest first, then the
 * lengths of non-proto records in a bucket of their own. Returns the encoded buckets, the header
 * part (counts and lengths) and the index each column buffer got.
 */
function writeBuffers(
  columns: ColumnSet,
  options: CompressorOptions,
  bucketSize: number,
  header: ByteSink,
): { buckets: Uint8Array[]; bufferIndex: Map<ColumnBuffer, number> } {
  const bufferIndex = new Map<ColumnBuffer, number>();
  const bufferLengths: number[] = [];
  const buckets: Uint8Array[] = [];
  for (const buffers of columns.buffers) {
    buffers.sort(compareBuffers);
    let next = 0;
    for (const size of bucketSizes(buffers, bucketSize)) {
      const bucket = new Uint8Array(size);
      let offset = 0;
      while (offset < size) {
        const buffer = buffers[next++]!;
        bufferIndex.set(buffer, bufferLengths.length);
        bufferLengths.push(buffer.size);
        offset = bufferBytes(buffer, columns.records, bucket, offset);
      }
      buckets.push(encodeBlock(options, bucket));
    }
  }
  const lengths = columns.nonProtoLengths;
  if (lengths.length > 0) {
    let size = 0;
    for (const length of lengths) size += varintLength(length);
    const bucket = new Uint8Array(size);
    let offset = 0;
    for (let i = lengths.length - 1; i >= 0; i--) offset = writeVarint(bucket, offset, lengths[i]!);
    bufferLengths.push(size);
    buckets.push(encodeBlock(options, bucket));
  }
  header.varint(buckets.length);
  header.varint(bufferLengths.length);
  for (const bucket of buckets) header.varint(bucket.length);
  for (const length of bufferLengths) header.varint(length);
  return { buckets, bufferIndex };
}

function hasDataBuffer(tag: number, subtype: number): boolean {
  switch (tag & 7) {
    case WireType.varint:
      return subtype < Subtype.varintInline0;
    case WireType.fixed32:
    case WireType.fixed64:
      return true;
    case WireType.lengthDelimited:
      return subtype === Subtype.lengthDelimitedString;
    default:
      return false;
  }
}

/** Writes the state count, tags, bases, subtypes, buffer indices and the first state into the header. */
function writeStates(
  plan: StateMachinePlan,
  encodedTags: readonly EncodedTag[],
  firstTag: number,
  bufferIndex: Map<ColumnBuffer, number>,
  header: ByteSink,
): void {
  const numStates = plan.stateTag.length;
  const bases: number[] = [];
  const subtypes: number[] = [];
  const bufferIndices: number[] = [];
  header.varint(numStates);
  for (let state = 0; state < numStates; state++) {
    const tagIndex = plan.stateTag[state]!;
    if (tagIndex === INVALID) {
      header.varint(MessageId.noOp);
      bases.push(plan.stateBase[state]!);
      continue;
    }
    const { node, subtype } = encodedTags[tagIndex]!;
    if (node.tag === 0) {
      // Start of a message or a non-proto record: the special id is the node's parent id.
      header.varint(node.parentId);
      if (node.parentId === MessageId.nonProto) bufferIndices.push(bufferIndex.get(node.buffer!)!);
    } else if ((node.tag & 7) === WireType.lengthDelimited && subtype === Subtype.lengthDelimitedStartOfSubmessage) {
      header.varint(MessageId.startOfSubmessage);
    } else if ((node.tag & 7) === WireType.lengthDelimited && subtype === Subtype.lengthDelimitedEndOfSubmessage) {
      header.varint(node.tag + (WireType.submessageEnd - WireType.lengthDelimited));
    } else {
      header.varint(node.tag);
      if ((node.tag & 7) === WireType.varint) subtypes.push(subtype);
      if (hasDataBuffer(node.tag, subtype)) bufferIndices.push(bufferIndex.get(node.buffer!)!);
    }
    const base = plan.tagBase[tagIndex]!;
    if (base === INVALID) {
      bases.push(0);
    } else {
      // A single destination needs no transition byte: the state count added to the base says so.
      bases.push(base + (plan.destinations[tagIndex]!.size === 1 ? numStates : 0));
    }
  }
  for (const base of bases) header.varint(base);
  for (const subtype of subtypes) header.byte(subtype);
  for (const index of bufferIndices) header.varint(index);
  let firstState = 0;
  while (plan.stateTag[firstState] !== firstTag) firstState++;
  header.varint(firstState);
}

/**
 * Writes the transition bytes that drive the decoder through the tag sequence backwards: per
 * explicit transition the offsets of the path from the current base (through no-op states) to the
 * destination, each as offset << 2; a zero offset is folded into the previous byte's repeat count
 * (the low 2 bits) while it is below 3.
 */
function writeTransitions(plan: StateMachinePlan, sequence: Int32Array, length: number, out: ByteSink): void {
  if (length === 0) return;
  const { canonicalSource, stateBase } = plan;
  const path = new Int32Array(64);
  let lastByte = -1;
  const emit = (start: number): void => {
    for (let j = start; j < path.length; j++) {
      const offset = path[j]!;
      if (offset === 0 && lastByte >= 0 && (lastByte & 3) < 3) {
        lastByte++;
      } else {
        if (lastByte >= 0) out.byte(lastByte);
        lastByte = offset << 2;
      }
    }
  };
  // Fills `path` (from the back) with the offsets that reach state `pos` from `base`; returns its start.
  const pathTo = (base: number, pos: number): number => {
    let start = path.length;
    while (base > pos || pos - base > MAX_TRANSITION) {
      const source = canonicalSource[pos]!;
      path[--start] = pos - stateBase[source]!;
      pos = source;
    }
    path[--start] = pos - base;
    return start;
  };

  let previous = sequence[length - 1]!;
  let base = plan.tagBase[previous]!;
  for (let i = length - 1; i > 0; i--) {
    const tag = sequence[i - 1]!;
    const destinations = plan.destinations[previous]!;
    if (destinations.size !== 1) {
      let pos = destinations.get(tag)!.pos;
      if (pos === INVALID) {
        const noOp = plan.publicNoOpPos[previous]!;
        if (noOp !== INVALID) {
          emit(pathTo(base, noOp));
          base = stateBase[noOp]!;
        }
        pos = plan.publicPos[tag]!;
      }
      emit(pathTo(base, pos));
    }
    previous = tag;
    base = plan.tagBase[previous]!;
  }
  if (lastByte >= 0) out.byte(lastByte);
}

/**
 * Encodes records as a transposed chunk's data, the way Riegeli's TransposeEncoder (used by
 * ArrayRecord's `transpose` option) does: proto records are split into columns (one buffer per
 * field path, submessages walked into), other records are stored whole, and a state machine plus
 * transition bytes record how to reassemble them. For the same records and options the header,
 * buffers and transitions are byte for byte what Riegeli writes; compressed blocks may differ only
 * by what the codec library emits.
 *
 * @param options codec, level and window of the blocks.
 * @param bucketSize approximate bucket size (ArrayRecord's `transpose_bucket_size`, default
 *   `DEFAULT_TRANSPOSE_BUCKET_SIZE`); ignored without compression, as upstream does.
 * @throws InvalidArgumentError when `bucketSize` is not a positive number.
 * @example
 * const chunk = encodeTransposedChunk(examples, { type: CompressionType.zstd, level: 3 }, DEFAULT_TRANSPOSE_BUCKET_SIZE);
 * // chunk.chunkType === ChunkType.transposed; write chunk.data with a chunk header.
 */
export function encodeTransposedChunk(records: readonly Uint8Array[], options: CompressorOptions, bucketSize: number): EncodedChunkData {
  if (!(bucketSize > 0)) throw new InvalidArgumentError(`transpose bucket size must be positive, got ${bucketSize}`);
  const effectiveBucketSize = options.type === CompressionType.none ? Infinity : bucketSize;
  const columns = new ColumnSet(records);
  const { sequence, sequenceLength, encodedTags } = columns;
  const plan = buildStateMachine(encodedTags.length, sequence, sequenceLength);
  if (sequenceLength > 0) {
    // The last state the decoder visits must read a transition byte to learn that decoding is over,
    // so a single destination there gets a dummy second one.
    const lastDestinations = plan.destinations[sequence[0]!]!;
    if (lastDestinations.size === 1) lastDestinations.set(-1, { pos: INVALID, count: 0 });
  }

  const header = new ByteSink();
  const { buckets, bufferIndex } = writeBuffers(columns, options, effectiveBucketSize, header);
  writeStates(plan, encodedTags, sequenceLength > 0 ? sequence[sequenceLength - 1]! : INVALID, bufferIndex, header);
  const transitions = new ByteSink();
  writeTransitions(plan, sequence, sequenceLength, transitions);

  const headerBlock = encodeBlock(options, header.view());
  const transitionsBlock = encodeBlock(options, transitions.view());
  let size = 1 + varintLength(headerBlock.length) + headerBlock.length + transitionsBlock.length;
  for (const bucket of buckets) size += bucket.length;
  const data = new Uint8Array(size);
  data[0] = options.type;
  let offset = writeVarint(data, 1, headerBlock.length);
  data.set(headerBlock, offset);
  offset += headerBlock.length;
  for (const bucket of buckets) {
    data.set(bucket, offset);
    offset += bucket.length;
  }
  data.set(transitionsBlock, offset);
  let decodedDataSize = 0;
  for (const record of records) decodedDataSize += record.length;
  return { chunkType: ChunkType.transposed, data, numRecords: records.length, decodedDataSize };
}
