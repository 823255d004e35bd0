// The 24-byte block header written at every multiple of 64 KiB: hash, distance back to the
// interrupted chunk's start, distance forward to its end.

import { CorruptFileError, withLocation } from '../errors.js';
import { readU64, writeU64 } from './bytes.js';
import { BLOCK_HEADER_SIZE } from './constants.js';
import { hashMatches, writeHash } from './highway-hash.js';
import { locationOf, type Where } from '../place.js';

/** Builds the block header at a boundary that interrupts a chunk. */
export function buildBlockHeader(previousChunk: number, nextChunk: number): Uint8Array {
  const bytes = new Uint8Array(BLOCK_HEADER_SIZE);
  writeU64(bytes, 8, previousChunk);
  writeU64(bytes, 16, nextChunk);
  writeHash(bytes.subarray(8), bytes, 0);
  return bytes;
}

/**
 * Checks the block header at `bytes[0..24)` against the chunk it must interrupt.
 * @throws CorruptFileError when its hash or its distances are wrong.
 */
export function verifyBlockHeader(bytes: Uint8Array, previousChunk: number, nextChunk: number, where: Where): void {
  if (!hashMatches(bytes.subarray(8, BLOCK_HEADER_SIZE), bytes, 0)) {
    throw withLocation(new CorruptFileError(`block header hash mismatch, ${where}`), locationOf(where));
  }
  const previous = readU64(bytes, 8, `previous_chunk of block header, ${where}`);
  const next = readU64(bytes, 16, `next_chunk of block header, ${where}`);
  if (previous !== previousChunk || next !== nextChunk) {
    throw withLocation(
      new CorruptFileError(`block header says the chunk spans -${previous}..+${next} around it, expected -${previousChunk}..+${nextChunk}, ${where}`),
      locationOf(where),
    );
  }
}
