// The command is safe with data: an output that is an input is refused, a failed or interrupted run
// leaves no output, a pipe in and out works (stdin, FIFOs, a reader of stdout that goes away).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { TFRecordWriter } from '../../src/format/tfrecord/tfrecord-writer.js';
import { goldenPath } from '../helpers/golden.js';
import { CLI, run, shell } from '../helpers/run-cli.js';
import { expectSameBytes } from '../helpers/same-bytes.js';
import { testRecord } from './fixtures/records.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-cli-safety-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const DIGITS_0 = goldenPath('digits.array_record-00000-of-00002');

/** A directory holding only `names` (no temporary files left over). */
function listing(folder: string): string[] {
  return fs.readdirSync(folder).sort();
}

function bigArrayRecord(name: string, count: number): string {
  const file = path.join(dir, name);
  const writer = new ArrayRecordWriter(file, 'group_size:16');
  for (let i = 0; i < count; i++) writer.write(`line ${i}`);
  writer.close();
  return file;
}

describe('safe with data', () => {
  it('convert f f refuses before writing: f keeps every byte (also through a symlink or a hard link)', () => {
    const folder = fs.mkdtempSync(path.join(dir, 'same-'));
    const file = path.join(folder, 'f');
    fs.copyFileSync(DIGITS_0, file);
    const before = fs.readFileSync(file);
    const same = run(['convert', file, file]);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/the output .*f is the input .*f/);
    fs.symlinkSync(file, path.join(folder, 'link'));
    fs.linkSync(file, path.join(folder, 'hard'));
    expect(run(['convert', path.join(folder, 'link'), file]).code).toBe(2);
    expect(run(['convert', path.join(folder, 'hard'), file, '--to', 'tfrecord']).code).toBe(2);
    expect(run(['repair', file, file]).code).toBe(2);
    expectSameBytes(fs.readFileSync(file), before);
    // Writing over the other name of a hard link replaces that name only: f keeps its bytes.
    expect(run(['convert', goldenPath('morris_sequence_first_5.tfrecord'), path.join(folder, 'hard'), '--to', 'array_record']).code).toBe(0);
    expectSameBytes(fs.readFileSync(file), before);
    expect(listing(folder)).toEqual(['f', 'hard', 'link']);
  });

  it('a failed convert leaves no output file and no temporary file', () => {
    const folder = fs.mkdtempSync(path.join(dir, 'failed-'));
    const bytes = fs.readFileSync(goldenPath('morris_sequence_first_5.tfrecord'));
    const cut = path.join(folder, 'cut.tfrecord');
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 3));
    const output = path.join(folder, 'out.array_record');
    const failed = run(['convert', DIGITS_0, cut, output]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/truncated/);
    const shards = run(['convert', DIGITS_0, cut, output, '--shards', '2']);
    expect(shards.code).toBe(1);
    expect(listing(folder)).toEqual(['cut.tfrecord']);
    // An existing output is left as it was.
    fs.writeFileSync(output, 'keep me');
    expect(run(['convert', cut, output]).code).toBe(1);
    expect(fs.readFileSync(output, 'utf8')).toBe('keep me');
    expect(listing(folder)).toEqual(['cut.tfrecord', 'out.array_record']);
  });

  it('an interrupted convert (SIGINT, SIGTERM) leaves nothing behind', async () => {
    for (const [signal, status] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const folder = fs.mkdtempSync(path.join(dir, `signal-${signal}-`));
      const child = spawn(process.execPath, [CLI, 'convert', '-', path.join(folder, 'out.array_record'), '--from', 'lines'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
      child.stdin.on('error', () => {}); // EPIPE once the child is gone
      // Records arrive while stdin stays open; wait for the temporary file, then interrupt.
      child.stdin.write(Array.from({ length: 50_000 }, (_, i) => `record ${i}\n`).join(''));
      const deadline = Date.now() + 30_000;
      while (listing(folder).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(listing(folder)[0]).toMatch(/^\.out\.array_record\..*\.partial$/);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill(signal);
      expect(await exited, stderr).toBe(status);
      expect(listing(folder)).toEqual([]);
    }
  });

  it('an output that is a directory, or in none, is refused before anything is written: an existing shard keeps its bytes', () => {
    const folder = fs.mkdtempSync(path.join(dir, 'directory-'));
    const input = path.join(folder, 'in.array_record');
    fs.copyFileSync(DIGITS_0, input);
    // Shard 1's name is a directory: shard 0 must not replace the existing file before the rename of shard 1 fails.
    const shard0 = path.join(folder, 'out-00000-of-00002');
    fs.writeFileSync(shard0, 'keep me');
    fs.mkdirSync(path.join(folder, 'out-00001-of-00002'));
    const shards = run(['convert', input, path.join(folder, 'out'), '--shards', '2']);
    expect(shards.code, shards.stderr).toBe(2);
    expect(shards.stderr).toMatch(/the output .*out-00001-of-00002 is a directory/);
    expect(fs.readFileSync(shard0, 'utf8')).toBe('keep me');
    fs.symlinkSync(path.join(folder, 'out-00001-of-00002'), path.join(folder, 'link'));
    for (const output of [folder, `${path.join(folder, 'new')}/`, path.join(folder, 'link'), '', '.']) {
      for (const args of [['convert', input, output], ['repair', input, output]]) {
        const refused = run(args);
        expect(refused.code, `${args.join(' ')}: ${refused.stderr}`).toBe(2);
        expect(refused.stderr).toMatch(output === '' ? /an output needs a file name/ : /is a directory: name a file/);
      }
    }
    // A missing directory, or a file where the directory should be: a typed error naming the output, not ENOTDIR.
    for (const output of [path.join(folder, 'none', 'x'), path.join(input, 'x')]) {
      const failed = run(['convert', input, output]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/^array-record: cannot write .*x: expected a directory at .*, but it (does not exist|is not a directory)/);
    }
    expect(listing(folder)).toEqual(['in.array_record', 'link', 'out-00000-of-00002', 'out-00001-of-00002']);
  });

  it('a full disk (ulimit -f) under any output, gzip TFRecord and stdin kept for shards too: an error naming the file, nothing left', () => {
    const folder = fs.mkdtempSync(path.join(dir, 'full-'));
    const lines = path.join(folder, 'in.txt');
    fs.writeFileSync(lines, Array.from({ length: 100_000 }, (_, i) => `${i}\n`).join(''));
    // 32 blocks of 512 bytes: Node ignores SIGXFSZ, so a write past the limit fails with EFBIG.
    for (const [command, temporary] of [
      [`$CLI convert ${lines} ${folder}/out.tfrecord.gz --from lines`, /\.out\.tfrecord\.gz\.\d+-\d+\.partial/],
      [`$CLI convert ${lines} ${folder}/out.tfrecord --from lines`, /\.out\.tfrecord\.\d+-\d+\.partial/],
      [`$CLI convert ${lines} ${folder}/out.array_record --from lines`, /\.out\.array_record\.\d+-\d+\.partial/],
      [`TMPDIR=${folder} $CLI convert - ${folder}/out --from lines --shards 2 < ${lines}`, /keep stdin in a temporary file.*\.array-record-input\.\d+-\d+\.partial/],
    ] as const) {
      const result = shell(`ulimit -f 32; ${command}`);
      expect(result.code, command).toBe(1);
      expect(result.stderr, command).toMatch(/^array-record: .*EFBIG/);
      expect(result.stderr, command).toMatch(temporary);
      expect(listing(folder), command).toEqual(['in.txt']);
    }
  });

  it('cat | head -1 ends quietly with status 0, no stack trace', () => {
    const file = bigArrayRecord('many.array_record', 100_000);
    for (const command of [`$CLI cat ${file}`, `$CLI cat ${file} --as json`, `$CLI convert ${file} -`, `$CLI head -n 100000 ${file}`]) {
      const result = shell(`${command} | head -1 >/dev/null; exit \${PIPESTATUS[0]}`);
      expect(result.stderr, command).toBe('');
      expect(result.code, command).toBe(0);
    }
  });

  it('a TFRecord piped through stdin converts completely (as -, /dev/stdin and a FIFO), gzip too', () => {
    const tfrecord = path.join(dir, 'piped.tfrecord');
    const writer = new TFRecordWriter(tfrecord);
    for (let i = 0; i < 20_000; i++) writer.write(testRecord(i));
    writer.close();
    const expected = 20_000;
    const check = (output: string): void => {
      using reader = new ArrayRecordReader(output);
      expect(reader.numRecords()).toBe(expected);
      expect(reader.read([0, expected - 1])).toEqual([testRecord(0), testRecord(expected - 1)]);
    };
    const dash = path.join(dir, 'from-dash.array_record');
    expect(shell(`cat ${tfrecord} | $CLI convert - ${dash} --options group_size:100`)).toMatchObject({ code: 0, stderr: '' });
    check(dash);
    const devStdin = path.join(dir, 'from-dev-stdin.array_record');
    expect(shell(`cat ${tfrecord} | $CLI convert /dev/stdin ${devStdin}`).code).toBe(0);
    check(devStdin);
    const fifo = path.join(dir, 'fifo');
    const fromFifo = path.join(dir, 'from-fifo.array_record');
    expect(shell(`mkfifo ${fifo} && (cat ${tfrecord} > ${fifo} &) && $CLI convert ${fifo} ${fromFifo}`).code).toBe(0);
    check(fromFifo);
    const gzipped = path.join(dir, 'from-gzip.array_record');
    expect(shell(`gzip -c ${tfrecord} | $CLI convert - ${gzipped}`).code).toBe(0);
    check(gzipped);
    // ArrayRecord from a pipe is read as the Riegeli file it is, without its footer and postscript.
    const copy = path.join(dir, 'from-pipe-copy.array_record');
    expect(shell(`cat ${dash} | $CLI convert - ${copy} --options group_size:100`).code).toBe(0);
    expectSameBytes(fs.readFileSync(copy), fs.readFileSync(dash));
    expect(shell(`cat ${dash} | $CLI verify -`).stdout).toBe(`stdin: ok, ${expected} records\n`);
  });
});
