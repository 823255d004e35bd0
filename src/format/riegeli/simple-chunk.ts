// Simple chunks ('r'): a compression byte, then record sizes (varints) and concatenated values, each a block.

import { CorruptFileError } from '../errors.js';
import { SHARED_SLABS, type ByteAllocator } from '../io/output-arena.js';
import { ReadScratch } from '../io/read-scratch.js';
import { varintLength, VarintCursor, writeVarint } from './bytes.js';
import { decodeBlockIn, encodeBlock, encodeBlockAfter, type CompressorOptions } from './compression.js';
import { ChunkType } from './constants.js';
import { concatRecords, type DecodedChunk, type EncodedChunkData } from './decoded-chunk.js';
import { partOf, type Where } from '../place.js';

/**
 * Encodes records as a simple chunk's data, laid out as Riegeli's SimpleEncoder does:
 * compression_type, varint(size of the sizes block), sizes block, values block.
 * @param values the records back to back, when the caller has them so (not copied again).
 */
export function encodeSimpleChunk(
  records: readonly Uint8Array[],
  options: CompressorOptions,
  values: Uint8Array = concatRecords(records),
): EncodedChunkData {
  let sizesLength = 0;
  for (const record of records) sizesLength += varintLength(record.length);
  const sizes = new Uint8Array(sizesLength);
  let position = 0;
  for (const record of records) position = writeVarint(sizes, position, record.length);
  return simpleChunk(sizes, records.length, values, options);
}

/**
 * encodeSimpleChunk for records given as their bytes back to back, `values`, and where each ends in
 * them, `ends` (ascending, the last one values.length): no array per record.
 */
export function encodeSimpleChunkOf(values: Uint8Array, ends: ArrayLike<number>, options: CompressorOptions): EncodedChunkData {
  let sizesLength = 0;
  for (let r = 0, start = 0; r < ends.length; start = ends[r++]!) sizesLength += varintLength(ends[r]! - start);
  const sizes = new Uint8Array(sizesLength);
  let position = 0;
  for (let r = 0, start = 0; r < ends.length; start = ends[r++]!) position = writeVarint(sizes, position, ends[r]! - start);
  return simpleChunk(sizes, ends.length, values, options);
}

/** A simple chunk of `numRecords` records: their sizes (varints) and values, each made a block. */
function simpleChunk(sizes: Uint8Array, numRecords: number, values: Uint8Array, options: CompressorOptions): EncodedChunkData {
  const sizesBlock = encodeBlock(options, sizes);
  // The values block is encoded after room for what precedes it: that buffer is the chunk data.
  const data = encodeBlockAfter(options, values, 1 + varintLength(sizesBlock.length) + sizesBlock.length);
  data[0] = options.type;
  data.set(sizesBlock, writeVarint(data, 1, sizesBlock.length));
  return { chunkType: ChunkType.simple, data, numRecords, decodedDataSize: values.length };
}

/** Record sizes up to this many bytes use the small views (with room for a decoder's 16-byte slack). */
const SMALL_SIZES = 32;
const SMALL_SIZES_SLACK = 16;

/**
 * The record sizes of a chunk are parsed right after they are decompressed: into one reused buffer,
 * and when they are few (a small group), into views of a small buffer made once per length, so a
 * one-record chunk takes no new view for them.
 */
class SizesScratch implements ByteAllocator {
  private readonly large = new ReadScratch();
  private readonly small = new Uint8Array(SMALL_SIZES + SMALL_SIZES_SLACK);
  private readonly views = Array.from({ length: SMALL_SIZES + 1 }, (_, length) => this.small.subarray(0, length));

  take(length: number, slack = 0): Uint8Array {
    if (length > SMALL_SIZES || slack > SMALL_SIZES_SLACK) return this.large.take(length, slack);
    return this.views[length]!;
  }
}

const sizesScratch = new SizesScratch();

/**
 * Decodes a simple chunk's data into its records (as views into one values buffer).
 * @param where names the chunk in errors, e.g. "chunk at 64 of data.array_record".
 * @param output where compressed values are decompressed to (uncompressed ones stay views of `data`).
 * @param neededRecords only records [0, neededRecords) will be read: the values may then be decoded
 *   only that far (see decodeBlock's `needed`), and `values` hold only their bytes.
 * @throws CorruptFileError when sizes, values and the header's counts disagree.
 */
