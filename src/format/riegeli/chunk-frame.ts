// Chunks as they lie in a file: header + data + padding, interrupted by a block header at every
// 64 KiB boundary. Writing frames a chunk at a position; reading strips and verifies the block headers.

import { ArrayRecordError, CorruptFileError, withLocation } from '../errors.js';
import type { ByteAllocator } from '../io/output-arena.js';
import { unzeroed } from '../io/read-scratch.js';
import { addWithOverhead, chunkEnd, isBlockBoundary, isPossibleChunkBoundary, remainingInBlock } from './block.js';
import { buildBlockHeader, verifyBlockHeader } from './block-header.js';
import { buildChunkHeader, chunkDataHashMatches, dataHashMismatch, parseChunkHeader, type ChunkHeader } from './chunk-header.js';
import { BLOCK_HEADER_SIZE, BLOCK_SIZE, CHUNK_HEADER_SIZE, ChunkType } from './constants.js';
import type { EncodedChunkData } from './decoded-chunk.js';
import { Place } from '../place.js';
import { verifyRecordlessChunk } from './recordless-chunk.js';

/** A chunk read from a file: its verified header and data, and where it ends. */
export interface RawChunk {
  readonly header: ChunkHeader;
  readonly data: Uint8Array;
  readonly begin: number;
  readonly end: number;
}

/**
 * Writes the bytes a writer at `chunkBegin` emits for a chunk, up to its end, into the region
 * `allocate` gives (whatever it holds is overwritten): block headers are inserted at every
 * boundary the chunk covers, padding bytes are zero. Returns the position after the chunk.
 */
export function frameChunk(chunkBegin: number, chunk: EncodedChunkData, allocate: (length: number) => Uint8Array): number {
  const header = chunk.header ?? buildChunkHeader({ dataSize: chunk.data.length, ...chunk }, chunk.data);
  const end = chunkEnd(chunkBegin, chunk.data.length, chunk.numRecords);
  const bytes = allocate(end - chunkBegin);
  let pos = chunkBegin;
  const copy = (source: Uint8Array): void => {
    let taken = 0;
    while (taken < source.length) {
      if (isBlockBoundary(pos)) {
        bytes.set(buildBlockHeader(pos - chunkBegin, end - pos), pos - chunkBegin);
        pos += BLOCK_HEADER_SIZE;
      }
      const length = Math.min(source.length - taken, remainingInBlock(pos));
      bytes.set(source.subarray(taken, taken + length), pos - chunkBegin);
      taken += length;
      pos += length;
    }
  };
  copy(header);
  copy(chunk.data);
  // Padding is zeros, with the block headers that fall inside it.
  bytes.fill(0, pos - chunkBegin);
  for (let boundary = Math.ceil(pos / BLOCK_SIZE) * BLOCK_SIZE; boundary < end; boundary += BLOCK_SIZE) {
    bytes.set(buildBlockHeader(boundary - chunkBegin, end - boundary), boundary - chunkBegin);
  }
  return end;
}

/**
 * `length` content bytes of a chunk starting at file position `pos`, skipping block headers;
 * a view when no block header interrupts them, a copy otherwise. `part` of `chunk` names them in an
 * error (the name is built only then: this runs twice per chunk read).
 */
function contentAt(buffer: Uint8Array, base: number, pos: number, length: number, chunk: Place, part: string, copies?: ByteAllocator): Uint8Array {
  const endPos = addWithOverhead(pos, length);
  if (endPos - base > buffer.length) {
    throw new CorruptFileError(`${chunk.of(part)} extends to ${endPos}, past the ${base + buffer.length} bytes available (truncated)`);
  }
  if (endPos - pos === length) return buffer.subarray(pos - base, endPos - base);
  // Every byte is written below: zeroing it first would double the cost of a large chunk's copy.
  const content = copies?.take(length) ?? unzeroed(length);
  let filled = 0;
  while (filled < length) {
    if (isBlockBoundary(pos)) pos += BLOCK_HEADER_SIZE;
    const take = Math.min(length - filled, remainingInBlock(pos));
    content.set(buffer.subarray(pos - base, pos - base + take), filled);
    filled += take;
    pos += take;
  }
  return content;
}

/** Bytes from a chunk start needed to hold its (possibly interrupted) header. */
export function chunkHeaderSpan(chunkBegin: number): number {
  return addWithOverhead(chunkBegin, CHUNK_HEADER_SIZE) - chunkBegin;
}

/** Bytes from a chunk start up to the end of its data (its padding excluded). */
export function chunkDataSpan(chunkBegin: number, header: ChunkHeader): number {
  return addWithOverhead(chunkBegin, CHUNK_HEADER_SIZE + header.dataSize) - chunkBegin;
}

/**
 * Parses the header of the chunk at `chunkBegin` from `buffer` (the file from `base` on), which needs
 * to hold only `chunkHeaderSpan(chunkBegin)` bytes of it.
 * @throws CorruptFileError for a damaged header or a position where no chunk can begin.
 */
