// Simple chunks ('r'): a compression byte, then record sizes (varints) and concatenated values, each a block.

import { CorruptFileError } from '../errors.js';
import { SHARED_SLABS, type ByteAllocator } from '../io/output-arena.js';
import { ReadScratch } from '../io/read-scratch.js';
import { varintLength, VarintCursor, writeVarint } from './bytes.js';
import { decodeBlock, encodeBlock, type CompressorOptions } from './compression.js';
import { ChunkType } from './constants.js';
import { concatRecords, type DecodedChunk, type EncodedChunkData } from './decoded-chunk.js';
import { partOf, type Where } from '../place.js';

/**
 * Encodes records as a simple chunk's data, laid out as Riegeli's SimpleEncoder does:
 * compression_type, varint(size of the sizes block), sizes block, values block.
 */
export function encodeSimpleChunk(records: readonly Uint8Array[], options: CompressorOptions): EncodedChunkData {
  let sizesLength = 0;
  for (const record of records) sizesLength += varintLength(record.length);
  const sizes = new Uint8Array(sizesLength);
  let position = 0;
  for (const record of records) position = writeVarint(sizes, position, record.length);
  const { values, total } = concatRecords(records);

  const sizesBlock = encodeBlock(options, sizes);
  const valuesBlock = encodeBlock(options, values);
  const data = new Uint8Array(1 + varintLength(sizesBlock.length) + sizesBlock.length + valuesBlock.length);
  data[0] = options.type;
  let offset = writeVarint(data, 1, sizesBlock.length);
  data.set(sizesBlock, offset);
  offset += sizesBlock.length;
  data.set(valuesBlock, offset);
  return { chunkType: ChunkType.simple, data, numRecords: records.length, decodedDataSize: total };
}

/** The record sizes of a chunk are parsed right after they are decompressed: into this one buffer. */
const sizesScratch = new ReadScratch();

/**
 * Decodes a simple chunk's data into its records (as views into one values buffer).
 * @param where names the chunk in errors, e.g. "chunk at 64 of data.array_record".
 * @param output where compressed values are decompressed to (uncompressed ones stay views of `data`).
 * @throws CorruptFileError when sizes, values and the header's counts disagree.
 */
export function decodeSimpleChunk(
  data: Uint8Array,
  numRecords: number,
  decodedDataSize: number,
  where: Where,
  output: ByteAllocator = SHARED_SLABS,
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
  const values = decodeBlock(compressionType, data.subarray(sizesEnd), partOf('record values', where), decodedDataSize, output);

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
  if (end !== decodedDataSize || values.length !== decodedDataSize) {
    throw new CorruptFileError(
      `${where}: record sizes add up to ${end} bytes and values hold ${values.length}, the chunk header says ${decodedDataSize}`,
    );
  }
  return { values, ends };
}
