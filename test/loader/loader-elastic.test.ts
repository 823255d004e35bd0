// Elastic resume of the loader: states saved by every rank of a job, restored on another world size (and
// again on a third), visit the rest of the epoch exactly once over all ranks, then epochs go on normally.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataLoader, filter, map, recordRng, type LoaderState, type SamplerFactory, type TransformContext } from '../../src/index.js';
import { InvalidArgumentError, InvalidOptionsError, StateMismatchError, UnsupportedError } from '../../src/format/errors.js';
import { DistributedSampler, IndexSampler, ShuffleSampler, StridedShardSampler, shardOptions, type Sampler } from '../../src/samplers/index.js';
import { drain, MemorySource, text } from './loader-helpers.js';

const SEED = 21;
const toKey = map((record: Uint8Array) => Number(text(record).split(':')[1]), 'toKey');
const randomKeep = filter((_: number, { rng }: TransformContext) => rng.random() < 0.7, 'randomKeep');
const kept = (key: number, epoch: number): boolean => recordRng(SEED, epoch, 0, key).random() < 0.7;

type Factory = 'strided' | 'grain';

function samplerFactory(kind: Factory, numRecords: number, seed: number): SamplerFactory {
  if (kind === 'strided') {
    const global = new ShuffleSampler({ numRecords, seed, numEpochs: 2 });
    return ({ rank, worldSize }) => new StridedShardSampler(global, { rank, worldSize });
  }
  return ({ rank, worldSize }) => new IndexSampler({ numRecords, shardOptions: shardOptions(rank, worldSize), shuffle: true, seed, numEpochs: 2 });
}

/** A job: its world size, and the outputs each rank receives before saving (clipped to what its epoch has). */
const jobArbitrary = fc.integer({ min: 1, max: 4 }).chain((worldSize) =>
  fc.record({ worldSize: fc.constant(worldSize), cuts: fc.array(fc.nat({ max: 12 }), { minLength: worldSize, maxLength: worldSize }) }),
);

