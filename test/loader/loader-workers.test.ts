// Transforms on worker threads: the same outputs in the same order as on the main thread for any worker
// count, resumable state, records crossing threads intact, and errors rebuilt with the element named.

import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordDataSource } from '../../src/source/data-source.js';
import { DataLoader, LoaderError, type RecordSource } from '../../src/index.js';
import { InvalidArgumentError, InvalidOptionsError, ParseError } from '../../src/format/errors.js';
import { SequentialSampler, ShuffleSampler } from '../../src/samplers/index.js';
import { goldenPath } from '../helpers/golden.js';
import * as lists from './fixtures/loader-transforms.js';
import { failing, identity, ShardError, transforms } from './fixtures/loader-transforms.js';
import { drain, MemorySource, takeThenSave, text } from './loader-helpers.js';

const MODULE = new URL('./fixtures/loader-transforms.ts', import.meta.url);
const source = new MemorySource('w', 97);
const sampler = new ShuffleSampler({ numRecords: 97, seed: 3, numEpochs: 2 });
const loaders: DataLoader[] = [];
afterAll(() => Promise.all(loaders.map((loader) => loader.close())));

function make(workers: number, extra: Record<string, unknown> = {}): DataLoader {
  const loader = new DataLoader({ source, sampler, transforms, workers, transformModule: MODULE, seed: 5, batchSize: 6, readSize: 5, ...extra });
  loaders.push(loader);
  return loader;
}

