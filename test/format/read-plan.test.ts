// Read planning: runs of adjacent chunks, and of chunks a small gap apart (the gap read along and left
// unused), give the same records as one read per chunk, also around damaged chunks and at the file's end.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InMemoryChunkIndex } from '../../src/format/arrayrecord/chunk-index.js';
import { planChunkReads, READ_GAP_BYTES } from '../../src/format/arrayrecord/read-plan.js';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { CorruptFileError } from '../../src/format/errors.js';
import { damageStoredRecord, writeRecordsFile } from '../helpers/record-files.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-read-plan-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** An index of chunks at the given offsets, the last one the footer's. */
const indexOf = (offsets: number[]): InMemoryChunkIndex => new InMemoryChunkIndex(Float64Array.from(offsets));

describe('planChunkReads', () => {
  // Chunks of 1000 bytes, back to back from 64.
  const index = indexOf(Array.from({ length: 101 }, (_, i) => 64 + 1000 * i));

  it('joins adjacent chunks and, without a gap allowance, nothing else', () => {
    expect(planChunkReads([1, 2, 3, 5, 9], index)).toEqual([
      { first: 1, last: 3, start: 1064, end: 4064 },
      { first: 5, last: 5, start: 5064, end: 6064 },
      { first: 9, last: 9, start: 9064, end: 10064 },
    ]);
    expect(planChunkReads([], index)).toEqual([]);
  });

  it('joins chunks whose gap is at most maxGap bytes', () => {
    // 5 is 1000 bytes after 3's end, 9 is 3000 after 5's.
    expect(planChunkReads([1, 2, 3, 5, 9], index, 1000)).toEqual([
      { first: 1, last: 5, start: 1064, end: 6064 },
      { first: 9, last: 9, start: 9064, end: 10064 },
    ]);
    expect(planChunkReads([1, 2, 3, 5, 9], index, 3000)).toEqual([{ first: 1, last: 9, start: 1064, end: 10064 }]);
    expect(planChunkReads([0, 99], index, 999)).toEqual([
      { first: 0, last: 0, start: 64, end: 1064 },
      { first: 99, last: 99, start: 99064, end: 100064 },
    ]);
  });

  it('stops a run at 4 MiB, gaps or not', () => {
    const big = indexOf(Array.from({ length: 11 }, (_, i) => 64 + (1 << 20) * i));
    const runs = planChunkReads([0, 1, 2, 3, 4, 6, 8, 9], big, READ_GAP_BYTES * 1000);
    expect(runs.map((run) => [run.first, run.last])).toEqual([
      [0, 3],
      [4, 6],
      [8, 9],
    ]);
    for (const run of runs) expect(run.end - run.start).toBeLessThanOrEqual(4 << 20);
  });
});

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Record i: its index in text, of varying length, so a wrong or shifted record shows. */
const recordOf = (i: number): Uint8Array => encoder.encode(`record ${i} `.padEnd(150 + ((i * 37) % 500), String.fromCharCode(97 + (i % 26))));
const texts = (records: readonly (Uint8Array | undefined)[]): (string | undefined)[] =>
  records.map((record) => (record === undefined ? undefined : decoder.decode(record)));
const expected = (indices: readonly number[]): string[] => indices.map((i) => decoder.decode(recordOf(i)));

/** A deterministic shuffle of indices with repeats, the first and the last among them. */
function someIndices(count: number, n: number, seed: number): number[] {
  let state = seed;
  const indices = [0, count - 1, count - 1];
  while (indices.length < n) {
    state = (state * 1103515245 + 12345) >>> 0;
    indices.push(state % count);
  }
  return indices;
}

