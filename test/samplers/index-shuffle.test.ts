// Grain's index_shuffle and std::seed_seq against vectors computed by the upstream C++ code, plus bijection properties.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, OutOfRangeError } from '../../src/format/errors.js';
import { IndexShuffle, feistelBlockBits, indexShuffle, seedSeqGenerate } from '../../src/samplers/index.js';
import { grainIndexShuffleVectors, upstreamVectors } from './vectors.js';

describe('index_shuffle', () => {
  it('reproduces every vector of Grain index_shuffle_vectors.json', () => {
    const vectors = grainIndexShuffleVectors();
    expect(vectors.length).toBe(11);
    for (const vector of vectors) {
      const shuffle = new IndexShuffle(vector.max_index, vector.seed, vector.rounds);
      const got = vector.first.map((_, index) => shuffle.apply(index));
      expect({ ...vector, first: got }).toEqual(vector);
    }
  });

  it('reproduces the upstream C++ around every power of two up to 2^53 and with other round counts', () => {
    const cases = upstreamVectors().index_shuffle;
    expect(cases.length).toBeGreaterThan(200);
    for (const { max_index, seed, rounds, pairs } of cases) {
      const shuffle = new IndexShuffle(max_index, seed, rounds);
      const got = pairs.map(([index]) => [index, shuffle.apply(index)]);
      expect({ max_index, seed, rounds, pairs: got }).toEqual({ max_index, seed, rounds, pairs });
    }
  });

  it('matches the one-call form', () => {
    expect(indexShuffle(0, 4, 32)).toBe(2);
    expect(indexShuffle(3, 9, 0, 4)).toBe(7);
  });

  it('uses upstream block sizes, including where double log2 rounds down', () => {
    expect(feistelBlockBits(0)).toBe(16);
    expect(feistelBlockBits(65535)).toBe(16);
    expect(feistelBlockBits(65536)).toBe(16); // upstream's quirk: one bit short
    expect(feistelBlockBits(65537)).toBe(18);
    expect(feistelBlockBits(2 ** 40)).toBe(40);
    expect(feistelBlockBits(2 ** 40 + 1)).toBe(42);
    expect(feistelBlockBits(2 ** 50 + 2)).toBe(50);
    expect(feistelBlockBits(2 ** 50 + 3)).toBe(52);
    expect(feistelBlockBits(2 ** 52 + 11)).toBe(52);
    expect(feistelBlockBits(2 ** 52 + 12)).toBe(54);
    expect(feistelBlockBits(Number.MAX_SAFE_INTEGER)).toBe(54);
  });

  it('is a bijection on [0, maxIndex] for any seed (maxIndex not a power of two >= 2^16)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (maxIndex, seed) => {
        const shuffle = new IndexShuffle(maxIndex, seed);
        const seen = new Uint8Array(maxIndex + 1);
        for (let index = 0; index <= maxIndex; index++) seen[shuffle.apply(index)]! += 1;
        expect(seen.every((count) => count === 1)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('keeps upstream’s one-bit-short block at 2^16 under the grain rule, and is a bijection under the bijective rule', () => {
    const count = (shuffle: IndexShuffle) => {
      const seen = new Uint8Array(shuffle.maxIndex + 1);
      for (let index = 0; index <= shuffle.maxIndex; index++) seen[shuffle.apply(index)]! += 1;
      return seen;
    };
    const grain = count(new IndexShuffle(65536, 5));
    expect(grain[65536]).toBe(0);
    expect(grain.filter((n) => n === 2).length).toBe(1);
    expect(feistelBlockBits(65536, 'bijective')).toBe(18);
    expect(feistelBlockBits(2 ** 50 + 1, 'bijective')).toBe(52);
    expect(feistelBlockBits(65535, 'bijective')).toBe(16);
    const bijective = new IndexShuffle(65536, 5, 4, 'bijective');
    expect(count(bijective).every((n) => n === 1)).toBe(true);
    expect(bijective.blockRule).toBe('bijective');
    expect(() => new IndexShuffle(10, 0, 4, 'other' as never)).toThrow(/blockRule must be 'grain' or 'bijective'/);
  });

  it('gives different permutations for different seeds', () => {
    const a = new IndexShuffle(999, 1);
    const b = new IndexShuffle(999, 2);
    const same = Array.from({ length: 1000 }, (_, i) => a.apply(i) === b.apply(i)).filter(Boolean).length;
    expect(same).toBeLessThan(20);
  });

  it('rejects bad arguments with typed errors', () => {
    expect(() => new IndexShuffle(-1, 0)).toThrow(InvalidArgumentError);
    expect(() => new IndexShuffle(2 ** 53, 0)).toThrow(InvalidArgumentError);
    expect(() => new IndexShuffle(1.5, 0)).toThrow(InvalidArgumentError);
    expect(() => new IndexShuffle(10, -1)).toThrow(/seed must be an integer in \[0, 2\^32\)/);
    expect(() => new IndexShuffle(10, 2 ** 32)).toThrow(InvalidArgumentError);
    expect(() => new IndexShuffle(10, 0, 3)).toThrow(/rounds must be an even integer/);
    expect(() => new IndexShuffle(10, 0, 1026)).toThrow(InvalidArgumentError);
    const shuffle = new IndexShuffle(10, 0);
    expect(() => shuffle.apply(11)).toThrow(OutOfRangeError);
    expect(() => shuffle.apply(-1)).toThrow(OutOfRangeError);
    expect(() => shuffle.apply(0.5)).toThrow(InvalidArgumentError);
  });
});

describe('std::seed_seq::generate', () => {
  it('reproduces libstdc++ for every tested length and seed count', () => {
    const cases = upstreamVectors().seed_seq;
    expect(cases.length).toBeGreaterThan(20);
    for (const { seeds, output } of cases) {
      const got = Array.from(seedSeqGenerate(seeds, new Uint32Array(output.length)));
      expect({ seeds, output: got }).toEqual({ seeds, output });
    }
  });

  it('takes seeds modulo 2^32', () => {
    const a = seedSeqGenerate([2 ** 32 + 5], new Uint32Array(4));
    const b = seedSeqGenerate([5], new Uint32Array(4));
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
