// WindowShuffleSampler: windows stay contiguous, each epoch is a permutation, seeded and reproducible.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, OutOfRangeError } from '../../src/format/errors.js';
import { WindowShuffleSampler, evenSplit, keysOf, shardOptions } from '../../src/samplers/index.js';

const optionsArbitrary = fc.record({
  numRecords: fc.integer({ min: 1, max: 400 }),
  windowSize: fc.integer({ min: 1, max: 64 }),
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  shuffleWindowOrder: fc.boolean(),
  shardCount: fc.integer({ min: 1, max: 4 }),
  dropRemainder: fc.boolean(),
});

describe('WindowShuffleSampler', () => {
  it('permutes each epoch of its shard, one whole window at a time', () => {
    fc.assert(
      fc.property(optionsArbitrary, ({ numRecords, windowSize, seed, shuffleWindowOrder, shardCount, dropRemainder }) => {
        fc.pre(Math.floor(numRecords / shardCount) > 0);
        const shard = shardOptions(shardCount - 1, shardCount, dropRemainder);
        const sampler = new WindowShuffleSampler({
          numRecords, windowSize, seed, shuffleWindowOrder, numEpochs: 2, shardOptions: shard,
        });
        const { start, end } = evenSplit(numRecords, shard);
        const keys = [...keysOf(sampler)];
        for (const epoch of [0, 1]) {
          const epochKeys = keys.slice(epoch * (end - start), (epoch + 1) * (end - start));
          expect([...epochKeys].sort((a, b) => a - b)).toEqual(Array.from({ length: end - start }, (_, i) => start + i));
          for (let first = 0; first < epochKeys.length; first += windowSize) {
            const window = epochKeys.slice(first, first + windowSize);
            const lowest = Math.min(...window);
            // A window is a run of consecutive records starting at a window boundary.
            expect((lowest - start) % windowSize).toBe(0);
            expect(Math.max(...window) - lowest).toBe(window.length - 1);
            if (!shuffleWindowOrder) expect(lowest).toBe(start + first);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('is reproducible for a seed and changes with the seed and the epoch', () => {
    const make = (seed: number) => new WindowShuffleSampler({ numRecords: 1000, windowSize: 100, seed, numEpochs: 2 });
    const keys = [...keysOf(make(4))];
    expect([...keysOf(make(4))]).toEqual(keys);
    expect([...keysOf(make(5))]).not.toEqual(keys);
    expect(keys.slice(0, 1000)).not.toEqual(keys.slice(1000));
    const ordered = new WindowShuffleSampler({ numRecords: 1000, windowSize: 100, seed: 4, shuffleWindowOrder: true });
    const firsts = Array.from({ length: 10 }, (_, w) => Math.floor(ordered.keyAt(w * 100) / 100));
    expect(firsts).not.toEqual([...firsts].sort((a, b) => a - b));
  });

  it('answers steps in any order', () => {
    const sampler = new WindowShuffleSampler({ numRecords: 500, windowSize: 64, seed: 9, numEpochs: 2, shuffleWindowOrder: true });
    const forward = [...keysOf(sampler)];
    for (const step of [999, 0, 640, 63, 64, 500, 511]) expect(sampler.keyAt(step)).toBe(forward[step]);
  });

  it('keeps the last, partial window last when the window order is shuffled', () => {
    const sampler = new WindowShuffleSampler({ numRecords: 25, windowSize: 10, seed: 2, shuffleWindowOrder: true });
    const tail = [...keysOf(sampler, 20, 25)].sort((a, b) => a - b);
    expect(tail).toEqual([20, 21, 22, 23, 24]);
  });

  it('describes itself and rejects bad options', () => {
    const sampler = new WindowShuffleSampler({ numRecords: 10, windowSize: 4, seed: 1 });
    expect(sampler.describe()).toEqual({
      kind: 'WindowShuffleSampler',
      numRecords: 10,
      windowSize: 4,
      seed: 1,
      numEpochs: 1,
      shuffleWindowOrder: false,
      shardIndex: 0,
      shardCount: 1,
      dropRemainder: false,
    });
    expect(sampler.epochRange(0)).toEqual({ start: 0, end: 10 });
    expect(sampler.epochAt(9)).toBe(0);
    expect(() => sampler.keyAt(10)).toThrow(OutOfRangeError);
    expect(() => new WindowShuffleSampler({ numRecords: 10, windowSize: 0, seed: 1 })).toThrow(InvalidOptionsError);
    expect(() => new WindowShuffleSampler({ numRecords: 10, windowSize: 2 ** 31, seed: 1 })).toThrow(/windowSize must be below/);
    expect(() => new WindowShuffleSampler({ numRecords: 10, windowSize: 4 } as never)).toThrow(/seed/);
    expect(() => new WindowShuffleSampler({ numRecords: 1, windowSize: 4, seed: 1, shardOptions: shardOptions(1, 2) })).toThrow(
      /shard 1 of 2 has no records/,
    );
  });
});
