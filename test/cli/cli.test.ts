// The array-record command, run as a user runs it: info, cat, head, sample, convert, write, verify,
// their --help, --version and --json, and the exit statuses of the README (0 ok, 1 data, 2 usage).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { bytesFeature, encodeSequenceExample, int64Feature } from '../../src/example/index.js';
import { goldenPath } from '../helpers/golden.js';
import { run, runBinary } from '../helpers/run-cli.js';
import { expectSameBytes } from '../helpers/same-bytes.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const DIGITS_0 = goldenPath('digits.array_record-00000-of-00002');
const DIGITS_1 = goldenPath('digits.array_record-00001-of-00002');
const MORRIS = goldenPath('morris_sequence_first_5.tfrecord');
const version = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('array-record CLI', () => {
  it('info shows counts, options and metadata', () => {
    const { code, stdout } = run(['info', goldenPath('metadata_zstd3_g10_small.array_record')]);
    expect(code).toBe(0);
    expect(stdout).toContain('records:         100');
    expect(stdout).toContain('group size:      10');
    expect(stdout).toContain('"fileComment":"golden"');
  });

  it('info describes TFRecord and plain Riegeli files, goes on past bad files and says what each is', () => {
    const text = path.join(dir, 'notes.json');
    fs.writeFileSync(text, '{"a": 1}\n');
    const { code, stdout, stderr } = run(['info', MORRIS, path.join(dir, 'nope'), dir, text, goldenPath('plain_riegeli_small.riegeli'), DIGITS_0]);
    expect(code).toBe(1);
    expect(stdout).toContain(`${MORRIS}\n  format:          tfrecord\n  records:         5`);
    expect(stdout).toContain('format:          riegeli\n  records:         1000');
    expect(stdout).toContain(`${DIGITS_0}\n  format:          array_record\n  records:         5`);
    expect(stderr).toMatch(/array-record: cannot open file: .*nope/);
    expect(stderr).toMatch(/array-record: is a directory, not a file of records/);
    expect(stderr).toMatch(/array-record: not a file of records: it looks like JSON text/);
  });

  it('info --json: one object with every file, good or bad', () => {
    const { code, stdout } = run(['info', '--json', DIGITS_0, path.join(dir, 'nope')]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { ok: boolean; files: Record<string, unknown>[] };
    expect(report.ok).toBe(false);
    expect(report.files[0]).toMatchObject({ path: DIGITS_0, ok: true, format: 'array_record', records: 5, groupSize: 1, fileSize: 131072 });
    expect(report.files[1]).toMatchObject({ ok: false, error: { code: 'ERR_IO' } });
  });

  it('cat prints a range of records', () => {
    expect(run(['cat', DIGITS_1, '--start', '1', '--end', '3']).stdout).toBe('6\n7\n');
    expect(run(['cat', DIGITS_0, '--end', '1', '--as', 'hex']).stdout).toBe('30\n');
    expect(run(['cat', MORRIS, '--start', '3']).stdout).toBe('1 2 1 1\n1 1 1 2 2 1\n');
    expect(run(['cat', DIGITS_0, DIGITS_1]).stdout).toBe('0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n');
  });

  it('cat --start or --end past the end is a usage error (exit 2) with the record count', () => {
    const past = run(['cat', DIGITS_0, '--start', '10']);
    expect(past).toMatchObject({ code: 2, stdout: '' });
    expect(past.stderr).toMatch(/--start 10 is past the end: .* has 5 records \(0 to 4\)/);
    expect(run(['cat', DIGITS_0, '--start', '5']).code).toBe(2);
    expect(run(['cat', DIGITS_0, '--end', '6']).stderr).toMatch(/--end 6 is past the end: .* has 5 records/);
    expect(run(['cat', MORRIS, '--start', '7']).code).toBe(2);
    expect(run(['cat', DIGITS_0, '--start', '3', '--end', '2']).stderr).toMatch(/--end 2 is before --start 3/);
  });

  it('cat --as json and framed round-trip any bytes through write', () => {
    const file = path.join(dir, 'binary.array_record');
    const writer = new ArrayRecordWriter(file, 'group_size:2');
    const records = [Uint8Array.of(0xff, 0, 1), new TextEncoder().encode('text\nwith newline'), new Uint8Array(0), Uint8Array.of(0xef, 0xbb, 0xbf, 0x41)];
    for (const record of records) writer.write(record);
    writer.close();
    const json = run(['cat', file, '--as', 'json']);
    expect(json.stdout.split('\n').slice(0, 3)).toEqual(['{"base64":"/wAB"}', '"text\\nwith newline"', '""']);
    const fromJson = path.join(dir, 'from-json.array_record');
    expect(run(['write', fromJson, '--from', 'jsonl', '--options', 'group_size:2'], json.stdout).code).toBe(0);
    const framed = runBinary(['cat', file, '--as', 'framed']);
    const fromFramed = path.join(dir, 'from-framed.array_record');
    expect(runBinary(['write', fromFramed, '--from', 'framed', '--options', 'group_size:2'], framed.stdout).code).toBe(0);
    expectSameBytes(fs.readFileSync(fromJson), fs.readFileSync(file));
    expectSameBytes(fs.readFileSync(fromFramed), fs.readFileSync(file));
  });

  it('cat prints tf.Examples as JSON: int64 and float lists as numbers, text bytes as text, other bytes as base64', () => {
    const { code, stdout } = run(['cat', goldenPath('tfex_zstd3_g1.array_record'), '--start', '3', '--end', '4', '--as', 'example']);
    expect(code).toBe(0);
    const example = JSON.parse(stdout) as Record<string, Record<string, unknown[]>>;
    expect(example.label).toEqual({ int64List: [3] });
    expect(example.score).toEqual({ floatList: [1.5, -0.75] });
    expect(example.name).toEqual({ bytesList: ['ex3'] });
    expect(Buffer.from((example.image!.bytesList![0] as { base64: string }).base64, 'base64').length).toBe(784);
    const notExamples = run(['cat', DIGITS_0, '--as', 'example']);
    expect(notExamples.code).toBe(1);
    expect(notExamples.stderr).toMatch(/array-record: record 0: not a serialized Example: .*\(.*digits\.array_record-00000-of-00002\)\n/);
    // The record that does not decode is named by its index in its file, for every command and input.
    const named = (args: string[], index: number, file: string): void => {
      const result = run(args);
      expect(result.code).toBe(1);
      expect(result.stderr.split('\n')[0]).toMatch(new RegExp(`^array-record: record ${index}: not a serialized Example: .*\\(.*${file}\\)$`));
    };
    named(['cat', DIGITS_1, '--start', '2', '--as', 'example'], 2, 'digits\\.array_record-00001-of-00002');
    named(['head', '-n', '3', MORRIS, '--as', 'example'], 0, 'morris_sequence_first_5\\.tfrecord');
    named(['sample', '-n', '1', '--seed', '3', DIGITS_1, '--as', 'example'], Number(run(['sample', '-n', '1', '--seed', '3', DIGITS_1]).stdout) - 5, 'digits\\.array_record-00001-of-00002');
  });

  it('cat prints SequenceExamples as JSON: context and feature lists', () => {
    const file = path.join(dir, 'sequences.array_record');
    const writer = new ArrayRecordWriter(file, 'group_size:1');
    writer.write(encodeSequenceExample({ context: { length: int64Feature([2]) }, featureLists: { tokens: [int64Feature([1, 2]), bytesFeature(['é', new Uint8Array([0xff])])] } }));
    writer.close();
    const { code, stdout } = run(['cat', file, '--as', 'sequence-example']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      context: { length: { int64List: [2] } },
      featureLists: { tokens: [{ int64List: [1, 2] }, { bytesList: ['é', { base64: '/w==' }] }] },
    });
  });

  it('head prints the first records; sample draws the same records for the same seed, in file order', () => {
    expect(run(['head', '-n', '2', DIGITS_1]).stdout).toBe('5\n6\n');
    expect(run(['head', '-n', '9', MORRIS]).stdout.split('\n')).toHaveLength(6);
    const first = run(['sample', '-n', '3', '--seed', '7', goldenPath('uncompressed_g1_small.array_record'), '--as', 'hex']);
    const again = run(['sample', '-n', '3', '--seed', '7', goldenPath('uncompressed_g1_small.array_record'), '--as', 'hex']);
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect(again.stdout).toBe(first.stdout);
    expect(run(['sample', '-n', '10', MORRIS]).stdout).toBe('1\n1 1\n2 1\n1 2 1 1\n1 1 1 2 2 1\n');
  });

  it('takes shard patterns as ArrayRecordDataSource does: name@N and * in the file name', () => {
    const digits = goldenPath('digits.array_record');
    expect(run(['head', '-n', '1', `${digits}@2`]).stdout).toBe('0\n5\n');
    expect(run(['cat', goldenPath('digits.array_record-*-of-00002')]).stdout).toBe('0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n');
    // A file whose name looks like a pattern is that file.
    const literal = path.join(dir, 'literal@2');
    fs.copyFileSync(DIGITS_1, literal);
    expect(run(['head', '-n', '1', literal]).stdout).toBe('5\n');
    const none = run(['info', path.join(dir, 'nothing-*')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no file matches the shard pattern .*nothing-\*/);
    expect(run(['info', `${digits}@0`]).code).toBe(2);
  });

  it('converts a TFRecord file and verifies the result', () => {
    const output = path.join(dir, 'morris.array_record');
    const converted = run(['convert', MORRIS, output, '--options', 'group_size:2,brotli']);
    expect(converted.code).toBe(0);
    expect(converted.stdout).toContain('5 records, group_size:2');
    expect(run(['cat', output]).stdout).toBe('1\n1 1\n2 1\n1 2 1 1\n1 1 1 2 2 1\n');
    expect(run(['verify', output])).toMatchObject({ code: 0, stdout: `${output}: ok, 5 records\n` });
  });

  it('converts several inputs, in order, into shards of contiguous ranges', () => {
    const output = path.join(dir, 'all.array_record');
    const inputs = [MORRIS, DIGITS_0, DIGITS_1];
    const converted = run(['convert', ...inputs, output, '--shards', '4', '--options', 'group_size:2']);
    expect(converted.code, converted.stderr).toBe(0);
    const shards = [0, 1, 2, 3].map((k) => `${output}-0000${k}-of-00004`);
    expect(converted.stdout.split('\n').filter(Boolean).map((line) => line.split(', ')[0])).toEqual(
      shards.map((shard, k) => `${shard}: ${[3, 4, 4, 4][k]} records`),
    );
    const printed = run(['cat', ...shards]).stdout;
    expect(printed).toBe(['1', '1 1', '2 1', '1 2 1 1', '1 1 1 2 2 1', ...'0123456789'].map((line) => `${line}\n`).join(''));
    const tooMany = run(['convert', DIGITS_0, path.join(dir, 'few.array_record'), '--shards', '7']);
    expect(tooMany.stdout).toContain('few.array_record-00000-of-00007: 0 records');
    expect(tooMany.stdout).toContain('few.array_record-00006-of-00007: 1 record,');
    expect(run(['convert', MORRIS, output, '--shards', '0'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--shards takes a positive integer, got "0"/) as unknown });
    expect(run(['convert', MORRIS, output, '--shards', 'x']).stderr).toMatch(/--shards takes a positive integer, got "x"/);
  });

  it('convert writes TFRecord (masked CRC-32C), plain or gzip, to a file or to stdout, and reads it back', () => {
    const tfrecord = path.join(dir, 'digits.tfrecord');
    expect(run(['convert', DIGITS_0, DIGITS_1, tfrecord]).stdout).toBe(`${tfrecord}: 10 records, tfrecord\n`);
    // The golden TFRecord, written by TensorFlow, and ours frame records the same way.
    const morrisCopy = path.join(dir, 'morris-copy.tfrecord');
    run(['convert', MORRIS, morrisCopy]);
    expect(fs.readFileSync(morrisCopy)).toEqual(fs.readFileSync(MORRIS));
    const gz = path.join(dir, 'digits.tfrecord.gz');
    run(['convert', tfrecord, gz]);
    expect(fs.readFileSync(gz).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(run(['info', gz]).stdout).toContain('format:          tfrecord (gzip)\n  records:         10');
    const zz = path.join(dir, 'digits.zz');
    run(['convert', tfrecord, zz, '--to', 'tfrecord', '--compression', 'zlib']);
    expect(run(['cat', zz]).stdout).toBe('0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n');
    const streamed = runBinary(['convert', DIGITS_0, '-']);
    expect(streamed.code).toBe(0);
    expect(streamed.stderr).toBe('stdout: 5 records, tfrecord\n');
    expect(run(['cat', '-'], streamed.stdout).stdout).toBe('0\n1\n2\n3\n4\n');
  });

  it('write takes records from stdin: lines by default, JSON lines, to ArrayRecord or TFRecord', () => {
    const lines = path.join(dir, 'lines.array_record');
    expect(run(['write', lines, '--options', 'group_size:2'], 'a\r\nb\n\nlast').stdout).toMatch(/^.*lines\.array_record: 4 records, group_size:2,/);
    expect(run(['cat', lines, '--as', 'json']).stdout).toBe('"a"\n"b"\n""\n"last"\n');
    const jsonl = path.join(dir, 'jsonl.tfrecord');
    expect(run(['write', jsonl, '--from', 'jsonl'], '"x"\n{"k": [1, 2]}\n\n{"base64": "/wA="}\n').code).toBe(0);
    expect(run(['cat', jsonl, '--as', 'json']).stdout).toBe('"x"\n"{\\"k\\":[1,2]}"\n{"base64":"/wA="}\n');
    const bad = run(['write', path.join(dir, 'bad.array_record'), '--from', 'jsonl'], '"ok"\n{nope\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/line 2 is not JSON/);
    expect(fs.existsSync(path.join(dir, 'bad.array_record'))).toBe(false);
  });

  it('verify fails with exit code 1 on a damaged file, reports every file, and --json says which', () => {
    const bytes = fs.readFileSync(goldenPath('zstd3_g1_mixed.array_record'));
    bytes[1000] = bytes[1000]! ^ 1;
    const damaged = path.join(dir, 'damaged.array_record');
    fs.writeFileSync(damaged, bytes);
    const { code, stdout } = run(['verify', damaged, DIGITS_0]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/damaged\.array_record: chunk data hash mismatch/);
    expect(stdout).toContain(`${DIGITS_0}: ok, 5 records`);
    const json = JSON.parse(run(['verify', '--json', damaged, MORRIS]).stdout) as { ok: boolean; files: Record<string, unknown>[] };
    expect(json.ok).toBe(false);
    expect(json.files[0]).toMatchObject({ path: damaged, ok: false, error: { code: 'ERR_CORRUPT_FILE' } });
    expect(json.files[1]).toEqual({ path: MORRIS, ok: true, format: 'tfrecord', records: 5 });
  });

  it('a file that is not ArrayRecord says what it looks like, not "truncated"', () => {
    for (const [file, looks] of [
      [MORRIS, /it looks like a TFRecord file/],
      [goldenPath('plain_riegeli_small.riegeli'), /like a plain Riegeli file/],
      [goldenPath('README.md'), /it looks like plain text/],
    ] as const) {
      const result = run(['cat', file, '--from', 'array_record']);
      expect(result.code, file).toBe(1);
      expect(result.stderr, file).toMatch(/not an ArrayRecord file: /);
      expect(result.stderr, file).toMatch(looks);
      expect(result.stderr, file).not.toMatch(/multiple of 64 KiB/);
    }
  });

  it('--help for the program and every command, --version from package.json', () => {
    const help = run(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['info', 'cat', 'head', 'sample', 'verify', 'convert', 'write', 'repair']) expect(help.stdout).toContain(command);
    expect(help.stdout).toMatch(/Exit status:\n {2}0 .*\n {2}1 .*\n[\s\S]* {2}2 /);
    for (const command of ['info', 'cat', 'verify', 'convert', 'write', 'repair', 'head', 'sample']) {
      const commandHelp = run([command, '--help']);
      expect(commandHelp.code, command).toBe(0);
      expect(commandHelp.stdout, command).toMatch(new RegExp(`^Usage: array-record ${command} `));
    }
    expect(run(['cat', '--help']).stdout).toContain('--as <encoding>');
    expect(run(['repair', '--help']).stdout).toContain('--json');
    expect(run(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
    expect(run(['-V']).stdout).toBe(`${version}\n`);
  });

  it('usage errors exit 2 with a reason; data errors exit 1', () => {
    const none = run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: array-record');
    const unknown = run(['frobnicate', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/array-record: unknown command 'frobnicate'/);
    expect(run(['cat', DIGITS_0, '--bogus']).stderr).toMatch(/unknown option '--bogus'/);
    expect(run(['cat']).stderr).toMatch(/missing required argument 'file'/);
    expect(run(['cat']).code).toBe(2);
    expect(run(['cat', DIGITS_0, '--as', 'rot13']).stderr).toMatch(/argument 'rot13' is invalid. Allowed choices are utf8, hex, base64, json, framed, example, sequence-example/);
    expect(run(['cat', DIGITS_0, '--start', '-1']).code).toBe(2);
    expect(run(['convert', DIGITS_0]).code).toBe(2);
    const badOptions = run(['convert', DIGITS_0, path.join(dir, 'x.array_record'), '--options', 'group_size:0']);
    expect(badOptions.code).toBe(2);
    expect(badOptions.stderr).toMatch(/group_size/);
    expect(run(['convert', DIGITS_0, '-', '--to', 'array_record']).stderr).toMatch(/ArrayRecord output needs a file/);
    expect(run(['cat', '-', '-']).stderr).toMatch(/standard input \(-\) can be read only once/);
    const missing = run(['cat', path.join(dir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/array-record: cannot open file/);
  });

  it('progress bars go to stderr only when asked (or on a terminal)', () => {
    const quiet = run(['convert', DIGITS_0, path.join(dir, 'quiet.array_record')]);
    expect(quiet.stderr).toBe('');
    const loud = run(['convert', DIGITS_0, path.join(dir, 'loud.array_record'), '--progress']);
    expect(loud.code).toBe(0);
    expect(loud.stderr).toMatch(/\r.*convert.*\[#+\] 100%/);
    expect(loud.stderr.endsWith('\r\x1b[K')).toBe(true);
  });
});
