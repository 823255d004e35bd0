// Slices, strided shards and elastic resume: after a change of world size the rest of an epoch is visited exactly once.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidOptionsError, OutOfRangeError } from '../../src/format/errors.js';
import {
  IndexSampler,
  RemainingOrder,
  SequentialSampler,
  ShuffleSampler,
  SliceSampler,
  StridedShardSampler,
  elasticResume,
  keysOf,
  shardOptions,
  type RankProgress,
  type Sampler,
} from '../../src/samplers/index.js';

function counts(keys: Iterable<number>): Map<number, number> {
  const seen = new Map<number, number>();
  for (const key of keys) seen.set(key, (seen.get(key) ?? 0) + 1);
  return seen;
}

/** Keys consumed by the old ranks plus keys the new ranks get: must be every record of the epoch once. */
function expectExactlyOnce(old: readonly RankProgress[], resumed: readonly Sampler[], expectedKeys: readonly number[]) {
  const consumed = old.flatMap(({ sampler, consumed }) => {
    const start = sampler.length === 0 ? 0 : sampler.epochRange(sampler.epochAt(0)).start;
    return [...keysOf(sampler, start, consumed)];
  });
  const all = counts([...consumed, ...resumed.flatMap((sampler) => [...keysOf(sampler)])]);
  expect([...all.keys()].sort((a, b) => a - b)).toEqual([...expectedKeys].sort((a, b) => a - b));
  expect([...all.values()].every((count) => count === 1)).toBe(true);
}

describe('SliceSampler and StridedShardSampler', () => {
  it('slice a range of steps and map epochs', () => {
    const base = new SequentialSampler({ numRecords: 4, numEpochs: 3 });
    const slice = new SliceSampler(base, { start: 3, end: 9 });
    expect([...keysOf(slice)]).toEqual([3, 0, 1, 2, 3, 0]);
    expect(slice.epochAt(1)).toBe(1);
    expect(slice.epochRange(0)).toEqual({ start: 0, end: 1 });
    expect(slice.epochRange(2)).toEqual({ start: 5, end: 6 });
    expect(slice.describe()).toEqual({
      kind: 'SliceSampler',
      start: 3,
      end: 9,
      sampler: { kind: 'SequentialSampler', numRecords: 4, numEpochs: 3 },
    });
    expect(() => new SliceSampler(base, { start: 13 })).toThrow(InvalidOptionsError);
    expect(() => new SliceSampler(base, { start: 5, end: 4 })).toThrow(/end must be an integer >= 5/);
    expect(() => new SliceSampler(new SliceSampler(base, { start: 4, end: 4 })).epochRange(1)).toThrow(OutOfRangeError);
  });

  it('split a global order between ranks, each step exactly once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 9 }), (numRecords, worldSize) => {
        const global = new ShuffleSampler({ numRecords, seed: 11 });
        const ranks = Array.from({ length: worldSize }, (_, rank) => new StridedShardSampler(global, { rank, worldSize }));
        const keys = ranks.flatMap((sampler) => [...keysOf(sampler)]);
        expect(keys.sort((a, b) => a - b)).toEqual([...Array(numRecords).keys()]);
        const lengths = ranks.map((sampler) => sampler.length);
        expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 40 },
    );
  });

  it('map epochs of the base onto rank steps, and read the placement from the environment', () => {
    const base = new SequentialSampler({ numRecords: 10, numEpochs: 2 });
    const rank = new StridedShardSampler(base, { env: { RANK: '1', WORLD_SIZE: '3' } });
    expect([...keysOf(rank)]).toEqual([1, 4, 7, 0, 3, 6, 9]);
    expect(rank.epochRange(0)).toEqual({ start: 0, end: 3 });
    expect(rank.epochRange(1)).toEqual({ start: 3, end: 7 });
    expect(rank.epochAt(3)).toBe(1);
    expect(rank.baseStep(2)).toBe(7);
    expect(rank.describe()).toMatchObject({ kind: 'StridedShardSampler', rank: 1, worldSize: 3 });
    expect(() => new StridedShardSampler(base, { rank: 3, worldSize: 3 })).toThrow(/rank must be in \[0, 2\]/);
    expect(() => new StridedShardSampler(base, { rank: 1 })).toThrow(/give both rank and worldSize/);
    const forever = new StridedShardSampler(new SequentialSampler({ numRecords: 10, numEpochs: Infinity }), { rank: 0, worldSize: 4 });
    expect(forever.length).toBe(Infinity);
    expect(forever.epochRange(1)).toEqual({ start: 3, end: 5 });
  });
});

