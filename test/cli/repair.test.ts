// repair: every chunk that was completely on disk comes back from a writer killed mid-write, a file cut
// inside its footer, a file that lost its postscript, and a damaged middle; the result verifies and reads.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileLayout } from '../../src/format/arrayrecord/footer.js';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { LocalFile } from '../../src/format/io/byte-source.js';
import { RiegeliRecordReader } from '../../src/format/riegeli/record-reader.js';
import { repair } from '../../src/index.js';
import { goldenPath } from '../helpers/golden.js';
import { testRecord } from './fixtures/records.js';
import { CLI, run } from '../helpers/run-cli.js';
import { expectSameBytes } from '../helpers/same-bytes.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-cli-repair-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const WRITER = fileURLToPath(new URL('./fixtures/endless-writer.ts', import.meta.url));
const OPTIONS = 'group_size:8,zstd:3';
const CANONICAL = 'group_size:8,transpose:false,pad_to_block_boundary:false,zstd:3,window_log:20,max_parallelism:1';

/**
 * Records of the complete chunks at the start of a file, read by Riegeli's strict reader until the
 * first damage: what a repair must save from a file whose writer died.
 */
function recordsBeforeDamage(file: string): number {
  const reader = new RiegeliRecordReader(file);
  let count = 0;
  try {
    while (reader.read() !== undefined) count++;
  } catch {
    // The cut chunk.
  } finally {
    reader.close();
  }
  return count;
}

/** Checks that `file` passes verify and holds test records 0..count-1 (or those of `indices`), in order. */
function expectRecords(file: string, indices: readonly number[]): void {
  expect(run(['verify', file])).toMatchObject({ code: 0, stdout: `${file}: ok, ${indices.length} record${indices.length === 1 ? '' : 's'}\n` });
  using reader = new ArrayRecordReader(file);
  expect(reader.numRecords()).toBe(indices.length);
  const records = reader.readAll();
  indices.forEach((index, i) => {
    if (!Buffer.from(records[i]!).equals(Buffer.from(testRecord(index)))) throw new Error(`record ${i} is not test record ${index}`);
  });
}

function writeComplete(name: string, count: number, options = OPTIONS): string {
  const file = path.join(dir, name);
  const writer = new ArrayRecordWriter(file, options);
  for (let i = 0; i < count; i++) writer.write(testRecord(i));
  writer.close();
  return file;
}

const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

