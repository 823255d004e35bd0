// Access to the golden files written by Google's C++ library (test/golden, copied from the project's shared folder) and their record rules.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The golden files, kept in the repository so that a lone clone passes its tests. */
export const GOLDEN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../golden');

/** The sidecar `.json` of a golden file. */
export interface GoldenSidecar {
  readonly file: string;
  readonly options: string | null;
  readonly num_records: number;
  readonly record_rule: 'small' | 'mixed' | 'single5m' | 'tf_example' | 'literal';
  readonly sha256: readonly string[];
  readonly writer_options_string: string;
  readonly record_group_size: number;
  readonly file_size: number;
  readonly metadata?: Record<string, unknown>;
  readonly records_utf8?: readonly string[];
}

/** Path of a golden file by name. */
export function goldenPath(name: string): string {
  return path.join(GOLDEN_DIR, name);
}

/** Every golden ArrayRecord file with its sidecar. */
export function goldenArrayRecordFiles(): GoldenSidecar[] {
  return fs
    .readdirSync(GOLDEN_DIR)
    .filter((name) => name.endsWith('.json') && !name.endsWith('.riegeli.json'))
    .map((name) => JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, name), 'utf8')) as GoldenSidecar);
}

/** Loads the sidecar of a golden file. */
export function goldenSidecar(name: string): GoldenSidecar {
  return JSON.parse(fs.readFileSync(goldenPath(`${name}.json`), 'utf8')) as GoldenSidecar;
}

/** Lowercase hex SHA-256 of bytes. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The README's content record C(i, n): byte j is (i*31 + j*17 + (j >> 8)) & 0xff. */
export function contentRecord(i: number, n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let j = 0; j < n; j++) bytes[j] = (i * 31 + j * 17 + (j >> 8)) & 0xff;
  return bytes;
}

/** Record i of the `small` rule. */
export function smallRecord(i: number): Uint8Array {
  return contentRecord(i, (i * 7919 + 13) % 3001);
}

/** Record i of the `mixed` rule. */
export function mixedRecord(i: number): Uint8Array {
  if (i % 50 === 0) return new Uint8Array(0);
  if (i % 97 === 0) return contentRecord(i, 150000);
  return smallRecord(i);
}
