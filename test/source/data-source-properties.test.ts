// Seeded property test of ArrayRecordDataSource over files of uneven sizes (empty ones included) and every
// kind of slice: length, both iterations, getItem, getItems (sync, async, available) and typed index errors agree.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { InvalidArgumentError, OutOfRangeError } from '../../src/format/errors.js';
import { ArrayRecordDataSource } from '../../src/source/data-source.js';
import type { DataSourcePath } from '../../src/source/read-instructions.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-data-source-props-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Files "p<k>" of records "<k>:<i>": sizes and group sizes vary, two files are empty. */
const FILES = [
  [0, 1],
  [1, 1],
  [5, 4],
  [13, 1],
  [0, 1],
  [40, 7],
  [3, 1],
  [9, 3],
].map(([size, groupSize], k) => {
  const file = path.join(dir, `p${k}.array_record`);
  const writer = new ArrayRecordWriter(file, `group_size:${groupSize}`);
  for (let i = 0; i < size!; i++) writer.write(`${k}:${i}`);
  writer.close();
  return { file, size: size! };
});

const text = (record: Uint8Array | undefined): string => (record === undefined ? '(missing)' : Buffer.from(record).toString('utf8'));

/** One entry of the source: a file and how it is written down (whole, string slice, open slice, object, TFDS). */
const entryArbitrary = fc.record({ file: fc.nat({ max: FILES.length - 1 }), form: fc.nat({ max: 4 }), a: fc.nat(), b: fc.nat(), open: fc.boolean() });

interface Entry {
  readonly file: number;
  readonly form: number;
  readonly a: number;
  readonly b: number;
  readonly open: boolean;
}

function toEntry({ file, form, a, b, open }: Entry): { entry: DataSourcePath; keys: string[] } {
  const { file: name, size } = FILES[file]!;
  const start = form === 0 ? 0 : a % (size + 1);
  const end = form === 0 || (open && form !== 3) ? size : start + (b % (size - start + 1));
  const entry: DataSourcePath =
    form === 0
      ? name
      : form === 1
        ? `${name}[${start}:${open ? '' : end}]`
        : form === 2
          ? { path: name, start, ...(open ? {} : { end }) }
          : form === 3
            ? `${name}[${start}:${end}]`
            : { filename: name, skip: start, take: open ? -1 : end - start };
  return { entry, keys: Array.from({ length: end - start }, (_, i) => `${file}:${start + i}`) };
}

describe('ArrayRecordDataSource over uneven files and slices', () => {
  it('maps every global index to the right file and record, the same way through every read', async () => {
    // The files with group sizes above 1 warn once per source; that is tested in data-source.test.ts.
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(entryArbitrary, { minLength: 1, maxLength: 6 }),
          fc.integer({ min: 1, max: 3 }),
          fc.boolean(),
          fc.array(fc.nat(), { maxLength: 20 }),
          async (entries, maxOpenReaders, opened, picks) => {
            const parts = entries.map(toEntry);
            const expected = parts.flatMap((part) => part.keys);
            const paths = parts.map((part) => part.entry);
            const source = opened ? await ArrayRecordDataSource.open(paths, '', { maxOpenReaders }) : new ArrayRecordDataSource(paths, '', { maxOpenReaders });
            try {
              expect(source.length).toBe(expected.length);
              expect([...source].map(text)).toEqual(expected);
              const streamed: string[] = [];
              for await (const record of source.records()) streamed.push(text(record));
              expect(streamed).toEqual(expected);
              expect(expected.map((_, i) => text(source.getItem(i)))).toEqual(expected);
              const indices = expected.length === 0 ? [] : picks.map((pick) => pick % expected.length);
              const wanted = indices.map((i) => expected[i]);
              expect(source.getItems(indices).map(text)).toEqual(wanted);
              expect((await source.getItemsAsync(indices)).map(text)).toEqual(wanted);
              expect(source.getItemsAvailable(indices).records.map(text)).toEqual(wanted);
              expect((await source.getItemsAvailableAsync(indices)).records.map(text)).toEqual(wanted);
              // Concurrent batches share the bounded pool of readers.
              const together = await Promise.all([0, 1, 2].map(() => source.getItemsAsync(indices)));
              for (const batch of together) expect(batch.map(text)).toEqual(wanted);
              // Indices just outside the source, and ones that are no index at all; nothing is read for a bad batch.
              for (const bad of [-1, expected.length, expected.length + 7]) {
                expect(() => source.getItem(bad)).toThrow(OutOfRangeError);
                expect(() => source.getItems([...indices, bad])).toThrow(new RegExp(`record index ${bad} \\(position ${indices.length} of the request\\) outside \\[0, ${expected.length}\\)`));
                await expect(source.getItemsAsync([bad])).rejects.toThrow(OutOfRangeError);
              }
              for (const bad of [0.5, Number.NaN, Infinity, '1', null]) {
                expect(() => source.getItem(bad as never)).toThrow(InvalidArgumentError);
                expect(() => source.getItems([bad as never])).toThrow(InvalidArgumentError);
                await expect(source.getItemsAsync([bad as never])).rejects.toThrow(InvalidArgumentError);
              }
            } finally {
              source.close();
            }
          },
        ),
        { seed: 7, numRuns: 40 },
      );
    } finally {
      vi.restoreAllMocks();
    }
  });
});
