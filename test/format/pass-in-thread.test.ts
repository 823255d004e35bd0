// forEachRecordAsync over a file that stores its records uncompressed runs on the calling thread, a
// few parts per turn of the event loop (handing such records across threads costs more than reading
// them); every other file goes to the read workers. Which one a file is comes from its first chunk.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { OpenedFile } from '../../src/format/arrayrecord/opened-file.js';
import { startStats } from '../../src/format/arrayrecord/read-parts.js';
import { readWorkersLoaded, startReadWorkers } from '../../src/format/arrayrecord/read-pool.js';
import { CorruptFileError } from '../../src/format/errors.js';
import { damageStoredRecord, writeRecordsFile } from '../helpers/record-files.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-pass-in-thread-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 3,000 records of 1-2 KB (~4.5 MB: many parts of 256 KiB), each starting with its index. */
const COUNT = 3000;
const recordOf = (i: number): Uint8Array => {
  const record = new Uint8Array(1000 + ((i * 7919) % 1000)).fill(i % 256);
  new DataView(record.buffer).setUint32(0, i);
  return record;
};
const write = (options: string, count = COUNT, of = recordOf): string => writeRecordsFile(path.join(dir, `${options.replace(/\W/g, '_')}-${count}.array_record`), options, count, of);

/** A pass that checks every record and its index, and counts the turns of the event loop it let run. */
async function checkedPass(reader: ArrayRecordReader): Promise<{ visited: number; turns: number }> {
  let visited = 0;
  let turns = 0;
  let counting = true;
  const tick = (): void => {
    turns++;
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);
  await reader.forEachRecordAsync((record, index) => {
    expect(index).toBe(visited);
    expect(new DataView(record.buffer, record.byteOffset).getUint32(0)).toBe(index);
    expect(record.length).toBe(recordOf(index).length);
    visited++;
  });
  counting = false;
  return { visited, turns };
}

describe('storesRecordsUncompressed', () => {
  it('is true for simple uncompressed chunks only', () => {
    const answer = (options: string, count = 40): boolean => {
      const file = OpenedFile.open(write(options, count), '');
      try {
        return file.storesRecordsUncompressed();
      } finally {
        file.close();
      }
    };
    expect(answer('group_size:1,uncompressed')).toBe(true);
    expect(answer('group_size:10,uncompressed')).toBe(true);
    expect(answer('group_size:1,zstd')).toBe(false);
    expect(answer('group_size:1,snappy')).toBe(false);
    expect(answer('group_size:10,uncompressed,transpose:true')).toBe(false);
    expect(answer('uncompressed', 0)).toBe(false);
    // A first chunk over 1 MiB is not read to find out.
    expect(answer('group_size:1000,uncompressed', 1000)).toBe(false);
  });

  it('is false for a damaged first chunk, whose pass then reports the damage', async () => {
    const file = path.join(dir, 'damaged-first.array_record');
    fs.copyFileSync(write('group_size:10,uncompressed', 40), file);
    damageStoredRecord(file, recordOf(3), 50, 0x10);
    const opened = OpenedFile.open(file, '');
    expect(opened.storesRecordsUncompressed()).toBe(false);
    opened.close();
    using reader = new ArrayRecordReader(file);
    await expect(reader.forEachRecordAsync(() => undefined)).rejects.toBeInstanceOf(CorruptFileError);
  });
});

describe('forEachRecordAsync on an uncompressed file', () => {
  it('reads every part on this thread, yielding to the event loop between them', async () => {
    startReadWorkers();
    await readWorkersLoaded();
    using reader = new ArrayRecordReader(write('group_size:1,uncompressed'));
    const before = startStats.partsReadHere;
    const { visited, turns } = await checkedPass(reader);
    expect(visited).toBe(COUNT);
    const parts = startStats.partsReadHere - before;
    // ~4.5 MB in parts of 256 KiB, four parts per turn.
    expect(parts).toBeGreaterThan(8);
    expect(turns).toBeGreaterThanOrEqual(Math.floor(parts / 4) - 1);
  });

  it('skips a damaged chunk with skip_corrupted_chunks, and throws without', async () => {
    const file = path.join(dir, 'damaged.array_record');
    fs.copyFileSync(write('group_size:10,uncompressed'), file);
    damageStoredRecord(file, recordOf(1234), 50, 0x10);
    {
      using reader = new ArrayRecordReader(file, 'skip_corrupted_chunks');
      const indices: number[] = [];
      await reader.forEachRecordAsync((_, index) => void indices.push(index));
      expect(indices.length).toBe(COUNT - 10);
      expect(indices.includes(1230) || indices.includes(1239)).toBe(false);
      expect(reader.skippedChunks().map((s) => [s.firstRecord, s.endRecord])).toEqual([[1230, 1240]]);
    }
    using strict = new ArrayRecordReader(file);
    await expect(strict.forEachRecordAsync(() => undefined)).rejects.toBeInstanceOf(CorruptFileError);
  });

  it('leaves a compressed file to the read workers', async () => {
    startReadWorkers();
    await readWorkersLoaded();
    using reader = new ArrayRecordReader(write('group_size:1,zstd'));
    await reader.readAllAsync();
    const before = startStats.partsReadHere;
    const { visited } = await checkedPass(reader);
    expect(visited).toBe(COUNT);
    expect(startStats.partsReadHere).toBe(before);
  });
});
