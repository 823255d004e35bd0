// DataLoader basics over the golden digits shards: order, batches, epochs, transforms, per-record RNG, options.

import { afterAll, describe, expect, it, vi } from 'vitest';
import { ArrayRecordDataSource } from '../../src/source/data-source.js';
import { DataLoader, filter, LoaderError, map, PAST_LAST_EPOCH_WARNING_CODE, recordRng, type TransformContext } from '../../src/index.js';
import { ClosedError, InvalidArgumentError, InvalidOptionsError, OutOfRangeError } from '../../src/format/errors.js';
import { DistributedSampler, IndexSampler, SequentialSampler, ShuffleSampler, SliceSampler, StridedShardSampler, shardOptions } from '../../src/samplers/index.js';
import { goldenPath } from '../helpers/golden.js';
import { drain, MemorySource, memoryRecord, takeThenSave, text } from './loader-helpers.js';
import { LAUNCHER_VARIABLES } from '../helpers/launcher-variables.js';

const DIGITS = [goldenPath('digits.array_record-00000-of-00002'), goldenPath('digits.array_record-00001-of-00002')];
const source = new ArrayRecordDataSource(DIGITS);
afterAll(() => source.close());

const asText = map((record: Uint8Array) => text(record), 'asText');
const sequential = (numEpochs = 1): SequentialSampler => new SequentialSampler({ numRecords: 10, numEpochs });

describe('order and batches over the golden digits', () => {
  it('yields the sampler order in batches, the last one short, and the element count per epoch', async () => {
    const loader = new DataLoader<string[]>({ source, sampler: sequential(), batchSize: 4, transforms: [asText] });
    expect(loader.batchesPerEpoch).toBe(3);
    expect(await drain(loader)).toEqual([['0', '1', '2', '3'], ['4', '5', '6', '7'], ['8', '9']]);
  });

  it('drops the short batch with dropRemainder, and yields single elements without batchSize', async () => {
    const dropping = new DataLoader<string[]>({ source, sampler: sequential(), batchSize: 4, dropRemainder: true, transforms: [asText] });
    expect(dropping.batchesPerEpoch).toBe(2);
    expect(await drain(dropping)).toEqual([['0', '1', '2', '3'], ['4', '5', '6', '7']]);
    const single = new DataLoader<Uint8Array>({ source, sampler: sequential(), readSize: 3 });
    expect((await drain(single)).map(text)).toEqual('0123456789'.split(''));
  });

  it('follows a shuffled, sharded sampler (Grain IndexSampler) exactly', async () => {
    const sampler = new IndexSampler({ numRecords: 10, shardOptions: shardOptions(1, 3), shuffle: true, numEpochs: 2, seed: 0 });
    const loader = new DataLoader<string>({ source, sampler, transforms: [asText], readSize: 2 });
    const expected = Array.from({ length: sampler.length }, (_, step) => String(sampler.keyAt(step)));
    expect(await drain(loader)).toEqual(expected);
  });

  it('never lets a batch span two epochs', async () => {
    const loader = new DataLoader<string[]>({ source, sampler: new ShuffleSampler({ numRecords: 10, seed: 5, numEpochs: 3 }), batchSize: 4, transforms: [asText] });
    const batches = await drain(loader);
    expect(batches.map((batch) => batch.length)).toEqual([4, 4, 2, 4, 4, 2, 4, 4, 2]);
    for (let epoch = 0; epoch < 3; epoch++) expect(batches.slice(epoch * 3, epoch * 3 + 3).flat().sort()).toEqual('0123456789'.split(''));
  });

  it('applies map and filter in order, and collate to each batch', async () => {
    const loader = new DataLoader<number>({
      source,
      sampler: sequential(),
      batchSize: 3,
      transforms: [asText, map((value: string) => Number(value) * 10), filter((value: number) => value % 20 === 0)],
      collate: (items: number[]) => items.reduce((sum, value) => sum + value, 0),
    });
    expect(loader.batchesPerEpoch).toBeUndefined(); // a filter makes it unknowable
    expect(await drain(loader)).toEqual([0 + 20 + 40, 60 + 80]);
  });
});

