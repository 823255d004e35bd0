// Round trips through our writer and reader: every codec and level, group sizes, empty and huge records.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { ReadScratch } from '../../src/format/io/read-scratch.js';
import { contentRecord, mixedRecord } from '../helpers/golden.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-round-trip-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileCounter = 0;

function roundTrip(options: string, records: readonly Uint8Array[], readerOptions = ''): { file: string; reader: ArrayRecordReader } {
  const file = path.join(dir, `f${fileCounter++}.array_record`);
  const writer = new ArrayRecordWriter(file, options);
  for (const record of records) writer.write(record);
  writer.close();
  return { file, reader: new ArrayRecordReader(file, readerOptions) };
}

function expectRecords(actual: readonly Uint8Array[], expected: readonly Uint8Array[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Buffer.from(actual[i]!).equals(Buffer.from(expected[i]!))).toBe(true);
}

const codecs = ['uncompressed', 'zstd', 'zstd:-5', 'zstd:19', 'zstd:3,window_log:10', 'zstd,window_log:27', 'brotli', 'brotli:0', 'brotli:11', 'brotli:5,window_log:26', 'snappy', 'snappy:2'];
const records = Array.from({ length: 140 }, (_, i) => mixedRecord(i));

describe('every codec and group size', () => {
  for (const codec of codecs) {
    for (const groupSize of [1, 7, 1000]) {
      it(`${codec}, group_size:${groupSize}`, async () => {
        const { file, reader } = roundTrip(`group_size:${groupSize},${codec}`, records);
        expect(reader.numRecords()).toBe(records.length);
        expectRecords(reader.readAll(), records);
        const shuffled = records.map((_, i) => (i * 37) % records.length);
        expectRecords(reader.read(shuffled), shuffled.map((i) => records[i]!));
        expectRecords(await reader.readAsync(shuffled), shuffled.map((i) => records[i]!));
        expectRecords(reader.read(3, 77), records.slice(3, 77));
        expectRecords(await reader.readRangeAsync(3, 77), records.slice(3, 77));
        reader.close();
        expect(fs.statSync(file).size % 65536).toBe(0);
      });
    }
  }
});

describe('edge cases', () => {
  it('an empty file', async () => {
    const { reader } = roundTrip('', []);
    expect(reader.numRecords()).toBe(0);
    expect(reader.readAll()).toEqual([]);
    expect(await reader.readAllAsync()).toEqual([]);
    expect(reader.recordGroupSize()).toBe(0);
    expect(() => reader.read()).toThrow(/past the end/);
  });

  it('empty records only', () => {
    const empties = Array.from({ length: 10 }, () => new Uint8Array(0));
    for (const options of ['group_size:1', 'group_size:4,uncompressed', 'group_size:3,brotli', 'snappy']) {
      expectRecords(roundTrip(options, empties).reader.readAll(), empties);
    }
  });

  it('5 MiB records with every codec', () => {
    const big = [contentRecord(1, 5 * 1024 * 1024), contentRecord(2, 10), contentRecord(3, 5 * 1024 * 1024 + 1)];
    for (const codec of ['uncompressed', 'zstd', 'brotli:1', 'snappy']) {
      for (const groupSize of [1, 2]) expectRecords(roundTrip(`group_size:${groupSize},${codec}`, big).reader.readAll(), big);
    }
  });

  it('pad_to_block_boundary puts every chunk at a block boundary', () => {
    // Records 1..49 are small, so each group of 5 fits in one block: one block per chunk, then footer and postscript.
    const small = records.slice(1, 50);
    const { reader, file } = roundTrip('group_size:5,pad_to_block_boundary:true', small);
    expectRecords(reader.readAll(), small);
    expect(fs.statSync(file).size).toBe(65536 * (Math.ceil(small.length / 5) + 2));
  });

  it('strings are written as UTF-8', () => {
    const { reader } = roundTrip('', []);
    reader.close();
    const file = path.join(dir, 'strings.array_record');
    const writer = new ArrayRecordWriter(file);
    writer.write('héllo');
    writer.write('');
    writer.close();
    const decoded = new ArrayRecordReader(file).readAll().map((record) => new TextDecoder().decode(record));
    expect(decoded).toEqual(['héllo', '']);
  });

  it('seek moves the sequential cursor, across read-ahead windows', () => {
    const { reader } = roundTrip('group_size:2', records, 'readahead_buffer_size:1');
    reader.seek(101);
    expectRecords([reader.read(), reader.read()], [records[101]!, records[102]!]);
    reader.seek(0);
    expectRecords([reader.read()], [records[0]!]);
    reader.seek(records.length);
    expect(() => reader.read()).toThrow(/past the end/);
  });

  it('negative range bounds count from the end, as in Python', () => {
    const { reader } = roundTrip('group_size:3', records);
    expectRecords(reader.read(-5, -1), records.slice(-5, -1));
    expectRecords(reader.read(-5, records.length), records.slice(-5));
  });

  it.each(['group_size:4', 'group_size:1', 'group_size:2,transpose:true,snappy'])(
    'the writer copies or encodes records before write() returns, so callers may reuse their buffer (%s)',
    (options) => {
      const file = path.join(dir, 'reuse.array_record');
      const writer = new ArrayRecordWriter(file, options);
      const buffer = new Uint8Array(3);
      for (let i = 0; i < 6; i++) {
        buffer.fill(i);
        writer.write(buffer);
      }
      buffer.fill(9);
      writer.close();
      expect(new ArrayRecordReader(file).readAll().map((record) => [...record])).toEqual([0, 1, 2, 3, 4, 5].map((i) => [i, i, i]));
    },
  );
});

