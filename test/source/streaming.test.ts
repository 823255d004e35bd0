// Streaming reads: reader.records() and source.records() read ahead in the background in runs of whole
// chunks within readahead_buffer_size, keep file order and count exactly (also skipping damaged chunks),
// and hold memory bounded: a file larger than the budget streams in a child process whose peak RSS stays
// far below the file's size, where readAllAsync holds it all.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { ClosedError, CorruptFileError, OutOfRangeError } from '../../src/format/errors.js';
import { ArrayRecordDataSource } from '../../src/source/data-source.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-streaming-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const record = (i: number): string => `r${i}:`.padEnd(100 + (i % 37), '#');
const indexOf = (value: Uint8Array): number => Number(/^r(\d+):/.exec(Buffer.from(value).toString('latin1'))![1]);

function writeFile(name: string, count: number, options: string, first = 0): string {
  const file = path.join(dir, name);
  const writer = new ArrayRecordWriter(file, options);
  for (let i = first; i < first + count; i++) writer.write(record(i));
  writer.close();
  return file;
}

async function collect(iterable: AsyncIterable<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const value of iterable) out.push(indexOf(value));
  return out;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

describe('ArrayRecordReader.records()', () => {
  const file = writeFile('plain.array_record', 5000, 'group_size:10,zstd:1');

  it('streams every record in order, in runs within the read-ahead, whatever the budget', async () => {
    for (const options of ['', 'readahead_buffer_size:4k', 'readahead_buffer_size:1', 'readahead_buffer_size:64k,max_parallelism:0']) {
      using reader = await ArrayRecordReader.open(file, options);
      expect(await collect(reader.records()), options).toEqual(range(0, 5000));
    }
    using reader = new ArrayRecordReader(file, 'readahead_buffer_size:4k');
    const seen: number[] = [];
    for await (const value of reader) seen.push(indexOf(value));
    expect(seen).toEqual(range(0, 5000));
    expect(await collect(reader.records(1234, 2345))).toEqual(range(1234, 2345));
    expect(await collect(reader.records(4999))).toEqual([4999]);
    expect(await collect(reader.records(7, 7))).toEqual([]);
    // Negative bounds count from the end, as in read(start, end).
    expect(await collect(reader.records(-3))).toEqual([4997, 4998, 4999]);
    expect(await collect(reader.records(-5, -3))).toEqual([4995, 4996]);
    expect(() => reader.records(10, 5)).toThrow(OutOfRangeError);
    expect(() => reader.records(0, 5001)).toThrow('records(0, 5001) is [0, 5001), not a range of [0, 5000]');
    expect(() => reader.records(-5001)).toThrow(OutOfRangeError);
    expect(() => reader.records(1.5)).toThrow('records(start, end): start must be an integer, got 1.5');
  });

  it('plans runs of whole chunks within the byte budget', () => {
    using reader = new ArrayRecordReader(file);
    const runs = [...reader.recordRuns(3, 4003, 2048)];
    expect(runs[0]!.start).toBe(3);
    expect(runs.at(-1)!.end).toBe(4003);
    for (let k = 1; k < runs.length; k++) {
      expect(runs[k]!.start).toBe(runs[k - 1]!.end);
      expect(runs[k]!.start % 10).toBe(0);
    }
    // Several chunks per run, each run within the budget unless it is a single chunk.
    expect(runs.length).toBeLessThan(400);
    for (const run of runs) if (run.end - run.start > 10) expect(run.bytes).toBeLessThanOrEqual(2048);
    expect(() => reader.recordRuns(0, 10, 0)).toThrow(/maxBytes must be an integer >= 1/);
  });

  it('stops cleanly on break and on close, and streams an empty file', async () => {
    using reader = new ArrayRecordReader(file, 'readahead_buffer_size:8k');
    const first: number[] = [];
    for await (const value of reader.records()) {
      first.push(indexOf(value));
      if (first.length === 25) break;
    }
    expect(first).toEqual(range(0, 25));
    const iterator = reader.records();
    expect(indexOf((await iterator.next()).value as Uint8Array)).toBe(0);
    reader.close();
    const failure = await collect({ [Symbol.asyncIterator]: () => iterator }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ClosedError);
    using empty = new ArrayRecordReader(writeFile('empty.array_record', 0, ''));
    expect(await collect(empty.records())).toEqual([]);
  });

  it('hands out nothing after close, not even records already read ahead', async () => {
    // The whole file fits the read-ahead: every record is read before the close.
    using reader = new ArrayRecordReader(file, 'readahead_buffer_size:64M');
    const iterator = reader.records();
    expect(indexOf((await iterator.next()).value as Uint8Array)).toBe(0);
    reader.close();
    await expect(iterator.next()).rejects.toThrow(ClosedError);
  });

  it('leaves out the records of a damaged chunk with skip_corrupted_chunks, and throws without', async () => {
    const damaged = writeFile('damaged.array_record', 300, 'group_size:10,uncompressed');
    const bytes = fs.readFileSync(damaged);
    bytes[bytes.indexOf(record(125)) + 2]! ^= 0x20;
    fs.writeFileSync(damaged, bytes);
    using skipping = new ArrayRecordReader(damaged, 'skip_corrupted_chunks,readahead_buffer_size:1k');
    expect(await collect(skipping.records())).toEqual([...range(0, 120), ...range(130, 300)]);
    expect(skipping.skippedChunks().map((chunk) => [chunk.firstRecord, chunk.endRecord])).toEqual([[120, 130]]);
    using strict = new ArrayRecordReader(damaged, 'readahead_buffer_size:1k');
    const seen: number[] = [];
    const failure = await (async () => {
      for await (const value of strict.records()) seen.push(indexOf(value));
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CorruptFileError);
    expect(seen.length).toBeLessThanOrEqual(120);
    expect(seen).toEqual(range(0, seen.length));
  });
});

describe('ArrayRecordDataSource.records()', () => {
  it('streams the files and slices in order, across file boundaries, as the sync iteration does', async () => {
    const files = [writeFile('s0.array_record', 700, 'group_size:16', 0), writeFile('s1.array_record', 0, ''), writeFile('s2.array_record', 900, 'group_size:1', 700)];
    using source = new ArrayRecordDataSource([files[0]!, files[1]!, `${files[2]!}[100:850]`], 'readahead_buffer_size:2k', { maxOpenReaders: 1 });
    const expected = [...range(0, 700), ...range(800, 1550)];
    expect(await collect(source.records())).toEqual(expected);
    expect([...source].map(indexOf)).toEqual(expected);
    const seen: number[] = [];
    for await (const value of source) seen.push(indexOf(value));
    expect(seen).toEqual(expected);
    // Reads by index still get a reader while a stream waits (readers are held only while a run is read).
    const stream = source.records();
    await stream.next();
    expect((await source.getItemsAsync([1449])).map(indexOf)).toEqual([1549]);
    expect((await stream.next()).done).toBe(false);
    await stream.return();
  });

  it('hands out nothing after close, not even records already read ahead', async () => {
    const small = writeFile('source-small.array_record', 300, 'group_size:10');
    const source = new ArrayRecordDataSource(small, 'readahead_buffer_size:64M');
    const iterator = source.records();
    expect(indexOf((await iterator.next()).value as Uint8Array)).toBe(0);
    source.close();
    await expect(iterator.next()).rejects.toThrow(ClosedError);
  });

  it('skips damaged chunks with skip_corrupted_chunks and lists them', async () => {
    const damaged = writeFile('source-damaged.array_record', 200, 'group_size:20,uncompressed');
    const bytes = fs.readFileSync(damaged);
    bytes[bytes.indexOf(record(65)) + 2]! ^= 0x20;
    fs.writeFileSync(damaged, bytes);
    using source = new ArrayRecordDataSource(damaged, 'skip_corrupted_chunks');
    expect(await collect(source.records())).toEqual([...range(0, 60), ...range(80, 200)]);
    expect(source.skippedChunks().map((chunk) => [chunk.firstRecord, chunk.endRecord])).toEqual([[60, 80]]);
  });
});

describe('streaming memory', () => {
  const index = new URL('../../src/index.ts', import.meta.url).href;
  const RECORD = 64 * 1024;
  const COUNT = 8192; // 512 MiB of records

  /**
   * Streams (or reads whole) the big file in a child process; its count, order check and peak RSS. The
   * child collects its garbage every 64 records (4 MiB): records already checked are garbage, freed when
   * the engine decides, and the peak without collections measured the engine's lag, not the read-ahead
   * (Node 24 on a loaded machine: 217 MiB of the 256 allowed; collecting, 115-130 MiB on Node 20 and 24,
   * ~30 MiB over the process's own). Records held, as a stream reading the whole file ahead holds them,
   * are not collected: such a stream still peaks past the file's 512 MiB.
   */
  function measure(file: string, readerOptions: string, mode: 'stream' | 'readAll'): { count: number; bad: number; peakMiB: number } {
    const script = path.join(dir, `measure-${mode}-${readerOptions.replace(/\W/g, '_')}.mts`);
    fs.writeFileSync(
      script,
      [
        `import { ArrayRecordReader } from ${JSON.stringify(index)};`,
        `const reader = await ArrayRecordReader.open(${JSON.stringify(file)}, ${JSON.stringify(readerOptions)});`,
        `let count = 0, bad = 0;`,
        `const check = (r) => { if (new DataView(r.buffer, r.byteOffset).getUint32(0) !== count || r.length !== ${RECORD}) bad++; if (++count % 64 === 0) globalThis.gc(); };`,
        mode === 'stream' ? `for await (const r of reader.records()) check(r);` : `for (const r of await reader.readAllAsync()) check(r);`,
        `reader.close();`,
        `console.log(JSON.stringify({ count, bad, peakMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));`,
      ].join('\n'),
    );
    const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], { encoding: 'utf8', timeout: 240_000 });
    expect(result.status, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as { count: number; bad: number; peakMiB: number };
  }

  it(
    'streams a file much larger than its read-ahead with bounded RSS, in order and count',
    () => {
      const file = path.join(dir, 'big.array_record');
      const writer = new ArrayRecordWriter(file, 'group_size:16,uncompressed');
      const value = new Uint8Array(RECORD);
      const view = new DataView(value.buffer);
      for (let i = 0; i < COUNT; i++) {
        view.setUint32(0, i);
        value.fill(i & 0xff, 4);
        writer.write(value);
      }
      writer.close();
      const fileMiB = Math.round(fs.statSync(file).size / 2 ** 20);
      const workers = measure(file, 'readahead_buffer_size:8M', 'stream');
      const thisThread = measure(file, 'readahead_buffer_size:8M,max_parallelism:0', 'stream');
      const whole = measure(file, '', 'readAll');
      console.log(
        `streaming a ${fileMiB} MiB file with readahead_buffer_size:8M: peak RSS ${workers.peakMiB} MiB on the read workers, ` +
          `${thisThread.peakMiB} MiB with max_parallelism:0; readAllAsync: ${whole.peakMiB} MiB`,
      );
      for (const run of [workers, thisThread, whole]) expect([run.count, run.bad]).toEqual([COUNT, 0]);
      // The whole file never sits in memory: the peak stays far below its size (which readAllAsync exceeds).
      expect(workers.peakMiB).toBeLessThan(fileMiB * 0.8);
      expect(thisThread.peakMiB).toBeLessThan(fileMiB * 0.5);
      expect(whole.peakMiB).toBeGreaterThan(fileMiB);
      fs.rmSync(file);
    },
    600_000,
  );
});