describe('epochs', () => {
  it('walks the epochs with repeated epoch() calls, as tf.data does with iterator()', async () => {
    const sampler = new ShuffleSampler({ numRecords: 10, seed: 9, numEpochs: 3 });
    const loader = new DataLoader<string[]>({ source, sampler, batchSize: 5, transforms: [asText] });
    expect(loader.numEpochs).toBe(3);
    const epochs: string[][] = [];
    for (let e = 0; e < 3; e++) {
      expect(loader.currentEpoch).toBe(e);
      epochs.push((await drain(loader.epoch())).flat());
    }
    expect(loader.currentEpoch).toBe(3);
    expect(await drain(loader.epoch())).toEqual([]);
    epochs.forEach((keys, e) => {
      const { start } = sampler.epochRange(e);
      expect(keys).toEqual(Array.from({ length: 10 }, (_, k) => String(sampler.keyAt(start + k))));
    });
    // Any epoch can be iterated again from its start.
    expect((await drain(loader.epoch(1))).flat()).toEqual(epochs[1]);
    expect(loader.currentEpoch).toBe(2);
  });

  it('refuses an epoch the loader does not have, naming it and the number of epochs; unbounded: any epoch', async () => {
    const loader = new DataLoader<string>({ source, sampler: sequential(2), transforms: [asText] });
    expect(() => loader.epoch(5)).toThrow(OutOfRangeError);
    expect(() => loader.epoch(5)).toThrow(/epoch 5 does not exist: the loader has 2 epochs \(0\.\.1\)/);
    expect(() => loader.epoch(2)).toThrow(OutOfRangeError);
    expect(await drain(loader.epoch(1))).toEqual('0123456789'.split(''));
    // After the last epoch, epoch() without an argument is the end: empty, as a walk over the epochs expects.
    expect(await drain(loader.epoch())).toEqual([]);
    const unbounded = new DataLoader<string>({ source, sampler: new SequentialSampler({ numRecords: 10, numEpochs: Infinity }), transforms: [asText], readSize: 3 });
    expect(unbounded.numEpochs).toBe(Infinity);
    expect(await drain(unbounded.epoch(1_000_000))).toEqual('0123456789'.split(''));
  });

  it('walks past the empty epochs of an unbounded order: a rank of a strided split over fewer records than ranks', async () => {
    // Rank 2 of 3 over an unbounded shuffle of 2 records takes global steps 2, 5, 8, ...: epochs 1, 2, 4, 5, 7, ...
    const sampler = new StridedShardSampler(new ShuffleSampler({ numRecords: 2, seed: 5, numEpochs: Infinity }), { rank: 2, worldSize: 3 });
    const loader = new DataLoader<string>({ source, sampler, transforms: [asText] });
    const seen: string[] = [];
    for await (const element of loader) if (seen.push(element) === 8) break;
    expect(seen).toEqual(Array.from({ length: 8 }, (_, step) => String(sampler.keyAt(step))));
    expect(sampler.epochAt(0)).toBe(1);
    // An unbounded order that never has an element again (a custom sampler) ends, not walked forever.
    const barren = {
      length: Infinity,
      keyAt: () => 0,
      epochAt: () => 0,
      epochRange: (epoch: number) => {
        throw new OutOfRangeError(`no steps in epoch ${epoch}`, { index: epoch });
      },
      describe: () => ({ kind: 'Barren' }),
    };
    expect(await drain(new DataLoader<string>({ source, sampler: barren, transforms: [asText] }))).toEqual([]);
  });

  it('warns once when an iteration after its own last epoch yields nothing (a PyTorch loop without setEpoch), not after a restore', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const loader = new DataLoader<string>({ source, sampler: sequential(), transforms: [asText] });
      expect(await drain(loader)).toHaveLength(10);
      expect(warn).not.toHaveBeenCalled();
      expect(await drain(loader)).toEqual([]);
      expect(await drain(loader.epoch())).toEqual([]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]).toEqual([
        expect.stringMatching(/^DataLoader: the loader has 1 epoch \(0\) and has run it, so this iteration yields nothing; for another pass call sampler\.setEpoch\(e\)/),
        { code: PAST_LAST_EPOCH_WARNING_CODE },
      ]);
      // A job resumed from the state of a finished run stands after the last epoch too: not a forgotten setEpoch.
      const restored = new DataLoader<string>({ source, sampler: sequential(), transforms: [asText] });
      restored.setState(loader.getState());
      expect(await drain(restored)).toEqual([]);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('continues the current epoch after a break, then moves on', async () => {
    const loader = new DataLoader<string>({ source, sampler: sequential(2), transforms: [asText], readSize: 4 });
    const first: string[] = [];
    for await (const value of loader.epoch(0)) {
      first.push(value);
      if (first.length === 3) break;
    }
    expect(await drain(loader.epoch())).toEqual('3456789'.split(''));
    expect(loader.currentEpoch).toBe(1);
    expect(await drain(loader.epoch())).toEqual('0123456789'.split(''));
  });

  it("follows a DistributedSampler's setEpoch before each loop, PyTorch's idiom: each loop runs the epoch set", async () => {
    const options = { numRecords: 10, numReplicas: 2, rank: 1, shuffle: true, seed: 4 } as const;
    const keysOf = (epoch: number): string[] => {
      const reference = new DistributedSampler({ ...options, epoch });
      return Array.from({ length: reference.length }, (_, k) => String(reference.keyAt(k)));
    };
    const sampler = new DistributedSampler(options);
    const loader = new DataLoader<string[]>({ source, sampler, batchSize: 2, transforms: [asText] });
    // The usual loop, and going back to an epoch already run, as PyTorch's set_epoch allows.
    for (const epoch of [0, 1, 2, 1]) {
      sampler.setEpoch(epoch);
      expect(loader.currentEpoch).toBe(epoch);
      expect(loader.numEpochs).toBe(epoch + 1);
      expect(loader.batchesPerEpoch).toBe(3);
      expect((await drain(loader)).flat()).toEqual(keysOf(epoch));
    }
    expect(keysOf(1)).not.toEqual(keysOf(2));
    sampler.setEpoch(3);
    expect((await drain(loader.epoch(3))).flat()).toEqual(keysOf(3));
    // A state saved in epoch 5 restores into a loader whose sampler was set to epoch 5 after it was built.
    sampler.setEpoch(5);
    const { taken, state } = await takeThenSave(loader, 1);
    expect(state).toMatchObject({ epoch: 5, offset: 2 });
    const again = new DistributedSampler(options);
    const resumed = new DataLoader<string[]>({ source, sampler: again, batchSize: 2, transforms: [asText] });
    again.setEpoch(5);
    resumed.setState(state);
    expect([...taken, ...(await drain(resumed))].flat()).toEqual(keysOf(5));
  });

  it('starts a new iteration in place of an abandoned one', async () => {
    const loader = new DataLoader<string>({ source, sampler: sequential(), transforms: [asText] });
    const abandoned = loader[Symbol.asyncIterator]();
    expect((await abandoned.next()).value).toBe('0');
    expect(await drain(loader)).toEqual('123456789'.split(''));
    expect(await abandoned.next()).toEqual({ done: true, value: undefined });
  });
});

