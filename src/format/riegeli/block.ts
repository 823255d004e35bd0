// Position arithmetic of the Riegeli spec: where block headers fall and where a chunk ends.
// The formulas are the spec's "Implementation notes", ported as formulas.

import { BLOCK_HEADER_SIZE, BLOCK_SIZE, CHUNK_HEADER_SIZE, USABLE_BLOCK_SIZE } from './constants.js';

/** True when `pos` is a multiple of the block size (a block header starts there). */
export function isBlockBoundary(pos: number): boolean {
  return pos % BLOCK_SIZE === 0;
}

/** Bytes from `pos` to the next block boundary (0 at a boundary). */
export function remainingInBlock(pos: number): number {
  return BLOCK_SIZE - 1 - ((pos + BLOCK_SIZE - 1) % BLOCK_SIZE);
}

/** A chunk may begin at `pos` unless `pos` is inside a block header or right after one. */
export function isPossibleChunkBoundary(pos: number): boolean {
  return remainingInBlock(pos) < USABLE_BLOCK_SIZE;
}

/** How many block headers interrupt `size` bytes of chunk content written from `pos`. */
export function numOverheadBlocks(pos: number, size: number): number {
  return Math.floor((size + ((pos + USABLE_BLOCK_SIZE - 1) % BLOCK_SIZE)) / USABLE_BLOCK_SIZE);
}

/** The position after writing `size` content bytes from `pos`, block headers included. */
export function addWithOverhead(pos: number, size: number): number {
  return pos + size + numOverheadBlocks(pos, size) * BLOCK_HEADER_SIZE;
}

// Block-header bytes in [0, pos).
function headerBytesBefore(pos: number): number {
  return Math.floor(pos / BLOCK_SIZE) * BLOCK_HEADER_SIZE + Math.min(pos % BLOCK_SIZE, BLOCK_HEADER_SIZE);
}

/** The content bytes between `begin` and `end`, block headers excluded. */
export function distanceWithoutOverhead(begin: number, end: number): number {
  return end - begin - (headerBytesBefore(end) - headerBytesBefore(begin));
}

/** The smallest position >= `pos` where a chunk may begin. */
export function roundUpToPossibleChunkBoundary(pos: number): number {
  return pos + Math.max(0, remainingInBlock(pos) - (USABLE_BLOCK_SIZE - 1));
}

/** Where a chunk that begins at `chunkBegin` ends (its padding included). */
export function chunkEnd(chunkBegin: number, dataSize: number, numRecords: number): number {
  return Math.max(
    addWithOverhead(chunkBegin, CHUNK_HEADER_SIZE + dataSize),
    roundUpToPossibleChunkBoundary(chunkBegin + numRecords),
  );
}

/**
 * Where padding to a multiple of `padding` bytes brings a writer at `pos`: a padding chunk needs room
 * for its header and may not end inside a block header (Riegeli's PosAfterPadding).
 */
export function posAfterPadding(pos: number, padding: number): number {
  if (padding <= 1) return pos;
  const remainder = pos % padding;
  if (remainder === 0) return pos;
  let length = padding - remainder;
  while (length < CHUNK_HEADER_SIZE) length += padding;
  let end = pos + length;
  while (!isPossibleChunkBoundary(end)) end += padding;
  return end;
}
