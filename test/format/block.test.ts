// Properties of the spec's position arithmetic, checked against a byte-by-byte model of the file.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addWithOverhead,
  chunkEnd,
  distanceWithoutOverhead,
  isPossibleChunkBoundary,
  posAfterPadding,
  roundUpToPossibleChunkBoundary,
} from '../../src/format/riegeli/block.js';

const B = 65536;
const H = 24;

/** Advances byte by byte, skipping block headers, to place `size` content bytes from `pos`. */
function modelAddWithOverhead(pos: number, size: number): number {
  let p = pos;
  let left = size;
  while (left > 0) {
    if (p % B < H) p += H - (p % B);
    const take = Math.min(left, B - (p % B));
    p += take;
    left -= take;
  }
  return p;
}

const position = fc.oneof(
  fc.integer({ min: 0, max: 40 * B }),
  fc.integer({ min: 0, max: 40 }).chain((block) => fc.integer({ min: -30, max: 30 }).map((delta) => Math.max(0, block * B + delta))),
);
const chunkStart = position.filter(isPossibleChunkBoundary);

describe('block arithmetic', () => {
  it('addWithOverhead matches the byte model from any chunk boundary', () => {
    fc.assert(
      fc.property(chunkStart, fc.integer({ min: 0, max: 5 * B }), (pos, size) => {
        expect(addWithOverhead(pos, size)).toBe(modelAddWithOverhead(pos, size));
      }),
    );
  });

  it('distanceWithoutOverhead inverts addWithOverhead', () => {
    fc.assert(
      fc.property(chunkStart, fc.integer({ min: 1, max: 5 * B }), (pos, size) => {
        expect(distanceWithoutOverhead(pos, addWithOverhead(pos, size))).toBe(size);
      }),
    );
  });

  it('roundUpToPossibleChunkBoundary gives the nearest possible boundary at or after pos', () => {
    fc.assert(
      fc.property(position, (pos) => {
        const rounded = roundUpToPossibleChunkBoundary(pos);
        expect(isPossibleChunkBoundary(rounded)).toBe(true);
        for (let p = pos; p < rounded; p++) expect(isPossibleChunkBoundary(p)).toBe(false);
      }),
    );
  });

  it('the spec examples: 0 -> 0, 1..25 -> 25, 26 -> 26, 64K -> 64K', () => {
    expect(roundUpToPossibleChunkBoundary(0)).toBe(0);
    expect(roundUpToPossibleChunkBoundary(1)).toBe(25);
    expect(roundUpToPossibleChunkBoundary(25)).toBe(25);
    expect(roundUpToPossibleChunkBoundary(26)).toBe(26);
    expect(roundUpToPossibleChunkBoundary(B)).toBe(B);
    expect(roundUpToPossibleChunkBoundary(B + 1)).toBe(B + 25);
  });

  it('a chunk ends at a possible boundary and holds at least num_records bytes', () => {
    fc.assert(
      fc.property(chunkStart, fc.integer({ min: 0, max: 3 * B }), fc.integer({ min: 0, max: 3 * B }), (begin, dataSize, numRecords) => {
        const end = chunkEnd(begin, dataSize, numRecords);
        expect(isPossibleChunkBoundary(end)).toBe(true);
        expect(end - begin).toBeGreaterThanOrEqual(numRecords);
        expect(end).toBeGreaterThanOrEqual(modelAddWithOverhead(begin, 40 + dataSize));
      }),
    );
  });

  it('padding to the block size lands on a block boundary with room for a padding chunk', () => {
    fc.assert(
      fc.property(chunkStart, (pos) => {
        const after = posAfterPadding(pos, B);
        expect(after % B).toBe(0);
        if (after !== pos) expect(distanceWithoutOverhead(pos, after)).toBeGreaterThanOrEqual(40);
        expect(after - pos).toBeLessThanOrEqual(2 * B);
      }),
    );
  });
});
