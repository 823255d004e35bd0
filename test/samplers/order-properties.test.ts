// Seeded property tests over random sizes, world sizes, epochs and batches: every sampler visits each record of
// its share exactly once per epoch, epochs agree with steps, and resumes of resumes lose and repeat nothing.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BatchSampler,
  DistributedSampler,
  IndexSampler,
  SequentialSampler,
  ShuffleSampler,
  SliceSampler,
  StridedShardSampler,
  WindowShuffleSampler,
  elasticResume,
  evenSplit,
  keysOf,
  shardOptions,
  type RankProgress,
  type Sampler,
} from '../../src/samplers/index.js';

/** Fixed seeds, so that a failure reproduces and the run stays fast. */
const RUNS = { seed: 20240611, numRuns: 150 };

/** The keys of `epoch` of a sampler, or none when it has no step in that epoch. */
function epochKeys(sampler: Sampler, epoch: number): number[] {
  let range;
  try {
    range = sampler.epochRange(epoch);
  } catch {
    return [];
  }
  for (let step = range.start; step < range.end; step++) expect(sampler.epochAt(step)).toBe(epoch);
  return [...keysOf(sampler, range.start, range.end)];
}

const sorted = (keys: readonly number[]): number[] => [...keys].sort((a, b) => a - b);
const range = (start: number, end: number): number[] => Array.from({ length: end - start }, (_, k) => start + k);

describe('every record of a share once per epoch', () => {
  it('IndexSampler: each epoch range is a permutation of (a part of) the shard, in Grain’s epochs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (numRecords, shardCount, numEpochs, dropRemainder, shuffle, seed) => {
          for (let shard = 0; shard < shardCount; shard++) {
            const options = shardOptions(shard, shardCount, dropRemainder);
            const { start, end } = evenSplit(numRecords, options);
            if (start === end) continue; // Grain refuses an empty shard
            const sampler = new IndexSampler({ numRecords, shardOptions: options, shuffle, numEpochs, ...(shuffle ? { seed } : {}) });
            let total = 0;
            for (let epoch = 0; total < sampler.length; epoch++) {
              const keys = epochKeys(sampler, epoch);
              total += keys.length;
              expect(new Set(keys).size).toBe(keys.length);
              expect(keys.every((key) => key >= start && key < end)).toBe(true);
              // Only an epoch cut short by the end of the sampler (Grain's uneven shards) is partial.
              if (total < sampler.length) expect(keys.length).toBe(end - start);
            }
          }
        },
      ),
      RUNS,
    );
  });

  it('StridedShardSampler: the ranks’ epoch ranges together are the base epoch, each step once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        (numRecords, worldSize, numEpochs, seed) => {
          const global = new ShuffleSampler({ numRecords, seed, numEpochs });
          const ranks = Array.from({ length: worldSize }, (_, rank) => new StridedShardSampler(global, { rank, worldSize }));
          for (let epoch = 0; epoch < numEpochs; epoch++) {
            expect(sorted(ranks.flatMap((rank) => epochKeys(rank, epoch)))).toEqual(range(0, numRecords));
          }
        },
      ),
      RUNS,
    );
  });

  // Epoch 0 against PyTorch's model is distributed-sampler.test.ts's; this is every epoch after it.
  it('DistributedSampler: in every later epoch too, all ranks cover every record, padded or cut with dropLast', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.boolean(),
        fc.constantFrom('torch' as const, 'feistel' as const),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        (numRecords, numReplicas, dropLast, permutation, numEpochs, seed) => {
          const ranks = Array.from(
            { length: numReplicas },
            (_, rank) => new DistributedSampler({ numRecords, numReplicas, rank, shuffle: true, seed, dropLast, permutation, numEpochs }),
          );
          for (let epoch = 1; epoch < numEpochs; epoch++) {
            const keys = ranks.flatMap((rank) => epochKeys(rank, epoch));
            if (dropLast) {
              expect(keys.length).toBe(Math.floor(numRecords / numReplicas) * numReplicas);
              expect(new Set(keys).size).toBe(keys.length);
            } else {
              expect(keys.length).toBe(Math.ceil(numRecords / numReplicas) * numReplicas);
              expect(sorted([...new Set(keys)])).toEqual(range(0, numRecords));
            }
          }
        },
      ),
      RUNS,
    );
  });

  it('WindowShuffleSampler: each epoch is a permutation of the shard, the same under random access', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
        (numRecords, windowSize, shardCount, shardPick, dropRemainder, shuffleWindowOrder, numEpochs) => {
          const options = shardOptions(shardPick % shardCount, shardCount, dropRemainder);
          const { start, end } = evenSplit(numRecords, options);
          if (start === end) return;
          const sampler = new WindowShuffleSampler({ numRecords, windowSize, seed: 5, numEpochs, shuffleWindowOrder, shardOptions: options });
          const inOrder = [...keysOf(sampler)];
          for (let epoch = 0; epoch < numEpochs; epoch++) expect(sorted(epochKeys(sampler, epoch))).toEqual(range(start, end));
          // Backwards, so that every step reopens its window.
          for (let step = sampler.length - 1; step >= 0; step--) expect(sampler.keyAt(step)).toBe(inOrder[step]);
        },
      ),
      RUNS,
    );
  });
});

