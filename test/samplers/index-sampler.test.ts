// Grain IndexSampler: every rank's record order from Grain's vectors, a model of Grain's dataset composition, properties and errors.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidOptionsError, OutOfRangeError } from '../../src/format/errors.js';
import { IndexSampler, evenSplit, indexShuffle, shardOptions, type ShardOptions } from '../../src/samplers/index.js';
import { grainIndexSamplerCases } from './vectors.js';

function allKeys(sampler: IndexSampler): number[] {
  return Array.from({ length: sampler.length }, (_, step) => sampler.keyAt(step));
}

/**
 * Grain's IndexSampler written as its Python composes it: RangeMapDataset(n) -> _ShardMapDataset ->
 * ShuffleMapDataset, indexed by global index // shard_count; a DataLoader on shard s reads s, s + count, ...
 */
function grainModelKeys(numRecords: number, options: ShardOptions, shuffle: boolean, numEpochs: number, seed: number) {
  const { start, end } = evenSplit(numRecords, options);
  const shardLength = end - start;
  const range = (index: number) => index % numRecords;
  const shardMap = (index: number) => {
    const epoch = Math.floor(index / shardLength);
    return range(epoch * numRecords + (index % shardLength) + start);
  };
  const shuffled = (index: number) => {
    const epoch = Math.floor(index / shardLength);
    const inEpoch = indexShuffle(index % shardLength, shardLength - 1, (seed + epoch) % 2 ** 32);
    return shardMap(inEpoch + epoch * shardLength);
  };
  const recordKeys = shuffle ? shuffled : shardMap;
  let maxIndex = numEpochs * numRecords;
  if (options.dropRemainder) maxIndex = Math.min(maxIndex, shardLength * options.shardCount * numEpochs);
  const keys: number[] = [];
  for (let g = options.shardIndex; g < maxIndex; g += options.shardCount) {
    keys.push(recordKeys(Math.floor(g / options.shardCount)));
  }
  return { keys, maxIndex, getItem: (g: number) => recordKeys(Math.floor(g / options.shardCount)) };
}

const shardArbitrary = fc
  .record({
    numRecords: fc.integer({ min: 1, max: 300 }),
    shardCount: fc.integer({ min: 1, max: 9 }),
    dropRemainder: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    numEpochs: fc.integer({ min: 1, max: 3 }),
  })
  .filter(({ numRecords, shardCount }) => numRecords >= shardCount);

