// A data source read with skip_corrupted_chunks: the loader drops the records of a damaged chunk from
// its batches (as a filter would), counts them, and keeps transforms, errors and states in place.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordDataSource } from '../../src/source/data-source.js';
import { ArrayRecordWriter, CorruptFileError, DataLoader, LoaderError, map } from '../../src/index.js';
import { SequentialSampler } from '../../src/samplers/index.js';
import { drain, takeThenSave, text } from './loader-helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loader-skip-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const COUNT = 100;
const record = (i: number): string => `r${i}:`.padEnd(120, '#');

/** 100 records in chunks of 10; the bytes of record 45 are damaged, so chunk 4 (records 40..49) cannot be read. */
function damagedFile(): string {
  const file = path.join(dir, 'damaged.array_record');
  const writer = new ArrayRecordWriter(file, 'group_size:10,uncompressed');
  for (let i = 0; i < COUNT; i++) writer.write(record(i));
  writer.close();
  const bytes = fs.readFileSync(file);
  bytes[bytes.indexOf(record(45)) + 2]! ^= 0x20;
  fs.writeFileSync(file, bytes);
  return file;
}

const file = damagedFile();
const intact = Array.from({ length: COUNT }, (_, i) => i).filter((i) => i < 40 || i >= 50);
const keyOf = (value: Uint8Array): number => Number(/^r(\d+):/.exec(text(value))![1]);

describe('DataLoader over a source that skips corrupted chunks', () => {
  it('without the option, the read fails with the CorruptFileError as cause', async () => {
    using source = new ArrayRecordDataSource(file);
    const loader = new DataLoader({ source, sampler: new SequentialSampler({ numRecords: COUNT }), batchSize: 8 });
    const failure = await drain(loader).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LoaderError);
    expect((failure as LoaderError).cause).toBeInstanceOf(CorruptFileError);
    expect(loader.skippedRecords).toBe(0);
  });

  it.each(['', 'max_parallelism:0'])('drops the damaged records from its batches and counts them (%s)', async (options) => {
    using source = new ArrayRecordDataSource(file, `skip_corrupted_chunks,${options}`);
    const loader = new DataLoader<Uint8Array[]>({ source, sampler: new SequentialSampler({ numRecords: COUNT, numEpochs: 2 }), batchSize: 8 });
    expect(loader.batchesPerEpoch).toBeUndefined();
    const batches = await drain(loader);
    expect(batches.map((batch) => batch.length)).toEqual([...Array<number>(11).fill(8), 2, ...Array<number>(11).fill(8), 2]);
    expect(batches.flat().map(keyOf)).toEqual([...intact, ...intact]);
    expect(loader.skippedRecords).toBe(20);
    expect(source.skippedChunks()).toMatchObject([{ path: file, chunk: 4, firstRecord: 40, endRecord: 50 }]);
    await loader.close();
  });

  it('transforms see each record with its own key; a failing one names the right element', async () => {
    using source = new ArrayRecordDataSource(file, 'skip_corrupted_chunks');
    const pairs = map((value: Uint8Array, { key }) => [key, keyOf(value)]);
    const loader = new DataLoader<number[][]>({ source, sampler: new SequentialSampler({ numRecords: COUNT }), batchSize: 16, transforms: [pairs] });
    const seen = (await drain(loader)).flat();
    expect(seen.every(([key, recordKey]) => key === recordKey)).toBe(true);
    expect(seen.map(([key]) => key)).toEqual(intact);

    const failAt = map((value: Uint8Array, { key }) => {
      if (key === 53) throw new Error('bad record');
      return value;
    });
    const failing = new DataLoader({ source, sampler: new SequentialSampler({ numRecords: COUNT }), batchSize: 16, transforms: [failAt] });
    const failure = (await drain(failing).catch((error: unknown) => error)) as LoaderError;
    expect(failure).toBeInstanceOf(LoaderError);
    expect(failure).toMatchObject({ stage: 'transform', key: 53, offset: 53 });
  });

  it('a saved state resumes with exactly the next record, the skipped ones staying out', async () => {
    using source = new ArrayRecordDataSource(file, 'skip_corrupted_chunks');
    const options = { source, sampler: new SequentialSampler({ numRecords: COUNT }), batchSize: 8, readSize: 16 };
    const first = new DataLoader<Uint8Array[]>(options);
    const { taken, state } = await takeThenSave(first, 6);
    await first.close();
    const resumed = new DataLoader<Uint8Array[]>(options);
    resumed.setState(state);
    const rest = await drain(resumed);
    expect([...taken, ...rest].flat().map(keyOf)).toEqual(intact);
    expect(first.skippedRecords + resumed.skippedRecords).toBeGreaterThanOrEqual(10);
  });
});
