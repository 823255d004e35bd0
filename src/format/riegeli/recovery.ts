// Recovery from a damaged chunk, as Riegeli's chunk reader does it: where reading can go on, found
// from the block headers that every 64 KiB boundary carries, and what was skipped.

import { CorruptFileError, UnsupportedError } from '../errors.js';
import type { ByteSource } from '../io/byte-source.js';
import { isPossibleChunkBoundary, remainingInBlock } from './block.js';
import { readU32 } from './bytes.js';
import { BLOCK_HEADER_SIZE } from './constants.js';
import { hashMatches } from './highway-hash.js';

/**
 * File bytes [begin, end) a reader skipped because it could not read them, and why. In a plain
 * Riegeli file this is also the range of record positions skipped (a record's position is its
 * chunk's start plus its index in the chunk, which lies inside the chunk).
 * @example
 * const reader = new RiegeliRecordReader('damaged.riegeli', 'skip_corrupted_chunks');
 * for (const record of reader) use(record);
 * for (const { begin, end, reason } of reader.skippedRegions()) console.warn(`skipped [${begin}, ${end}): ${reason}`);
 */
export interface SkippedRegion {
  /** The region's first byte in the file. */
  readonly begin: number;
  /** One past the region's last byte in the file. */
  readonly end: number;
  /** The message of the error that made the bytes unreadable. */
  readonly reason: string;
}

/**
 * Where the first chunk after position `after` begins, found from block headers alone (Riegeli's
 * DefaultChunkReader::Recover): the header of each block boundary after `after` is read in turn, and
 * the first one whose hash matches tells where the chunk it interrupts ends (or that a chunk begins
 * right at the boundary). Damaged block headers and impossible distances move on to the next
 * boundary. Returns the file size when no chunk is found before the end; the result is always
 * greater than `after`, so a reader that resumes there makes progress.
 * @throws IoError when the file cannot be read.
 * @example const resume = findNextChunk(source, damagedChunkBegin);
 */
export function findNextChunk(source: ByteSource, after: number): number {
  let pos = after + 1;
  for (;;) {
    pos += remainingInBlock(pos);
    if (pos + BLOCK_HEADER_SIZE > source.size) return source.size;
    const header = source.readSync(pos, BLOCK_HEADER_SIZE);
    if (!hashMatches(header.subarray(8), header, 0)) {
      pos++;
      continue;
    }
    if (readDistance(header, 8) === 0) return pos;
    const next = pos + readDistance(header, 16);
    if (next <= pos || next > source.size) {
      pos++;
      continue;
    }
    if (isPossibleChunkBoundary(next)) return next;
    pos = next;
  }
}

/** A block header's u64 distance; Infinity when too large for a number, which no real file reaches. */
function readDistance(header: Uint8Array, offset: number): number {
  const high = readU32(header, offset + 4);
  return high >= 2 ** 21 ? Infinity : high * 2 ** 32 + readU32(header, offset);
}

/**
 * True for the errors a reader that skips corrupted chunks skips over: bytes that contradict the
 * format (CorruptFileError) or a chunk it cannot decode (UnsupportedError). I/O failures and misuse
 * are not damage and still throw.
 * @example if (!isChunkDamage(error)) throw error;
 */
export function isChunkDamage(error: unknown): error is CorruptFileError | UnsupportedError {
  return error instanceof CorruptFileError || error instanceof UnsupportedError;
}
