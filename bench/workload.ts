// The benchmark's text workload (bench/WORKLOAD.md): 65,536 records of 200 pseudo-random words.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArrayRecordWriter } from '../src/index.js';

const VOCABULARY = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ' +
  'incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud ' +
  'exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute ' +
  'irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur ' +
  'excepteur sint occaecat cupidatat non proident sunt culpa qui officia deserunt ' +
  'mollit anim id est laborum'
).split(' ');

export const WORKLOAD_RECORDS = 65_536;

/** Record `i` of the workload: 200 words chosen by a 32-bit xorshift seeded from i. */
export function workloadRecord(i: number): Uint8Array {
  let state = Math.imul(i + 1, 0x9e3779b1) >>> 0;
  if (state === 0) state = 1;
  const words: string[] = [];
  for (let w = 0; w < 200; w++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    words.push(VOCABULARY[state % VOCABULARY.length]!);
  }
  return new TextEncoder().encode(words.join(' '));
}

/** All workload records, built once per process. */
export function workloadRecords(count = WORKLOAD_RECORDS): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => workloadRecord(i));
}

/** A scratch directory for benchmark files (removed by the caller). */
export function benchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-bench-'));
}

/** Writes records with the given options and returns the elapsed seconds. */
export function writeWorkloadFile(file: string, options: string, records: readonly Uint8Array[]): number {
  const start = process.hrtime.bigint();
  const writer = new ArrayRecordWriter(file, options);
  for (const record of records) writer.write(record);
  writer.close();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** `count` record indices of the workload from a seeded 32-bit xorshift (uniform, with repeats). */
export function randomIndices(count: number, seed: number): number[] {
  let state = seed >>> 0 || 1;
  return Array.from({ length: count }, () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % WORKLOAD_RECORDS;
  });
}
