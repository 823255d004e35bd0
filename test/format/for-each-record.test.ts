// forEachRecord / forEachRecordAsync: every record of a range, in index order, as a view into reused
// memory; the same records as readAll for every codec and path; errors, bounds, damaged chunks.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClosedError, CorruptFileError, InvalidArgumentError, OutOfRangeError, UnsupportedError } from '../../src/format/errors.js';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { passStats } from '../../src/format/arrayrecord/read-pool.js';
import { RangeServer } from '../remote/range-server.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-for-each-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Record i: its index in text, of varying length (some empty), so a wrong or stale record shows. */
const recordOf = (i: number): Uint8Array => (i % 97 === 5 ? new Uint8Array(0) : encoder.encode(`record ${i} `.repeat(1 + (i % 7))));

function writeFile(name: string, options: string, count: number, record: (i: number) => Uint8Array = recordOf): string {
  const file = path.join(dir, name);
  const writer = new ArrayRecordWriter(file, options);
  for (let i = 0; i < count; i++) writer.write(record(i));
  writer.close();
  return file;
}

type Pass = 'sync' | 'async';
const PASSES: readonly Pass[] = ['sync', 'async'];

/** Runs a pass and returns what it saw: copies of the records and their indices. */
async function collect(reader: ArrayRecordReader, pass: Pass, start?: number, end?: number): Promise<{ records: Uint8Array[]; indices: number[] }> {
  const records: Uint8Array[] = [];
  const indices: number[] = [];
  const visit = (record: Uint8Array, index: number): void => {
    records.push(record.slice());
    indices.push(index);
  };
  if (pass === 'sync') reader.forEachRecord(visit, start, end);
  else await reader.forEachRecordAsync(visit, start, end);
  return { records, indices };
}

/** The positions where two lists of records differ in bytes (a short failure message, whatever their class: brotli's are Buffers). */
function differences(actual: readonly Uint8Array[], expected: readonly Uint8Array[]): number[] {
  const wrong: number[] = [];
  for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
    if (actual[i] === undefined || expected[i] === undefined || Buffer.compare(actual[i]!, expected[i]!) !== 0) wrong.push(i);
  }
  return wrong.slice(0, 10);
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

const CODECS = ['uncompressed', 'snappy', 'zstd', 'brotli'];
const CONFIGS = [
  ...CODECS.flatMap((codec) => [`group_size:1,${codec}`, `group_size:256,${codec}`]),
  'group_size:16,transpose:true,zstd',
  'group_size:64,transpose:true,uncompressed',
];
const COUNT = 3000;

describe.each(CONFIGS)('forEachRecord over %s', (options) => {
  const file = writeFile(`${options.replace(/[:,]/g, '_')}.array_record`, options, COUNT);

  it.each(PASSES)('visits the records of readAll, in order (%s)', async (pass) => {
    using reader = new ArrayRecordReader(file);
    const expected = reader.readAll();
    const { records, indices } = await collect(reader, pass);
    expect(indices).toEqual(range(0, COUNT));
    expect(differences(records, expected)).toEqual([]);
  });

  it.each(PASSES)('visits sub-ranges, inside and across chunks (%s)', async (pass) => {
    using reader = new ArrayRecordReader(file);
    const all = reader.readAll();
    for (const [start, end] of [
      [0, 1],
      [255, 257],
      [300, 2999],
      [1000, 1000],
      [2999, 3000],
      [17, 40],
    ] as const) {
      const { records, indices } = await collect(reader, pass, start, end);
      expect(indices).toEqual(range(start, end));
      expect(differences(records, all.slice(start, end))).toEqual([]);
    }
    // Only start: to the end.
    expect((await collect(reader, pass, 2990)).indices).toEqual(range(2990, 3000));
  });
});

/** 16 MB of incompressible records of about 4 KiB: 64 parts of 256 KiB for the read workers. */
let big: string | undefined;
function bigFile(): string {
  big ??= writeFile('big.array_record', 'group_size:1,uncompressed', 4096, (i) => new Uint8Array(crypto.randomBytes(4000 + (i % 96))));
  return big;
}

