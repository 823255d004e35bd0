// Chunks that block headers interrupt (any chunk of 64 KiB or more) are put back together in one
// reused scratch per thread before they are decoded. Records of an uncompressed chunk view that data,
// so they must be copied out: every read API returns records that are exact and stay exact after
// later reads of other straddling chunks reuse the scratch.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { writeRecordsFile } from '../helpers/record-files.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-straddling-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 48 records of 20-40 KB, each filled with its own byte: a chunk of 4 spans two or three 64 KiB blocks. */
const records = Array.from({ length: 48 }, (_, i) => new Uint8Array(20_000 + ((i * 7919) % 20_000)).fill(i + 1));
const same = (actual: readonly (Uint8Array | undefined)[], indices: readonly number[]): void => {
  expect(actual.length).toBe(indices.length);
  actual.forEach((record, k) => {
    const expected = records[indices[k]!]!;
    expect(record?.length, `record at position ${k}`).toBe(expected.length);
    expect(Buffer.compare(Buffer.from(record!), Buffer.from(expected)), `record ${indices[k]}`).toBe(0);
  });
};
const all = records.map((_, i) => i);

describe('chunks interrupted by block headers', () => {
  for (const codec of ['uncompressed', 'zstd', 'snappy', 'brotli:1', 'uncompressed,transpose:true']) {
    it(`every read returns records that outlive later reads (${codec})`, async () => {
      const file = writeRecordsFile(path.join(dir, `${codec.replace(/\W/g, '_')}.array_record`), `group_size:4,${codec}`, records.length, (i) => records[i]!);
      const reader = new ArrayRecordReader(file);
      const kept: { records: (Uint8Array | undefined)[]; indices: number[] }[] = [];
      const keep = (got: (Uint8Array | undefined)[], indices: number[]): void => void kept.push({ records: got, indices });
      keep(reader.readAll(), all);
      keep(reader.read([5, 40, 6, 0, 47]), [5, 40, 6, 0, 47]);
      keep(reader.read(8, 20), all.slice(8, 20));
      keep(reader.read([33]), [33]);
      keep([reader.read(), reader.read(), reader.read()], [0, 1, 2]);
      const sequential: Uint8Array[] = [];
      for await (const record of reader.records(10, 30)) sequential.push(record);
      keep(sequential, all.slice(10, 30));
      keep(await reader.readRangeAsync(30, 40), all.slice(30, 40));
      const copies: Uint8Array[] = [];
      reader.forEachRecord((record) => void copies.push(record.slice()));
      keep(copies, all);
      keep(await reader.readAllAsync(), all);
      keep(await reader.readAsync([47, 1, 22]), [47, 1, 22]);
      const asyncCopies: Uint8Array[] = [];
      await reader.forEachRecordAsync((record) => void asyncCopies.push(record.slice()));
      keep(asyncCopies, all);
      // Reads of other chunks after all of the above: nothing kept may have changed.
      reader.read([3, 44, 17]);
      await reader.readAsync([29, 2]);
      for (const { records: got, indices } of kept) same(got, indices);
      reader.close();
    });
  }

  it('a record visited by forEachRecord is exact while the callback runs, chunk after chunk', () => {
    const file = writeRecordsFile(path.join(dir, 'visit.array_record'), 'group_size:4,uncompressed', records.length, (i) => records[i]!);
    const reader = new ArrayRecordReader(file);
    const seen: number[] = [];
    reader.forEachRecord((record, index) => {
      expect(record.length).toBe(records[index]!.length);
      expect(record.every((byte) => byte === index + 1)).toBe(true);
      seen.push(index);
    });
    expect(seen).toEqual(all);
    reader.close();
  });
});