describe('IndexSampler', () => {
  it('reproduces the record order of every rank in Grain index_sampler_vectors.json', () => {
    const cases = grainIndexSamplerCases();
    expect(cases.length).toBe(8);
    for (const testCase of cases) {
      testCase.record_keys_by_shard_index.forEach((expected, shardIndex) => {
        const sampler = new IndexSampler({
          numRecords: testCase.num_records,
          shardOptions: shardOptions(shardIndex, testCase.shard_count, testCase.drop_remainder),
          shuffle: testCase.shuffle,
          numEpochs: testCase.num_epochs,
          seed: testCase.seed ?? undefined,
        });
        expect({ ...testCase, shardIndex, keys: allKeys(sampler) }).toEqual({ ...testCase, shardIndex, keys: expected });
      });
    }
  });

  it('equals a model of Grain’s dataset composition, per rank and by global index', () => {
    fc.assert(
      fc.property(shardArbitrary, fc.boolean(), ({ numRecords, shardCount, dropRemainder, seed, numEpochs }, shuffle) => {
        for (let shardIndex = 0; shardIndex < shardCount; shardIndex++) {
          const options = shardOptions(shardIndex, shardCount, dropRemainder);
          const sampler = new IndexSampler({ numRecords, shardOptions: options, shuffle, numEpochs, seed });
          const model = grainModelKeys(numRecords, options, shuffle, numEpochs, seed);
          expect(allKeys(sampler)).toEqual(model.keys);
          expect(sampler.globalLength).toBe(model.maxIndex);
          for (const g of [0, model.maxIndex - 1, Math.floor(model.maxIndex / 2)]) {
            expect(sampler.recordKeyAt(g)).toBe(model.getItem(g));
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('visits each record of its shard exactly once per full epoch, and shards split the records', () => {
    fc.assert(
      fc.property(shardArbitrary, ({ numRecords, shardCount, dropRemainder, seed, numEpochs }) => {
        const covered = new Uint8Array(numRecords);
        for (let shardIndex = 0; shardIndex < shardCount; shardIndex++) {
          const sampler = new IndexSampler({
            numRecords,
            shardOptions: shardOptions(shardIndex, shardCount, dropRemainder),
            shuffle: true,
            numEpochs,
            seed,
          });
          const { start, end } = evenSplit(numRecords, sampler.shardOptions);
          for (let record = start; record < end; record++) covered[record]! += 1;
          for (let epoch = 0; epoch * sampler.shardLength < sampler.length; epoch++) {
            const range = sampler.epochRange(epoch);
            const keys = Array.from({ length: range.end - range.start }, (_, i) => sampler.keyAt(range.start + i));
            for (const key of keys) expect(key >= start && key < end).toBe(true);
            expect(new Set(keys).size).toBe(keys.length);
            if (keys.length === sampler.shardLength) expect(keys.sort((a, b) => a - b)[0]).toBe(start);
            expect(sampler.epochAt(range.start)).toBe(epoch);
          }
        }
        const dropped = dropRemainder ? numRecords % shardCount : 0;
        expect(covered.slice(0, numRecords - dropped).every((count) => count === 1)).toBe(true);
        expect(covered.slice(numRecords - dropped).every((count) => count === 0)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('gives the same order for the same seed and a new order each epoch', () => {
    const make = (seed: number) => new IndexSampler({ numRecords: 100, shuffle: true, seed, numEpochs: 3 });
    const keys = allKeys(make(9));
    expect(allKeys(make(9))).toEqual(keys);
    expect(allKeys(make(10))).not.toEqual(keys);
    expect(keys.slice(0, 100)).not.toEqual(keys.slice(100, 200));
    expect(keys.slice(100, 200)).not.toEqual(keys.slice(200, 300));
  });

  it('wraps the epoch seed modulo 2^32', () => {
    const sampler = new IndexSampler({ numRecords: 50, shuffle: true, seed: 2 ** 32 - 1, numEpochs: 2 });
    const next = new IndexSampler({ numRecords: 50, shuffle: true, seed: 0, numEpochs: 1 });
    expect(allKeys(sampler).slice(50)).toEqual(allKeys(next));
  });

  it('is unbounded without numEpochs, like Grain’s None', () => {
    const sampler = new IndexSampler({ numRecords: 10, shardOptions: shardOptions(1, 2), shuffle: true, seed: 1 });
    expect(sampler.length).toBe(Infinity);
    expect(sampler.globalLength).toBe(Infinity);
    expect(sampler.keyAt(1e12) >= 5 && sampler.keyAt(1e12) < 10).toBe(true);
    expect(sampler.epochAt(1e12)).toBe(2e11);
    expect(sampler.describe().numEpochs).toBeNull();
    expect(sampler.globalIndexAt(3)).toBe(7);
  });

  it('describes its arguments as plain JSON', () => {
    const sampler = new IndexSampler({ numRecords: 10, shardOptions: shardOptions(2, 3, true), numEpochs: 2 });
    expect(sampler.describe()).toEqual({
      kind: 'IndexSampler',
      numRecords: 10,
      shardIndex: 2,
      shardCount: 3,
      dropRemainder: true,
      shuffle: false,
      numEpochs: 2,
      seed: null,
    });
  });

  it('rejects bad options and steps with typed errors', () => {
    expect(() => new IndexSampler({ numRecords: 0 })).toThrow(InvalidOptionsError);
    expect(() => new IndexSampler({ numRecords: 10, shuffle: true })).toThrow(/shuffle needs a seed/);
    expect(() => new IndexSampler({ numRecords: 10, seed: -1 })).toThrow(/seed must be an integer in \[0, 2\^32\)/);
    expect(() => new IndexSampler({ numRecords: 10, shuffle: true, seed: 2 ** 32 })).toThrow(InvalidOptionsError);
    expect(() => new IndexSampler({ numRecords: 10, numEpochs: 0 })).toThrow(/numEpochs must be an integer >= 1/);
    expect(() => new IndexSampler({ numRecords: 2, shardOptions: shardOptions(2, 3) })).toThrow(
      /shard 2 of 3 has no records/,
    );
    expect(() => new IndexSampler({ numRecords: 10, shardOptions: { shardIndex: 3, shardCount: 3, dropRemainder: false } })).toThrow(
      InvalidOptionsError,
    );
    expect(() => new IndexSampler({ numRecords: 10, shuffle: 'yes' as unknown as boolean })).toThrow(InvalidOptionsError);
    const sampler = new IndexSampler({ numRecords: 10, numEpochs: 1 });
    expect(() => sampler.keyAt(10)).toThrow(OutOfRangeError);
    expect(() => sampler.keyAt(-1)).toThrow(InvalidArgumentError);
    expect(() => sampler.keyAt(1.5)).toThrow(InvalidArgumentError);
    expect(() => sampler.recordKeyAt(10)).toThrow(OutOfRangeError);
    expect(() => sampler.epochRange(1)).toThrow(OutOfRangeError);
  });
});
