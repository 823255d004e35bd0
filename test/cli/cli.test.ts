// The array-record command, run as a user runs it: info, cat, convert, verify, and its exit codes.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { bytesFeature, encodeSequenceExample, int64Feature } from '../../src/example/index.js';
import { goldenPath } from '../helpers/golden.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const CLI = fileURLToPath(new URL('../../bin/array-record.ts', import.meta.url));

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('array-record CLI', () => {
  it('info shows counts, options and metadata', () => {
    const { code, stdout } = run('info', goldenPath('metadata_zstd3_g10_small.array_record'));
    expect(code).toBe(0);
    expect(stdout).toContain('records:         100');
    expect(stdout).toContain('group size:      10');
    expect(stdout).toContain('"fileComment":"golden"');
  });

  it('cat prints a range of records', () => {
    expect(run('cat', goldenPath('digits.array_record-00001-of-00002'), '--start', '1', '--end', '3').stdout).toBe('6\n7\n');
    expect(run('cat', goldenPath('digits.array_record-00000-of-00002'), '--end', '1', '--as', 'hex').stdout).toBe('30\n');
  });

  it('cat prints tf.Examples as JSON: int64 and float lists as numbers, text bytes as text, other bytes as base64', () => {
    const { code, stdout } = run('cat', goldenPath('tfex_zstd3_g1.array_record'), '--start', '3', '--end', '4', '--as', 'example');
    expect(code).toBe(0);
    const example = JSON.parse(stdout) as Record<string, Record<string, unknown[]>>;
    expect(example.label).toEqual({ int64List: [3] });
    expect(example.score).toEqual({ floatList: [1.5, -0.75] });
    expect(example.name).toEqual({ bytesList: ['ex3'] });
    expect(Buffer.from((example.image!.bytesList![0] as { base64: string }).base64, 'base64').length).toBe(784);
    const notExamples = run('cat', goldenPath('digits.array_record-00000-of-00002'), '--as', 'example');
    expect(notExamples.code).toBe(1);
    expect(notExamples.stderr).toMatch(/array-record: not a serialized Example/);
  });

  it('cat prints SequenceExamples as JSON: context and feature lists', () => {
    const file = path.join(dir, 'sequences.array_record');
    const writer = new ArrayRecordWriter(file, 'group_size:1');
    writer.write(encodeSequenceExample({ context: { length: int64Feature([2]) }, featureLists: { tokens: [int64Feature([1, 2]), bytesFeature(['é', new Uint8Array([0xff])])] } }));
    writer.close();
    const { code, stdout } = run('cat', file, '--as', 'sequence-example');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      context: { length: { int64List: [2] } },
      featureLists: { tokens: [{ int64List: [1, 2] }, { bytesList: ['é', { base64: '/w==' }] }] },
    });
  });

  it('converts a TFRecord file and verifies the result', () => {
    const output = path.join(dir, 'morris.array_record');
    const converted = run('convert', goldenPath('morris_sequence_first_5.tfrecord'), output, '--options', 'group_size:2,brotli');
    expect(converted.code).toBe(0);
    expect(converted.stdout).toContain('5 records, group_size:2');
    expect(run('cat', output).stdout).toBe('1\n1 1\n2 1\n1 2 1 1\n1 1 1 2 2 1\n');
    expect(run('verify', output)).toMatchObject({ code: 0, stdout: `${output}: ok, 5 records\n` });
  });

  it('converts several inputs, in order, into shards of contiguous ranges', () => {
    const output = path.join(dir, 'all.array_record');
    const inputs = [goldenPath('morris_sequence_first_5.tfrecord'), goldenPath('digits.array_record-00000-of-00002'), goldenPath('digits.array_record-00001-of-00002')];
    const converted = run('convert', ...inputs, output, '--shards', '4', '--options', 'group_size:2');
    expect(converted.code, converted.stderr).toBe(0);
    const shards = [0, 1, 2, 3].map((k) => `${output}-0000${k}-of-00004`);
    expect(converted.stdout.split('\n').filter(Boolean).map((line) => line.split(', ')[0])).toEqual(
      shards.map((shard, k) => `${shard}: ${[3, 4, 4, 4][k]} records`),
    );
    const printed = shards.map((shard) => run('cat', shard).stdout).join('');
    expect(printed).toBe(['1', '1 1', '2 1', '1 2 1 1', '1 1 1 2 2 1', ...'0123456789'].map((line) => `${line}\n`).join(''));
    const tooMany = run('convert', goldenPath('digits.array_record-00000-of-00002'), path.join(dir, 'few.array_record'), '--shards', '7');
    expect(tooMany.stdout).toContain('few.array_record-00000-of-00007: 0 records');
    expect(tooMany.stdout).toContain('few.array_record-00006-of-00007: 1 record,');
    expect(run('convert', inputs[0]!, output, '--shards', '0').stderr).toMatch(/--shards takes a positive integer, got "0"/);
    expect(run('convert', inputs[0]!, output, '--shards', 'x').stderr).toMatch(/--shards takes a non-negative integer/);
  });

  it('verify fails with exit code 1 on a damaged file', () => {
    const bytes = fs.readFileSync(goldenPath('zstd3_g1_mixed.array_record'));
    bytes[1000] = bytes[1000]! ^ 1;
    const damaged = path.join(dir, 'damaged.array_record');
    fs.writeFileSync(damaged, bytes);
    const { code, stdout } = run('verify', damaged);
    expect(code).toBe(1);
    expect(stdout).toMatch(/hash mismatch/);
  });

  it('usage errors and bad input', () => {
    expect(run().code).toBe(2);
    expect(run('--help').code).toBe(0);
    expect(run('frobnicate', 'x').code).toBe(2);
    const missing = run('info', path.join(dir, 'nope'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/array-record: cannot open file/);
    expect(run('cat', goldenPath('digits.array_record-00000-of-00002'), '--as', 'rot13').stderr).toMatch(/--as must be utf8, hex, base64, example, sequence-example; got "rot13"/);
  });
});