export function decodeSimpleChunk(
  data: Uint8Array,
  numRecords: number,
  decodedDataSize: number,
  where: Where,
  output: ByteAllocator = SHARED_SLABS,
  neededRecords = numRecords,
): DecodedChunk {
  // Per chunk, nothing is allocated but what is returned and what the codecs need: the blocks are
  // decoded in place and the parts of the chunk named only in errors (a reader of one-record chunks
  // otherwise allocates more for these than for its records).
  if (data.length === 0) throw new CorruptFileError(`simple ${where} has no compression type byte`);
  const compressionType = data[0]!;
  // The length of the sizes block: one or two varint bytes read here, anything else by VarintCursor.
  let sizesStart: number;
  let sizesBlockLength: number;
  if (data.length > 1 && data[1]! < 0x80) {
    sizesBlockLength = data[1]!;
    sizesStart = 2;
  } else if (data.length > 2 && data[2]! < 0x80) {
    sizesBlockLength = (data[1]! & 0x7f) | (data[2]! << 7);
    sizesStart = 3;
  } else {
    const header = new VarintCursor(data, 1);
    sizesBlockLength = header.readVarint(partOf('sizes length', where));
    sizesStart = header.pos;
  }
  if (sizesBlockLength > data.length - sizesStart) {
    throw new CorruptFileError(`record sizes of ${where} claim ${sizesBlockLength} bytes, only ${data.length - sizesStart} remain`);
  }
  const sizesEnd = sizesStart + sizesBlockLength;
  // Each size is at least one varint byte and at most ten.
  const sizes = decodeBlockIn(compressionType, data, sizesStart, sizesEnd, 'record sizes', where, numRecords * 10, sizesScratch);
  // The record count is the header's claim, the sizes are bytes present: check before allocating by it.
  if (numRecords > sizes.length) {
    throw new CorruptFileError(
      `${where} announces ${numRecords} records, its record sizes hold ${sizes.length} bytes (at least one per record)`,
    );
  }
  if (neededRecords < numRecords) {
    // The sizes first, which say how far the values must be decoded.
    const ends = recordEnds(sizes, numRecords, decodedDataSize, where);
    const needed = neededRecords === 0 ? 0 : ends[neededRecords - 1]!;
    return { values: decodeBlockIn(compressionType, data, sizesEnd, data.length, 'record values', where, decodedDataSize, output, needed), ends };
  }
  const values = decodeBlockIn(compressionType, data, sizesEnd, data.length, 'record values', where, decodedDataSize, output);
  const ends = recordEnds(sizes, numRecords, decodedDataSize, where);
  if (values.length !== decodedDataSize) {
    throw new CorruptFileError(`${where}: values hold ${values.length} bytes, the chunk header says ${decodedDataSize}`);
  }
  return { values, ends };
}

/**
 * Record ends from the record sizes (varints), checked against the header's counts.
 * @throws CorruptFileError when the sizes hold more records or add up to another size.
 */
function recordEnds(sizes: Uint8Array, numRecords: number, decodedDataSize: number, where: Where): Float64Array {
  const ends = new Float64Array(numRecords);
  const length = sizes.length;
  let pos = 0;
  let end = 0;
  for (let i = 0; i < numRecords; i++) {
    // Sizes below 2^14 (one or two bytes, nearly all records) read here; others by VarintCursor.
    const first = pos < length ? sizes[pos]! : 0x80;
    if (first < 0x80) {
      end += first;
      pos += 1;
    } else if (pos + 1 < length && sizes[pos + 1]! < 0x80) {
      end += (first & 0x7f) | (sizes[pos + 1]! << 7);
      pos += 2;
    } else {
      const cursor = new VarintCursor(sizes, pos);
      end += cursor.readVarint(partOf('record sizes', where));
      pos = cursor.pos;
    }
    ends[i] = end;
  }
  if (pos < length) {
    throw new CorruptFileError(`record sizes of ${where} hold more than the ${numRecords} records the chunk header announces`);
  }
  if (end !== decodedDataSize) {
    throw new CorruptFileError(`${where}: record sizes add up to ${end} bytes, the chunk header says ${decodedDataSize}`);
  }
  return ends;
}