describe('random transforms', () => {
  it('give each record the generator of (seed, epoch, source, key), whatever the read size or prefetch', async () => {
    const draws = map((record: Uint8Array, context: TransformContext) => [text(record), context.epoch, context.rng.uint32(), context.rng.random()]);
    const sampler = new ShuffleSampler({ numRecords: 10, seed: 2, numEpochs: 2 });
    const run = (readSize: number, prefetch: number): Promise<unknown[]> =>
      drain(new DataLoader({ source, sampler, transforms: [draws], seed: 77, readSize, prefetch }));
    const a = await run(1, 1);
    expect(await run(7, 3)).toEqual(a);
    for (const [value, epoch, first, second] of a as [string, number, number, number][]) {
      const rng = recordRng(77, epoch, 0, Number(value));
      expect([rng.uint32(), rng.random()]).toEqual([first, second]);
    }
    const otherSeed = await drain(new DataLoader({ source, sampler, transforms: [draws], seed: 78 }));
    expect(otherSeed).not.toEqual(a);
  });

  it('refuses context.rng without a seed, with the element in the error', async () => {
    const loader = new DataLoader({ source, sampler: sequential(), transforms: [map((_: Uint8Array, context: TransformContext) => context.rng.random(), 'noisy')] });
    const error = await drain(loader).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LoaderError);
    expect((error as LoaderError).cause).toBeInstanceOf(InvalidOptionsError);
    expect((error as LoaderError).message).toContain('transform step 0 (noisy) failed on element 0 of epoch 0');
  });

  it('has a generator with sane ranges and moments', () => {
    const rng = recordRng(1, 2, 3, 2 ** 40 + 5);
    let sum = 0;
    let sumSquares = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const u = rng.random();
      expect(u >= 0 && u < 1).toBe(true);
      const k = rng.int(-3, 4);
      expect(k >= -3 && k < 4 && Number.isInteger(k)).toBe(true);
      const z = rng.normal();
      sum += z;
      sumSquares += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.05);
    expect(Math.abs(sumSquares / n - 1)).toBeLessThan(0.05);
    expect(rng.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(recordRng(1, 2, 3, 2 ** 40 + 5).uint32()).toBe(recordRng(1, 2, 3, 2 ** 40 + 5).uint32());
    expect(recordRng(1, 2, 3, 2 ** 40 + 5).uint32()).not.toBe(recordRng(1, 2, 3, 5).uint32());
    expect(() => rng.int(3, 3)).toThrow(InvalidArgumentError);
  });

  it('refuses arguments that would alias another record, or that no generator method takes, naming them', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => recordRng(-1, 0, 0, 0), /RecordRng: seed must be an integer in \[0, 2\^32\) \(got -1\)/], // would give seed 2^32 - 1's numbers
      [() => recordRng(2 ** 32, 0, 0, 0), /seed must be an integer in \[0, 2\^32\) \(got 4294967296\)/],
      [() => recordRng(1.5, 0, 0, 0), /seed .* \(got 1\.5\)/],
      [() => recordRng(1, -2, 0, 0), /epoch must be a non-negative integer \(got -2\)/],
      [() => recordRng(1, 0, 'x' as never, 0), /source must be an integer in \[0, 2\^32\) \(got "x"\)/],
      [() => recordRng(1, 0, 0, NaN), /key must be a non-negative integer \(got NaN\)/],
      [() => recordRng(1, 0, 0, 2 ** 53), /key must be a non-negative integer/],
      [() => recordRng(1, 0, 0, 0).reseed(1, 0.5, 0, 0), /epoch must be a non-negative integer \(got 0\.5\)/],
      [() => recordRng(1, 0, 0, 0).int(0, 0), /RecordRng\.int: max must be an integer greater than min 0 \(got 0\)/],
      [() => recordRng(1, 0, 0, 0).int(0.5, 3), /RecordRng\.int: min must be an integer \(got 0\.5\)/],
      [() => recordRng(1, 0, 0, 0).normal(0, -1), /RecordRng\.normal: std must be a finite number >= 0 \(got -1\)/],
      [() => recordRng(1, 0, 0, 0).normal(NaN), /RecordRng\.normal: mean must be a finite number \(got NaN\)/],
      [() => recordRng(1, 0, 0, 0).shuffle('abc' as never), /RecordRng\.shuffle: items must be an array or a typed array \(got "abc"\)/],
    ];
    for (const [call, message] of bad) {
      expect(call).toThrow(InvalidArgumentError);
      expect(call).toThrow(message);
    }
    // The limits themselves are fine, and a typed array shuffles in place.
    expect(recordRng(2 ** 32 - 1, Number.MAX_SAFE_INTEGER, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER).uint32()).toBeTypeOf('number');
    expect(Array.from(recordRng(1, 0, 0, 0).shuffle(Int32Array.of(1, 2, 3) as never as number[])).sort()).toEqual([1, 2, 3]);
    expect(recordRng(1, 0, 0, 0).normal(0, 0)).toBe(0);
  });
});

