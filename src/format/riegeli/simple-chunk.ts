// Simple chunks ('r'): a compression byte, then record sizes (varints) and concatenated values, each a block.

import { CorruptFileError } from '../errors.js';
import { SHARED_SLABS, type ByteAllocator } from '../io/output-arena.js';
import { ReadScratch } from '../io/read-scratch.js';
import { varintLength, VarintCursor, writeVarint } from './bytes.js';
import { decodeBlock, encodeBlock, encodeBlockAfter, type CompressorOptions } from './compression.js';
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

/** The record sizes of a chunk are parsed right after they are decompressed: into this one buffer. */
const sizesScratch = new ReadScratch();

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
  if (data.length === 0) throw new CorruptFileError(`simple ${where} has no compression type byte`);
  const compressionType = data[0]!;
  const header = new VarintCursor(data, 1);
  const sizesBlockLength = header.readVarint(partOf('sizes length', where));
  if (sizesBlockLength > data.length - header.pos) {
    throw new CorruptFileError(`record sizes of ${where} claim ${sizesBlockLength} bytes, only ${data.length - header.pos} remain`);
  }
  const sizesEnd = header.pos + sizesBlockLength;
  // Each size is at least one varint byte and at most ten.
  const sizesPlace = partOf('record sizes', where);
  const sizes = decodeBlock(compressionType, data.subarray(header.pos, sizesEnd), sizesPlace, numRecords * 10, sizesScratch);
  // The record count is the header's claim, the sizes are bytes present: check before allocating by it.
  if (numRecords > sizes.length) {
    throw new CorruptFileError(
      `${where} announces ${numRecords} records, its record sizes hold ${sizes.length} bytes (at least one per record)`,
    );
  }
  const valuesBlock = data.subarray(sizesEnd);
  const valuesPlace = partOf('record values', where);
  if (neededRecords < numRecords) {
    // The sizes first, which say how far the values must be decoded.
    const ends = recordEnds(sizes, numRecords, decodedDataSize, sizesPlace, where);
    const needed = neededRecords === 0 ? 0 : ends[neededRecords - 1]!;
    return { values: decodeBlock(compressionType, valuesBlock, valuesPlace, decodedDataSize, output, needed), ends };
  }
  const values = decodeBlock(compressionType, valuesBlock, valuesPlace, decodedDataSize, output);
  const ends = recordEnds(sizes, numRecords, decodedDataSize, sizesPlace, where);
  if (values.length !== decodedDataSize) {
    throw new CorruptFileError(`${where}: values hold ${values.length} bytes, the chunk header says ${decodedDataSize}`);
  }
  return { values, ends };
}

/**
 * Record ends from the record sizes (varints), checked against the header's counts.
 * @throws CorruptFileError when the sizes hold more records or add up to another size.
 */
function recordEnds(sizes: Uint8Array, numRecords: number, decodedDataSize: number, sizesPlace: Where, where: Where): Float64Array {
  const ends = new Float64Array(numRecords);
  const cursor = new VarintCursor(sizes);
  let end = 0;
  for (let i = 0; i < numRecords; i++) {
    end += cursor.readVarint(sizesPlace);
    ends[i] = end;
  }
  if (!cursor.atEnd()) {
    throw new CorruptFileError(`record sizes of ${where} hold more than the ${numRecords} records the chunk header announces`);
  }
  if (end !== decodedDataSize) {
    throw new CorruptFileError(`${where}: record sizes add up to ${end} bytes, the chunk header says ${decodedDataSize}`);
  }
  return ends;
}
