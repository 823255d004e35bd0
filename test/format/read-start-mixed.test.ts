// A pass over a file during which the read workers finish loading: this thread reads the parts until
// then, the workers the rest, and every record is visited once, in order, with the bytes the
// synchronous pass sees. The file's module state is fresh (vitest runs each test file on its own), so
// the pool has not started when the test begins.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { startStats } from '../../src/format/arrayrecord/read-parts.js';
import { passStats } from '../../src/format/arrayrecord/read-pool.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-read-start-mixed-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Record i: its index, then bytes that barely compress, so that the file spans many parts of 256 KiB. */
function recordOf(i: number): Uint8Array {
  const head = new TextEncoder().encode(`record ${i}:`);
  const record = new Uint8Array(head.length + 700 + (i % 300));
  record.set(head);
  for (let k = head.length; k < record.length; k++) record[k] = (k * 2654435761 + i * 40503) >>> 24;
  return record;
}

const COUNT = 5000;
const file = path.join(dir, 'g1-zstd.array_record');
const writer = new ArrayRecordWriter(file, 'group_size:1,zstd');
for (let i = 0; i < COUNT; i++) writer.write(recordOf(i));
writer.close();
const expected = Array.from({ length: COUNT }, (_, i) => recordOf(i));

function differences(actual: readonly Uint8Array[], wanted: readonly Uint8Array[]): number[] {
  const wrong: number[] = [];
  for (let i = 0; i < Math.max(actual.length, wanted.length); i++) {
    if (actual[i] === undefined || wanted[i] === undefined || Buffer.compare(actual[i]!, wanted[i]!) !== 0) wrong.push(i);
  }
  return wrong.slice(0, 10);
}

/** Blocks this thread (the workers load on theirs meanwhile). */
function block(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('a pass during which the read workers load', () => {
  it('visits the first parts from this thread, the others from the workers, every record once and in order', async () => {
    const before = startStats.partsReadHere;
    const freshBefore = passStats.freshBuffers;
    using reader = new ArrayRecordReader(file);
    const records: Uint8Array[] = [];
    const indices: number[] = [];
    await reader.forEachRecordAsync((record, index) => {
      // The first part is read on this thread (no worker has loaded within the call); held here long
      // enough for the workers to load, the pass sends them the next parts.
      if (index === 0) block(5000);
      records.push(record.slice());
      indices.push(index);
    });
    const readHere = startStats.partsReadHere - before;
    expect(readHere).toBeGreaterThan(0);
    // Some parts came from the workers: they filled buffers of their own.
    expect(passStats.freshBuffers).toBeGreaterThan(freshBefore);
    expect(indices).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    expect(differences(records, expected)).toEqual([]);
    // The next pass: every part on the workers.
    const again: Uint8Array[] = [];
    const here = startStats.partsReadHere;
    await reader.forEachRecordAsync((record) => void again.push(record.slice()));
    expect(startStats.partsReadHere).toBe(here);
    expect(differences(again, expected)).toEqual([]);
  });
});
