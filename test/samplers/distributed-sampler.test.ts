// DistributedSampler: PyTorch's own outputs (torch 1.13), its padding/drop rules as a model, epochs, environment, errors.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidOptionsError, OutOfRangeError, UnsupportedError } from '../../src/format/errors.js';
import {
  DistributedSampler,
  IndexShuffle,
  Mt19937,
  TORCH_RANDPERM_LIMIT,
  keysOf,
  torchRandperm,
} from '../../src/samplers/index.js';
import { torchVectors } from './vectors.js';

/** PyTorch's DistributedSampler.__iter__ for one rank, given the epoch's list. */
function torchModel(order: readonly number[], numReplicas: number, rank: number, dropLast: boolean): number[] {
  const n = order.length;
  const numSamples = dropLast && n % numReplicas !== 0 ? Math.ceil((n - numReplicas) / numReplicas) : Math.ceil(n / numReplicas);
  const totalSize = numSamples * numReplicas;
  let indices = [...order];
  if (!dropLast) {
    const padding = totalSize - n;
    if (padding <= n) indices = indices.concat(indices.slice(0, padding));
    else indices = indices.concat(Array.from({ length: Math.ceil(padding / n) }, () => order).flat().slice(0, padding));
  } else {
    indices = indices.slice(0, totalSize);
  }
  return indices.filter((_, i) => i % numReplicas === rank);
}

describe('Mt19937 and torchRandperm', () => {
  it('give std::mt19937’s required outputs', () => {
    const twister = new Mt19937(5489);
    expect(twister.next()).toBe(3499211612);
    for (let i = 2; i < 10000; i++) twister.next();
    expect(twister.next()).toBe(4123659995); // the C++ standard's check value for the 10000th output
  });

  it('reproduce torch.randperm outputs from a real PyTorch', () => {
    const vectors = torchVectors();
    expect(vectors.randperm.length).toBeGreaterThan(10);
    for (const { n, seed, first, last, weighted_sum } of vectors.randperm) {
      const permutation = torchRandperm(n, seed);
      let weighted = 0;
      permutation.forEach((value, i) => (weighted += i * value));
      expect({ n, seed, first: Array.from(permutation.slice(0, 200)), last: Array.from(permutation.slice(-50)), weighted }).toEqual(
        { n, seed, first, last, weighted: weighted_sum },
      );
    }
  });

  it('refuse arguments PyTorch would not reproduce', () => {
    expect(() => torchRandperm(-1, 0)).toThrow(InvalidArgumentError);
    expect(() => torchRandperm(3, -1)).toThrow(InvalidArgumentError);
    expect(() => torchRandperm(TORCH_RANDPERM_LIMIT, 0)).toThrow(UnsupportedError);
    expect(Array.from(torchRandperm(0, 0))).toEqual([]);
  });
});

