// Weighted mixing of sources: every record once per epoch, proportions that follow the weights, tf.data's
// stop-on-empty, seeds, epochs, and the component index in the transform context.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataLoader, map, type MixComponent, type TransformContext } from '../../src/index.js';
import { InvalidOptionsError } from '../../src/format/errors.js';
import { DistributedSampler, SequentialSampler, ShuffleSampler } from '../../src/samplers/index.js';
import { drain, MemorySource, text } from './loader-helpers.js';

const asText = map((record: Uint8Array) => text(record), 'asText');

function components(lengths: readonly number[], weights: readonly number[], numEpochs = 1, seed = 0): MixComponent[] {
  return lengths.map((length, j) => ({
    source: new MemorySource(`c${j}`, length),
    sampler: new ShuffleSampler({ numRecords: length, seed: seed + j, numEpochs }),
    weight: weights[j]!,
  }));
}

/** Per component, the keys in the order they were yielded. */
function split(values: readonly string[], count: number): number[][] {
  const out: number[][] = Array.from({ length: count }, () => []);
  for (const value of values) {
    const [name, key] = value.split(':');
    out[Number(name!.slice(1))]!.push(Number(key));
  }
  return out;
}

describe('mix', () => {
  it('yields every record of every component once per epoch, each component in its sampler order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.double({ min: 0.01, max: 10, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 2 ** 32 - 5 }),
        async (lengths, weights, seed) => {
          const mixed = components(lengths, weights, 2, seed);
          const loader = new DataLoader<string>({ mix: { components: mixed, seed }, transforms: [asText], readSize: 7 });
          expect(loader.numEpochs).toBe(2);
          expect(loader.batchesInEpoch(0)).toBe(lengths.reduce((a, b) => a + b));
          for (let epoch = 0; epoch < 2; epoch++) {
            const perComponent = split(await drain(loader.epoch(epoch)), lengths.length);
            perComponent.forEach((keys, j) => {
              const { sampler } = mixed[j]!;
              const { start, end } = sampler.epochRange(epoch);
              expect(keys).toEqual(Array.from({ length: end - start }, (_, k) => sampler.keyAt(start + k)));
            });
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('draws in proportion to the weights', async () => {
    const mixed = components([4000, 4000, 4000], [1, 2, 5]);
    const loader = new DataLoader<string>({ mix: { components: mixed, seed: 12, stopOnEmpty: true }, transforms: [asText] });
    const first = (await drain(loader.epoch(0))).slice(0, 3000);
    const shares = split(first, 3).map((keys) => keys.length / first.length);
    expect(shares[0]).toBeCloseTo(1 / 8, 1);
    expect(shares[1]).toBeCloseTo(2 / 8, 1);
    expect(shares[2]).toBeCloseTo(5 / 8, 1);
  });

  it('with stopOnEmpty ends the epoch when an exhausted component is drawn (tf.data semantics)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 2, maxLength: 3 }), fc.nat({ max: 10_000 }), async (lengths, seed) => {
        const mixed = components(lengths, lengths.map(() => 1));
        const loader = new DataLoader<string>({ mix: { components: mixed, seed, stopOnEmpty: true }, transforms: [asText] });
        expect(loader.batchesInEpoch(0)).toBeUndefined();
        const counts = split(await drain(loader), lengths.length).map((keys) => keys.length);
        expect(counts.some((count, j) => count === lengths[j])).toBe(true);
        counts.forEach((count, j) => expect(count).toBeLessThanOrEqual(lengths[j]!));
      }),
      { numRuns: 30 },
    );
  });

  it('depends on its seed, and is reproducible with it', async () => {
    const run = (seed: number): Promise<string[]> =>
      drain(new DataLoader<string>({ mix: { components: components([20, 20], [1, 1]), seed }, transforms: [asText], readSize: 3 }));
    expect(await run(1)).toEqual(await run(1));
    expect(await run(1)).not.toEqual(await run(2));
  });

  it('upsamples a source listed twice, and tells transforms the component', async () => {
    const small = new MemorySource('small', 3);
    const big = new MemorySource('big', 6);
    const loader = new DataLoader<string>({
      mix: {
        components: [
          { source: big, sampler: new SequentialSampler({ numRecords: 6 }), weight: 1 },
          { source: small, sampler: new ShuffleSampler({ numRecords: 3, seed: 1 }), weight: 1 },
          { source: small, sampler: new ShuffleSampler({ numRecords: 3, seed: 2 }), weight: 1 },
        ],
        seed: 4,
      },
      transforms: [map((record: Uint8Array, context: TransformContext) => `${context.source}/${text(record)}`)],
    });
    const values = await drain(loader);
    expect(values).toHaveLength(12);
    expect(values.filter((value) => value.includes('small')).sort()).toEqual(
      ['1/small:0', '1/small:1', '1/small:2', '2/small:0', '2/small:1', '2/small:2'],
    );
    expect(values.filter((value) => value.startsWith('0/'))).toEqual([0, 1, 2, 3, 4, 5].map((key) => `0/big:${key}`));
  });

  it('refuses, at construction, a component whose sampler is for more records than its source', () => {
    const options = (numRecords: number) => ({
      mix: {
        components: [
          { source: new MemorySource('a', 5), sampler: new SequentialSampler({ numRecords: 5 }), weight: 1 },
          { source: new MemorySource('b', 15), sampler: new ShuffleSampler({ numRecords, seed: 1 }), weight: 1 },
        ],
        seed: 0,
      },
    });
    expect(() => new DataLoader(options(20))).toThrow(InvalidOptionsError);
    expect(() => new DataLoader(options(20))).toThrow(
      /mix\.components\[1\]\.sampler is for 20 records \(numRecords 20\), but mix\.components\[1\]\.source has 15/,
    );
    expect(new DataLoader(options(15)).numEpochs).toBe(1);
  });

  it('has as many epochs as its shortest component', () => {
    const loader = new DataLoader({
      mix: {
        components: [
          { source: new MemorySource('a', 5), sampler: new ShuffleSampler({ numRecords: 5, seed: 1, numEpochs: 3 }), weight: 1 },
          { source: new MemorySource('b', 5), sampler: new ShuffleSampler({ numRecords: 5, seed: 1, numEpochs: 2 }), weight: 1 },
        ],
        seed: 0,
      },
    });
    expect(loader.numEpochs).toBe(2);
  });
  it("follows its components' setEpoch before each loop (PyTorch's idiom), as a loader of one sampler does", async () => {
    const lengths = [7, 12];
    const samplersAt = (epoch: number | undefined): DistributedSampler[] =>
      lengths.map((numRecords, j) => new DistributedSampler({ numRecords, numReplicas: 2, rank: 0, shuffle: true, seed: 10 + j, ...(epoch === undefined ? {} : { epoch }) }));
    const mixOf = (samplers: readonly DistributedSampler[]): MixComponent[] =>
      samplers.map((sampler, j) => ({ source: new MemorySource(`c${j}`, lengths[j]!), sampler, weight: j + 1 }));
    const samplers = samplersAt(undefined);
    const loader = new DataLoader<string>({ mix: { components: mixOf(samplers), seed: 3 }, transforms: [asText] });
    const runs: string[][] = [];
    for (const epoch of [0, 1, 2, 1]) {
      for (const sampler of samplers) sampler.setEpoch(epoch);
      expect(loader.currentEpoch).toBe(epoch);
      const expected = await drain(new DataLoader<string>({ mix: { components: mixOf(samplersAt(epoch)), seed: 3 }, transforms: [asText] }));
      const run = await drain(loader);
      expect(run).toEqual(expected);
      expect(run).toHaveLength(4 + 6);
      runs.push(run);
    }
    expect(runs[1]).not.toEqual(runs[2]);
    expect(runs[3]).toEqual(runs[1]);
  });
});
