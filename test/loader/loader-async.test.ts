// Async transforms: maps and filters returning promises run with bounded concurrency, yet the loader's
// outputs, per-record generators, states and errors are those of a sequential run, on this thread or on
// any number of worker threads.

import { afterAll, describe, expect, it } from 'vitest';
import { DataLoader, LoaderError, map, recordRng, type TransformContext } from '../../src/index.js';
import { InvalidOptionsError, ParseError } from '../../src/format/errors.js';
import { SequentialSampler, ShuffleSampler } from '../../src/samplers/index.js';
import { asyncFailing, asyncTransforms } from './fixtures/loader-transforms.js';
import { drain, MemorySource, takeThenSave, text } from './loader-helpers.js';

const MODULE = new URL('./fixtures/loader-transforms.ts', import.meta.url);
const SEED = 9;
const source = new MemorySource('a', 61);
const sampler = new ShuffleSampler({ numRecords: 61, seed: 4, numEpochs: 2 });
const loaders: DataLoader[] = [];
afterAll(() => Promise.all(loaders.map((loader) => loader.close())));

function make(workers: number, extra: { prefetch?: number; readSize?: number } = {}) {
  const loader = new DataLoader({
    source,
    sampler,
    transforms: asyncTransforms,
    seed: SEED,
    batchSize: 4,
    readSize: 7,
    ...(workers === 0 ? {} : { workers, transformModule: MODULE, transformExport: 'asyncTransforms' }),
    ...extra,
  });
  loaders.push(loader);
  return loader;
}

/** What the async list must give, computed element by element without the loader. */
function expectedBatches(): { value: string; key: number; draws: number[] }[][] {
  const batches: { value: string; key: number; draws: number[] }[][] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    const elements = [];
    for (let step = 0; step < 61; step++) {
      const key = sampler.keyAt(epoch * 61 + step);
      if (key % 4 === 1) continue;
      const rng = recordRng(SEED, epoch, 0, key);
      elements.push({ value: `a:${key}`, key, draws: [rng.uint32(), rng.uint32()] });
    }
    for (let start = 0; start < elements.length; start += 4) batches.push(elements.slice(start, start + 4));
  }
  return batches;
}

/** Resolves after `turns` macrotasks. */
const turns = (count: number): Promise<void> =>
  new Promise((resolve) => {
    let left = count;
    const tick = (): void => (left-- <= 0 ? resolve() : void setImmediate(tick));
    tick();
  });

describe('async transforms', () => {
  it('keep sampler order while calls finish out of order, at most `concurrency` at once', async () => {
    let inFlight = 0;
    let most = 0;
    const lookup = map(
      async (record: Uint8Array, { key }: TransformContext) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await turns((key * 13) % 7);
        inFlight--;
        return text(record);
      },
      { name: 'lookup', concurrency: 4 },
    );
    const loader = new DataLoader({ source, sampler: new SequentialSampler({ numRecords: 61 }), transforms: [lookup], batchSize: 5, readSize: 8, prefetch: 3 });
    const batches = await drain(loader);
    expect(batches.flat()).toEqual(Array.from({ length: 61 }, (_, key) => `a:${key}`));
    expect(most).toBe(4);
  });

  it('give each element its own generator across awaits, the same on this thread and on 1 or 3 workers', async () => {
    const expected = expectedBatches();
    expect(await drain(make(0))).toEqual(expected);
    expect(await drain(make(1))).toEqual(expected);
    expect(await drain(make(3, { prefetch: 6, readSize: 3 }))).toEqual(expected);
  });

  it('resume exactly from states saved mid-run, across worker counts', async () => {
    const expected = expectedBatches();
    for (const [cut, before, after] of [[2, 0, 2], [9, 2, 0], [17, 1, 3]] as const) {
      const { taken, state } = await takeThenSave(make(before), cut);
      const resumed = make(after);
      resumed.setState(state);
      expect([...taken, ...(await drain(resumed))]).toEqual(expected);
    }
  });

  it('report a rejection with the record key and step, after the elements before it', async () => {
    for (const workers of [0, 2]) {
      const loader = new DataLoader({
        source,
        sampler: new SequentialSampler({ numRecords: 61 }),
        transforms: asyncFailing,
        readSize: 5,
        ...(workers === 0 ? {} : { workers, transformModule: MODULE, transformExport: 'asyncFailing' }),
      });
      loaders.push(loader);
      const received: string[] = [];
      const error = await (async () => {
        for await (const value of loader) received.push(value);
      })().catch((caught: unknown) => caught);
      expect(received).toEqual(Array.from({ length: 7 }, (_, key) => `a:${key}`));
      expect(error).toBeInstanceOf(LoaderError);
      const failure = error as LoaderError;
      expect([failure.key, failure.offset, failure.step, failure.stepName]).toEqual([7, 7, 0, 'asyncParse']);
      expect(failure.cause).toBeInstanceOf(ParseError);
      expect(failure.message).toContain('record key 7');
      expect(loader.getState().offset).toBe(7);
    }
  });

  it('report the first failing element in order, even when a later one fails sooner', async () => {
    const steps = [
      map(async (record: Uint8Array, { key }: TransformContext) => {
        if (key === 2) {
          await turns(20);
          throw new Error('late rejection of key 2');
        }
        if (key === 3) throw new Error('immediate throw on key 3');
        await turns(1);
        return text(record);
      }, 'mixed'),
    ] as const;
    const loader = new DataLoader({ source, sampler: new SequentialSampler({ numRecords: 61 }), transforms: steps, readSize: 10 });
    const received: string[] = [];
    const error = (await (async () => {
      for await (const value of loader) received.push(value);
    })().catch((caught: unknown) => caught)) as LoaderError;
    expect(received).toEqual(['a:0', 'a:1']);
    expect([error.key, (error.cause as Error).message]).toEqual([2, 'late rejection of key 2']);
  });

  it('check the step options', () => {
    expect(() => map(async (x: number) => x, { concurrency: 0 })).toThrow(/map: concurrency must be an integer >= 1/);
    expect(() => map((x: number) => x, { parallelism: 2 } as never)).toThrow(InvalidOptionsError);
    expect(map((x: number) => x, { name: 'double' }).name).toBe('double');
    expect(map(function named(x: number) { return x; }).name).toBe('named');
  });
});