describe('forEachRecord', () => {
  const file = writeFile('plain.array_record', 'group_size:1,zstd', COUNT);

  it.each(PASSES)('max_parallelism:0 and max_parallelism:1 visit the same records (%s)', async (pass) => {
    for (const options of ['max_parallelism:0', 'max_parallelism:1', 'max_parallelism:0,readahead_buffer_size:64k']) {
      using reader = new ArrayRecordReader(file, options);
      const { records, indices } = await collect(reader, pass, 5, 2500);
      expect(indices).toEqual(range(5, 2500));
      expect(records.map((record) => decoder.decode(record))).toEqual(range(5, 2500).map((i) => decoder.decode(recordOf(i))));
    }
  });

  it.each(PASSES)('an empty file calls nothing (%s)', async (pass) => {
    const empty = writeFile('empty.array_record', '', 0);
    using reader = new ArrayRecordReader(empty);
    expect((await collect(reader, pass)).indices).toEqual([]);
    expect((await collect(reader, pass, 0, 0)).indices).toEqual([]);
  });

  it.each(PASSES)('rejects bad bounds before calling anything, by their kind of wrong (%s)', async (pass) => {
    using reader = new ArrayRecordReader(file);
    const method = pass === 'sync' ? 'forEachRecord' : 'forEachRecordAsync';
    for (const [start, end, error, message] of [
      [-COUNT - 1, 10, OutOfRangeError, `${method}(${-COUNT - 1}, 10) is [-1, 10)`],
      [10, 5, OutOfRangeError, `${method}(10, 5) is [10, 5)`],
      [0, COUNT + 1, OutOfRangeError, `not a range of [0, ${COUNT}]`],
      [0.5, 10, InvalidArgumentError, `${method}(start, end): start must be an integer, got 0.5`],
      [Number.NaN, 10, InvalidArgumentError, 'start must be an integer, got NaN'],
    ] as const) {
      let calls = 0;
      const run = async (): Promise<void> => {
        if (pass === 'sync') reader.forEachRecord(() => void calls++, start, end);
        else await reader.forEachRecordAsync(() => void calls++, start, end);
      };
      await expect(run()).rejects.toThrow(error);
      await expect(run()).rejects.toThrow(message);
      expect(calls).toBe(0);
    }
  });

  it.each(PASSES)('takes negative bounds from the end, as read(start, end) does (%s)', async (pass) => {
    using reader = new ArrayRecordReader(file);
    expect((await collect(reader, pass, -3)).indices).toEqual([COUNT - 3, COUNT - 2, COUNT - 1]);
    expect((await collect(reader, pass, -5, -3)).indices).toEqual([COUNT - 5, COUNT - 4]);
  });

  it('throws ClosedError on a closed reader', async () => {
    const reader = new ArrayRecordReader(file);
    reader.close();
    expect(() => reader.forEachRecord(() => undefined)).toThrow(ClosedError);
    await expect(reader.forEachRecordAsync(() => undefined)).rejects.toThrow(ClosedError);
  });

  it('throws ClosedError when the reader closes during a sync pass (at its next run of chunks)', () => {
    const reader = new ArrayRecordReader(file, 'readahead_buffer_size:64k');
    let calls = 0;
    expect(() =>
      reader.forEachRecord((_, index) => {
        calls++;
        if (index === 10) reader.close();
      }),
    ).toThrow(ClosedError);
    expect(calls).toBeLessThan(COUNT);
  });

  it('rejects with ClosedError when the reader closes during an async pass', async () => {
    const reader = new ArrayRecordReader(bigFile());
    let calls = 0;
    await expect(
      reader.forEachRecordAsync((_, index) => {
        calls++;
        if (index === 10) reader.close();
      }),
    ).rejects.toThrow(ClosedError);
    expect(calls).toBeLessThan(4096);
  });

  it('the sync pass reuses its memory: a view kept past its callback shows other bytes later, a slice does not', () => {
    using reader = new ArrayRecordReader(file);
    let kept: Uint8Array | undefined;
    let copy: Uint8Array | undefined;
    reader.forEachRecord((record, index) => {
      if (index === 3) {
        kept = record;
        copy = record.slice();
      }
    });
    expect(decoder.decode(copy)).toBe(decoder.decode(recordOf(3)));
    expect(decoder.decode(kept)).not.toBe(decoder.decode(recordOf(3)));
  });

  it('a sync pass may run inside another one, on the same reader', () => {
    using reader = new ArrayRecordReader(file);
    const pairs: string[] = [];
    reader.forEachRecord((outer, i) => {
      const text = decoder.decode(outer);
      reader.forEachRecord((inner, j) => void pairs.push(`${i}:${j}:${decoder.decode(inner) === decoder.decode(recordOf(j))}`), 100, 102);
      expect(decoder.decode(outer)).toBe(text);
    }, 0, 2);
    expect(pairs).toEqual(['0:100:true', '0:101:true', '1:100:true', '1:101:true']);
  });

  it('the async pass reuses the buffers of its parts, within this pass and the next', async () => {
    using reader = new ArrayRecordReader(bigFile());
    const expected = reader.readAll();
    const fresh: number[] = [];
    let bytes = 0;
    let wrong = 0;
    for (let pass = 0; pass < 3; pass++) {
      const before = passStats.freshBuffers;
      await reader.forEachRecordAsync((record, index) => {
        bytes += record.length;
        if (Buffer.compare(record, expected[index]!) !== 0) wrong++;
      });
      fresh.push(passStats.freshBuffers - before);
    }
    expect(wrong).toBe(0);
    expect(bytes).toBe(3 * expected.reduce((total, record) => total + record.length, 0));
    // A pass decodes 16 MB in 64 parts: without reuse, 64 fresh buffers of 512 KiB each time. The
    // parts in flight at once need a few; later passes about none (scheduling may vary a little).
    expect(fresh[0]).toBeLessThan(24);
    expect(fresh[1]! + fresh[2]!).toBeLessThan(8);
  });

  it.each(PASSES)('an error thrown by the callback ends the pass and leaves the reader usable (%s)', async (pass) => {
    using reader = new ArrayRecordReader(file);
    const failure = new Error('stop here');
    let last = -1;
    const visit = (_: Uint8Array, index: number): void => {
      last = index;
      if (index === 1234) throw failure;
    };
    if (pass === 'sync') expect(() => reader.forEachRecord(visit)).toThrow(failure);
    else await expect(reader.forEachRecordAsync(visit)).rejects.toBe(failure);
    expect(last).toBe(1234);
    // No callback after the error, even once the parts in flight have come back.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(last).toBe(1234);
    const { records, indices } = await collect(reader, pass);
    expect(indices).toEqual(range(0, COUNT));
    expect(differences(records, reader.readAll())).toEqual([]);
  });

  it.each(PASSES)('a callback that returns a Promise is a usage error (%s)', async (pass) => {
    using reader = new ArrayRecordReader(file);
    let calls = 0;
    const visit = async (): Promise<void> => {
      calls++;
      await Promise.reject(new Error('never unhandled'));
    };
    if (pass === 'sync') expect(() => reader.forEachRecord(visit)).toThrow(InvalidArgumentError);
    else await expect(reader.forEachRecordAsync(visit)).rejects.toThrow(/returned a Promise/);
    expect(calls).toBe(1);
  });

  it('a remote file: the async pass reads it, the sync one names the async form', async () => {
    const server = await RangeServer.start();
    try {
      server.put('plain.array_record', fs.readFileSync(file));
      const reader = await ArrayRecordReader.open(server.url('plain.array_record'), 'readahead_buffer_size:64k');
      try {
        expect(() => reader.forEachRecord(() => undefined)).toThrow(UnsupportedError);
        const { records, indices } = await collect(reader, 'async', 10, 2000);
        expect(indices).toEqual(range(10, 2000));
        expect(records.map((record) => decoder.decode(record))).toEqual(range(10, 2000).map((i) => decoder.decode(recordOf(i))));
      } finally {
        reader.close();
      }
    } finally {
      await server.close();
    }
  });
});