export function readChunkHeaderFromBuffer(buffer: Uint8Array, base: number, chunkBegin: number, where: string): ChunkHeader {
  const place = new Place('chunk', where, chunkBegin);
  try {
    if (!isPossibleChunkBoundary(chunkBegin)) {
      throw new CorruptFileError(`${place}: a chunk cannot begin inside or right after a block header`);
    }
    return parseChunkHeader(contentAt(buffer, base, chunkBegin, CHUNK_HEADER_SIZE, place, 'header'), place);
  } catch (error) {
    throw located(error, where, chunkBegin);
  }
}

/**
 * A chunk's error with the file and the chunk's position as its `path` and `offset` (where it has none
 * of its own, such as a block header's): the messages name them in words, programs read the fields.
 */
function located(error: unknown, path: string, chunkBegin: number): unknown {
  return error instanceof ArrayRecordError ? withLocation(error, { path, offset: chunkBegin }) : error;
}

/**
 * Reads the chunk that begins at file position `chunkBegin` from `buffer`, which holds the file's
 * bytes from position `base` on. Verifies the chunk header hash, the data hash, and every block
 * header inside the buffer that interrupts the chunk.
 * @param where names the file for errors.
 * @param dataCopies where the data goes when block headers interrupt it (it is a view of `buffer`
 *   otherwise); fresh memory by default. A reused scratch serves a caller that is done with the data
 *   before its next read (it decodes the chunk, and copies out records that view the data).
 * @throws CorruptFileError for any mismatch or when the buffer ends before the chunk data does.
 */
export function readChunkFromBuffer(buffer: Uint8Array, base: number, chunkBegin: number, where: string, dataCopies?: ByteAllocator): RawChunk {
  const place = new Place('chunk', where, chunkBegin);
  try {
    if (!isPossibleChunkBoundary(chunkBegin)) {
      throw new CorruptFileError(`${place}: a chunk cannot begin inside or right after a block header`);
    }
    const headerBytes = contentAt(buffer, base, chunkBegin, CHUNK_HEADER_SIZE, place, 'header');
    const header = parseChunkHeader(headerBytes, place);
    const end = chunkEnd(chunkBegin, header.dataSize, header.numRecords);
    const bufferEnd = base + buffer.length;
    for (let boundary = Math.ceil(chunkBegin / BLOCK_SIZE) * BLOCK_SIZE; boundary < end && boundary + BLOCK_HEADER_SIZE <= bufferEnd; boundary += BLOCK_SIZE) {
      verifyBlockHeader(buffer.subarray(boundary - base, boundary - base + BLOCK_HEADER_SIZE), boundary - chunkBegin, end - boundary, new Place('block', where, boundary));
    }
    const data = contentAt(buffer, base, addWithOverhead(chunkBegin, CHUNK_HEADER_SIZE), header.dataSize, place, 'data', dataCopies);
    if (!chunkDataHashMatches(headerBytes, data)) throw dataHashMismatch(headerBytes, data, place);
    return { header, data, begin: chunkBegin, end };
  } catch (error) {
    throw located(error, where, chunkBegin);
  }
}

/**
 * Checks that a chunk ends by `limit`. Its end follows from its header (data size and record count), and
 * one that ends later overlaps what follows it or lies past the end of the file.
 * @param next what begins at `limit` ("the next chunk"); undefined when `limit` is the file size.
 * @throws CorruptFileError naming the chunk, both positions and the file.
 */
export function verifyChunkEnd(chunk: Pick<RawChunk, 'begin' | 'end'>, limit: number, path: string, next?: string): void {
  if (chunk.end <= limit) return;
  const past = next === undefined ? `the end of the file at ${limit} (truncated)` : `${next} at ${limit}`;
  throw new CorruptFileError(`chunk at ${chunk.begin} ends at ${chunk.end}, past ${past}`, { path, offset: chunk.begin });
}

/**
 * Checks that `buffer` (the file from `base` on) holds only padding chunks from `from` to its end,
 * as after a chunk written with pad_to_block_boundary: their headers and hashes are verified too.
 * @param path the file's path, for errors.
 * @throws CorruptFileError when anything else, a damaged padding chunk, or one that announces
 *   records is found.
 */
export function verifyPaddingChunks(buffer: Uint8Array, base: number, from: number, path: string): void {
  const bufferEnd = base + buffer.length;
  let pos = from;
  while (pos < bufferEnd) {
    const padding = readChunkFromBuffer(buffer, base, pos, path);
    if (padding.header.chunkType !== ChunkType.padding) {
      throw new CorruptFileError(`chunk of type 0x${padding.header.chunkType.toString(16)} where only padding may follow`, { path, offset: pos });
    }
    verifyRecordlessChunk(padding.header, new Place('chunk', path, pos));
    verifyChunkEnd(padding, bufferEnd, path, 'the next chunk');
    pos = padding.end;
  }
}
