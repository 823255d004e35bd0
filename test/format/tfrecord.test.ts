// TFRecord reading: the real TensorFlow file from Grain's test data, CRC checks, and truncation.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClosedError, CorruptFileError } from '../../src/format/errors.js';
import { crc32c, maskedCrc32c } from '../../src/format/tfrecord/crc32c.js';
import { TFRecordReader } from '../../src/format/tfrecord/tfrecord-reader.js';
import { goldenPath } from '../helpers/golden.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfrecord-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const MORRIS = goldenPath('morris_sequence_first_5.tfrecord');

describe('CRC-32C', () => {
  it('matches the standard check values', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(maskedCrc32c(new Uint8Array(0))).toBe(0xa282ead8);
  });
});

describe('TFRecordReader', () => {
  it('reads the look-and-say records TensorFlow wrote', () => {
    using reader = new TFRecordReader(MORRIS);
    expect([...reader].map((record) => new TextDecoder().decode(record))).toEqual(['1', '1 1', '2 1', '1 2 1 1', '1 1 1 2 2 1']);
    expect(reader.read()).toBeUndefined();
  });

  it('detects every flipped byte and truncation', () => {
    const bytes = fs.readFileSync(MORRIS);
    const file = path.join(dir, 'damaged.tfrecord');
    for (let offset = 0; offset < bytes.length; offset++) {
      const damaged = Buffer.from(bytes);
      damaged[offset] = damaged[offset]! ^ 0x20;
      fs.writeFileSync(file, damaged);
      expect(() => [...new TFRecordReader(file)], `offset ${offset}`).toThrow(CorruptFileError);
    }
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 1));
    expect(() => [...new TFRecordReader(file)]).toThrow(/truncated/);
  });

  it('is closed after close()', () => {
    const reader = new TFRecordReader(MORRIS);
    reader.close();
    reader.close();
    expect(() => reader.read()).toThrow(ClosedError);
  });
});
