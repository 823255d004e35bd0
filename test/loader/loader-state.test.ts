// Loader checkpoints: a state saved at any point and restored into a fresh loader continues exactly like an
// uninterrupted run (filters, random maps, batches, mixes, real files); states of other orders are refused.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ArrayRecordDataSource } from '../../src/source/data-source.js';
import { DataLoader, filter, map, type DataLoaderOptions, type TransformContext } from '../../src/index.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { InvalidArgumentError, OutOfRangeError, StateMismatchError } from '../../src/format/errors.js';
import { SequentialSampler, ShuffleSampler } from '../../src/samplers/index.js';
import { drain, MemorySource, takeThenSave, text } from './loader-helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-loader-state-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Keeps about two thirds of the records, at random but reproducibly; tags each with a random draw. */
const pipeline = [
  map((record: Uint8Array) => text(record), 'asText'),
  filter((_: string, { rng }: TransformContext) => rng.random() < 0.67, 'randomKeep'),
  map((value: string, { rng }: TransformContext) => `${value}#${rng.int(0, 1000)}`, 'tag'),
];

interface Shape {
  readonly batchSize: number | undefined;
  readonly dropRemainder: boolean;
  readonly filtered: boolean;
}

const shapeArbitrary = fc.record({
  batchSize: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
  dropRemainder: fc.boolean(),
  filtered: fc.boolean(),
});
const tuningArbitrary = fc.record({ readSize: fc.integer({ min: 1, max: 9 }), prefetch: fc.integer({ min: 1, max: 4 }) });

function options(shape: Shape, tuning: { readSize: number; prefetch: number }): Partial<DataLoaderOptions> {
  return {
    batchSize: shape.batchSize,
    dropRemainder: shape.batchSize === undefined ? undefined : shape.dropRemainder,
    transforms: shape.filtered ? pipeline : [map((record: Uint8Array) => text(record))],
    seed: 11,
    ...tuning,
  };
}

/** Takes `cuts[0]` outputs, saves, restores into a fresh loader, takes `cuts[1]` more, ... then drains. */
async function interrupted(make: () => DataLoader, cuts: readonly number[]): Promise<unknown[]> {
  const out: unknown[] = [];
  let loader = make();
  for (const cut of cuts) {
    const { taken, state } = await takeThenSave(loader, cut);
    out.push(...taken);
    await loader.close();
    loader = make();
    loader.setState(state);
  }
  out.push(...(await drain(loader)));
  await loader.close();
  return out;
}

describe('resume continues exactly like an uninterrupted run', () => {
  it('for one sampler, any batching, filter and random map, interrupted up to three times', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        shapeArbitrary,
        fc.array(tuningArbitrary, { minLength: 4, maxLength: 4 }),
        fc.array(fc.nat({ max: 30 }), { minLength: 1, maxLength: 3 }),
        async (numRecords, numEpochs, seed, shape, tunings, cuts) => {
          const source = new MemorySource('s', numRecords);
          const sampler = new ShuffleSampler({ numRecords, seed, numEpochs });
          const expected = await drain(new DataLoader({ source, sampler, ...options(shape, tunings[0]!) }));
          let made = 0;
          const make = (): DataLoader => new DataLoader({ source, sampler, ...options(shape, tunings[made++ % 4]!) });
          expect(await interrupted(make, cuts)).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('for a weighted mix of three sources, with and without stopOnEmpty', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.double({ min: 0.05, max: 5, noNaN: true }), { minLength: 3, maxLength: 3 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        shapeArbitrary,
        fc.array(tuningArbitrary, { minLength: 2, maxLength: 2 }),
        fc.array(fc.nat({ max: 25 }), { minLength: 1, maxLength: 2 }),
        async (lengths, weights, stopOnEmpty, seed, shape, tunings, cuts) => {
          const components = lengths.map((length, j) => ({
            source: new MemorySource(`c${j}`, length),
            sampler: new ShuffleSampler({ numRecords: length, seed: seed + j, numEpochs: 2 }),
            weight: weights[j]!,
          }));
          const mix = { components, seed, stopOnEmpty };
          const expected = await drain(new DataLoader({ mix, ...options(shape, tunings[0]!) }));
          let made = 0;
          const make = (): DataLoader => new DataLoader({ mix, ...options(shape, tunings[made++ % 2]!) });
          expect(await interrupted(make, cuts)).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('for generated ArrayRecord shards read through ArrayRecordDataSource', async () => {
    const shards = [0, 1, 2].map((k) => {
      const file = path.join(dir, `shard-${k}.array_record`);
      const writer = new ArrayRecordWriter(file, k === 1 ? 'group_size:3' : 'group_size:1');
      for (let i = 0; i < 9 + k * 4; i++) writer.write(`${k}/${i}`);
      writer.close();
      return file;
    });
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined); // shard 1's group size
    using source = await ArrayRecordDataSource.open(shards);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 100 }), shapeArbitrary, tuningArbitrary, fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 2 }), async (seed, shape, tuning, cuts) => {
        const sampler = new ShuffleSampler({ numRecords: source.length, seed, numEpochs: 2 });
        const make = (): DataLoader => new DataLoader({ source, sampler, ...options(shape, tuning) });
        const expected = await drain(make());
        expect(await interrupted(make, cuts)).toEqual(expected);
      }),
      { numRuns: 15 },
    );
    vi.restoreAllMocks();
  });

  it('epoch by epoch: a state saved mid-epoch resumes that epoch, then the next ones', async () => {
    const source = new MemorySource('e', 23);
    const sampler = new ShuffleSampler({ numRecords: 23, seed: 4, numEpochs: 3 });
    const make = (): DataLoader<string[]> => new DataLoader<string[]>({ source, sampler, batchSize: 4, transforms: pipeline, seed: 3 });
    const reference = make();
    const expected: string[][][] = [];
    for (let e = 0; e < 3; e++) expected.push(await drain(reference.epoch()));
    const first = make();
    const got: string[][][] = [[]];
    for await (const batch of first.epoch()) {
      got[0]!.push(batch);
      if (got[0]!.length === 2) break;
    }
    const resumed = make();
    resumed.setState(JSON.parse(JSON.stringify(first.getState())));
    got[0]!.push(...(await drain(resumed.epoch())));
    got.push(await drain(resumed.epoch()), await drain(resumed.epoch()));
    expect(got).toEqual(expected);
  });
});