describe('transforms on worker threads', () => {
  it('give exactly the main-thread outputs, in order, for 1 and 3 workers', async () => {
    const expected = await drain(make(0));
    expect(await drain(make(1, { transformModule: fileURLToPath(MODULE) }))).toEqual(expected); // a path works too
    expect(await drain(make(3, { prefetch: 7 }))).toEqual(expected);
  });

  it('resume from a state saved mid-run, on any worker count', async () => {
    const expected = await drain(make(0));
    for (const [cut, workersBefore, workersAfter] of [[3, 2, 2], [11, 2, 0], [20, 0, 2]] as const) {
      const { taken, state } = await takeThenSave(make(workersBefore), cut);
      const resumed = make(workersAfter);
      resumed.setState(state);
      expect([...taken, ...(await drain(resumed))]).toEqual(expected);
    }
  });

  it('bring records back intact (transferred views of the block buffer)', async () => {
    const loader = new DataLoader<Uint8Array>({ source, sampler: new SequentialSampler({ numRecords: 97 }), transforms: identity, workers: 2, transformModule: MODULE, transformExport: 'identity', readSize: 10 });
    loaders.push(loader);
    const records = await drain(loader);
    expect(records.every((record) => record instanceof Uint8Array)).toBe(true);
    expect(records.map(text)).toEqual(Array.from({ length: 97 }, (_, key) => `w:${key}`));
  });

  it('move the buffers of an ArrayRecordDataSource as they are, and copy those of other sources', async () => {
    using digits = new ArrayRecordDataSource([goldenPath('digits.array_record-00000-of-00002'), goldenPath('digits.array_record-00001-of-00002')]);
    const order = new ShuffleSampler({ numRecords: 10, seed: 1, numEpochs: 3 });
    const viaWorkers = new DataLoader<Uint8Array>({ source: digits, sampler: order, transforms: identity, workers: 2, transformModule: MODULE, transformExport: 'identity', readSize: 4 });
    loaders.push(viaWorkers);
    const expected = Array.from({ length: 30 }, (_, step) => String(order.keyAt(step)));
    expect((await drain(viaWorkers)).map(text)).toEqual(expected);
    // A source handing out views of memory it keeps must keep it: its records are packed, not moved.
    const storage = new TextEncoder().encode('abcdefghij');
    const views: RecordSource = {
      length: 10,
      getItemsAsync: async (indices) => Array.from(indices, (key) => storage.subarray(key, key + 1)),
      describe: () => ({ kind: 'Views' }),
    };
    const fromViews = new DataLoader<Uint8Array>({ source: views, sampler: order, transforms: identity, workers: 2, transformModule: MODULE, transformExport: 'identity', readSize: 4 });
    loaders.push(fromViews);
    expect((await drain(fromViews)).map(text).join('')).toBe(expected.map((key) => 'abcdefghij'[Number(key)]).join(''));
    expect(storage.byteLength).toBe(10);
  });

  it('surface a worker transform error with the element, the key, the step and the rebuilt cause', async () => {
    const ordered = new SequentialSampler({ numRecords: 97 });
    const loader = new DataLoader<string>({ source, sampler: ordered, transforms: failing, workers: 2, transformModule: MODULE, transformExport: 'failing', readSize: 4 });
    loaders.push(loader);
    const received: string[] = [];
    const error = await (async () => {
      for await (const value of loader) received.push(value);
    })().catch((caught: unknown) => caught as LoaderError);
    expect(received).toEqual(Array.from({ length: 7 }, (_, key) => `w:${key}`));
    expect(error).toBeInstanceOf(LoaderError);
    expect(error).toMatchObject({ stage: 'transform', offset: 7, key: 7, step: 0, stepName: 'parse' });
    expect(error!.cause).toBeInstanceOf(ParseError);
    expect((error!.cause as Error).message).toBe('record w:7 does not parse');
    expect((error!.cause as Error).stack).toContain('loader-transforms.ts');
  });

  /** The cause of the LoaderError the list `name` of the fixtures ends with, on this thread or on one worker. */
  async function causeOf(name: keyof typeof lists, workers: number): Promise<Error> {
    const loader = new DataLoader({ source, sampler: new SequentialSampler({ numRecords: 97 }), transforms: lists[name] as never, workers, transformModule: MODULE, transformExport: name, batchSize: 4 });
    loaders.push(loader);
    const error = await drain(loader).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LoaderError);
    return (error as LoaderError).cause as Error;
  }

  it('rebuild built-in error classes with their message, stack, cause and cloneable own properties', async () => {
    const range = await causeOf('throwsRange', 1);
    expect(range).toBeInstanceOf(RangeError);
    expect(range).toMatchObject({ name: 'RangeError', message: 'worker boom' });
    expect(range.stack).toContain('loader-transforms.ts');
    const type = await causeOf('throwsType', 1);
    expect(type).toBeInstanceOf(TypeError);
    expect(type.message).toBe('worker type');
    expect(type.cause).toBeInstanceOf(SyntaxError);
    expect((type.cause as Error).message).toBe('inner');
    expect((type as TypeError & { detail: unknown }).detail).toEqual({ at: [1, 2] });
    expect('callback' in type).toBe(false); // a function cannot cross threads
    const onThread = await causeOf('throwsType', 0);
    expect(Object.keys(onThread)).toEqual(['detail', 'callback']);
    expect(Object.keys(type)).toEqual(['detail']);
    const aggregate = await causeOf('throwsAggregate', 1);
    expect(aggregate).toBeInstanceOf(AggregateError);
    expect((aggregate as AggregateError).errors[0]).toBeInstanceOf(URIError);
    expect((aggregate as AggregateError).errors[1]).toBeInstanceOf(ParseError);
    expect(((aggregate as AggregateError).errors[1] as Error).message).toBe('bad record');
  });

  it("rebuild the package's typed errors, and a user-defined class as the built-in it extends, keeping its name", async () => {
    const typed = await causeOf('throwsTyped', 1);
    expect(typed).toBeInstanceOf(InvalidArgumentError);
    expect(typed).toMatchObject({ name: 'InvalidArgumentError', message: 'bad value (index 4)', index: 4, hint: 'see docs' });
    expect(typed.stack).toContain('loader-transforms.ts');
    expect(await causeOf('throwsCustom', 0)).toBeInstanceOf(ShardError);
    const custom = await causeOf('throwsCustom', 1);
    expect(custom).not.toBeInstanceOf(ShardError); // the main thread's class is not the worker's
    expect(custom).toBeInstanceOf(RangeError);
    expect(custom).toMatchObject({ name: 'ShardError', message: 'shard 3 is missing', shard: 3 });
    expect(custom.stack).toContain('ShardError: shard 3 is missing');
    const text = await causeOf('throwsString', 1);
    expect(text).toBeInstanceOf(Error);
    expect(text.message).toBe('just text');
  });

  it('report an error whose description throws or cannot be posted, rather than crash the worker', async () => {
    // A throwing getter: the user's message still arrives, with what went wrong describing it.
    expect((await causeOf('throwsGetter', 1)).message).toBe('Error: g (describing it in the worker failed: Error: getter)');
    // A Symbol as name (V8 cannot even format its stack): its text and the message still arrive.
    expect((await causeOf('throwsSymbolName', 1)).message).toMatch(/^Symbol\(n\): s \(describing it in the worker failed: /);
    // A thrown object whose toString throws: named by its type tag.
    expect((await causeOf('throwsBadToString', 1)).message).toBe('[object Object]');
  });

  it('refuse a module whose list differs from the given one, or that cannot be loaded', async () => {
    const mismatched = make(1, { transformExport: 'identity' });
    const error = (await drain(mismatched).catch((caught: unknown) => caught)) as LoaderError;
    expect(error.cause).toBeInstanceOf(InvalidOptionsError);
    expect((error.cause as Error).message).toMatch(/is \[map identity\] in the worker, but the loader's transforms are \[map decode, filter randomKeep, map augment\]/);
    const missing = make(1, { transformModule: new URL('./fixtures/no-such-module.ts', import.meta.url) });
    const notFound = (await drain(missing).catch((caught: unknown) => caught)) as LoaderError;
    expect(notFound).toBeInstanceOf(LoaderError);
    expect(String((notFound.cause as Error).message)).toContain('no-such-module');
  });
});
