// Builds files whose hashes are all valid but whose structure lies: the project's own framing and
// HighwayHash, with header fields and footer protos of the caller's choosing.

import { encodeChunkFooter, encodeFooterMetadata, encodePostscript, type ChunkFooter } from '../../src/format/arrayrecord/layout.js';
import { readU32, readU64, writeU32, writeU64 } from '../../src/format/riegeli/bytes.js';
import { ChunkWriter } from '../../src/format/riegeli/chunk-writer.js';
import { UNCOMPRESSED } from '../../src/format/riegeli/compression.js';
import { isBlockBoundary } from '../../src/format/riegeli/block.js';
import { BLOCK_HEADER_SIZE, CHUNK_HEADER_SIZE } from '../../src/format/riegeli/constants.js';
import type { EncodedChunkData } from '../../src/format/riegeli/decoded-chunk.js';
import { writeHash } from '../../src/format/riegeli/highway-hash.js';
import { encodeSimpleChunk } from '../../src/format/riegeli/simple-chunk.js';
import { memorySink } from './memory-sink.js';

/** Header fields a forgery may change; the data and its hash stay as written. */
export interface HeaderFields {
  readonly chunkType?: number;
  readonly numRecords?: number;
  readonly decodedDataSize?: number;
  readonly dataSize?: number;
}

const TWO_24 = 0x100_0000;

/**
 * Rewrites fields of the chunk header at `begin` in place and recomputes its header hash, so the
 * header is "valid" and only what it says is false. The header must lie within one block.
 */
export function reforgeChunkHeader(file: Uint8Array, begin: number, fields: HeaderFields): void {
  // A chunk that begins at a block boundary has its header after the block header.
  const at = isBlockBoundary(begin) ? begin + BLOCK_HEADER_SIZE : begin;
  const header = file.subarray(at, at + CHUNK_HEADER_SIZE);
  const typeAndLow = readU32(header, 24);
  const high = readU32(header, 28);
  const numRecords = fields.numRecords ?? high * TWO_24 + (typeAndLow >>> 8);
  const chunkType = fields.chunkType ?? typeAndLow & 0xff;
  if (fields.dataSize !== undefined) writeU64(header, 8, fields.dataSize);
  writeU32(header, 24, (((numRecords % TWO_24) << 8) | chunkType) >>> 0);
  writeU32(header, 28, Math.floor(numRecords / TWO_24));
  writeU64(header, 32, fields.decodedDataSize ?? readU64(header, 32, 'decoded data size'));
  writeHash(header.subarray(8), header, 0);
}

/** What goes into a hand-built ArrayRecord file; anything not given is derived honestly. */
export interface ArrayRecordParts {
  readonly chunks: readonly EncodedChunkData[];
  /** Footer metadata counts; default: the true ones. */
  readonly numChunks?: number;
  readonly numRecords?: number;
  /** Edits the footer entries (honest ones are passed in) before they are encoded. */
  readonly entries?: (honest: ChunkFooter[]) => ChunkFooter[];
  /** Chunks written right after the signature (metadata, padding), not listed in the footer. */
  readonly leading?: readonly EncodedChunkData[];
}

/** An ArrayRecord file laid out as the writer lays it out, and where its chunks and footer begin. */
export interface BuiltFile {
  readonly bytes: Buffer;
  readonly leadingOffsets: number[];
  readonly chunkOffsets: number[];
  readonly footerOffset: number;
}

/** Frames an ArrayRecord file from the given parts with valid hashes everywhere. */
export function buildArrayRecord(parts: ArrayRecordParts): BuiltFile {
  const sink = memorySink();
  const writer = new ChunkWriter(sink);
  const leadingOffsets = (parts.leading ?? []).map((chunk) => writer.writeChunk(chunk));
  const honest: ChunkFooter[] = parts.chunks.map((chunk) => ({
    chunkOffset: writer.writeChunk(chunk),
    decodedDataSize: chunk.decodedDataSize,
    numRecords: chunk.numRecords,
  }));
  const entries = parts.entries === undefined ? honest : parts.entries(honest.map((entry) => ({ ...entry })));
  const metadata = encodeFooterMetadata({
    version: 1,
    numChunks: parts.numChunks ?? entries.length,
    numRecords: parts.numRecords ?? honest.reduce((sum, entry) => sum + entry.numRecords, 0),
    writerOptions: 'group_size:1,transpose:false,pad_to_block_boundary:false,uncompressed,max_parallelism:1',
  });
  const footerOffset = writer.writeChunk(encodeSimpleChunk([metadata, ...entries.map(encodeChunkFooter)], UNCOMPRESSED));
  writer.padToBlockBoundary();
  const postscript = encodePostscript(footerOffset);
  writer.writeChunk(encodeSimpleChunk([postscript, postscript, postscript], UNCOMPRESSED));
  writer.padToBlockBoundary();
  return { bytes: sink.bytes(), leadingOffsets, chunkOffsets: honest.map((entry) => entry.chunkOffset), footerOffset };
}

/** A plain Riegeli file: the signature, then these chunks; returns the bytes and where each chunk begins. */
export function buildRiegeli(chunks: readonly EncodedChunkData[]): { bytes: Buffer; offsets: number[] } {
  const sink = memorySink();
  const writer = new ChunkWriter(sink);
  const offsets = chunks.map((chunk) => writer.writeChunk(chunk));
  return { bytes: sink.bytes(), offsets };
}