describe('options and lifecycle', () => {
  const memory = new MemorySource('m', 10);

  it('rejects bad options, naming them', () => {
    const sampler = sequential();
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ sampler }, /source must have getItemsAsync/],
      [{ source: memory }, /sampler must be a Sampler/],
      [{ source: memory, sampler, batchSize: 0 }, /batchSize must be an integer >= 1/],
      [{ source: memory, sampler, prefetch: 0 }, /prefetch/],
      [{ source: memory, sampler, readSize: 1.5 }, /readSize/],
      [{ source: memory, sampler, seed: -1 }, /seed/],
      [{ source: memory, sampler, workers: 2 }, /transformModule/],
      [{ source: memory, sampler, transformModule: 'x.js' }, /pass the module's list as transforms/],
      [{ source: memory, sampler, transforms: [() => 1] }, /transforms\[0\] is not a map/],
      [{ source: memory, sampler, collate: (items: unknown[]) => items }, /collate needs a batchSize/],
      [{ source: memory, sampler, dropRemainder: true }, /dropRemainder needs a batchSize: without one, elements come one by one and no batch is short/],
      [{ source: memory, sampler, rank: 0, worldSize: 2 }, /rank and worldSize go with a sampler function/],
      [{ source: memory, sampler, mix: { components: [], seed: 1 } }, /either mix or source/],
      [{ mix: { components: [{ source: memory, sampler, weight: 0 }], seed: 1 } }, /weight must be a positive/],
    ];
    for (const [options, message] of bad) {
      expect(() => new DataLoader(options as never)).toThrow(InvalidOptionsError);
      expect(() => new DataLoader(options as never)).toThrow(message);
    }
    expect(() => new DataLoader({ source: memory, sampler }).epoch(-1)).toThrow(InvalidArgumentError);
  });

  it('refuses, at construction, a sampler for more records than the source has, naming both numbers', async () => {
    const fifteen = new MemorySource('f', 15);
    const tooLong = new SequentialSampler({ numRecords: 20 });
    expect(() => new DataLoader({ source: fifteen, sampler: tooLong, batchSize: 4 })).toThrow(InvalidOptionsError);
    expect(() => new DataLoader({ source: fifteen, sampler: tooLong, batchSize: 4 })).toThrow(
      /DataLoader: sampler is for 20 records \(numRecords 20\), but source has 15: keys 15\.\.19 cannot be read/,
    );
    // A wrapped sampler, a sampler function's sampler, and a source that tells its length only in describe().
    const wrapped = new StridedShardSampler(new ShuffleSampler({ numRecords: 20, seed: 1 }), { rank: 0, worldSize: 2 });
    expect(() => new DataLoader({ source: fifteen, sampler: wrapped })).toThrow(/sampler is for 20 records/);
    expect(() => new DataLoader({ source: fifteen, sampler: () => tooLong, rank: 0, worldSize: 1 })).toThrow(/sampler is for 20 records/);
    const described = { getItemsAsync: fifteen.getItemsAsync.bind(fifteen), describe: () => ({ kind: 'Described', length: 15 }) };
    expect(() => new DataLoader({ source: described as never, sampler: tooLong })).toThrow(/but source has 15/);
    expect(() => new DataLoader({ source: fifteen, sampler: () => [1, 2] as never, rank: 0, worldSize: 1 })).toThrow(InvalidOptionsError);
    // Fewer records than the source, or the same number, are fine; so is a source that does not tell its size.
    expect((await drain(new DataLoader<Uint8Array>({ source: fifteen, sampler: new SliceSampler(new SequentialSampler({ numRecords: 15 }), { end: 3 }) }))).map(text)).toEqual(['f:0', 'f:1', 'f:2']);
    expect(new DataLoader({ source: fifteen, sampler: new SequentialSampler({ numRecords: 15 }) }).numEpochs).toBe(1);
    const unsized = { getItemsAsync: fifteen.getItemsAsync.bind(fifteen), describe: () => ({ kind: 'Unsized' }) };
    expect(new DataLoader({ source: unsized as never, sampler: tooLong }).numEpochs).toBe(1);
  });

  it('builds the sampler of a sampler function for its placement', async () => {
    const built: string[] = [];
    const loader = new DataLoader<Uint8Array>({
      source: memory,
      sampler: ({ rank, worldSize }) => {
        built.push(`${rank}/${worldSize}`);
        return new IndexSampler({ numRecords: 10, shardOptions: shardOptions(rank, worldSize), numEpochs: 1 });
      },
      rank: 1,
      worldSize: 2,
    });
    expect(built).toEqual(['1/2']);
    expect((await drain(loader)).map(text)).toEqual([5, 6, 7, 8, 9].map((key) => `m:${key}`));
    expect(loader.getState().placement).toEqual({ rank: 1, worldSize: 2 });
  });

  it("places a sampler function from the launcher's variables: Slurm, or a Kubernetes index with worldSize", () => {
    // Every variable a launcher sets, cleared: one left from the machine's environment would be read
    // before Slurm's and place the loader elsewhere.
    const names = LAUNCHER_VARIABLES;
    const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    const samplerFor = ({ rank, worldSize }: { rank: number; worldSize: number }) =>
      new IndexSampler({ numRecords: 10, shardOptions: shardOptions(rank, worldSize), numEpochs: 1 });
    try {
      for (const name of names) delete process.env[name];
      Object.assign(process.env, { SLURM_PROCID: '2', SLURM_NTASKS: '3', SLURM_LOCALID: '0' });
      expect(new DataLoader({ source: memory, sampler: samplerFor }).getState().placement).toEqual({ rank: 2, worldSize: 3 });
      for (const name of names) delete process.env[name];
      process.env.JOB_COMPLETION_INDEX = '1';
      expect(new DataLoader({ source: memory, sampler: samplerFor, worldSize: 4 }).getState().placement).toEqual({ rank: 1, worldSize: 4 });
      expect(() => new DataLoader({ source: memory, sampler: samplerFor })).toThrow(/JOB_COMPLETION_INDEX is set \('1'\) but the job's size/);
    } finally {
      for (const name of names) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });

  it("refuses a source's read that is not one Uint8Array per key, as a read error naming the position", async () => {
    // keys is a Float64Array: keys.map(...) gives numbers, which reached the transforms (on worker threads, as
    // empty records); a wrong count left elements out of the batches.
    const sourceOf = (read: (keys: Float64Array) => unknown) => ({ length: 10, getItemsAsync: read, describe: () => ({ kind: 'Custom' }) }) as never;
    const cases: [(keys: Float64Array) => unknown, RegExp][] = [
      [(keys) => keys.map((key) => memoryRecord('c', key) as never), /returned a Float64Array, not an array of 4 Uint8Array records \(keys is a Float64Array, .*Array\.from\(keys, \(key\) => \.\.\.\)\)/],
      [() => [memoryRecord('c', 0)], /returned 1 record for 4 keys/],
      [(keys) => Array.from(keys, (key) => (key === 2 ? 'c:2' : memoryRecord('c', key))), /returned "c:2" at position 2 \(key 2\), not a Uint8Array/],
    ];
    for (const [read, message] of cases) {
      const loader = new DataLoader<Uint8Array[]>({ source: sourceOf(async (keys) => read(keys)), sampler: sequential(), batchSize: 4 });
      const failure = await drain(loader).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(LoaderError);
      expect(failure).toMatchObject({ stage: 'read', epoch: 0, offset: 0, count: 4 });
      expect((failure as LoaderError).cause).toBeInstanceOf(InvalidArgumentError);
      expect((failure as Error).message).toMatch(/^reading elements 0\.\.3 of epoch 0 failed: source Custom: getItemsAsync\(keys\) /);
      expect((failure as Error).message).toMatch(message);
    }
  });

  it('closes: iteration and restore throw ClosedError, getState still works, close is idempotent', async () => {
    const loader = new DataLoader<Uint8Array>({ source: memory, sampler: sequential() });
    const iterator = loader[Symbol.asyncIterator]();
    await iterator.next();
    const state = loader.getState();
    await loader.close();
    await loader.close();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(() => loader[Symbol.asyncIterator]()).toThrow(ClosedError);
    expect(() => loader.setState(state)).toThrow(ClosedError);
    expect(loader.getState()).toEqual(state);
  });
});