describe('RemainingOrder and elasticResume', () => {
  it('resume a global shuffle on a new world size, exactly once, even with ranks at different steps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }),
        (numRecords, oldWorld, newWorld, fractions) => {
          const global = new ShuffleSampler({ numRecords, seed: 21 });
          const old = Array.from({ length: oldWorld }, (_, rank) => {
            const sampler = new StridedShardSampler(global, { rank, worldSize: oldWorld });
            return { sampler, consumed: Math.floor(fractions[rank]! * sampler.length) };
          });
          const resumed = Array.from({ length: newWorld }, (_, rank) => elasticResume(old, { rank, worldSize: newWorld }));
          expectExactlyOnce(old, resumed, [...Array(numRecords).keys()]);
          const lengths = resumed.map((sampler) => sampler.length);
          expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('leave exactly the rest of the global order when the old ranks were in lockstep', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 8 }), fc.double({ min: 0, max: 1, noNaN: true }), (numRecords, oldWorld, fraction) => {
        const global = new ShuffleSampler({ numRecords, seed: 5 });
        const ranks = Array.from({ length: oldWorld }, (_, rank) => new StridedShardSampler(global, { rank, worldSize: oldWorld }));
        const steps = Math.floor(fraction * Math.min(...ranks.map((sampler) => sampler.length)));
        const rest = new RemainingOrder(ranks.map((sampler) => ({ sampler, consumed: steps })));
        expect([...keysOf(rest)]).toEqual([...keysOf(new SliceSampler(global, { start: steps * oldWorld }))]);
      }),
      { numRuns: 40 },
    );
  });

  it('resume the rest of one epoch of Grain IndexSampler shards, and resume again', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 200 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 16, maxLength: 16 }),
        (numRecords, worldA, worldB, worldC, fractions) => {
          const epoch = 0;
          const old = Array.from({ length: worldA }, (_, rank) => {
            const sampler = new IndexSampler({
              numRecords, shardOptions: shardOptions(rank, worldA), shuffle: true, seed: 3, numEpochs: 2,
            });
            const { start, end } = sampler.epochRange(epoch);
            return { sampler, consumed: start + Math.floor(fractions[rank]! * (end - start)), end };
          });
          const middle = Array.from({ length: worldB }, (_, rank) => elasticResume(old, { rank, worldSize: worldB }));
          expectExactlyOnce(old, middle, [...Array(numRecords).keys()]);
          // Resume the resumed job on a third world size.
          const progressB = middle.map((sampler, rank) => ({ sampler, consumed: Math.floor(fractions[8 + rank]! * sampler.length) }));
          const last = Array.from({ length: worldC }, (_, rank) => elasticResume(progressB, { rank, worldSize: worldC }));
          const remainingAfterB = progressB.flatMap(({ sampler, consumed }) => [...keysOf(sampler, consumed)]);
          const fromC = last.flatMap((sampler) => [...keysOf(sampler)]);
          expect(fromC.sort((a, b) => a - b)).toEqual(remainingAfterB.sort((a, b) => a - b));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('merge suffixes round-robin, dropping ranks that run out', () => {
    const a = new SequentialSampler({ numRecords: 5 });
    const b = new SliceSampler(new SequentialSampler({ numRecords: 20 }), { start: 10 });
    const rest = new RemainingOrder([
      { sampler: a, consumed: 2 },
      { sampler: b, consumed: 0, end: 5 },
      { sampler: a, consumed: 4 },
    ]);
    expect([...keysOf(rest)]).toEqual([2, 10, 4, 3, 11, 4, 12, 13, 14]);
    expect(rest.epochRange(0)).toEqual({ start: 0, end: 9 });
    expect(rest.epochAt(8)).toBe(0);
    expect(() => rest.epochRange(1)).toThrow(OutOfRangeError);
    expect(rest.describe()).toMatchObject({ kind: 'RemainingOrder', ranks: [{ consumed: 2, end: 5 }, { consumed: 0, end: 5 }, { consumed: 4, end: 5 }] });
    const done = new RemainingOrder([{ sampler: a, consumed: 5 }]);
    expect(done.length).toBe(0);
    expect(() => done.epochRange(0)).toThrow(OutOfRangeError);
    // As every sampler: an epoch that is not a non-negative integer is an InvalidArgumentError naming it.
    for (const epoch of [-1, 0.5, Number.NaN, '0', Symbol('e')]) {
      expect(() => rest.epochRange(epoch as never)).toThrow(InvalidArgumentError);
    }
    expect(() => rest.epochRange(0.5)).toThrow(/epoch must be a non-negative integer \(got 0\.5\)/);
  });

  it('reject malformed progress', () => {
    const sampler = new SequentialSampler({ numRecords: 5 });
    expect(() => new RemainingOrder([])).toThrow(/at least one rank/);
    expect(() => new RemainingOrder([{ sampler, consumed: 6 }])).toThrow(InvalidOptionsError);
    expect(() => new RemainingOrder([{ sampler, consumed: -1 }])).toThrow(/ranks\[0\]\.consumed must be an integer >= 0/);
    expect(() => new RemainingOrder([{ sampler, consumed: 0, end: 6 }])).toThrow(/past its sampler's 5 steps/);
    const forever = new SequentialSampler({ numRecords: 5, numEpochs: Infinity });
    expect(() => new RemainingOrder([{ sampler: forever, consumed: 0 }])).toThrow(/unbounded; give the end/);
    expect(new RemainingOrder([{ sampler: forever, consumed: 3, end: 5 }]).length).toBe(2);
  });
});