describe('elastic resume', () => {
  it('visits the rest of the epoch exactly once over all new ranks, through a chain of world sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 4, max: 60 }), // Grain refuses a shard without records
        fc.constantFrom<Factory>('strided', 'grain'),
        fc.integer({ min: 0, max: 1000 }),
        fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
        fc.boolean(),
        fc.array(jobArbitrary, { minLength: 2, maxLength: 3 }),
        fc.integer({ min: 1, max: 4 }),
        async (numRecords, kind, seed, batchSize, filtered, jobs, finalWorldSize) => {
          const source = new MemorySource('x', numRecords);
          const samplerFor = samplerFactory(kind, numRecords, seed);
          const transforms = filtered ? [toKey, randomKeep] : [toKey];
          const make = (rank: number, worldSize: number): DataLoader =>
            new DataLoader({ source, sampler: samplerFor, rank, worldSize, batchSize, transforms, seed: SEED, readSize: 3, prefetch: 2 });
          const flat = (outputs: unknown[]): number[] => (batchSize === undefined ? (outputs as number[]) : (outputs as number[][]).flat());

          const visited: number[] = [];
          let states: LoaderState[] | undefined;
          for (const job of jobs) {
            const saved: LoaderState[] = [];
            for (let rank = 0; rank < job.worldSize; rank++) {
              const loader = make(rank, job.worldSize);
              if (states !== undefined) loader.setElasticState(states);
              expect(loader.currentEpoch).toBeLessThanOrEqual(1); // 1 for a rank with no record in epoch 0
              const outputs: unknown[] = [];
              if (job.cuts[rank]! > 0 && loader.currentEpoch === 0) {
                for await (const output of loader.epoch(0)) {
                  outputs.push(output);
                  if (outputs.length === job.cuts[rank]) break;
                }
              }
              visited.push(...flat(outputs));
              saved.push(JSON.parse(JSON.stringify(loader.getState())) as LoaderState);
            }
            states = saved.reverse(); // any order
          }
          for (let rank = 0; rank < finalWorldSize; rank++) {
            const loader = make(rank, finalWorldSize);
            loader.setElasticState(states!);
            if (loader.currentEpoch === 0) visited.push(...flat(await drain(loader.epoch())));
            // Then the next epoch is this rank's own epoch 1.
            expect(loader.currentEpoch).toBe(1);
            const reference = make(rank, finalWorldSize);
            expect(await drain(loader.epoch())).toEqual(await drain(reference.epoch(1)));
          }
          const epochKeys = Array.from({ length: numRecords }, (_, key) => key).filter((key) => !filtered || kept(key, 0));
          expect([...visited].sort((a, b) => a - b)).toEqual(epochKeys);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('resumes a later epoch (after a full one) of strided, Grain and PyTorch samplers exactly once', async () => {
    const kinds = ['strided', 'grain', 'torch'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 4, max: 40 }),
        fc.constantFrom(...kinds),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        fc.array(fc.nat({ max: 6 }), { minLength: 4, maxLength: 4 }),
        async (numRecords, kind, oldSize, newSize, batchSize, cuts) => {
          const global = new ShuffleSampler({ numRecords, seed: 4, numEpochs: 3 });
          const samplerFor: SamplerFactory = ({ rank, worldSize }) =>
            kind === 'strided'
              ? new StridedShardSampler(global, { rank, worldSize })
              : kind === 'grain'
                ? new IndexSampler({ numRecords, shardOptions: shardOptions(rank, worldSize), shuffle: true, seed: 4, numEpochs: 3 })
                : new DistributedSampler({ numRecords, numReplicas: worldSize, rank, shuffle: true, seed: 4, numEpochs: 3, dropLast: true });
          const source = new MemorySource('x', numRecords);
          const make = (rank: number, worldSize: number): DataLoader =>
            new DataLoader({ source, sampler: samplerFor, rank, worldSize, batchSize, transforms: [toKey], readSize: 2, prefetch: 2 });
          const flat = (outputs: unknown[]): number[] => (batchSize === undefined ? (outputs as number[]) : (outputs as number[][]).flat());
          const epoch = 1;
          const visited: number[] = [];
          const states: LoaderState[] = [];
          for (let rank = 0; rank < oldSize; rank++) {
            const loader = make(rank, oldSize);
            await drain(loader.epoch(0));
            const outputs: unknown[] = [];
            if (cuts[rank]! > 0 && loader.currentEpoch === epoch) {
              for await (const output of loader.epoch(epoch)) {
                outputs.push(output);
                if (outputs.length === cuts[rank]) break;
              }
            }
            visited.push(...flat(outputs));
            states.push(JSON.parse(JSON.stringify(loader.getState())) as LoaderState);
          }
          for (let rank = 0; rank < newSize; rank++) {
            const loader = make(rank, newSize);
            loader.setElasticState(states);
            if (loader.currentEpoch === epoch) visited.push(...flat(await drain(loader.epoch())));
          }
          // A job stopped at the start of the epoch leaves nothing to merge: the new ranks run their own epoch,
          // which differs from the old one where the sampler drops or pads by world size (dropLast).
          const keysOfEpoch = (sampler: Sampler): number[] => {
            try {
              const { start, end } = sampler.epochRange(epoch);
              return Array.from({ length: end - start }, (_, k) => sampler.keyAt(start + k));
            } catch {
              return []; // a rank with no step in the epoch
            }
          };
          const untouched = states.every(
            (state, rank) => state.offset === 0 && (state.epoch === epoch || keysOfEpoch(samplerFor({ rank, worldSize: oldSize })).length === 0),
          );
          const worldSize = untouched ? newSize : oldSize;
          const expected = Array.from({ length: worldSize }, (_, rank) => keysOfEpoch(samplerFor({ rank, worldSize }))).flat();
          expect([...visited].sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
        },
      ),
      { seed: 11, numRuns: 40 },
    );
  });

  it('keeps the order of the global shuffle when lockstep ranks of a strided split resume', async () => {
    const source = new MemorySource('g', 30);
    const samplerFor = samplerFactory('strided', 30, 5);
    const global = new ShuffleSampler({ numRecords: 30, seed: 5, numEpochs: 2 });
    const states: LoaderState[] = [];
    for (let rank = 0; rank < 3; rank++) {
      const loader = new DataLoader<Uint8Array>({ source, sampler: samplerFor, rank, worldSize: 3 });
      const iterator = loader[Symbol.asyncIterator]();
      for (let k = 0; k < 4; k++) await iterator.next();
      await iterator.return!();
      states.push(loader.getState());
    }
    const resumed = new DataLoader<Uint8Array>({ source, sampler: samplerFor, rank: 0, worldSize: 1 });
    resumed.setElasticState(states);
    const rest = (await drain(resumed.epoch())).map((record) => Number(text(record).split(':')[1]));
    expect(rest).toEqual(Array.from({ length: 18 }, (_, k) => global.keyAt(12 + k)));
  });

  it('saves and restores a position inside a resumed epoch on the same world size', async () => {
    const source = new MemorySource('s', 40);
    const samplerFor = samplerFactory('grain', 40, 2);
    const old: LoaderState[] = [];
    for (let rank = 0; rank < 2; rank++) {
      const loader = new DataLoader({ source, sampler: samplerFor, rank, worldSize: 2, batchSize: 3 });
      const iterator = loader[Symbol.asyncIterator]();
      await iterator.next();
      await iterator.return!();
      old.push(loader.getState());
    }
    const make = (): DataLoader => {
      const loader = new DataLoader({ source, sampler: samplerFor, rank: 1, worldSize: 3, batchSize: 3 });
      loader.setElasticState(old);
      return loader;
    };
    const expected = await drain(make());
    const first = make();
    const iterator = first[Symbol.asyncIterator]();
    const head = [(await iterator.next()).value];
    await iterator.return!();
    const state = JSON.parse(JSON.stringify(first.getState())) as LoaderState;
    expect(state.elastic?.levels).toHaveLength(1);
    const restored = new DataLoader({ source, sampler: samplerFor, rank: 1, worldSize: 3, batchSize: 3 });
    restored.setState(state);
    expect([...head, ...(await drain(restored))]).toEqual(expected);
  });

  it('refuses what it cannot resume', async () => {
    const source = new MemorySource('r', 20);
    const samplerFor = samplerFactory('strided', 20, 1);
    const states = await Promise.all(
      [0, 1].map(async (rank) => {
        const loader = new DataLoader({ source, sampler: samplerFor, rank, worldSize: 2 });
        const iterator = loader[Symbol.asyncIterator]();
        await iterator.next();
        await iterator.return!();
        return loader.getState();
      }),
    );
    const fresh = (): DataLoader => new DataLoader({ source, sampler: samplerFor, rank: 0, worldSize: 3 });
    expect(() => fresh().setElasticState([states[0]!])).toThrow(InvalidArgumentError);
    expect(() => fresh().setElasticState([states[0]!, states[0]!])).toThrow(/two states of rank 0/);
    expect(() => fresh().setElasticState([states[0]!, { ...states[1]!, epoch: 1, offset: 3 }])).toThrow(/too far ahead/);
    const otherSeed = samplerFactory('strided', 20, 2);
    expect(() => new DataLoader({ source, sampler: otherSeed, rank: 0, worldSize: 3 }).setElasticState(states)).toThrow(StateMismatchError);
    const plain = new DataLoader({ source, sampler: samplerFor({ rank: 0, worldSize: 1 }) });
    expect(() => plain.setElasticState(states)).toThrow(InvalidOptionsError);
    const mixed = new DataLoader({ mix: { components: [{ source, sampler: samplerFor({ rank: 0, worldSize: 1 }), weight: 1 }], seed: 1 } });
    expect(() => mixed.setElasticState(states)).toThrow(UnsupportedError);
  });
});
