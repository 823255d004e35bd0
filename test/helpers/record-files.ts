// Small files of generated records for the read tests, and damage done to one record of them.

import fs from 'node:fs';
import { expect } from 'vitest';
import { ArrayRecordWriter } from '../../src/index.js';

/** Writes records recordOf(0..count-1) to `file` with the writer options `options`; returns `file`. */
export function writeRecordsFile(file: string, options: string, count: number, recordOf: (i: number) => Uint8Array): string {
  const writer = new ArrayRecordWriter(file, options);
  for (let i = 0; i < count; i++) writer.write(recordOf(i));
  writer.close();
  return file;
}

/**
 * Flips the bits `mask` of the byte `at` bytes into `record` where `file` stores it (an uncompressed
 * file holds its records as written), so that the hash of the record's chunk fails.
 */
export function damageStoredRecord(file: string, record: Uint8Array, at: number, mask: number): void {
  const bytes = fs.readFileSync(file);
  const start = bytes.indexOf(Buffer.from(record));
  expect(start, 'the record is stored as written').toBeGreaterThanOrEqual(0);
  bytes[start + at] = bytes[start + at]! ^ mask;
  fs.writeFileSync(file, bytes);
}
