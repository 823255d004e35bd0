// ArrayRecordDataSource over the golden digits shards and generated shards: order, slices, batches, LRU, close, errors.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ArrayRecordDataSource, GROUP_SIZE_WARNING_CODE } from '../../src/source/data-source.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import {
  ClosedError,
  InvalidArgumentError,
  InvalidOptionsError,
  IoError,
  NotArrayRecordError,
  OutOfRangeError,
} from '../../src/format/errors.js';
import { goldenPath, smallRecord } from '../helpers/golden.js';

const DIGITS = [goldenPath('digits.array_record-00000-of-00002'), goldenPath('digits.array_record-00001-of-00002')];
const [DIGITS_0, DIGITS_1] = DIGITS as [string, string];
const G64 = goldenPath('zstd3_g64_small.array_record');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-data-source-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const text = (records: readonly Uint8Array[]): string[] => records.map((record) => Buffer.from(record).toString('utf8'));
const digits = (...values: number[]): string[] => values.map(String);

/** Writes a shard whose records are the given strings and returns its path. */
function writeShard(name: string, records: readonly string[], options = 'group_size:1'): string {
  const file = path.join(dir, name);
  const writer = new ArrayRecordWriter(file, options);
  for (const record of records) writer.write(record);
  writer.close();
  return file;
}

/** Shards "s<k>" holding records "<k>:<i>"; the sizes include an empty shard. */
const SHARD_SIZES = [7, 0, 12, 1, 30, 5];
const SHARDS = SHARD_SIZES.map((size, k) =>
  writeShard(
    `s${k}.array_record`,
    Array.from({ length: size }, (_, i) => `${k}:${i}`),
    k === 4 ? 'group_size:4' : 'group_size:1',
  ),
);
const SHARD_RECORDS = SHARD_SIZES.map((size, k) => Array.from({ length: size }, (_, i) => `${k}:${i}`));

/** Runs `action` with group-size warnings silenced, returning the warnings emitted. */
function captureWarnings<T>(action: () => T): { result: T; warnings: { message: string; code: string | undefined }[] } {
  const warnings: { message: string; code: string | undefined }[] = [];
  vi.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error, options?: unknown) => {
    const code = typeof options === 'object' && options !== null ? (options as { code?: string }).code : undefined;
    warnings.push({ message: String(warning), code });
  });
  return { result: action(), warnings };
}