describe('DistributedSampler', () => {
  it('reproduces PyTorch’s DistributedSampler for every rank (shuffle, padding, drop_last, epochs)', () => {
    const cases = torchVectors().distributed_sampler;
    expect(cases.length).toBeGreaterThan(10);
    for (const testCase of cases) {
      testCase.indices_by_rank.forEach((expected, rank) => {
        const sampler = new DistributedSampler({
          numRecords: testCase.num_records,
          numReplicas: testCase.num_replicas,
          rank,
          shuffle: testCase.shuffle,
          seed: testCase.seed,
          dropLast: testCase.drop_last,
          epoch: testCase.epoch,
        });
        expect({ ...testCase, rank, keys: [...keysOf(sampler)] }).toEqual({ ...testCase, rank, keys: expected });
      });
    }
  });

  it('pads by wrapping around or drops the tail, over either permutation', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        fc.constantFrom('torch' as const, 'feistel' as const),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (numRecords, numReplicas, dropLast, permutation, seed) => {
          const feistel = new IndexShuffle(numRecords - 1, seed, 4, 'bijective');
          const order =
            permutation === 'torch'
              ? Array.from(torchRandperm(numRecords, seed))
              : Array.from({ length: numRecords }, (_, i) => feistel.apply(i));
          const seen = new Map<number, number>();
          for (let rank = 0; rank < numReplicas; rank++) {
            const sampler = new DistributedSampler({ numRecords, numReplicas, rank, shuffle: true, seed, dropLast, permutation });
            const keys = [...keysOf(sampler)];
            expect(keys).toEqual(torchModel(order, numReplicas, rank, dropLast));
            expect(keys.length).toBe(sampler.numSamples);
            for (const key of keys) seen.set(key, (seen.get(key) ?? 0) + 1);
          }
          const visited = [...seen.values()].reduce((a, b) => a + b, 0);
          if (dropLast) {
            expect(visited).toBe(numRecords - (numRecords % numReplicas));
            expect([...seen.values()].every((count) => count === 1)).toBe(true);
          } else {
            expect(seen.size).toBe(numRecords);
            expect(visited).toBe(Math.ceil(numRecords / numReplicas) * numReplicas);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('runs through several epochs or follows setEpoch', () => {
    const options = { numRecords: 10, numReplicas: 3, rank: 2, shuffle: true, seed: 5 };
    const twoEpochs = new DistributedSampler({ ...options, numEpochs: 2 });
    const single = new DistributedSampler(options);
    const first = [...keysOf(single)];
    single.setEpoch(1);
    expect(single.epoch).toBe(1);
    expect([...keysOf(twoEpochs)]).toEqual([...first, ...keysOf(single)]);
    expect(first).not.toEqual([...keysOf(single)]);
    expect(twoEpochs.epochAt(5)).toBe(1);
    expect(twoEpochs.epochRange(1)).toEqual({ start: 4, end: 8 });
    expect(() => single.epochRange(0)).toThrow(OutOfRangeError);
    expect(single.describe()).toMatchObject({ kind: 'DistributedSampler', epoch: 1, permutation: 'torch' });
    expect(() => single.setEpoch(-1)).toThrow(InvalidArgumentError);
  });

  it('does not shuffle unless asked, and needs a seed to shuffle', () => {
    const sampler = new DistributedSampler({ numRecords: 7, numReplicas: 2, rank: 1 });
    expect([...keysOf(sampler)]).toEqual([1, 3, 5, 0]);
    expect(() => new DistributedSampler({ numRecords: 7, numReplicas: 2, rank: 1, shuffle: true })).toThrow(
      /shuffle needs a seed/,
    );
  });

  it('reads RANK and WORLD_SIZE when rank and numReplicas are omitted', () => {
    const sampler = new DistributedSampler({ numRecords: 10, env: { RANK: '1', WORLD_SIZE: '4' } });
    expect([sampler.rank, sampler.numReplicas]).toEqual([1, 4]);
    const single = new DistributedSampler({ numRecords: 10, env: {} });
    expect([single.rank, single.numReplicas]).toEqual([0, 1]);
    expect(() => new DistributedSampler({ numRecords: 10, env: { RANK: 'x', WORLD_SIZE: '2' } })).toThrow(
      /RANK must be a non-negative decimal integer \(got 'x'\)/,
    );
  });

  it('rejects bad options', () => {
    expect(() => new DistributedSampler({ numRecords: 10, rank: 1 })).toThrow(/give both rank and numReplicas/);
    expect(() => new DistributedSampler({ numRecords: 10, rank: 4, numReplicas: 4 })).toThrow(/rank must be in \[0, 3\]/);
    expect(() => new DistributedSampler({ numRecords: 10, rank: 0, numReplicas: 0 })).toThrow(InvalidOptionsError);
    expect(() => new DistributedSampler({ numRecords: 0, rank: 0, numReplicas: 1 })).toThrow(InvalidOptionsError);
    expect(
      () => new DistributedSampler({ numRecords: 10, rank: 0, numReplicas: 1, permutation: 'numpy' as never }),
    ).toThrow(/permutation must be 'torch' or 'feistel'/);
    expect(
      () => new DistributedSampler({ numRecords: TORCH_RANDPERM_LIMIT, rank: 0, numReplicas: 1, shuffle: true, seed: 0 }),
    ).toThrow(/use 'feistel'/);
    const empty = new DistributedSampler({ numRecords: 2, rank: 4, numReplicas: 5, dropLast: true });
    expect(empty.length).toBe(0);
    expect(() => empty.keyAt(0)).toThrow(OutOfRangeError);
  });
});
