// Turns the chunks a batch read needs into as few read calls as possible: adjacent chunks are read
// together up to a size limit, since one pread of 2 chunks costs about what one of 1 does; with a gap
// allowance, chunks a few KiB apart too, the bytes between them read and left unused.

import type { ChunkIndex } from './chunk-index.js';

/**
 * Chunks [first, last] lying at file bytes [start, end), fetched with one read call. Without gaps
 * (the default) every chunk in between is wanted; with them, the caller knows which ones it wants and
 * decodes only those: the others' bytes are read, never looked at.
 */
export interface ChunkRun {
  readonly first: number;
  readonly last: number;
  readonly start: number;
  readonly end: number;
}

/** A run of adjacent chunks stops growing at this many bytes, so one read never balloons. */
const MAX_RUN_BYTES = 4 * 1024 * 1024;

/**
 * How many unwanted bytes between two wanted chunks are read rather than paying a second read call.
 * Measured on the 2-core benchmark machine (file in the page cache, CPU time per pread): a pread costs
 * ~2.7 µs whatever its size up to 4 KiB, and each further KiB ~0.05 µs, so a gap of 16 KiB costs
 * about a third of the call it saves (and the gap bytes pass through a reused scratch, no page faults).
 */
export const READ_GAP_BYTES = 16 * 1024;

/**
 * Groups ascending distinct chunk numbers into runs: chunks that follow each other in the file, and
 * with `maxGap`, chunks whose bytes lie at most `maxGap` bytes after the run's end.
 */
export function planChunkReads(sortedChunks: ArrayLike<number>, index: ChunkIndex, maxGap = 0): ChunkRun[] {
  const runs: ChunkRun[] = [];
  let i = 0;
  while (i < sortedChunks.length) {
    const first = sortedChunks[i]!;
    const start = index.start(first);
    let last = first;
    let end = index.end(first);
    while (i + 1 < sortedChunks.length) {
      const next = sortedChunks[i + 1]!;
      const nextEnd = index.end(next);
      if (nextEnd - start > MAX_RUN_BYTES) break;
      if (next !== last + 1 && index.start(next) - end > maxGap) break;
      last = next;
      end = nextEnd;
      i++;
    }
    runs.push({ first, last, start, end });
    i++;
  }
  return runs;
}