describe('batches and slices', () => {
  it('BatchSampler: batches hold every step once, all full with dropRemainder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 10 }), fc.boolean(), (numRecords, numEpochs, batchSize, dropRemainder) => {
        const inner = new ShuffleSampler({ numRecords, seed: 3, numEpochs });
        const batches = new BatchSampler(inner, { batchSize, dropRemainder });
        const keys = Array.from({ length: batches.length }, (_, b) => batches.keysAt(b));
        if (dropRemainder) expect(keys.every((batch) => batch.length === batchSize)).toBe(true);
        const total = dropRemainder ? Math.floor(inner.length / batchSize) * batchSize : inner.length;
        expect(keys.flat()).toEqual([...keysOf(inner, 0, total)]);
      }),
      RUNS,
    );
  });

  it('SliceSampler: its epoch ranges tile its steps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 4 }), fc.nat(), fc.nat(), (numRecords, numEpochs, a, b) => {
        const base = new ShuffleSampler({ numRecords, seed: 1, numEpochs });
        const start = a % (base.length + 1);
        const end = start + (b % (base.length - start + 1));
        const slice = new SliceSampler(base, { start, end });
        const keys = range(0, numEpochs).flatMap((epoch) => epochKeys(slice, epoch));
        expect(keys).toEqual([...keysOf(base, start, end)]);
      }),
      RUNS,
    );
  });
});

describe('elastic resume, chained', () => {
  it('three world sizes with random progress: the epoch is visited exactly once, new ranks within one of each other', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.nat(), { minLength: 10, maxLength: 10 }),
        fc.integer({ min: 0, max: 1000 }),
        (numRecords, [first, second, third], picks, seed) => {
          const global = new ShuffleSampler({ numRecords, seed });
          let pick = 0;
          const progress = (sampler: Sampler): RankProgress => ({ sampler, consumed: picks[pick++ % picks.length]! % (sampler.length + 1) });
          const visited: number[] = [];
          const consume = (ranks: RankProgress[]): RankProgress[] => {
            for (const { sampler, consumed } of ranks) visited.push(...keysOf(sampler, 0, consumed));
            return ranks;
          };
          const level0 = consume(Array.from({ length: first! }, (_, rank) => progress(new StridedShardSampler(global, { rank, worldSize: first! }))));
          const level1 = consume(Array.from({ length: second! }, (_, rank) => progress(elasticResume(level0, { rank, worldSize: second! }))));
          const last = Array.from({ length: third! }, (_, rank) => elasticResume(level1, { rank, worldSize: third! }));
          for (const sampler of last) visited.push(...keysOf(sampler));
          expect(sorted(visited)).toEqual(range(0, numRecords));
          const lengths = last.map((sampler) => sampler.length);
          expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
        },
      ),
      RUNS,
    );
  });

  it('Grain shards resumed mid-way through a later epoch (end = epochRange(e).end): the rest of it exactly once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 40 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.array(fc.nat(), { minLength: 4, maxLength: 4 }), (numRecords, oldSize, newSize, cuts) => {
        const epoch = 1;
        const samplers = Array.from({ length: oldSize }, (_, rank) => new IndexSampler({ numRecords, shardOptions: shardOptions(rank, oldSize), shuffle: true, seed: 9, numEpochs: 3 }));
        const visited: number[] = [];
        const old = samplers.map((sampler, rank): RankProgress => {
          const { start, end } = sampler.epochRange(epoch);
          const consumed = start + (cuts[rank]! % (end - start + 1));
          visited.push(...keysOf(sampler, start, consumed));
          return { sampler, consumed, end };
        });
        for (let rank = 0; rank < newSize; rank++) visited.push(...keysOf(elasticResume(old, { rank, worldSize: newSize })));
        expect(sorted(visited)).toEqual(sorted(samplers.flatMap((sampler) => epochKeys(sampler, epoch))));
      }),
      RUNS,
    );
  });
});

describe('SequentialSampler', () => {
  it('is the identity order each epoch', () => {
    const sampler = new SequentialSampler({ numRecords: 7, numEpochs: 3 });
    for (let epoch = 0; epoch < 3; epoch++) expect(epochKeys(sampler, epoch)).toEqual(range(0, 7));
  });
});