describe('reads into a reused scratch buffer', () => {
  it.each(['group_size:1,uncompressed', 'group_size:7,zstd', 'group_size:3,snappy,pad_to_block_boundary:true', 'group_size:5,transpose:true'])(
    'give the records read() gives, request after request (%s)',
    (options) => {
      const { reader } = roundTrip(options, records);
      const scratch = new ReadScratch();
      const copies = (batch: readonly Uint8Array[]) => batch.map((record) => record.slice());
      for (let request = 0; request < 6; request++) {
        const indices = Array.from({ length: 40 }, (_, i) => (request * 53 + i * 29) % records.length);
        expectRecords(copies(reader.readWithScratch(scratch, indices)), indices.map((i) => records[i]!));
        const from = request * 20;
        expectRecords(copies(reader.readWithScratch(scratch, from, from + 30)), records.slice(from, from + 30));
      }
      expect(() => reader.readWithScratch(scratch, 5)).toThrow(/needs both bounds/);
      reader.close();
    },
  );

  it('hands out the same memory again, growing it when a request needs more', () => {
    const scratch = new ReadScratch();
    const first = scratch.take(100);
    first.fill(1);
    const second = scratch.take(50);
    expect(second.buffer).toBe(first.buffer);
    const grown = scratch.take(10_000);
    expect(grown.length).toBe(10_000);
    expect(scratch.take(200).buffer).toBe(grown.buffer);
    // Beyond what a scratch keeps, a request gets memory of its own, and the kept buffer stays.
    expect(scratch.take(65 << 20).buffer).not.toBe(grown.buffer);
    expect(scratch.take(10).buffer).toBe(grown.buffer);
  });
});

