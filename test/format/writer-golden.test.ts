// Our writer reproduces Google's uncompressed golden files byte for byte, and the canonical options string of each.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { parseWriterOptions, writerOptionsToString } from '../../src/format/arrayrecord/writer-options.js';
import { goldenArrayRecordFiles, goldenPath, mixedRecord, smallRecord } from '../helpers/golden.js';
import { goldenExample } from './transpose/proto-builders.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-writer-golden-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeFile(name: string, options: string, records: Iterable<Uint8Array>): Buffer {
  const file = path.join(dir, name);
  const writer = new ArrayRecordWriter(file, options);
  for (const record of records) writer.write(record);
  writer.close();
  return fs.readFileSync(file);
}

function* generate(count: number, rule: (i: number) => Uint8Array): Iterable<Uint8Array> {
  for (let i = 0; i < count; i++) yield rule(i);
}

describe('byte-identical output', () => {
  it('uncompressed_g1_small', () => {
    const ours = writeFile('a', 'group_size:1,uncompressed', generate(1000, smallRecord));
    expect(ours.equals(fs.readFileSync(goldenPath('uncompressed_g1_small.array_record')))).toBe(true);
  });

  it('uncompressed_g16_mixed (records crossing block boundaries)', () => {
    const ours = writeFile('b', 'group_size:16,uncompressed', generate(600, mixedRecord));
    expect(ours.equals(fs.readFileSync(goldenPath('uncompressed_g16_mixed.array_record')))).toBe(true);
  });

  it('the digits files Google ships in python/testdata', () => {
    for (const [name, first] of [
      ['digits.array_record-00000-of-00002', 0],
      ['digits.array_record-00001-of-00002', 5],
    ] as const) {
      const ours = writeFile(name, 'uncompressed', generate(5, (i) => new TextEncoder().encode(String(first + i))));
      expect(ours.equals(fs.readFileSync(goldenPath(name)))).toBe(true);
    }
  });
});

describe('canonical options string', () => {
  for (const golden of goldenArrayRecordFiles()) {
    if (golden.options === null) continue;
    it(`${golden.options} -> ${golden.writer_options_string}`, () => {
      expect(writerOptionsToString(parseWriterOptions(golden.options!), 1)).toBe(golden.writer_options_string);
    });
  }
});

describe('byte-identical transposed output', () => {
  it('tfex_transpose_uncompressed_g100', () => {
    const ours = writeFile('t', 'group_size:100,transpose:true,uncompressed', generate(500, goldenExample));
    expect(ours.equals(fs.readFileSync(goldenPath('tfex_transpose_uncompressed_g100.array_record')))).toBe(true);
  });
});
