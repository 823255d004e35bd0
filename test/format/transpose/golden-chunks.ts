// Test-only walker that pulls chunk headers and data out of a golden file, skipping block headers.

import fs from 'node:fs';
import { VarintCursor } from '../../../src/format/riegeli/bytes.js';
import { decodeBlock } from '../../../src/format/riegeli/compression.js';

const BLOCK_SIZE = 65536;
const BLOCK_HEADER_SIZE = 24;
const USABLE_BLOCK_SIZE = BLOCK_SIZE - BLOCK_HEADER_SIZE;
const CHUNK_HEADER_SIZE = 40;

/** One chunk as it sits in the file. */
export interface RawChunk {
  readonly offset: number;
  readonly chunkType: number;
  readonly numRecords: number;
  readonly decodedDataSize: number;
  readonly data: Uint8Array;
}

// Copies `size` chunk bytes that start at file position `pos`, leaving out the block headers in between.
function contentBytes(file: Uint8Array, pos: number, size: number): { bytes: Uint8Array; end: number } {
  const bytes = new Uint8Array(size);
  let written = 0;
  while (written < size) {
    const inBlock = pos % BLOCK_SIZE;
    if (inBlock < BLOCK_HEADER_SIZE) {
      pos += BLOCK_HEADER_SIZE - inBlock;
      continue;
    }
    const take = Math.min(size - written, BLOCK_SIZE - inBlock);
    bytes.set(file.subarray(pos, pos + take), written);
    written += take;
    pos += take;
  }
  return { bytes, end: pos };
}

function readU56(bytes: Uint8Array, offset: number): number {
  let value = 0;
  for (let i = 6; i >= 0; i--) value = value * 256 + bytes[offset + i]!;
  return value;
}

// The spec's RoundUpToPossibleChunkBoundary: a chunk may not begin inside a block header.
function roundUpToPossibleChunkBoundary(pos: number): number {
  const remaining = (BLOCK_SIZE - (pos % BLOCK_SIZE)) % BLOCK_SIZE;
  return pos + Math.max(0, remaining - (USABLE_BLOCK_SIZE - 1));
}

/** Every chunk from file offset 64 (right after the signature chunk) to the end of the file. */
export function readChunks(path: string): RawChunk[] {
  const file = new Uint8Array(fs.readFileSync(path));
  const chunks: RawChunk[] = [];
  let pos = 64;
  while (pos + CHUNK_HEADER_SIZE <= file.length) {
    const header = contentBytes(file, pos, CHUNK_HEADER_SIZE);
    const view = header.bytes;
    const dataSize = readU56(view, 8) + view[15]! * 2 ** 56;
    const chunkType = view[24]!;
    const numRecords = readU56(view, 25);
    const decodedDataSize = readU56(view, 32) + view[39]! * 2 ** 56;
    const data = contentBytes(file, header.end, dataSize);
    chunks.push({ offset: pos, chunkType, numRecords, decodedDataSize, data: data.bytes });
    pos = Math.max(data.end, roundUpToPossibleChunkBoundary(pos + numRecords));
  }
  return chunks;
}

/**
 * The decoded blocks of transposed chunk data: the header, each bucket and the transitions, so
 * chunks compressed by different zstd builds can be compared by content.
 */
export function decodedBlocks(data: Uint8Array): {
  header: Uint8Array;
  headerAfterBucketSizes: string;
  buckets: Uint8Array[];
  transitions: Uint8Array;
  storedBucketSizes: number[];
} {
  const type = data[0]!;
  const prefix = new VarintCursor(data, 1);
  const headerLength = prefix.readVarint('header length');
  const header = decodeBlock(type, data.subarray(prefix.pos, prefix.pos + headerLength), 'header');
  const fields = new VarintCursor(header);
  const numBuckets = fields.readVarint('buckets');
  fields.readVarint('buffers');
  const storedBucketSizes: number[] = [];
  for (let i = 0; i < numBuckets; i++) storedBucketSizes.push(fields.readVarint('bucket length'));
  const headerAfterBucketSizes = Buffer.from(header.subarray(fields.pos)).toString('hex');
  const buckets: Uint8Array[] = [];
  let pos = prefix.pos + headerLength;
  for (const size of storedBucketSizes) {
    buckets.push(decodeBlock(type, data.subarray(pos, pos + size), 'bucket'));
    pos += size;
  }
  return { header, headerAfterBucketSizes, buckets, transitions: decodeBlock(type, data.subarray(pos), 'transitions'), storedBucketSizes };
}
