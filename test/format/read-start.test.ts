// The first async reads of a process, while the read workers start: this thread reads parts itself
// until a worker is ready (see inParts and forEachRecordParallel), and the records, their order, the
// errors and the skipped chunks are those of the synchronous reads. The file's module state is fresh
// (vitest runs each test file on its own), so the pool has not started when the first test runs.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClosedError, CorruptFileError } from '../../src/format/errors.js';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { startStats } from '../../src/format/arrayrecord/read-parts.js';
import { readWorkersLoaded } from '../../src/format/arrayrecord/read-pool.js';
import { damageStoredRecord, writeRecordsFile } from '../helpers/record-files.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-read-start-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Record i: its index, then bytes that do not compress, so that the file spans many parts of 256 KiB. */
function recordOf(i: number): Uint8Array {
  const head = new TextEncoder().encode(`record ${i}:`);
  const record = new Uint8Array(head.length + 600 + (i % 500));
  record.set(head);
  record.set(crypto.createHash('sha512').update(String(i)).digest().subarray(0, 40), head.length);
  for (let k = head.length + 40; k < record.length; k++) record[k] = (k * 2654435761 + i) >>> 24;
  return record;
}

const COUNT = 4000;
const zstdFile = writeRecordsFile(path.join(dir, 'g1-zstd.array_record'), 'group_size:1,zstd', COUNT, recordOf);
const groupedFile = writeRecordsFile(path.join(dir, 'g16-snappy.array_record'), 'group_size:16,snappy', COUNT, recordOf);
const damagedFile = writeRecordsFile(path.join(dir, 'damaged.array_record'), 'group_size:8,uncompressed', COUNT, recordOf);
damageStoredRecord(damagedFile, recordOf(2500), 20, 0x40);

function differences(actual: readonly Uint8Array[], expected: readonly Uint8Array[]): number[] {
  const wrong: number[] = [];
  for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
    if (actual[i] === undefined || expected[i] === undefined || Buffer.compare(actual[i]!, expected[i]!) !== 0) wrong.push(i);
  }
  return wrong.slice(0, 10);
}

/** Every record visited by forEachRecordAsync, copied, with the indices it was visited with. */
async function visitAll(reader: ArrayRecordReader): Promise<{ records: Uint8Array[]; indices: number[] }> {
  const records: Uint8Array[] = [];
  const indices: number[] = [];
  await reader.forEachRecordAsync((record, index) => {
    records.push(record.slice());
    indices.push(index);
  });
  return { records, indices };
}

const expected = Array.from({ length: COUNT }, (_, i) => recordOf(i));
const shuffled = Array.from({ length: 700 }, (_, k) => (k * 7919 + 13) % COUNT);

describe('async reads while the read workers start', () => {
  // First: the pool has not started, so at least the first part is read on this thread.
  it('forEachRecordAsync visits every record once, in order, part of them read on this thread', async () => {
    const before = startStats.partsReadHere;
    using reader = new ArrayRecordReader(zstdFile);
    const { records, indices } = await visitAll(reader);
    expect(startStats.partsReadHere).toBeGreaterThan(before);
    expect(indices).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    expect(differences(records, expected)).toEqual([]);
  });

  it('readAllAsync, readAsync and readRangeAsync return the records of the sync reads', async () => {
    for (const file of [zstdFile, groupedFile]) {
      using reader = new ArrayRecordReader(file);
      const [all, some, range] = await Promise.all([reader.readAllAsync(), reader.readAsync(shuffled), reader.readRangeAsync(1000, 3500)]);
      expect(differences(all, expected)).toEqual([]);
      expect(differences(some, shuffled.map((i) => expected[i]!))).toEqual([]);
      expect(differences(range, expected.slice(1000, 3500))).toEqual([]);
      expect(differences(await reader.readAsync([3999, 0, 3999]), [expected[3999]!, expected[0]!, expected[3999]!])).toEqual([]);
    }
  });

  it('a damaged chunk throws CorruptFileError, or with skip_corrupted_chunks is skipped and reported as the sync reads do', async () => {
    using plain = new ArrayRecordReader(damagedFile);
    await expect(plain.readAllAsync()).rejects.toBeInstanceOf(CorruptFileError);
    await expect(plain.forEachRecordAsync(() => undefined)).rejects.toBeInstanceOf(CorruptFileError);
    await expect(plain.readAsync([2500])).rejects.toBeInstanceOf(CorruptFileError);

    using sync = new ArrayRecordReader(damagedFile, 'skip_corrupted_chunks');
    const syncRecords = sync.readAll();
    using skipping = new ArrayRecordReader(damagedFile, 'skip_corrupted_chunks');
    expect(differences(await skipping.readAllAsync(), syncRecords)).toEqual([]);
    const { records, indices } = await visitAll(skipping);
    expect(differences(records, syncRecords)).toEqual([]);
    expect(indices).toEqual(Array.from({ length: COUNT }, (_, i) => i).filter((i) => i < 2496 || i >= 2504));
    const available = await skipping.readAvailableAsync([2499, 3, 2500]);
    expect(available.records[0]).toBeUndefined();
    expect(available.records[2]).toBeUndefined();
    expect(differences([available.records[1]!], [expected[3]!])).toEqual([]);
    expect(skipping.skippedChunks()).toEqual(sync.skippedChunks());
    expect(skipping.skippedChunks().map((chunk) => chunk.chunk)).toEqual([312]);
  });

  it('a reader closed during a pass rejects it with ClosedError', async () => {
    const reader = new ArrayRecordReader(zstdFile);
    let seen = 0;
    const pass = reader.forEachRecordAsync(() => {
      if (++seen === 10) reader.close();
    });
    await expect(pass).rejects.toBeInstanceOf(ClosedError);
    await expect(reader.readAllAsync()).rejects.toBeInstanceOf(ClosedError);
  });

  it('once every worker has loaded, the same records come from the workers alone', async () => {
    await readWorkersLoaded();
    // A warm-up read, so that every worker has answered once.
    using reader = new ArrayRecordReader(zstdFile);
    await reader.readAllAsync();
    const before = startStats.partsReadHere;
    const { records, indices } = await visitAll(reader);
    expect(differences(records, expected)).toEqual([]);
    expect(indices).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    expect(differences(await reader.readAsync(shuffled), shuffled.map((i) => expected[i]!))).toEqual([]);
    expect(startStats.partsReadHere).toBe(before);
  });
});
