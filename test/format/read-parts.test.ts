// How async batch reads are cut into parts: the binary search over a range of chunks (rangePartEnds)
// cuts exactly where the walk over every chunk (partEnds) does.

import { describe, expect, it } from 'vitest';
import { InMemoryChunkIndex } from '../../src/format/arrayrecord/chunk-index.js';
import { partEnds, rangePartEnds } from '../../src/format/arrayrecord/read-parts.js';

/** An index of `count` chunks of pseudo-random sizes (a few huge ones among them) from offset 64. */
function indexOf(count: number, seed: number): InMemoryChunkIndex {
  const offsets = new Float64Array(count + 1);
  let at = 64;
  let state = seed;
  for (let c = 0; c <= count; c++) {
    offsets[c] = at;
    state = (state * 1103515245 + 12345) >>> 0;
    at += state % 97 === 0 ? 300_000 + (state % 700_000) : 1 + (state % 5000);
  }
  return new InMemoryChunkIndex(offsets);
}

describe('rangePartEnds', () => {
  it('cuts a range of chunks where partEnds does', () => {
    for (const [count, seed] of [[1, 1], [2, 2], [7, 3], [100, 4], [2000, 5], [65_536, 6]] as const) {
      const index = indexOf(count, seed);
      for (const lanes of [1, 2, 3, 8]) {
        const ranges: [number, number][] = [[0, count], [Math.floor(count / 3), count - Math.floor(count / 3)], [0, Math.ceil(count / 2)], [count - 1, 1]];
        for (const [first, length] of ranges) {
          expect(rangePartEnds(index, first, length, lanes), `${count} chunks, lanes ${lanes}, [${first}, ${first + length})`).toEqual(
            partEnds(index, (rank) => first + rank, length, lanes),
          );
        }
      }
    }
  });
});