describe('batch reads through gaps', () => {
  const COUNT = 3000;
  const files = ['group_size:1', 'group_size:1,uncompressed', 'group_size:1,snappy', 'group_size:3,uncompressed'].map((options, k) => ({
    options,
    file: writeRecordsFile(path.join(dir, `gaps-${k}.array_record`), options, COUNT, recordOf),
  }));

  it.each(files)('read(indices) of $options gives every record, in request order', ({ file }) => {
    using reader = new ArrayRecordReader(file);
    for (const [n, seed] of [
      [2, 1],
      [40, 2],
      [256, 3],
      [1000, 4],
    ] as const) {
      const indices = someIndices(COUNT, n, seed);
      expect(texts(reader.read(indices))).toEqual(expected(indices));
    }
    // Every other record: each run spans many gaps of one chunk.
    const everyOther = Array.from({ length: COUNT / 2 }, (_, i) => 2 * i + 1).reverse();
    expect(texts(reader.read(everyOther))).toEqual(expected(everyOther));
    // The last record alone and with a neighbour a gap before it (the run ends at the footer).
    expect(texts(reader.read([COUNT - 1]))).toEqual(expected([COUNT - 1]));
    expect(texts(reader.read([COUNT - 1, COUNT - 4]))).toEqual(expected([COUNT - 1, COUNT - 4]));
  });

  it.each(files)('the async reads of $options agree', async ({ file }) => {
    for (const options of ['max_parallelism:0', 'max_parallelism:1', '']) {
      using reader = new ArrayRecordReader(file, options);
      const indices = someIndices(COUNT, 300, 7);
      expect(texts(await reader.readAsync(indices))).toEqual(expected(indices));
    }
  });

  it('a damaged chunk in a gap is read along but neither decoded nor reported', async () => {
    const file = writeRecordsFile(path.join(dir, 'gap-damage.array_record'), 'group_size:1,uncompressed', 200, recordOf);
    damageStoredRecord(file, recordOf(101), 5, 0x20);
    for (const options of ['', 'skip_corrupted_chunks', 'skip_corrupted_chunks,max_parallelism:1']) {
      using reader = new ArrayRecordReader(file, options);
      expect(texts(reader.read([102, 100, 99]))).toEqual(expected([102, 100, 99]));
      const available = reader.readAvailable([100, 102]);
      expect(texts(available.records)).toEqual(expected([100, 102]));
      expect(available.skipped).toEqual([]);
      // The read workers read the same way.
      expect(texts(await reader.readAsync([102, 100, 99]))).toEqual(expected([102, 100, 99]));
      expect((await reader.readAvailableAsync([100, 102])).skipped).toEqual([]);
      expect(reader.skippedChunks()).toEqual([]);
    }
  });

  it('a damaged chunk asked for, between gaps, is skipped with skip_corrupted_chunks and throws without', async () => {
    const file = writeRecordsFile(path.join(dir, 'gap-damage-asked.array_record'), 'group_size:1,uncompressed', 200, recordOf);
    damageStoredRecord(file, recordOf(101), 5, 0x20);
    {
      using reader = new ArrayRecordReader(file);
      expect(() => reader.read([99, 101, 103])).toThrow(CorruptFileError);
      expect(() => reader.read([99, 101, 103])).toThrow(/chunk data hash mismatch .*gap-damage-asked\.array_record/);
      expect(() => reader.read([101])).toThrow(CorruptFileError);
    }
    using reader = new ArrayRecordReader(file, 'skip_corrupted_chunks');
    const { records, skipped } = reader.readAvailable([103, 101, 99, 101, 199]);
    expect(texts(records)).toEqual([...expected([103]), undefined, ...expected([99]), undefined, ...expected([199])]);
    expect(skipped.map((chunk) => chunk.chunk)).toEqual([101]);
    expect(reader.skippedChunks().map((chunk) => [chunk.firstRecord, chunk.endRecord])).toEqual([[101, 102]]);
    // Reads by index promise every record: they still throw.
    expect(() => reader.read([99, 101])).toThrow(CorruptFileError);
    expect(texts(reader.readAvailable([101]).records)).toEqual([undefined]);
    // On the read workers too.
    const onWorkers = await reader.readAvailableAsync([103, 101, 99]);
    expect(texts(onWorkers.records)).toEqual([...expected([103]), undefined, ...expected([99])]);
    await expect(reader.readAsync([99, 101])).rejects.toThrow(CorruptFileError);
  });
});

describe('reads larger than one slice of the scratch (4 MiB)', () => {
  // 2,500 records of 2-3 KiB, uncompressed: ~6 MiB of chunks, so reads span several slices and the
  // records of each (views of the scratch until copied) must survive the reuse of the scratch.
  const big = (i: number): Uint8Array => encoder.encode(`big ${i} `.padEnd(2048 + ((i * 61) % 1024), String.fromCharCode(65 + (i % 26))));
  const file = path.join(dir, 'slices.array_record');
  const writer = new ArrayRecordWriter(file, 'group_size:1,uncompressed');
  for (let i = 0; i < 2500; i++) writer.write(big(i));
  writer.close();
  const want = (indices: readonly number[]): string[] => indices.map((i) => decoder.decode(big(i)));

  it('read(indices), read(start, end), readAll and the workers give every record', async () => {
    using reader = new ArrayRecordReader(file);
    const everyOther = Array.from({ length: 1250 }, (_, i) => 2499 - 2 * i);
    expect(texts(reader.read(everyOther))).toEqual(want(everyOther));
    const all = Array.from({ length: 2500 }, (_, i) => i);
    expect(texts(reader.readAll())).toEqual(want(all));
    expect(texts(reader.read(100, 2400))).toEqual(want(all.slice(100, 2400)));
    expect(texts(await reader.readAsync(everyOther))).toEqual(want(everyOther));
    expect(texts(await reader.readAllAsync())).toEqual(want(all));
  });
});