describe('the golden digits shards', () => {
  it('give "0".."9" by iteration, getItem, getItems and getItemsAsync', async () => {
    for (const source of [new ArrayRecordDataSource(DIGITS), await ArrayRecordDataSource.open(DIGITS)]) {
      expect(source.length).toBe(10);
      expect(text([...source])).toEqual(digits(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
      expect(text(Array.from({ length: 10 }, (_, i) => source.getItem(i)))).toEqual(digits(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
      expect(text(source.getItems([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]))).toEqual(digits(9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
      expect(text(await source.getItemsAsync([3, 0, 5, 9, 2, 1, 4, 7, 8, 6]))).toEqual(digits(3, 0, 5, 9, 2, 1, 4, 7, 8, 6));
      source.close();
    }
  });

  it('returns batches across files in request order, repeats included', async () => {
    using source = new ArrayRecordDataSource(DIGITS);
    const request = [7, 2, 7, 9, 0, 0, 5, 4, 7];
    expect(text(source.getItems(request))).toEqual(digits(7, 2, 7, 9, 0, 0, 5, 4, 7));
    expect(text(await source.getItemsAsync(request))).toEqual(digits(7, 2, 7, 9, 0, 0, 5, 4, 7));
    expect(text(source.getItems(new Uint32Array([1, 8])))).toEqual(digits(1, 8));
    expect(source.getItems([])).toEqual([]);
    expect(await source.getItemsAsync([])).toEqual([]);
  });

  it('takes a single path as well as a list', () => {
    using source = new ArrayRecordDataSource(DIGITS_1);
    expect(text([...source])).toEqual(digits(5, 6, 7, 8, 9));
  });

  it('reads slices given as "path[start:end]" strings, as upstream test_array_record_data_source_read_instructions', () => {
    using source = new ArrayRecordDataSource([`${DIGITS_0}[0:3]`, `${DIGITS_1}[2:4]`]);
    expect(source.length).toBe(5);
    expect(text([0, 1, 2, 3, 4].map((i) => source.getItem(i)))).toEqual(digits(0, 1, 2, 7, 8));
    expect(text([...source])).toEqual(digits(0, 1, 2, 7, 8));
  });

  it('reads open-ended string slices', async () => {
    using source = new ArrayRecordDataSource([`${DIGITS_0}[3:]`, `${DIGITS_1}[:2]`, `${DIGITS_0}[:]`]);
    expect(text([...source])).toEqual(digits(3, 4, 5, 6, 0, 1, 2, 3, 4));
    expect(text(await source.getItemsAsync([8, 0, 2]))).toEqual(digits(4, 3, 5));
  });

  it('reads slice objects and TFDS file instructions', () => {
    using source = new ArrayRecordDataSource([
      { path: DIGITS_1, start: 1, end: 3 },
      { path: DIGITS_0, start: 4 },
      { filename: DIGITS_1, skip: 3, take: 2, examples_in_shard: 5 },
      { filename: DIGITS_0, skip: 3, take: -1, examples_in_shard: 5 },
    ]);
    expect(text([...source])).toEqual(digits(6, 7, 4, 8, 9, 3, 4));
  });

  it('maps indices across empty slices', () => {
    using source = new ArrayRecordDataSource([`${DIGITS_0}[2:2]`, `${DIGITS_0}[1:3]`, `${DIGITS_1}[0:0]`, `${DIGITS_1}[4:]`]);
    expect(source.length).toBe(3);
    expect(text(source.getItems([0, 1, 2]))).toEqual(digits(1, 2, 9));
    expect(text([...source])).toEqual(digits(1, 2, 9));
  });

  it('describes itself as plain JSON with paths, slices and length', async () => {
    using source = await ArrayRecordDataSource.open([DIGITS_0, `${DIGITS_1}[1:]`]);
    const description = source.describe();
    expect(description).toEqual({
      kind: 'ArrayRecordDataSource',
      length: 9,
      files: [
        { path: DIGITS_0, start: 0, end: 5 },
        { path: DIGITS_1, start: 1, end: 5 },
      ],
    });
    expect(JSON.parse(JSON.stringify(description))).toEqual(description);
  });

  it('rejects negative and past-the-end indices with the index and the length, like upstream', async () => {
    using source = new ArrayRecordDataSource(DIGITS);
    for (const index of [-1, 10, 11, -10]) {
      expect(() => source.getItem(index)).toThrow(OutOfRangeError);
      expect(() => source.getItem(index)).toThrow(new RegExp(`record index ${index} outside \\[0, 10\\)`));
    }
    const error = (() => {
      try {
        source.getItems([1, 2, 10]);
      } catch (caught) {
        return caught as OutOfRangeError;
      }
    })();
    expect(error).toBeInstanceOf(OutOfRangeError);
    expect(error?.index).toBe(10);
    expect(error?.message).toMatch(/record index 10 \(position 2 of the request\) outside \[0, 10\)/);
    await expect(source.getItemsAsync([0, -1])).rejects.toThrow(OutOfRangeError);
  });

  it('rejects non-integer indices and non-array requests', async () => {
    using source = new ArrayRecordDataSource(DIGITS);
    for (const index of [1.5, Number.NaN, Infinity, '1' as never, 2 ** 53]) {
      expect(() => source.getItem(index)).toThrow(InvalidArgumentError);
      expect(() => source.getItems([index])).toThrow(InvalidArgumentError);
    }
    // A string that looks like a number is shown quoted: the type is what is wrong.
    expect(() => source.getItem('3' as never)).toThrow('record index must be an integer, got "3"');
    expect(() => source.getItems(3 as never)).toThrow(InvalidArgumentError);
    expect(() => source.getItems(null as never)).toThrow(InvalidArgumentError);
    await expect(source.getItemsAsync(undefined as never)).rejects.toThrow(InvalidArgumentError);
  });
});

describe('lazy opening and the bound on open readers', () => {
  it('opens no file for closed slices until a record is read', () => {
    using source = new ArrayRecordDataSource([`${DIGITS_0}[0:5]`, `${DIGITS_1}[0:5]`]);
    expect(source.openReaderCount()).toBe(0);
    expect(source.length).toBe(10);
    expect(text([source.getItem(7)])).toEqual(digits(7));
    expect(source.openReaderCount()).toBe(1);
  });

  it('trusts closed slices of missing files until they are read, then names the file', async () => {
    const missing = path.join(dir, 'missing.array_record');
    using source = new ArrayRecordDataSource([`${DIGITS_0}[0:5]`, `${missing}[0:3]`]);
    expect(source.length).toBe(8);
    expect(text([source.getItem(4)])).toEqual(digits(4));
    expect(() => source.getItem(5)).toThrow(IoError);
    expect(() => source.getItem(5)).toThrow(missing);
    await expect(source.getItemsAsync([0, 6])).rejects.toThrow(missing);
    expect(source.openReaderCount()).toBe(1);
  });

  it('keeps at most maxOpenReaders files open and still reads everything (1 reader, 2 files)', async () => {
    using source = new ArrayRecordDataSource(DIGITS, '', { maxOpenReaders: 1 });
    expect(source.openReaderCount()).toBe(0); // record counts come from the footers; readers open at the first read
    expect(text(source.getItems([9, 0, 8, 1]))).toEqual(digits(9, 0, 8, 1));
    expect(source.openReaderCount()).toBe(1);
    expect(text([...source])).toEqual(digits(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    const batches = Array.from({ length: 50 }, (_, k) => [k % 10, (k * 7) % 10, 9 - (k % 10)]);
    const results = await Promise.all(
      batches.map(async (batch) => {
        const records = await source.getItemsAsync(batch);
        expect(source.openReaderCount()).toBeLessThanOrEqual(1);
        return text(records);
      }),
    );
    expect(results).toEqual(batches.map((batch) => batch.map(String)));
    expect(source.openReaderCount()).toBe(1);
  });

  it('bounds open readers under concurrent async batches over many shards', async () => {
    const { result: pending } = captureWarnings(() => ArrayRecordDataSource.open(SHARDS, '', { maxOpenReaders: 2, openConcurrency: 3 }));
    using source = await pending;
    expect(source.openReaderCount()).toBeLessThanOrEqual(2);
    const flat = SHARD_RECORDS.flat();
    let most = 0;
    const batches = Array.from({ length: 40 }, (_, k) => Array.from({ length: 9 }, (_, j) => (k * 13 + j * 29) % flat.length));
    const results = await Promise.all(
      batches.map(async (batch) => {
        const records = await source.getItemsAsync(batch);
        most = Math.max(most, source.openReaderCount());
        return text(records);
      }),
    );
    expect(results).toEqual(batches.map((batch) => batch.map((i) => flat[i]!)));
    expect(most).toBeLessThanOrEqual(2);
  });

  it('serves a sync read while async reads hold every slot, then drops the extra reader', async () => {
    using source = new ArrayRecordDataSource([`${DIGITS_0}[0:5]`, `${DIGITS_1}[0:5]`], '', { maxOpenReaders: 1 });
    const pending = source.getItemsAsync([0, 1]);
    expect(text([source.getItem(9)])).toEqual(digits(9));
    expect(source.openReaderCount()).toBe(1);
    expect(text(await pending)).toEqual(digits(0, 1));
    expect(source.openReaderCount()).toBe(1);
  });
});

describe('generated shards', () => {
  it('agree with a flat model for any slices and batches (sync and async)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ shard: fc.nat(SHARD_SIZES.length - 1), a: fc.nat(40), b: fc.nat(40), form: fc.nat(3) }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.array(fc.nat(1000), { maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        async (entries, picks, maxOpenReaders) => {
          const model: string[] = [];
          const paths = entries.map(({ shard, a, b, form }) => {
            const size = SHARD_SIZES[shard]!;
            const [start, end] = [Math.min(a, b) % (size + 1), Math.max(a, b) % (size + 1)].sort((x, y) => x - y) as [number, number];
            model.push(...SHARD_RECORDS[shard]!.slice(start, form === 1 ? size : end));
            if (form === 0) return `${SHARDS[shard]}[${start}:${end}]`;
            if (form === 1) return { path: SHARDS[shard]!, start };
            if (form === 2) return { filename: SHARDS[shard]!, skip: start, take: end - start };
            return { path: SHARDS[shard]!, start, end };
          });
          const { result: source } = captureWarnings(() => new ArrayRecordDataSource(paths, '', { maxOpenReaders }));
          try {
            expect(source.length).toBe(model.length);
            const indices = model.length === 0 ? [] : picks.map((pick) => pick % model.length);
            const expected = indices.map((i) => model[i]!);
            expect(text(source.getItems(indices))).toEqual(expected);
            expect(text(await source.getItemsAsync(indices))).toEqual(expected);
            expect(text([...source])).toEqual(model);
            expect(source.openReaderCount()).toBeLessThanOrEqual(maxOpenReaders);
          } finally {
            source.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('answers 1,000 concurrent getItemsAsync calls correctly', async () => {
    const { result: source } = captureWarnings(() => new ArrayRecordDataSource(SHARDS, '', { maxOpenReaders: 3 }));
    const flat = SHARD_RECORDS.flat();
    let state = 12345;
    const nextIndex = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % flat.length;
    };
    const batches = Array.from({ length: 1000 }, () => Array.from({ length: 1 + (nextIndex() % 16) }, nextIndex));
    const results = await Promise.all(batches.map((batch) => source.getItemsAsync(batch)));
    results.forEach((records, k) => expect(text(records)).toEqual(batches[k]!.map((i) => flat[i]!)));
    source.close();
  });

  it('opens 300 entries with bounded concurrency and open readers', async () => {
    const paths = Array.from({ length: 300 }, (_, k) => SHARDS[k % SHARDS.length]!);
    const { result: pending } = captureWarnings(() => ArrayRecordDataSource.open(paths, '', { maxOpenReaders: 4, openConcurrency: 8 }));
    using source = await pending;
    expect(source.length).toBe(50 * SHARD_RECORDS.flat().length);
    expect(source.openReaderCount()).toBeLessThanOrEqual(4);
    const last = source.length - 1;
    expect(text(await source.getItemsAsync([last, 0]))).toEqual(['5:4', '0:0']);
  });

  it('reads a file with group size 64 (golden zstd3_g64_small)', async () => {
    const { result: source } = captureWarnings(() => new ArrayRecordDataSource(G64));
    const indices = [999, 0, 64, 63, 500, 0];
    const expected = indices.map((i) => Buffer.from(smallRecord(i)));
    expect(source.getItems(indices).map((record) => Buffer.from(record))).toEqual(expected);
    expect((await source.getItemsAsync(indices)).map((record) => Buffer.from(record))).toEqual(expected);
    source.close();
  });

  it('reads an empty file as zero records (golden empty_g1)', () => {
    using source = new ArrayRecordDataSource(goldenPath('empty_g1.array_record'));
    expect(source.length).toBe(0);
    expect([...source]).toEqual([]);
    expect(() => source.getItem(0)).toThrow(OutOfRangeError);
  });
});

describe('group-size warnings', () => {
  it('warns once per file whose group size is not 1, with a code, however often it reopens', async () => {
    const { result: source, warnings } = captureWarnings(() => new ArrayRecordDataSource([G64, ...DIGITS, G64], '', { maxOpenReaders: 1 }));
    for (let round = 0; round < 3; round++) {
      source.getItems([0, 1000, 1005, 1010]);
      await source.getItemsAsync([1010, 0, 1005]);
    }
    source.close();
    expect(warnings.map((warning) => warning.code)).toEqual([GROUP_SIZE_WARNING_CODE, GROUP_SIZE_WARNING_CODE]);
    expect(warnings[0]!.message).toContain(G64);
    expect(warnings[0]!.message).toContain('group_size:64');
  });

  it('does not warn for group size 1 or for empty files', async () => {
    const { warnings } = captureWarnings(() => new ArrayRecordDataSource([...DIGITS, goldenPath('empty_g1.array_record')]).close());
    const { result: pending, warnings: asyncWarnings } = captureWarnings(() => ArrayRecordDataSource.open(DIGITS));
    (await pending).close();
    expect([...warnings, ...asyncWarnings]).toEqual([]);
  });

  it('warns when the file is first opened, not at construction, for closed slices', () => {
    const { result: source, warnings } = captureWarnings(() => new ArrayRecordDataSource(`${G64}[0:10]`));
    expect(warnings).toEqual([]);
    captureWarnings(() => source.getItem(3));
    expect(vi.mocked(process.emitWarning)).toHaveBeenCalledTimes(1);
    source.close();
  });
});

describe('close', () => {
  it('is idempotent; reads after it throw ClosedError; length and describe stay', async () => {
    const source = new ArrayRecordDataSource(DIGITS);
    source.close();
    source.close();
    expect(source.openReaderCount()).toBe(0);
    expect(() => source.getItem(0)).toThrow(ClosedError);
    expect(() => source.getItems([0])).toThrow(ClosedError);
    await expect(source.getItemsAsync([0])).rejects.toThrow(ClosedError);
    expect(() => source[Symbol.iterator]()).toThrow(ClosedError);
    expect(source.length).toBe(10);
    expect(source.describe().length).toBe(10);
  });

  it('stops an iteration part-way', () => {
    const source = new ArrayRecordDataSource(DIGITS);
    const iterator = source[Symbol.iterator]();
    expect(text([iterator.next().value as Uint8Array])).toEqual(digits(0));
    source.close();
    expect(() => iterator.next()).toThrow(ClosedError);
  });

  it('closes on leaving a using block', () => {
    let escaped: ArrayRecordDataSource;
    {
      using source = new ArrayRecordDataSource(DIGITS);
      escaped = source;
      source.getItem(0);
    }
    expect(() => escaped.getItem(0)).toThrow(ClosedError);
    expect(escaped.openReaderCount()).toBe(0);
  });

  it('lets reads in flight settle and then closes their files', async () => {
    const source = new ArrayRecordDataSource([`${DIGITS_0}[0:5]`, `${DIGITS_1}[0:5]`], '', { maxOpenReaders: 1 });
    const first = source.getItemsAsync([0, 1]);
    const queued = source.getItemsAsync([8]).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    source.close();
    expect(text(await first)).toEqual(digits(0, 1));
    expect(await queued).toBeInstanceOf(ClosedError);
    expect(source.openReaderCount()).toBe(0);
  });

  it('settles a read racing close either way and leaves nothing open', async () => {
    const source = await ArrayRecordDataSource.open(DIGITS, '', { maxOpenReaders: 1 });
    const read = source.getItemsAsync([0, 9]);
    source.close();
    await read.then(
      (records) => expect(text(records)).toEqual(digits(0, 9)),
      (error: unknown) => expect(error).toBeInstanceOf(ClosedError),
    );
    expect(source.openReaderCount()).toBe(0);
  });
});

describe('errors at construction', () => {
  it('names a missing file (sync and async open)', async () => {
    const missing = path.join(dir, 'nope.array_record');
    expect(() => new ArrayRecordDataSource([DIGITS_0, missing])).toThrow(IoError);
    expect(() => new ArrayRecordDataSource([DIGITS_0, missing])).toThrow(missing);
    await expect(ArrayRecordDataSource.open([DIGITS_0, missing])).rejects.toThrow(IoError);
    await expect(ArrayRecordDataSource.open([missing, DIGITS_1])).rejects.toThrow(missing);
  });

  it('names a file that is not ArrayRecord', async () => {
    const notArrayRecord = path.join(dir, 'not.array_record');
    fs.writeFileSync(notArrayRecord, Buffer.alloc(2 * 65536, 7));
    expect(() => new ArrayRecordDataSource(notArrayRecord)).toThrow(NotArrayRecordError);
    await expect(ArrayRecordDataSource.open([DIGITS_0, notArrayRecord])).rejects.toThrow(notArrayRecord);
  });

  it('rejects an open-ended slice starting past the end at construction', async () => {
    expect(() => new ArrayRecordDataSource(`${DIGITS_0}[6:]`)).toThrow(OutOfRangeError);
    expect(() => new ArrayRecordDataSource(`${DIGITS_0}[6:]`)).toThrow(/\[6:\] reaches past the file's 5 records/);
    await expect(ArrayRecordDataSource.open({ path: DIGITS_1, start: 9 })).rejects.toThrow(DIGITS_1);
  });

  it('rejects a closed slice past the end when its file is first read, naming the file', async () => {
    using source = new ArrayRecordDataSource([`${DIGITS_0}[0:5]`, `${DIGITS_1}[3:8]`]);
    expect(source.length).toBe(10);
    expect(() => source.getItem(6)).toThrow(OutOfRangeError);
    expect(() => source.getItem(6)).toThrow(/\[3:8\] reaches past the file's 5 records.*digits\.array_record-00001-of-00002/);
    await expect(source.getItemsAsync([9])).rejects.toThrow(OutOfRangeError);
    expect(text([source.getItem(4)])).toEqual(digits(4));
  });

  it('rejects malformed paths', () => {
    expect(() => new ArrayRecordDataSource([])).toThrow(InvalidArgumentError);
    expect(() => new ArrayRecordDataSource(`${DIGITS_0}[4:2]`)).toThrow(InvalidArgumentError);
    expect(() => new ArrayRecordDataSource([DIGITS_0, 3 as never])).toThrow(InvalidArgumentError);
  });

  it('rejects bad reader and data source options before opening anything', async () => {
    expect(() => new ArrayRecordDataSource(DIGITS, 'readahead_buffer_size:lots')).toThrow(InvalidOptionsError);
    expect(() => new ArrayRecordDataSource(DIGITS, { no_such_option: 1 })).toThrow(InvalidOptionsError);
    expect(() => new ArrayRecordDataSource(DIGITS, 7 as never)).toThrow(InvalidOptionsError);
    expect(() => new ArrayRecordDataSource(DIGITS, '', { maxOpenReaders: 0 })).toThrow(InvalidOptionsError);
    expect(() => new ArrayRecordDataSource(DIGITS, '', { maxOpenReaders: 1.5 })).toThrow(InvalidOptionsError);
    await expect(ArrayRecordDataSource.open(DIGITS, '', { openConcurrency: 0 })).rejects.toThrow(InvalidOptionsError);
  });

  it('passes reader options through, as a string or a mapping', async () => {
    using fromString = new ArrayRecordDataSource(DIGITS, 'readahead_buffer_size:0,index_storage_option:offloaded');
    using fromMapping = new ArrayRecordDataSource(DIGITS, { readahead_buffer_size: 0, index_storage_option: 'offloaded' });
    expect(text(fromString.getItems([9, 0]))).toEqual(digits(9, 0));
    expect(text([...fromMapping])).toEqual(digits(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    const batches = [[1, 8], [9, 2, 9], [5], [0, 4, 3]];
    const results = await Promise.all(batches.map((batch) => fromMapping.getItemsAsync(batch)));
    expect(results.map(text)).toEqual(batches.map((batch) => batch.map(String)));
  });
});