describe('what the state describes', () => {
  it('is what the consumer received, not what was prefetched', async () => {
    const source = new MemorySource('p', 100);
    const loader = new DataLoader({ source, sampler: new SequentialSampler({ numRecords: 100 }), batchSize: 8, prefetch: 4 });
    const iterator = loader[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.started).toBeGreaterThan(2);
    expect(loader.getState()).toMatchObject({ epoch: 0, offset: 16 });
    await iterator.return!();
  });

  it('counts filtered-out elements before the next kept one only once they are passed', async () => {
    const source = new MemorySource('f', 10);
    const keepEven = filter((record: Uint8Array) => Number(text(record).split(':')[1]) % 2 === 0);
    const loader = new DataLoader({ source, sampler: new SequentialSampler({ numRecords: 10 }), batchSize: 2, transforms: [keepEven] });
    const iterator = loader[Symbol.asyncIterator]();
    await iterator.next(); // 0, 2
    expect(loader.getState()).toMatchObject({ epoch: 0, offset: 3 });
    await iterator.next(); // 4, 6
    await iterator.next(); // 8 (the epoch's short batch covers the trailing 9)
    expect(loader.getState()).toMatchObject({ epoch: 0, offset: 10 });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(loader.getState()).toMatchObject({ epoch: 1, offset: 0 });
  });
});

