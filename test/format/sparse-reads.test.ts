// Sparse reads (a few records of each large chunk): each chunk is decoded into a reused buffer, with
// zstd only up to the last record asked for (zstd blocks are at most 128 KiB, so chunks here span
// several), and only the records asked for are copied out. They must be exactly right, own their
// bytes, and stay valid after later reads reuse that buffer.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-sparse-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 2,000 records of 600-1,400 bytes: chunks of 500 records hold ~500 KB, several zstd blocks each. */
const records = Array.from({ length: 2000 }, (_, i) => new TextEncoder().encode(`record ${i}:`.padEnd(600 + ((i * 7919) % 800), String.fromCharCode(97 + (i % 26)))));
const text = (record: Uint8Array | undefined): string => (record === undefined ? '(missing)' : Buffer.from(record).toString());

function write(options: string): string {
  const file = path.join(dir, `${options.replace(/\W/g, '_')}.array_record`);
  const writer = new ArrayRecordWriter(file, options);
  for (const record of records) writer.write(record);
  writer.close();
  return file;
}

/**
 * A few of each chunk's 500 records, shuffled, with a repeat: chunks 0-2 are decoded only part of the
 * way (up to records 250, 620 and 1002), chunk 3 to its last record.
 */
const indices = [250, 0, 1999, 1500, 620, 1001, 1002, 0, 1750, 501, 1501];

describe('sparse reads of large chunks', () => {
  for (const codec of ['zstd', 'zstd:19', 'snappy', 'brotli', 'uncompressed', 'zstd,transpose:true']) {
    it(`read, readAsync and readAvailable return the records asked for (${codec})`, async () => {
      const reader = new ArrayRecordReader(write(`group_size:500,${codec}`));
      const expected = indices.map((i) => text(records[i]));
      const sync = reader.read(indices);
      expect(sync.map(text)).toEqual(expected);
      expect((await reader.readAsync(indices)).map(text)).toEqual(expected);
      expect(reader.readAvailable(indices).records.map(text)).toEqual(expected);
      // Later reads decode other chunks into the same buffer: the records read before keep their bytes.
      reader.read([1, 1001, 1998]);
      await reader.readAsync([2, 1002]);
      expect(sync.map(text)).toEqual(expected);
      // Each record has bytes of its own: the repeated index is two copies, and writing one changes nothing else.
      expect(sync[1]!.buffer === sync[7]!.buffer && sync[1]!.byteOffset === sync[7]!.byteOffset).toBe(false);
      sync[1]!.fill(0);
      expect(text(sync[7])).toBe(text(records[0]));
      reader.close();
    });
  }
});
