// The data source's reader pool under concurrent async reads: with one reader slot, readers are
// evicted and reopened between reads of two files, and close() comes while reads are in flight;
// every read settles with the right records or a ClosedError.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClosedError } from '../../src/format/errors.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { ArrayRecordDataSource } from '../../src/source/data-source.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pool-in-flight-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const COUNT = 2000;
const decoder = new TextDecoder();
const recordOf = (tag: string, i: number): string => `${tag}:${i}:`.padEnd(40 + (i % 50), tag);

function writeFile(name: string, tag: string): string {
  const file = path.join(dir, name);
  const writer = new ArrayRecordWriter(file, 'group_size:1,uncompressed');
  for (let i = 0; i < COUNT; i++) writer.write(recordOf(tag, i));
  writer.close();
  return file;
}

describe('a data source whose reader pool evicts and closes under reads', () => {
  it.each(['max_parallelism:0', ''])('one reader slot, two files read at once, then close() mid-flight (%s)', async (options) => {
    const source = new ArrayRecordDataSource([writeFile(`a${options}`, 'A'), writeFile(`b${options}`, 'B')], options, { maxOpenReaders: 1 });
    // Global index k < COUNT is A's record k, else B's record k - COUNT.
    const expected = (index: number): string => (index < COUNT ? recordOf('A', index) : recordOf('B', index - COUNT));
    const requests = Array.from({ length: 300 }, (_, k) => Array.from({ length: 5 }, (_, j) => (k * 131 + j * 977 + (k % 2) * COUNT) % (2 * COUNT)));
    const reads = requests.map((indices) => source.getItemsAsync(indices));
    await Promise.all(reads.slice(0, 20));
    source.close();
    const settled = await Promise.allSettled(reads);
    settled.forEach((outcome, k) => {
      if (outcome.status === 'rejected') expect(outcome.reason, String(outcome.reason)).toBeInstanceOf(ClosedError);
      else expect(outcome.value.map((bytes) => decoder.decode(bytes))).toEqual(requests[k]!.map(expected));
    });
    expect(settled.filter((outcome) => outcome.status === 'rejected').length).toBeGreaterThan(0);
  });
});