describe('property: any records, any options', () => {
  it('read back exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom('uncompressed', 'zstd:1', 'brotli:2', 'snappy'),
        fc.boolean(),
        (generated, groupSize, codec, pad) => {
          const { reader } = roundTrip(`group_size:${groupSize},${codec},pad_to_block_boundary:${pad}`, generated);
          expectRecords(reader.readAll(), generated);
          reader.close();
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('ArrayRecordReader.open', () => {
  it('opens asynchronously and reads the same records', async () => {
    const { file } = roundTrip('group_size:3,brotli', records);
    const readers = await Promise.all([file, file, file].map((name) => ArrayRecordReader.open(name, 'index_storage_option:offloaded')));
    for (const reader of readers) {
      expect(reader.numRecords()).toBe(records.length);
      expectRecords(await reader.readAllAsync(), records);
      reader.close();
    }
  });

  it('rejects with the same typed errors as the constructor', async () => {
    await expect(ArrayRecordReader.open(path.join(dir, 'missing'))).rejects.toThrow(/cannot open file/);
    await expect(ArrayRecordReader.open(path.join(dir, 'missing'), 'bogus')).rejects.toThrow(/unknown option "bogus"/);
  });
});

describe('async reads without workers (max_parallelism:0)', () => {
  it('read the same records on libuv reads and main-thread decoding', async () => {
    const { file } = roundTrip('group_size:5,snappy', records);
    const reader = new ArrayRecordReader(file, 'max_parallelism:0');
    const shuffled = records.map((_, i) => (i * 53) % records.length);
    expectRecords(await reader.readAsync(shuffled), shuffled.map((i) => records[i]!));
    expectRecords(await reader.readAllAsync(), records);
    reader.close();
  });

  it('1,000 concurrent worker reads all come back right', async () => {
    const { file } = roundTrip('group_size:2', records);
    const reader = new ArrayRecordReader(file);
    const requests = Array.from({ length: 1000 }, (_, r) => [r % records.length, (r * 7) % records.length]);
    const results = await Promise.all(requests.map((indices) => reader.readAsync(indices)));
    results.forEach((result, r) => expectRecords(result, requests[r]!.map((i) => records[i]!)));
    reader.close();
  });
});

describe('ArrayRecordReader.info', () => {
  it('reports the footer without opening a reader', async () => {
    const { file } = roundTrip('group_size:6,snappy', records);
    const expected = { numRecords: records.length, numChunks: Math.ceil(records.length / 6), groupSize: 6 };
    expect(ArrayRecordReader.info(file)).toMatchObject(expected);
    expect(await ArrayRecordReader.infoAsync(file)).toMatchObject(expected);
    expect(ArrayRecordReader.info(file).writerOptions).toMatch(/^group_size:6,.*snappy/);
    expect(() => ArrayRecordReader.info(path.join(dir, 'missing'))).toThrow(/cannot open file/);
    await expect(ArrayRecordReader.infoAsync(path.join(dir, 'missing'))).rejects.toThrow(/cannot open file/);
  });
});

describe('transpose and metadata', () => {
  it('transposed files of proto and non-proto records read back with every codec', () => {
    const protos = Array.from({ length: 50 }, (_, i) => Uint8Array.of(0x08, i, 0x12, 3, 0x61, 0x62, 0x63 + (i % 5)));
    const mixed = [...protos, new TextEncoder().encode('not a proto'), new Uint8Array(0)];
    for (const codec of ['uncompressed', 'zstd', 'brotli', 'snappy']) {
      for (const bucket of ['', ',transpose_bucket_size:16']) {
        const { reader } = roundTrip(`group_size:8,transpose:true,${codec}${bucket}`, mixed);
        expect(reader.writerOptionsString()).toContain('transpose:true');
        expectRecords(reader.readAll(), mixed);
        reader.close();
      }
    }
  });

  it('metadata is written after the signature and read back, padded or not', () => {
    for (const options of ['group_size:4', 'group_size:4,pad_to_block_boundary:true,brotli']) {
      const file = path.join(dir, `meta${fileCounter++}.array_record`);
      const writer = new ArrayRecordWriter(file, options, { metadata: { fileComment: 'train split', recordTypeName: 'tensorflow.Example' } });
      for (const record of records.slice(0, 10)) writer.write(record);
      writer.close();
      using reader = new ArrayRecordReader(file);
      expect(reader.metadata()).toMatchObject({ fileComment: 'train split', recordTypeName: 'tensorflow.Example' });
      expectRecords(reader.readAll(), records.slice(0, 10));
    }
    const { reader } = roundTrip('', records.slice(0, 3));
    expect(reader.metadata()).toBeUndefined();
  });
});
