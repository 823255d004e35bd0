// read() reads ahead runs of chunks; a compressed file's runs go into one reused buffer, the records
// decoded out of it, and an uncompressed file's records (views of what was read) are copied out of it
// the first time, then read into memory of their own. Every record read must stay exact whatever is
// read after it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { writeRecordsFile } from '../helpers/record-files.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-sequential-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 1,500 records of 1-2 KB (~2.2 MB: runs of 256 KiB, the least read-ahead, are many). */
const COUNT = 1500;
const recordOf = (i: number): Uint8Array => {
  const record = new Uint8Array(1000 + ((i * 7919) % 1000));
  for (let j = 0; j < record.length; j++) record[j] = (i * 31 + j) % 251;
  return record;
};

/** A compressed file of other records, read in between. */
const otherFile = writeRecordsFile(path.join(dir, 'other.array_record'), 'group_size:2,zstd', COUNT, (i) => recordOf(i + 7).reverse());

describe('read() across read-ahead runs', () => {
  for (const options of ['group_size:1,uncompressed', 'group_size:1,zstd', 'group_size:8,snappy', 'group_size:3,brotli:2', 'group_size:40,uncompressed']) {
    it(`returns records that stay exact (${options})`, () => {
      const file = writeRecordsFile(path.join(dir, `${options.replace(/\W/g, '_')}.array_record`), options, COUNT, recordOf);
      using reader = new ArrayRecordReader(file, 'readahead_buffer_size:1');
      const kept: Uint8Array[] = [];
      for (let i = 0; i < COUNT; i++) kept.push(reader.read());
      // Read again from the start, and another file after: their runs land where the first ones did.
      reader.seek(0);
      for (let i = 0; i < COUNT; i++) reader.read();
      using other = new ArrayRecordReader(otherFile, 'readahead_buffer_size:1');
      for (let i = 0; i < COUNT; i++) other.read();
      kept.forEach((record, i) => expect(Buffer.compare(Buffer.from(record), Buffer.from(recordOf(i))), `record ${i}`).toBe(0));
    });
  }
});