describe('refusing states', () => {
  const source = new MemorySource('r', 20);
  const sampler = new ShuffleSampler({ numRecords: 20, seed: 1, numEpochs: 2 });

  it('of another sampler or source, with both descriptions in the message', async () => {
    const loader = new DataLoader({ source, sampler, batchSize: 4 });
    const { state } = await takeThenSave(loader, 2);
    const otherSampler = new DataLoader({ source, sampler: new ShuffleSampler({ numRecords: 20, seed: 2, numEpochs: 2 }) });
    expect(() => otherSampler.setState(state)).toThrow(StateMismatchError);
    expect(() => otherSampler.setState(state)).toThrow(/sampler: saved for .*"seed":1.* but restored into .*"seed":2/);
    const otherSource = new DataLoader({ source: new MemorySource('q', 20), sampler });
    expect(() => otherSource.setState(state)).toThrow(/source: saved for .*"name":"r".* but restored into .*"name":"q"/);
    const mixed = new DataLoader({ mix: { components: [{ source, sampler, weight: 1 }], seed: 1 } });
    expect(() => mixed.setState(state)).toThrow(StateMismatchError);
  });

  it('that are malformed or point outside their epoch', async () => {
    const loader = new DataLoader({ source, sampler });
    const { state } = await takeThenSave(new DataLoader({ source, sampler }), 3);
    expect(() => loader.setState({ ...state, kind: 'Other' })).toThrow(InvalidArgumentError);
    expect(() => loader.setState({ ...state, offset: -1 })).toThrow(InvalidArgumentError);
    expect(() => loader.setState({ ...state, version: 2 })).toThrow(/version 2/);
    expect(() => loader.setState('{}')).toThrow(InvalidArgumentError);
    expect(() => loader.setState({ ...state, offset: 21 })).toThrow(OutOfRangeError);
    const mix = { components: [0, 1].map((j) => ({ source: new MemorySource(`m${j}`, 5), sampler: new SequentialSampler({ numRecords: 5 }), weight: 1 })), seed: 3 };
    const { state: mixState } = await takeThenSave(new DataLoader({ mix }), 4);
    expect(mixState.counts?.reduce((a, b) => a + b)).toBe(4);
    const mixLoader = new DataLoader({ mix });
    expect(() => mixLoader.setState({ ...mixState, counts: undefined })).toThrow(OutOfRangeError);
    expect(() => mixLoader.setState({ ...mixState, counts: [4, 1] })).toThrow(/add up to 5/);
    mixLoader.setState(mixState);
  });

  it('that JSON cannot print, or with a null placement or an empty elastic chain, as InvalidArgumentError', async () => {
    const elastic = new DataLoader({ source, sampler: () => sampler, rank: 0, worldSize: 1 });
    const state = elastic.getState();
    const cyclic: Record<string, unknown> = { ...state };
    cyclic.self = cyclic;
    const bad: unknown[] = [{ ...state, epoch: 1n }, { ...state, offset: 2n }, cyclic, { ...state, placement: null }];
    for (const value of bad) {
      expect(() => elastic.setState(value)).toThrow(InvalidArgumentError);
      expect(() => elastic.setElasticState([value])).toThrow(InvalidArgumentError);
    }
    expect(() => elastic.setState({ ...state, placement: null })).toThrow(/placement must be \{ rank, worldSize \}/);
    // getState() writes a chain only with at least one interrupted job in it.
    expect(() => elastic.setState({ ...state, elastic: { epoch: 0, levels: [] } })).toThrow(InvalidArgumentError);
    expect(() => elastic.setState({ ...state, elastic: { epoch: 0, levels: [] } })).toThrow(/elastic is malformed/);
  });

  it('at an epoch the loader does not have, naming it and the number of epochs', async () => {
    const loader = new DataLoader({ source, sampler });
    const { state } = await takeThenSave(new DataLoader({ source, sampler }), 3);
    expect(() => loader.setState({ ...state, epoch: 5 })).toThrow(OutOfRangeError);
    expect(() => loader.setState({ ...state, epoch: 5 })).toThrow(/state is at epoch 5 position 3, but the loader has 2 epochs \(0\.\.1\)/);
    expect(() => loader.setState({ ...state, epoch: 2 })).toThrow(/epoch 2 position 3, .*finished loader is at epoch 2 position 0/);
    // The start of epoch numEpochs is where a loader that went through every epoch stands.
    const finished = new DataLoader({ source, sampler });
    await drain(finished);
    expect(finished.getState()).toMatchObject({ epoch: 2, offset: 0 });
    loader.setState(finished.getState());
    expect(await drain(loader)).toEqual([]);
    // A mix: its epochs are its shortest component's.
    const mix = { components: [1, 2].map((numEpochs, j) => ({ source: new MemorySource(`e${j}`, 5), sampler: new SequentialSampler({ numRecords: 5, numEpochs }), weight: 1 })), seed: 3 };
    const { state: mixState } = await takeThenSave(new DataLoader({ mix }), 4);
    expect(() => new DataLoader({ mix }).setState({ ...mixState, epoch: 3 })).toThrow(/epoch 3 position 4, but the loader has 1 epoch \(0\)/);
    // Unbounded: every epoch exists.
    const forever = new SequentialSampler({ numRecords: 20, numEpochs: Infinity });
    const { state: foreverState } = await takeThenSave(new DataLoader({ source, sampler: forever }), 3);
    const unbounded = new DataLoader<Uint8Array>({ source, sampler: forever });
    unbounded.setState({ ...foreverState, epoch: 1_000 });
    expect(unbounded.currentEpoch).toBe(1_000);
  });

  it('with a field getState() never writes, naming it', async () => {
    const loader = new DataLoader({ source, sampler });
    const { state } = await takeThenSave(new DataLoader({ source, sampler }), 3);
    expect(() => loader.setState({ ...state, epochs: 5 })).toThrow(InvalidArgumentError);
    expect(() => loader.setState({ ...state, epochs: 5 })).toThrow(/unknown field epochs; the fields are kind, version, epoch, offset/);
    expect(() => loader.setState({ ...state, a: 1, b: 2 })).toThrow(/unknown fields a, b;/);
    const elastic = new DataLoader({ source, sampler: () => sampler, rank: 0, worldSize: 1 });
    expect(() => elastic.setElasticState([{ ...elastic.getState(), extra: true }])).toThrow(/unknown field extra/);
    loader.setState(JSON.parse(JSON.stringify(state)));
  });
});