describe('forEachRecord on a damaged file', () => {
  const recordText = (i: number): Uint8Array => encoder.encode(`record ${i} `.padEnd(200 + (i % 13), '.'));
  let file = '';
  beforeAll(() => {
    // 50 records in chunks of 10: chunk 2 (records 20..29) is damaged.
    file = writeFile('damaged.array_record', 'group_size:10,uncompressed', 50, recordText);
    const bytes = fs.readFileSync(file);
    const offset = bytes.indexOf(Buffer.from(recordText(25))) + 3;
    bytes[offset] = bytes[offset]! ^ 0x40;
    fs.writeFileSync(file, bytes);
  });
  const intact = [...range(0, 20), ...range(30, 50)];
  const OPTIONS = ['max_parallelism:0', 'max_parallelism:1', ''];

  it.each(PASSES.flatMap((pass) => OPTIONS.map((options) => [pass, options] as const)))('without skip_corrupted_chunks: CorruptFileError (%s, %s)', async (pass, options) => {
    using reader = new ArrayRecordReader(file, options);
    const seen: number[] = [];
    const run = async (): Promise<void> => {
      if (pass === 'sync') reader.forEachRecord((_, index) => void seen.push(index));
      else await reader.forEachRecordAsync((_, index) => void seen.push(index));
    };
    await expect(run()).rejects.toThrow(CorruptFileError);
    expect(seen.every((index) => index < 20)).toBe(true);
    expect(reader.skippedChunks()).toEqual([]);
  });

  it.each(PASSES.flatMap((pass) => OPTIONS.map((options) => [pass, options] as const)))('with skip_corrupted_chunks: skipped and reported (%s, %s)', async (pass, options) => {
    using reader = new ArrayRecordReader(file, `skip_corrupted_chunks,${options}`);
    const { records, indices } = await collect(reader, pass);
    expect(indices).toEqual(intact);
    expect(records.map((record) => decoder.decode(record))).toEqual(intact.map((i) => decoder.decode(recordText(i))));
    expect(reader.skippedChunks().map((s) => [s.chunk, s.firstRecord, s.endRecord])).toEqual([[2, 20, 30]]);
    expect((await collect(reader, pass, 15, 35)).indices).toEqual([...range(15, 20), ...range(30, 35)]);
  });
});
