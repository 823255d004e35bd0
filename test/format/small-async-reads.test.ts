// Small async reads in a fresh process (one part: under 64 KiB of the file, or one chunk) are read on
// this thread and do not start the read workers, whose start-up would cost more than the read; the
// first read large enough to be cut into parts starts them, and from then on every read may use them.
// The file's module state is fresh (vitest runs each test file on its own): the pool has not started.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { readWorkersStarted } from '../../src/format/arrayrecord/read-pool.js';
import { writeRecordsFile } from '../helpers/record-files.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-small-async-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const recordOf = (i: number): Uint8Array => new TextEncoder().encode(`record ${i} ${'x'.repeat(i % 300)}`);
const text = (records: readonly Uint8Array[]): string[] => records.map((record) => new TextDecoder().decode(record));
const expected = (indices: readonly number[]): string[] => text(indices.map(recordOf));

/** 40 records in 40 chunks, ~7 KB: every read of it is one part. */
const small = writeRecordsFile(path.join(dir, 'small.array_record'), 'group_size:1,zstd:1', 40, recordOf);
/** 3,000 records of up to ~300 bytes in chunks of 8, incompressible enough to span several parts. */
const large = writeRecordsFile(path.join(dir, 'large.array_record'), 'group_size:8,uncompressed', 3000, recordOf);

describe('async reads of a fresh process', () => {
  it('reads a few records, a range, a whole small file and a pass over it here, without starting the read workers', async () => {
    using reader = new ArrayRecordReader(small);
    expect(text(await reader.readAsync([39, 0, 7, 7]))).toEqual(expected([39, 0, 7, 7]));
    expect(text(await reader.readRangeAsync(5, 12))).toEqual(expected([5, 6, 7, 8, 9, 10, 11]));
    expect(text(await reader.readAllAsync())).toEqual(expected(Array.from({ length: 40 }, (_, i) => i)));
    const visited: string[] = [];
    await reader.forEachRecordAsync((record) => void visited.push(new TextDecoder().decode(record)));
    expect(visited).toEqual(expected(Array.from({ length: 40 }, (_, i) => i)));
    using largeReader = new ArrayRecordReader(large);
    expect(text(await largeReader.readAsync([2999, 1]))).toEqual(expected([2999, 1]));
    expect(readWorkersStarted()).toBe(false);
  });

  it('starts the workers for the first read of several parts, after which small reads may use them', async () => {
    using reader = new ArrayRecordReader(large);
    const all = Array.from({ length: 3000 }, (_, i) => i);
    expect(text(await reader.readAllAsync())).toEqual(expected(all));
    expect(readWorkersStarted()).toBe(true);
    expect(text(await reader.readAsync([17, 2500]))).toEqual(expected([17, 2500]));
  });
});
