// Turns the chunks a batch read needs into as few read calls as possible: adjacent chunks are read
// together up to a size limit, since one pread of 2 chunks costs about what one of 1 does.

import type { ChunkIndex } from './chunk-index.js';

/** Chunks [first, last] lying at file bytes [start, end), fetched with one read call. */
export interface ChunkRun {
  readonly first: number;
  readonly last: number;
  readonly start: number;
  readonly end: number;
}

/** A run of adjacent chunks stops growing at this many bytes, so one read never balloons. */
const MAX_RUN_BYTES = 4 * 1024 * 1024;

/** Groups ascending distinct chunk numbers into runs of adjacent chunks. */
export function planChunkReads(sortedChunks: readonly number[], index: ChunkIndex): ChunkRun[] {
  const runs: ChunkRun[] = [];
  let i = 0;
  while (i < sortedChunks.length) {
    const first = sortedChunks[i]!;
    const start = index.start(first);
    let last = first;
    while (i + 1 < sortedChunks.length && sortedChunks[i + 1] === last + 1 && index.end(last + 1) - start <= MAX_RUN_BYTES) {
      last++;
      i++;
    }
    runs.push({ first, last, start, end: index.end(last) });
    i++;
  }
  return runs;
}
