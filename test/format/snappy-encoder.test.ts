// The snappy encoder: its streams decode, through our decoder and through snappyjs (an independent
// implementation), to the input, for inputs of every size class and redundancy.

import fc from 'fast-check';
import * as snappy from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { snappyDecompress } from '../../src/format/riegeli/snappy-decoder.js';
import { snappyCompress } from '../../src/format/riegeli/snappy-encoder.js';

function roundTrips(data: Uint8Array): Uint8Array {
  const compressed = snappyCompress(data);
  expect(compressed.length).toBeLessThanOrEqual(32 + data.length + Math.floor(data.length / 6));
  expect(Buffer.compare(snappyDecompress(compressed, data.length), data)).toBe(0);
  expect(Buffer.compare(snappy.uncompress(compressed), data)).toBe(0);
  return compressed;
}

/** Pieces repeated, so matches of every length and distance occur. */
const repetitive = fc
  .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 40 })), { maxLength: 40 })
  .map((parts) => Uint8Array.from(parts.flatMap(([bytes, times]) => Array.from({ length: times }, () => [...bytes]).flat())));

describe('snappyCompress', () => {
  it('round-trips random and repetitive data', () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 3000 }), repetitive), (data) => void roundTrips(data)), { numRuns: 300 });
  });

  it('round-trips every length up to past the margin below which a fragment is one literal', () => {
    for (let length = 0; length <= 40; length++) roundTrips(Uint8Array.from({ length }, (_, i) => (i % 3) * 7));
  });

  it('compresses runs into copies longer than 64 bytes, split as the format requires', () => {
    const run = new Uint8Array(10_000).fill(0x61);
    expect(roundTrips(run).length).toBeLessThan(600);
  });

  it('keeps incompressible data within the format bound', () => {
    const noise = new Uint8Array(200_000);
    let state = 12345;
    for (let i = 0; i < noise.length; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      noise[i] = state >>> 24;
    }
    roundTrips(noise);
  });

  it('compresses inputs of several 64 KiB fragments, with matches that would cross them', () => {
    const text = new TextEncoder().encode('the quick brown fox jumps over the lazy dog; '.repeat(6000));
    expect(text.length).toBeGreaterThan(3 * 65_536);
    expect(roundTrips(text).length).toBeLessThan(text.length / 20);
    fc.assert(
      fc.property(fc.integer({ min: 65_530, max: 65_546 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), (length, seed) => {
        const data = Uint8Array.from({ length }, (_, i) => seed[i % 8]! ^ (i >> 9));
        roundTrips(data);
      }),
      { numRuns: 20 },
    );
  });
});