describe('repair', () => {
  it('saves every chunk a writer killed with SIGKILL had completely on disk, also when its last write was cut short', async () => {
    const file = path.join(dir, 'killed.array_record');
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file, OPTIONS], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 60_000;
    // The writer's buffer reaches the file a megabyte at a time: kill it after a few.
    while ((fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0) < 3 << 20 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // A write cut short by the crash: the file also ends inside a chunk.
    const cut = path.join(dir, 'killed-cut.array_record');
    fs.writeFileSync(cut, fs.readFileSync(file).subarray(0, fs.statSync(file).size - 1000));

    for (const damaged of [file, cut]) {
      const onDisk = recordsBeforeDamage(damaged);
      expect(onDisk).toBeGreaterThan(1000);
      expect(onDisk % 8).toBe(0);
      // Not an ArrayRecord file yet: the command says what it is and what to do.
      const info = run(['info', '--from', 'array_record', damaged]);
      expect(info.code).toBe(1);
      expect(info.stderr).toMatch(/writer (that )?did not finish.*repair/);

      const output = `${damaged}.repaired`;
      const repaired = run(['repair', damaged, output, '--json']);
      expect(repaired.code, repaired.stderr).toBe(0);
      const report = JSON.parse(repaired.stdout) as { lost: { end: number }[]; bytesLost: number };
      expect(report).toMatchObject({ recordsSaved: onDisk, chunksSaved: onDisk / 8, footer: 'missing', writerOptions: CANONICAL, writerOptionsFrom: 'chunks' });
      if (damaged === cut) {
        expect(report.bytesLost).toBeGreaterThan(0);
        expect(report.lost.at(-1)!.end).toBe(fs.statSync(cut).size);
      }
      expectRecords(output, range(onDisk));
    }
  });

  it('saves every record of a complete file cut inside its footer, or after it (postscript lost)', async () => {
    const count = 5000;
    const file = writeComplete('whole.array_record', count);
    const source = LocalFile.open(file);
    const { footerOffset } = readFileLayout(source).layout;
    const size = source.size;
    source.close();
    const bytes = fs.readFileSync(file);

    const insideFooter = path.join(dir, 'cut-footer.array_record');
    fs.writeFileSync(insideFooter, bytes.subarray(0, footerOffset + 100));
    const fixed = path.join(dir, 'cut-footer-repaired.array_record');
    const text = run(['repair', insideFooter, fixed]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`${fixed}: ${count} records saved from ${count / 8} chunks of ${insideFooter}, ${CANONICAL}`);
    expect(text.stdout).toMatch(/lost: 100 of \d+ bytes in 1 region:\n {4}\[\d+, \d+\): .*truncated/);
    expectRecords(fixed, range(count));
    // Same options, same records: the very same file.
    expectSameBytes(fs.readFileSync(fixed), bytes);

    const noPostscript = path.join(dir, 'no-postscript.array_record');
    fs.writeFileSync(noPostscript, bytes.subarray(0, size - 65536));
    expect(run(['verify', noPostscript]).stdout).toMatch(/postscript is missing .*repair recovers every record/);
    const report = await repair(noPostscript, path.join(dir, 'no-postscript-repaired.array_record'));
    expect(report).toMatchObject({ recordsSaved: count, footer: 'found', recordsExpected: count, writerOptionsFrom: 'footer', bytesLost: 0 });
    expectSameBytes(fs.readFileSync(path.join(dir, 'no-postscript-repaired.array_record')), bytes);
  });

  it('saves the chunks around a damaged middle: a bad chunk, a bad chunk header, a bad block header', async () => {
    const count = 20_000;
    const file = writeComplete('middle.array_record', count, 'group_size:8,uncompressed');
    const bytes = fs.readFileSync(file);
    bytes[400_000] = bytes[400_000]! ^ 0xff; // chunk data
    bytes[6 * 65536 + 30] = bytes[6 * 65536 + 30]! ^ 0xff; // whatever the block starts with
    bytes[9 * 65536 + 3] = bytes[9 * 65536 + 3]! ^ 0xff; // a block header
    const damaged = path.join(dir, 'middle-damaged.array_record');
    fs.writeFileSync(damaged, bytes);
    expect(run(['verify', damaged]).code).toBe(1);
    const output = path.join(dir, 'middle-repaired.array_record');
    const report = await repair(damaged, output);
    expect(report.footer).toBe('intact');
    expect(report.lost.length).toBeGreaterThanOrEqual(2);
    expect(report.recordsSaved).toBe(count - 8 * (count / 8 - report.chunksSaved));
    expect(report.recordsSaved).toBeGreaterThan(count - 8 * 10);
    // The saved records are the original ones, in order, with the lost chunks' records missing.
    using reader = new ArrayRecordReader(output);
    const saved = reader.readAll().map((record) => Number(/^record-(\d+):/.exec(Buffer.from(record).toString('latin1'))![1]));
    expect(saved).toEqual([...saved].sort((a, b) => a - b));
    expectRecords(output, saved);
  });

  it('repairs a plain Riegeli file into ArrayRecord, keeps metadata, and refuses what is not Riegeli', () => {
    const riegeli = goldenPath('plain_riegeli_small.riegeli');
    const output = path.join(dir, 'from-riegeli.array_record');
    const repaired = run(['repair', riegeli, output, '--json']);
    expect(repaired.code).toBe(0);
    expect(JSON.parse(repaired.stdout)).toMatchObject({ recordsSaved: 1000, bytesLost: 0, footer: 'missing' });
    expect(run(['cat', output, '--as', 'hex']).stdout).toBe(run(['cat', riegeli, '--as', 'hex']).stdout);

    const withMetadata = path.join(dir, 'metadata-cut.array_record');
    const golden = fs.readFileSync(goldenPath('metadata_zstd3_g10_small.array_record'));
    fs.writeFileSync(withMetadata, golden.subarray(0, golden.length - 65536 - 1000));
    const metadataOutput = path.join(dir, 'metadata-repaired.array_record');
    expect(run(['repair', withMetadata, metadataOutput]).code).toBe(0);
    expect(run(['info', metadataOutput]).stdout).toContain('"fileComment":"golden"');

    const text = run(['repair', goldenPath('README.md'), path.join(dir, 'readme.array_record')]);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/not a Riegeli\/ArrayRecord file, nothing to repair: it looks like plain text/);
    expect(fs.existsSync(path.join(dir, 'readme.array_record'))).toBe(false);
  });

  it("refuses '-' as a usage error, the stdin or stdout it means elsewhere, instead of a file named '-'", () => {
    const input = writeComplete('dash-input.array_record', 20);
    const cwd = fs.mkdtempSync(path.join(dir, 'dash-'));
    const inCwd = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', input: fs.readFileSync(input) });
    const toStdout = inCwd(['repair', input, '-']);
    expect(toStdout.status).toBe(2);
    expect(toStdout.stderr).toMatch(/repair writes a file, not stdout: name the output file/);
    expect(fs.existsSync(path.join(cwd, '-'))).toBe(false);
    const fromStdin = inCwd(['repair', '-', 'out.array_record']);
    expect(fromStdin.status).toBe(2);
    expect(fromStdin.stderr).toMatch(/repair reads a file, not stdin: save it to a file first/);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });
});
