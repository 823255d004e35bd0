// close() while async reads are in flight: every read settles with the right record or a ClosedError,
// never with another file's bytes, and the descriptor is closed once the reads are done.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClosedError } from '../../src/format/errors.js';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { readWorkersLoaded } from '../../src/format/arrayrecord/read-pool.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-close-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const COUNT = 2000;
const decoder = new TextDecoder();

/** Record i of file `tag`: says which file and which index it is, so a record of another file shows. */
function recordOf(tag: string, i: number): Uint8Array {
  return new TextEncoder().encode(`${tag}:${i}:`.padEnd(40 + (i % 50), tag));
}

function writeFile(name: string, tag: string): string {
  const file = path.join(dir, name);
  const writer = new ArrayRecordWriter(file, 'group_size:1,uncompressed');
  for (let i = 0; i < COUNT; i++) writer.write(recordOf(tag, i));
  writer.close();
  return file;
}

function openDescriptors(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/**
 * Waits until the descriptors closed in the background (by the last read out, by the workers) are closed:
 * up to 20 s, for workers a loaded machine has not scheduled yet; a leaked descriptor is never closed.
 */
async function descriptorsBackTo(count: number): Promise<number> {
  for (let tries = 0; tries < 2000 && openDescriptors() > count; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
  return openDescriptors();
}

/** Read k asks for one record, or (odd k) for 40 records far apart: 40 preads, most still to start at close. */
function indicesOf(k: number): number[] {
  return k % 2 === 0 ? [(k * 7) % COUNT] : Array.from({ length: 40 }, (_, j) => (k + j * 37) % COUNT);
}

/** Starts 1,000 reads, closes, opens `next` and reads it; checks every settled read. */
async function closeUnderReads(first: string, next: () => string, options: string): Promise<{ closed: number; done: number }> {
  const reader = new ArrayRecordReader(first, options);
  const reads = Array.from({ length: 1000 }, (_, k) => reader.readAsync(indicesOf(k)));
  expect(() => reader.close()).not.toThrow();
  const other = new ArrayRecordReader(next(), options);
  const otherReads = Array.from({ length: 200 }, (_, k) => other.readAsync([k]));
  const settled = await Promise.allSettled(reads);
  let closed = 0;
  let done = 0;
  settled.forEach((outcome, k) => {
    if (outcome.status === 'rejected') {
      expect(outcome.reason, String(outcome.reason)).toBeInstanceOf(ClosedError);
      closed++;
    } else {
      const texts = outcome.value.map((record) => decoder.decode(record));
      expect(texts, `read ${k}`).toEqual(indicesOf(k).map((i) => decoder.decode(recordOf('A', i))));
      done++;
    }
  });
  const otherRecords = await Promise.all(otherReads);
  otherRecords.forEach((records, k) => expect(decoder.decode(records[0])).toBe(decoder.decode(recordOf('B', k))));
  other.close();
  return { closed, done };
}

describe('close() under in-flight async reads', () => {
  for (const options of ['max_parallelism:0', '']) {
    it(`${options || 'read workers'}: no read returns another file's records, no descriptor leaks`, async () => {
      const a = writeFile(`a-${options}.array_record`, 'A');
      const b = writeFile(`b-${options}.array_record`, 'B');
      // Starts the read workers, whose threads hold descriptors of their own (a fresh process's first
      // read is served on this thread while they load: it waits for them too).
      const warmUp = new ArrayRecordReader(b, options);
      await warmUp.readAsync([0]);
      await readWorkersLoaded();
      warmUp.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const before = openDescriptors();
      const { closed, done } = await closeUnderReads(a, () => b, options);
      expect(closed + done).toBe(1000);
      // On libuv's pool, the reads of 40 records have most of their preads still to start at close.
      if (options === 'max_parallelism:0') expect(closed).toBeGreaterThan(0);
      expect(await descriptorsBackTo(before)).toBeLessThanOrEqual(before);
    });

    it(`${options || 'read workers'}: the same path replaced by another file after close`, async () => {
      const a = writeFile(`same-${options}.array_record`, 'A');
      const b = writeFile(`replacement-${options}.array_record`, 'B');
      const { closed, done } = await closeUnderReads(a, () => (fs.renameSync(b, a), a), options);
      expect(closed + done).toBe(1000);
    });
  }
});
