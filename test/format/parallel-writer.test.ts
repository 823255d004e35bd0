// The writer's parallel chunk encoding (max_parallelism above 1): the file is byte for byte the one the
// sequential writer (max_parallelism:1) writes, for every option set; records accepted are in the file
// once close() returns; failures are never silent.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter, type WriterExtras } from '../../src/format/arrayrecord/writer.js';
import { encodeWorkersReady } from '../../src/format/arrayrecord/encode-pool.js';
import { encodeCounts, PARALLEL_ENCODING } from '../../src/format/arrayrecord/parallel-encoder.js';
import { IoError } from '../../src/format/errors.js';
import { mixedRecord, smallRecord } from '../helpers/golden.js';
import { goldenExample } from './transpose/proto-builders.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-parallel-writer-'));
const saved = { ...PARALLEL_ENCODING };

beforeAll(async () => {
  // Workers from the first batch on, and small batches: many batches in flight on few records.
  PARALLEL_ENCODING.thresholdBytes = 0;
  PARALLEL_ENCODING.batchBytes = 16 << 10;
  PARALLEL_ENCODING.batchGroups = 16;
  await encodeWorkersReady(2);
});
afterAll(() => {
  Object.assign(PARALLEL_ENCODING, saved);
  fs.rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
function written(options: string, records: readonly (Uint8Array | string)[], extras?: WriterExtras): Buffer {
  const file = path.join(dir, `f${fileCount++}.array_record`);
  const writer = new ArrayRecordWriter(file, options, extras);
  for (const record of records) writer.write(record);
  writer.close();
  return fs.readFileSync(file);
}

const mixed = Array.from({ length: 700 }, (_, i) => mixedRecord(i));
const small = Array.from({ length: 900 }, (_, i) => smallRecord(i));
const protos = Array.from({ length: 500 }, (_, i) => goldenExample(i));
const metadata: WriterExtras = { metadata: { fileComment: 'parallel', recordTypeName: 'tensorflow.Example' } };

const cases: [string, readonly (Uint8Array | string)[], WriterExtras?][] = [
  ['group_size:1,uncompressed', mixed],
  ['group_size:1', small],
  ['group_size:1,zstd:1,window_log:18', mixed],
  ['group_size:7,snappy', mixed],
  ['group_size:1,brotli:3', small],
  ['group_size:64,brotli:5,window_log:16', mixed],
  ['group_size:256,zstd:3', small],
  ['group_size:1000', small],
  ['group_size:3,uncompressed,pad_to_block_boundary:true', mixed],
  ['group_size:13,zstd:5,pad_to_block_boundary:true', small, metadata],
  ['group_size:100,transpose:true,uncompressed', protos],
  ['group_size:33,transpose:true,zstd:3,transpose_bucket_size:64', protos],
  ['group_size:1,transpose:true,brotli:6', protos, metadata],
  ['group_size:5,snappy', ['text records', 'are stored as UTF-8 ✓', '', 'x'.repeat(70_000)]],
  ['group_size:1', []],
];

describe('byte-identical to the sequential writer', () => {
  for (const [options, records, extras] of cases) {
    it(`${options}${extras ? ' with metadata' : ''} (${records.length} records)`, () => {
      const before = encodeCounts.onWorkers;
      const sequential = written(`${options},max_parallelism:1`, records, extras);
      const parallel = written(`${options},max_parallelism:2`, records, extras);
      const auto = written(options, records, extras);
      expect(parallel.equals(sequential)).toBe(true);
      expect(auto.equals(sequential)).toBe(true);
      if (records.length > 0) expect(encodeCounts.onWorkers).toBeGreaterThan(before);
    });
  }

  it('records accepted are read back once close() returns, and the caller may reuse its buffer', () => {
    const file = path.join(dir, 'reuse.array_record');
    const writer = new ArrayRecordWriter(file, 'group_size:4,zstd:3,max_parallelism:2');
    const buffer = new Uint8Array(3000);
    for (let i = 0; i < 2000; i++) {
      buffer.fill(i & 0xff);
      writer.write(buffer.subarray(0, (i * 37) % 3000));
      buffer.fill(0xee);
    }
    writer.close();
    const reader = new ArrayRecordReader(file);
    const records = reader.readAll();
    expect(records.length).toBe(2000);
    records.forEach((record, i) => {
      expect(record.length).toBe((i * 37) % 3000);
      expect(record.every((byte) => byte === (i & 0xff))).toBe(true);
    });
    reader.close();
  });

  it('interleaved writers keep their own chunks', () => {
    const files = [0, 1, 2].map((w) => path.join(dir, `interleaved-${w}.array_record`));
    const writers = files.map((file, w) => new ArrayRecordWriter(file, `group_size:${w + 1},zstd:${w + 1},max_parallelism:2`));
    for (let i = 0; i < 600; i++) writers.forEach((writer, w) => writer.write(smallRecord(i * 3 + w)));
    writers.forEach((writer) => writer.close());
    files.forEach((file, w) => {
      const expected = written(`group_size:${w + 1},zstd:${w + 1},max_parallelism:1`, Array.from({ length: 600 }, (_, i) => smallRecord(i * 3 + w)));
      expect(fs.readFileSync(file).equals(expected)).toBe(true);
    });
  });
});

describe('failures are never silent', () => {
  it('a full disk fails a write() or close(), and the writer stays failed', () => {
    const writer = new ArrayRecordWriter('/dev/full', 'group_size:1,zstd:1,max_parallelism:2');
    let failure: unknown;
    try {
      for (let i = 0; i < 4000; i++) writer.write(smallRecord(i));
    } catch (error) {
      failure = error;
    }
    // The first close() throws, whether write() already did or not; later ones do not.
    expect(() => writer.close()).toThrow(IoError);
    expect(failure === undefined || failure instanceof IoError).toBe(true);
    expect(writer.ok()).toBe(false);
    expect(() => writer.close()).not.toThrow();
  });
});
