// Every command on the golden files written by Google's C++ library, against their .json sidecars:
// info --json (counts, group size, writer options, size, metadata), verify --json, cat (every record's sha256).

import fs from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GOLDEN_DIR, goldenPath, type GoldenSidecar } from '../helpers/golden.js';
import { run, runBinary } from '../helpers/run-cli.js';

/** Every golden file with a sidecar, the plain Riegeli one included. */
const sidecars = fs
  .readdirSync(GOLDEN_DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => JSON.parse(fs.readFileSync(goldenPath(name), 'utf8')) as GoldenSidecar);
const arrayRecordFiles = sidecars.filter((sidecar) => !sidecar.file.endsWith('.riegeli'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-cli-golden-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the command on the golden files', () => {
  it('info --json matches every sidecar', () => {
    const { code, stdout } = run(['info', '--json', ...sidecars.map((sidecar) => goldenPath(sidecar.file))]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { ok: boolean; files: Record<string, unknown>[] };
    expect(report.ok).toBe(true);
    for (const [i, sidecar] of sidecars.entries()) {
      const file = report.files[i]!;
      expect(file.records, sidecar.file).toBe(sidecar.num_records);
      expect(file.fileSize, sidecar.file).toBe(sidecar.file_size);
      if (sidecar.file.endsWith('.riegeli')) {
        expect(file.format).toBe('riegeli');
        continue;
      }
      expect(file, sidecar.file).toMatchObject({ format: 'array_record', groupSize: sidecar.record_group_size, writerOptions: sidecar.writer_options_string });
      if (sidecar.metadata !== undefined) expect(file.metadata).toEqual({ fileComment: sidecar.metadata.file_comment });
    }
  });

  it('verify --json passes every golden file with its record count', () => {
    const { code, stdout } = run(['verify', '--json', ...sidecars.map((sidecar) => goldenPath(sidecar.file))]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { ok: boolean; files: { records: number; ok: boolean }[] };
    expect(report.ok).toBe(true);
    expect(report.files.map((file) => file.records)).toEqual(sidecars.map((sidecar) => sidecar.num_records));
  });

  it('cat --as base64 prints every record of every golden file, each with the sidecar hash', () => {
    // One run over all files (their records concatenated in order) keeps this to one process.
    const { code, stdout } = run(['cat', '--as', 'base64', ...sidecars.map((sidecar) => goldenPath(sidecar.file))]);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    let at = 0;
    for (const sidecar of sidecars) {
      const hashes = lines.slice(at, at + sidecar.num_records).map((line) => createHash('sha256').update(Buffer.from(line, 'base64')).digest('hex'));
      expect(hashes, sidecar.file).toEqual(sidecar.sha256);
      at += sidecar.num_records;
    }
    expect(lines.slice(at)).toEqual(['']);
  });

  it('convert of a golden file to TFRecord on stdout and back from stdin keeps every record, group size and options', () => {
    const sidecar = arrayRecordFiles.find((file) => file.file === 'zstd3_g64_small.array_record')!;
    const tfrecord = runBinary(['convert', goldenPath(sidecar.file), '-']);
    expect(tfrecord.code).toBe(0);
    const back = path.join(dir, 'back.array_record');
    const converted = run(['convert', '-', back, '--options', sidecar.options!, '--json'], tfrecord.stdout);
    expect(converted.code, converted.stderr).toBe(0);
    const report = JSON.parse(converted.stdout) as { inputs: unknown[]; outputs: unknown[] };
    expect(report.inputs).toEqual([{ name: 'stdin', format: 'tfrecord', records: sidecar.num_records }]);
    expect(report.outputs).toEqual([{ path: back, format: 'array_record', records: sidecar.num_records, writerOptions: sidecar.writer_options_string }]);
    // Records can be empty: an empty line is a record, only the last newline ends none.
    const hashes = run(['cat', back, '--as', 'base64']).stdout.split('\n').slice(0, -1).map((line) => createHash('sha256').update(Buffer.from(line, 'base64')).digest('hex'));
    expect(hashes).toEqual(sidecar.sha256);
  });
});
