// The writer's auto parallelism (measured window by window: workers or the writer's thread alone) and
// its group buffers' growth: the file is byte for byte the sequential writer's whichever way each
// batch was encoded, and a group too large for one buffer fails with a typed error.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { encodeWorkersReady } from '../../src/format/arrayrecord/encode-pool.js';
import { encodeCounts, PARALLEL_ENCODING } from '../../src/format/arrayrecord/parallel-encoder.js';
import { GroupBuffer, grownBuffer, grownCapacity, MAX_GROUP_BYTES } from '../../src/format/arrayrecord/group-buffer.js';
import { InvalidArgumentError } from '../../src/format/errors.js';
import { mixedRecord, smallRecord } from '../helpers/golden.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-writer-adaptive-'));
const saved = { ...PARALLEL_ENCODING };

beforeAll(async () => {
  // Workers from the first batch on, small batches and windows of two batches: many switches on few records.
  Object.assign(PARALLEL_ENCODING, { thresholdBytes: 0, batchBytes: 8 << 10, batchGroups: 8, windowBytes: 0, windowBatches: 2, keepWindows: 1 });
  await encodeWorkersReady(2);
});
afterAll(() => {
  Object.assign(PARALLEL_ENCODING, saved);
  fs.rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
function written(options: string, records: readonly Uint8Array[]): Buffer {
  const file = path.join(dir, `f${fileCount++}.array_record`);
  const writer = new ArrayRecordWriter(file, options);
  for (const record of records) writer.write(record);
  writer.close();
  return fs.readFileSync(file);
}

const small = Array.from({ length: 3000 }, (_, i) => smallRecord(i));
const mixed = Array.from({ length: 800 }, (_, i) => mixedRecord(i));

describe('auto parallelism measures both ways and switches', () => {
  const cases: [string, readonly Uint8Array[]][] = [
    ['group_size:1', small],
    ['group_size:1,brotli:3', small],
    ['group_size:16,zstd:3', mixed],
    ['group_size:5,transpose:true,zstd:1', small],
    ['group_size:9,brotli:5,pad_to_block_boundary:true', mixed],
  ];
  for (const [options, records] of cases) {
    it(`${options}: byte-identical to max_parallelism:1 across switches`, () => {
      const switches = encodeCounts.switches;
      const auto = written(options, records);
      expect(encodeCounts.switches).toBeGreaterThan(switches);
      expect(auto.equals(written(`${options},max_parallelism:1`, records))).toBe(true);
    });
  }

  it('a max_parallelism given keeps the workers: no switch', () => {
    const switches = encodeCounts.switches;
    const workers = encodeCounts.onWorkers;
    const parallel = written('group_size:1,zstd:3,max_parallelism:2', small);
    expect(encodeCounts.switches).toBe(switches);
    expect(encodeCounts.onWorkers).toBeGreaterThan(workers);
    expect(parallel.equals(written('group_size:1,zstd:3,max_parallelism:1', small))).toBe(true);
  });
});

describe('group buffers', () => {
  it('grow to the size the group promises, not by doubling', () => {
    // 100 of 1000 records took 100 kB: room for the rest and a sixteenth more, at once.
    const capacity = grownCapacity(128 << 10, 100_500, 100_000, 100, 1000);
    expect(capacity).toBeGreaterThanOrEqual(1_000_000);
    expect(capacity).toBeLessThan(1_100_000);
    // Few records seen, or the group's last record: doubling, or what is needed.
    expect(grownCapacity(64 << 10, 70_000, 65_000, 3, 1000)).toBe(128 << 10);
    expect(grownCapacity(1 << 20, (1 << 20) + 5, 1 << 20, 999, 1000)).toBeGreaterThanOrEqual((1 << 20) * 1.125);
  });

  it('a large group reads back whole', () => {
    const records = Array.from({ length: 3000 }, (_, i) => mixedRecord(i));
    for (const options of ['group_size:3000,zstd:1', 'group_size:3000,zstd:1,max_parallelism:1', 'group_size:1000,uncompressed,max_parallelism:2']) {
      const file = path.join(dir, `large-${fileCount++}.array_record`);
      const writer = new ArrayRecordWriter(file, options);
      for (const record of records) writer.write(record);
      writer.close();
      const reader = new ArrayRecordReader(file);
      const read = reader.readAll();
      reader.close();
      expect(read.length).toBe(records.length);
      read.forEach((record, i) => expect(Buffer.from(record).equals(Buffer.from(records[i]!))).toBe(true));
    }
    const buffer = new GroupBuffer(50);
    for (let i = 0; i < 50; i++) buffer.add(records[i]!);
    expect(buffer.contents().records.map((record) => record.length)).toEqual(records.slice(0, 50).map((record) => record.length));
  });

  it("a closed writer's large group buffer serves the next writer, whose file is still byte-identical", () => {
    // Groups of 3000 records reach ~5 MB: buffers past 4 MiB are kept for the next writer, stale bytes and all.
    const records = Array.from({ length: 6000 }, (_, i) => mixedRecord(i));
    const reversed = [...records].reverse();
    for (const options of ['group_size:3000,zstd:1,max_parallelism:1', 'group_size:3000,zstd:1,max_parallelism:2', 'group_size:3000,zstd:1']) {
      const first = written(options, records);
      const second = written(options, reversed);
      expect(first.equals(written('group_size:3000,zstd:1,max_parallelism:1', records))).toBe(true);
      expect(second.equals(written('group_size:3000,zstd:1,max_parallelism:1', reversed))).toBe(true);
    }
  });

  it('more than one buffer holds fails with a typed error, not a RangeError', () => {
    expect(() => grownCapacity(1 << 30, MAX_GROUP_BYTES + 1, 1 << 30, 1000, 65_536)).toThrow(InvalidArgumentError);
    // A length no Node allocates (Node 22 and later allocate more than MAX_GROUP_BYTES, lazily).
    expect(() => grownBuffer(new Uint8Array(4), 4, Number.MAX_SAFE_INTEGER)).toThrow(InvalidArgumentError);
  });
});
