// The disk cache's bookkeeping: which cached range serves a span (against a scan of every range, the
// model), least recently *used* evicted first (a hit counts as a use), and a restart ranking files by
// when they were last written. Its bookkeeping once sorted every range on each store and each eviction.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CachedRanges, type CachedRange } from '../../src/format/io/remote/cached-ranges.js';
import { RangeCache } from '../../src/format/io/remote/range-cache.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-range-cache-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const OBJECT = RangeCache.objectKey('http://127.0.0.1/f.array_record', '"v1"');

/** The files of `directory` holding ranges, as [offset, end] pairs in offset order. */
function rangesOnDisk(directory: string): number[][] {
  return fs
    .readdirSync(directory)
    .map((name) => /-(\d+)-(\d+)\.range$/.exec(name)!.slice(1).map(Number))
    .sort((a, b) => a[0]! - b[0]!);
}

describe('CachedRanges', () => {
  it('finds a range holding a span as a scan of every range would, through adds and removes of overlapping ranges', () => {
    const operation = fc.oneof(
      fc.record({ add: fc.tuple(fc.nat(200), fc.integer({ min: 1, max: 60 })) }),
      fc.record({ remove: fc.nat(50) }),
      fc.record({ find: fc.tuple(fc.nat(260), fc.nat(40)) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 120 }), (operations) => {
        const ranges = new CachedRanges();
        const model: CachedRange[] = [];
        for (const step of operations) {
          if ('add' in step) {
            const [offset, length] = step.add;
            const range = { object: 'o', offset, end: offset + length, file: `${model.length}` };
            ranges.add(range);
            model.push(range);
          } else if ('remove' in step) {
            const victim = model[step.remove % Math.max(1, model.length)];
            if (victim === undefined) continue;
            expect(ranges.remove(victim)).toBe(true);
            expect(ranges.remove(victim)).toBe(false);
            model.splice(model.indexOf(victim), 1);
          } else {
            const [offset, length] = step.find;
            const found = ranges.covering(offset, offset + length);
            const holds = (range: CachedRange): boolean => range.offset <= offset && range.end >= offset + length;
            if (found === undefined) expect(model.some(holds)).toBe(false);
            else expect(model.includes(found) && holds(found)).toBe(true);
          }
          expect(ranges.count).toBe(model.length);
        }
      }),
    );
  });

  it('a range long before a span is found when it reaches past it', () => {
    const ranges = new CachedRanges();
    const long = { object: 'o', offset: 0, end: 1000, file: 'long' };
    ranges.add(long);
    for (let offset = 10; offset < 900; offset += 10) ranges.add({ object: 'o', offset, end: offset + 5, file: `${offset}` });
    expect(ranges.covering(950, 990)).toBe(long);
    expect(ranges.covering(995, 1001)).toBeUndefined();
  });
});

describe('RangeCache eviction', () => {
  it('evicts the least recently used range: a hit keeps a range that was written first', async () => {
    const directory = path.join(dir, 'lru');
    // Room for three ranges of 100 bytes (104 on disk, with the checksum).
    const cache = RangeCache.of(directory, 3 * 104);
    const bytes = new Uint8Array(100).fill(7);
    // One at a time: writes under way at once are ranked as they finish.
    for (const offset of [0, 100, 200]) {
      cache.put(OBJECT, offset, bytes);
      await cache.flush();
    }
    expect(await cache.get(OBJECT, 0, 100)).toEqual(bytes); // [0, 100) is now the most recently used
    cache.put(OBJECT, 300, bytes);
    await cache.flush();
    expect(rangesOnDisk(directory)).toEqual([
      [0, 100],
      [200, 300],
      [300, 400],
    ]);
    expect(cache.size).toBe(3 * 104);
  });

  it('one range stored twice at once (two reads fetched it) is kept and counted once', async () => {
    const directory = path.join(dir, 'twice');
    const cache = RangeCache.of(directory, 1 << 20);
    const bytes = new Uint8Array(100).fill(9);
    cache.put(OBJECT, 0, bytes);
    cache.put(OBJECT, 0, bytes);
    await cache.flush();
    expect(rangesOnDisk(directory)).toEqual([[0, 100]]);
    expect(cache.size).toBe(104);
    expect(await cache.get(OBJECT, 0, 100)).toEqual(bytes);
  });

  it('a later process ranks the ranges it finds by when they were last written, and keeps within its bound', async () => {
    const directory = path.join(dir, 'restart');
    const first = RangeCache.of(directory, 1 << 20);
    for (const offset of [500, 0, 300, 100]) {
      first.put(OBJECT, offset, new Uint8Array(100).fill(offset / 100));
      await first.flush();
    }
    // Written 500, 0, 300, 100, a second apart in their times: a later process drops 500 and 0 first.
    const names = fs.readdirSync(directory).sort();
    for (const [rank, offset] of [500, 0, 300, 100].entries()) {
      const file = path.join(directory, names.find((name) => name.includes(`-${offset}-`))!);
      fs.utimesSync(file, 1_000_000 + rank, 1_000_000 + rank);
    }
    fs.cpSync(directory, `${directory}-later`, { recursive: true, preserveTimestamps: true });
    const later = RangeCache.of(`${directory}-later`, 2 * 104);
    expect(rangesOnDisk(`${directory}-later`)).toEqual([
      [100, 200],
      [300, 400],
    ]);
    expect(await later.get(OBJECT, 320, 50)).toEqual(new Uint8Array(50).fill(3));
    expect(await later.get(OBJECT, 0, 10)).toBeUndefined();
  });
});
