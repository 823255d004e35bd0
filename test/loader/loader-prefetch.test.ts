// Loader prefetching and stopping: the bound on reads ahead, nothing in flight after break/return,
// and read or transform errors surfacing in the consumer's for-await, in order, naming the element.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArrayRecordDataSource } from '../../src/source/data-source.js';
import { DataLoader, LoaderError, map } from '../../src/index.js';
import { IoError, OutOfRangeError, ParseError } from '../../src/format/errors.js';
import { SequentialSampler, ShuffleSampler } from '../../src/samplers/index.js';
import { goldenPath } from '../helpers/golden.js';
import { drain, MemorySource, text } from './loader-helpers.js';

const turns = async (count: number): Promise<void> => {
  for (let k = 0; k < count; k++) await new Promise((resolve) => setImmediate(resolve));
};

describe('the prefetch bound', () => {
  it('keeps at most `prefetch` reads in flight and never reads more than `prefetch` blocks ahead', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat({ max: 4 }),
        async (prefetch, batchSize, delayTurns, consumerTurns) => {
          const source = new MemorySource('b', 60, { delayTurns });
          const loader = new DataLoader({ source, sampler: new SequentialSampler({ numRecords: 60, numEpochs: 2 }), batchSize, prefetch });
          let received = 0;
          for await (const _ of loader) {
            received++;
            // With readSize = batchSize, batch k is block k: reads started never exceed received + prefetch.
            expect(source.started).toBeLessThanOrEqual(received + prefetch);
            await turns(consumerTurns);
            expect(source.started).toBeLessThanOrEqual(received + prefetch);
          }
          expect(source.maxInFlight).toBeLessThanOrEqual(prefetch);
          expect(received).toBe(2 * Math.ceil(60 / batchSize));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('uses the whole budget while the consumer is slow', async () => {
    const source = new MemorySource('s', 100, { delayTurns: 2 });
    const loader = new DataLoader({ source, sampler: new SequentialSampler({ numRecords: 100 }), batchSize: 5, prefetch: 3 });
    const iterator = loader[Symbol.asyncIterator]();
    await iterator.next();
    await turns(20);
    expect(source.started).toBe(1 + 3);
    expect(source.inFlight).toBe(0);
    await iterator.return!();
  });
});

describe('stopping', () => {
  it('leaves no read in flight and starts none after break', async () => {
    const source = new MemorySource('k', 200, { delayTurns: 3 });
    const loader = new DataLoader({ source, sampler: new ShuffleSampler({ numRecords: 200, seed: 1 }), batchSize: 4, prefetch: 5 });
    let received = 0;
    for await (const _ of loader) {
      if (++received === 3) break;
    }
    expect(source.inFlight).toBe(0);
    const started = source.started;
    await turns(20);
    expect(source.started).toBe(started);
    expect(loader.getState()).toMatchObject({ epoch: 0, offset: 12 });
  });

  it('leaves no read in flight after return(), even with a next() still pending', async () => {
    const source = new MemorySource('r', 50, { delayTurns: 4 });
    const loader = new DataLoader({ source, sampler: new SequentialSampler({ numRecords: 50 }), batchSize: 5, prefetch: 4 });
    const iterator = loader[Symbol.asyncIterator]();
    const pending = iterator.next();
    const returned = iterator.return!();
    expect((await pending).done).toBe(false);
    expect(await returned).toEqual({ done: true, value: undefined });
    expect(source.inFlight).toBe(0);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('waits for the reads of a replaced iteration before the new one reads', async () => {
    const source = new MemorySource('w', 50, { delayTurns: 3 });
    const loader = new DataLoader({ source, sampler: new SequentialSampler({ numRecords: 50 }), batchSize: 5, prefetch: 4 });
    const first = loader[Symbol.asyncIterator]();
    await first.next();
    const second = loader[Symbol.asyncIterator]();
    await second.next();
    expect(source.maxInFlight).toBeLessThanOrEqual(4);
    await loader.close();
    expect(source.inFlight).toBe(0);
  });
});

describe('errors', () => {
  it('from a read surface after the earlier outputs, naming the elements, with the cause', async () => {
    const cause = new Error('disk on fire');
    const source = new MemorySource('e', 40, { failOn: new Set([13]), error: cause });
    const loader = new DataLoader<Uint8Array[]>({ source, sampler: new SequentialSampler({ numRecords: 40 }), batchSize: 4, prefetch: 4 });
    const received: string[][] = [];
    let caught: unknown;
    try {
      for await (const batch of loader) received.push(batch.map(text));
    } catch (error) {
      caught = error;
    }
    expect(received.flat()).toEqual(Array.from({ length: 12 }, (_, key) => `e:${key}`));
    expect(caught).toBeInstanceOf(LoaderError);
    const error = caught as LoaderError;
    expect(error).toMatchObject({ stage: 'read', epoch: 0, offset: 12, count: 4, cause });
    expect(error.message).toBe('reading elements 12..15 of epoch 0 failed: disk on fire');
    expect(source.inFlight).toBe(0);
    expect(loader.getState()).toMatchObject({ epoch: 0, offset: 12 });
  });

  it('from reading a file name the file in the cause', async () => {
    const missing = goldenPath('no-such-file.array_record');
    using source = new ArrayRecordDataSource([`${goldenPath('digits.array_record-00000-of-00002')}[0:5]`, `${missing}[0:5]`]);
    const loader = new DataLoader({ source, sampler: new SequentialSampler({ numRecords: 10 }), batchSize: 5 });
    const error = (await drain(loader).catch((caught: unknown) => caught)) as LoaderError;
    expect(error.offset).toBe(5);
    expect(error.cause).toBeInstanceOf(IoError);
    expect((error.cause as IoError).message).toContain(missing);
    using tooLong = new ArrayRecordDataSource(`${goldenPath('digits.array_record-00000-of-00002')}[0:7]`);
    const outOfRange = (await drain(new DataLoader({ source: tooLong, sampler: new SequentialSampler({ numRecords: 7 }) })).catch((caught: unknown) => caught)) as LoaderError;
    expect(outOfRange.cause).toBeInstanceOf(OutOfRangeError);
  });

  it('from a transform name the element, its record key and the step', async () => {
    const source = new MemorySource('t', 30);
    const sampler = new ShuffleSampler({ numRecords: 30, seed: 8 });
    const position = Array.from({ length: 30 }, (_, step) => sampler.keyAt(step)).indexOf(7);
    const strict = map((record: Uint8Array) => {
      const value = text(record);
      if (value === 't:7') throw new ParseError(`cannot parse ${value}`);
      return value;
    }, 'strict');
    expect(position).toBeGreaterThan(0);
    // One block holds the whole epoch: the elements before the failing one still come first.
    const loader = new DataLoader<string>({ source, sampler, transforms: [map((r: Uint8Array) => r), strict], readSize: 30 });
    const received: string[] = [];
    const error = await (async () => {
      for await (const value of loader) received.push(value);
    })().catch((caught: unknown) => caught as LoaderError);
    expect(received).toHaveLength(position);
    expect(error).toMatchObject({ stage: 'transform', epoch: 0, offset: position, count: 1, source: 0, key: 7, step: 1, stepName: 'strict' });
    expect(error!.cause).toBeInstanceOf(ParseError);
    expect(error!.message).toBe(`transform step 1 (strict) failed on element ${position} of epoch 0 (source 0, record key 7): cannot parse t:7`);
    // The state is that of the last element received; resuming meets the same error at the same element.
    const again = new DataLoader<string>({ source, sampler, transforms: [strict] });
    again.setState(loader.getState());
    await expect(drain(again)).rejects.toMatchObject({ offset: position, key: 7 });
  });

  it('from a transform end the iteration before the batch that holds the element', async () => {
    const source = new MemorySource('t', 30);
    const strict = map((record: Uint8Array, { key }: { key: number }) => {
      if (key === 7) throw new RangeError('no sevens');
      return text(record);
    });
    const loader = new DataLoader<string[]>({ source, sampler: new SequentialSampler({ numRecords: 30 }), transforms: [strict], batchSize: 3, readSize: 10 });
    const received: string[][] = [];
    const error = await (async () => {
      for await (const batch of loader) received.push(batch);
    })().catch((caught: unknown) => caught as LoaderError);
    expect(received).toEqual([['t:0', 't:1', 't:2'], ['t:3', 't:4', 't:5']]);
    expect(error).toMatchObject({ stage: 'transform', offset: 7, key: 7 });
    expect(error!.cause).toBeInstanceOf(RangeError);
    expect(loader.getState()).toMatchObject({ epoch: 0, offset: 6 });
  });
});
