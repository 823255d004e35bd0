// skip_corrupted_chunks: a damaged chunk's records are left out (reads in file order) or marked
// missing (readAvailable), and reported; without the option every path still throws. Plain Riegeli
// files resynchronise at the next chunk that block headers show.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptFileError, OutOfRangeError, UnsupportedError } from '../../src/format/errors.js';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { buildChunkHeader, parseChunkHeader } from '../../src/format/riegeli/chunk-header.js';
import { ChunkWriter } from '../../src/format/riegeli/chunk-writer.js';
import { BLOCK_SIZE } from '../../src/format/riegeli/constants.js';
import { RiegeliRecordReader } from '../../src/format/riegeli/record-reader.js';
import { UNCOMPRESSED } from '../../src/format/riegeli/compression.js';
import { encodeSimpleChunk } from '../../src/format/riegeli/simple-chunk.js';
import { memorySink } from '../helpers/memory-sink.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-skip-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Record i: its index in text, padded, so a damaged copy or a wrong record shows. */
const recordOf = (i: number): Uint8Array => encoder.encode(`record ${i} `.padEnd(200 + (i % 13), '.'));
const texts = (records: readonly (Uint8Array | undefined)[]): (string | undefined)[] =>
  records.map((record) => (record === undefined ? undefined : decoder.decode(record)));
const expectedTexts = (indices: readonly number[]): string[] => indices.map((i) => decoder.decode(recordOf(i)));
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

/** Writes `count` records and flips one byte inside record `damaged`'s bytes; returns the file and that offset. */
function damagedFile(name: string, options: string, count: number, damaged: number): { file: string; offset: number } {
  const file = path.join(dir, name);
  const writer = new ArrayRecordWriter(file, options);
  for (let i = 0; i < count; i++) writer.write(recordOf(i));
  writer.close();
  const bytes = fs.readFileSync(file);
  const offset = bytes.indexOf(Buffer.from(recordOf(damaged))) + 3;
  expect(offset).toBeGreaterThan(2);
  bytes[offset] = bytes[offset]! ^ 0x40;
  fs.writeFileSync(file, bytes);
  return { file, offset };
}

// 50 records in chunks of 10: chunk 2 (records 20..29), the middle one, is damaged.
const middle = damagedFile('middle.array_record', 'group_size:10,uncompressed', 50, 25);
const intact = [...range(0, 20), ...range(30, 50)];
const PATHS = ['max_parallelism:0', 'max_parallelism:1', ''];

function expectReport(reader: ArrayRecordReader): void {
  const [skipped, ...more] = reader.skippedChunks();
  expect(more).toEqual([]);
  expect(skipped).toMatchObject({ path: middle.file, chunk: 2, firstRecord: 20, endRecord: 30 });
  expect(skipped!.begin).toBeLessThan(middle.offset);
  expect(skipped!.end).toBeGreaterThan(middle.offset);
  expect(skipped!.reason).toMatch(/chunk data hash mismatch .*chunk at \d+ of .*middle\.array_record/);
}

describe('ArrayRecordReader without skip_corrupted_chunks', () => {
  it.each(PATHS)('every read of the damaged chunk throws (%s)', async (options) => {
    using reader = new ArrayRecordReader(middle.file, options);
    expect(() => reader.readAll()).toThrow(CorruptFileError);
    expect(() => reader.read(0, 50)).toThrow(CorruptFileError);
    expect(() => reader.read([25])).toThrow(CorruptFileError);
    expect(() => reader.readAvailable([25])).toThrow(CorruptFileError);
    await expect(reader.readAllAsync()).rejects.toThrow(CorruptFileError);
    await expect(reader.readAsync([5, 25])).rejects.toThrow(CorruptFileError);
    await expect(reader.readAvailableAsync([25])).rejects.toThrow(CorruptFileError);
    reader.seek(19);
    reader.read();
    expect(() => reader.read()).toThrow(CorruptFileError);
    expect(reader.skippedChunks()).toEqual([]);
  });
});

describe('ArrayRecordReader with skip_corrupted_chunks', () => {
  it.each(PATHS)('reads in file order leave the damaged chunk out and report it (%s)', async (options) => {
    using reader = new ArrayRecordReader(middle.file, `skip_corrupted_chunks,${options}`);
    expect(texts(reader.readAll())).toEqual(expectedTexts(intact));
    expectReport(reader);
    expect(texts(await reader.readAllAsync())).toEqual(expectedTexts(intact));
    expect(texts(reader.read(15, 35))).toEqual(expectedTexts([...range(15, 20), ...range(30, 35)]));
    expect(texts(await reader.readRangeAsync(15, 35))).toEqual(expectedTexts([...range(15, 20), ...range(30, 35)]));
    expect(texts(await reader.readRangeAsync(20, 30))).toEqual([]);
    expectReport(reader);
  });

  it.each(PATHS)('a fresh reader reports what its async reads skipped (%s)', async (options) => {
    using reader = new ArrayRecordReader(middle.file, `skip_corrupted_chunks,${options}`);
    expect(texts(await reader.readAllAsync())).toEqual(expectedTexts(intact));
    expectReport(reader);
  });

  it('sequential read() skips the damaged chunk and moves the cursor past it', () => {
    using reader = new ArrayRecordReader(middle.file, 'skip_corrupted_chunks');
    const seen: string[] = [];
    const cursors: number[] = [];
    for (;;) {
      try {
        seen.push(decoder.decode(reader.read()));
        cursors.push(reader.recordIndex());
      } catch (error) {
        expect(error).toBeInstanceOf(OutOfRangeError);
        break;
      }
    }
    expect(seen).toEqual(expectedTexts(intact));
    expect(cursors[19]).toBe(20);
    expect(cursors[20]).toBe(31);
    expectReport(reader);
    reader.seek(22);
    expect(decoder.decode(reader.read())).toBe(decoder.decode(recordOf(30)));
  });

  it.each(PATHS)('reads by index still throw; readAvailable marks the missing indices (%s)', async (options) => {
    using reader = new ArrayRecordReader(middle.file, `skip_corrupted_chunks,${options}`);
    expect(() => reader.read([5, 25])).toThrow(CorruptFileError);
    await expect(reader.readAsync([5, 25])).rejects.toThrow(/chunk data hash mismatch/);
    expect(reader.skippedChunks()).toEqual([]);
    const request = [25, 5, 31, 29, 5];
    const sync = reader.readAvailable(request);
    expect(texts(sync.records)).toEqual([undefined, ...expectedTexts([5, 31]), undefined, ...expectedTexts([5])]);
    expect(sync.skipped.map((s) => s.chunk)).toEqual([2]);
    const async = await reader.readAvailableAsync(request);
    expect(texts(async.records)).toEqual(texts(sync.records));
    expect(async.skipped.map((s) => s.chunk)).toEqual([2]);
    expectReport(reader);
    // Indices of intact chunks only: nothing skipped, nothing reported by this read.
    expect((await reader.readAvailableAsync([1, 2, 40])).skipped).toEqual([]);
  });

  it.each(PATHS)('a batch spread over several read workers puts every hole in its place (%s)', async (options) => {
    const { file } = damagedFile(`spread-${options}.array_record`, 'group_size:1,uncompressed', 400, 200);
    using reader = new ArrayRecordReader(file, `skip_corrupted_chunks,${options}`);
    const request = range(0, 400).reverse();
    const { records, skipped } = await reader.readAvailableAsync(request);
    expect(texts(records)).toEqual(request.map((i) => (i === 200 ? undefined : decoder.decode(recordOf(i)))));
    expect(skipped.map((s) => [s.firstRecord, s.endRecord])).toEqual([[200, 201]]);
    expect(texts(await reader.readAllAsync())).toEqual(expectedTexts(range(0, 400).filter((i) => i !== 200)));
  });
});

describe('a chunk whose hashes match but whose data cannot be decoded', () => {
  // Chunk 2 gets an unknown compression type, with its hashes recomputed: only decoding can tell.
  const file = path.join(dir, 'undecodable.array_record');
  const writer = new ArrayRecordWriter(file, 'group_size:10,zstd');
  for (let i = 0; i < 50; i++) writer.write(recordOf(i));
  writer.close();
  const plain = new RiegeliRecordReader(file);
  for (let i = 0; i <= 20; i++) plain.read();
  const begin = plain.lastPos();
  plain.close();
  const bytes = fs.readFileSync(file);
  const header = parseChunkHeader(bytes.subarray(begin, begin + 40), 'test');
  const data = bytes.subarray(begin + 40, begin + 40 + header.dataSize);
  data[0] = 0x71;
  bytes.set(buildChunkHeader(header, data), begin);
  fs.writeFileSync(file, bytes);

  it.each(PATHS)('throws UnsupportedError without the option, is skipped with it (%s)', async (options) => {
    using strict = new ArrayRecordReader(file, options);
    expect(() => strict.readAll()).toThrow(UnsupportedError);
    await expect(strict.readAllAsync()).rejects.toThrow(UnsupportedError);
    using reader = new ArrayRecordReader(file, `skip_corrupted_chunks,${options}`);
    expect(texts(await reader.readAllAsync())).toEqual(expectedTexts(intact));
    expect(texts(reader.readAll())).toEqual(expectedTexts(intact));
    expect(reader.skippedChunks()).toMatchObject([{ chunk: 2, firstRecord: 20, endRecord: 30, begin, reason: expect.stringMatching(/unknown compression type/) }]);
  });
});

describe('RiegeliRecordReader with skip_corrupted_chunks', () => {
  // 120 chunks of 10 records of ~200 bytes: about 4 blocks, so block headers lead past damage.
  const CHUNKS = 120;
  const sink = memorySink();
  const writer = new ChunkWriter(sink);
  const chunkBegins: number[] = [];
  for (let c = 0; c < CHUNKS; c++) chunkBegins.push(writer.writeChunk(encodeSimpleChunk(range(c * 10, c * 10 + 10).map(recordOf), UNCOMPRESSED)));
  const clean = sink.bytes();

  function damaged(name: string, offset: number): string {
    const bytes = Buffer.from(clean);
    bytes[offset] = bytes[offset]! ^ 0x40;
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return file;
  }

  function readEverything(reader: RiegeliRecordReader): string[] {
    return [...reader].map((record) => decoder.decode(record));
  }

  it('damaged data with an intact header: skips to the end of that chunk', () => {
    const file = damaged('data.riegeli', chunkBegins[20]! + 100);
    expect(() => readEverything(new RiegeliRecordReader(file))).toThrow(CorruptFileError);
    using reader = new RiegeliRecordReader(file, 'skip_corrupted_chunks');
    expect(readEverything(reader)).toEqual(expectedTexts(range(0, CHUNKS * 10).filter((i) => i < 200 || i >= 210)));
    expect(reader.skippedRegions()).toEqual([{ begin: chunkBegins[20], end: chunkBegins[21], reason: expect.stringMatching(/data hash mismatch/) }]);
  });

  it('a damaged chunk header: resynchronises at the next chunk a block header shows', () => {
    const damagedChunk = 20;
    const file = damaged('header.riegeli', chunkBegins[damagedChunk]! + 5);
    const boundary = (Math.floor(chunkBegins[damagedChunk]! / BLOCK_SIZE) + 1) * BLOCK_SIZE;
    const resume = chunkBegins.find((begin) => begin >= boundary)!;
    const resumeChunk = chunkBegins.indexOf(resume);
    // Chunks after the damaged one that begin before the next block boundary are lost too, as in Riegeli.
    expect(resumeChunk).toBeGreaterThan(damagedChunk + 1);
    expect(() => readEverything(new RiegeliRecordReader(file))).toThrow(/chunk header hash mismatch|header/);
    using reader = new RiegeliRecordReader(file, 'skip_corrupted_chunks');
    expect(readEverything(reader)).toEqual(expectedTexts(range(0, CHUNKS * 10).filter((i) => i < damagedChunk * 10 || i >= resumeChunk * 10)));
    expect(reader.skippedRegions()).toEqual([{ begin: chunkBegins[damagedChunk], end: resume, reason: expect.any(String) }]);
    reader.seek(chunkBegins[damagedChunk]! + 2);
    expect(decoder.decode(reader.read())).toBe(decoder.decode(recordOf(resumeChunk * 10)));
  });

  it('a damaged block header on the way is passed over to the next block', () => {
    const damagedChunk = 20;
    const boundary = (Math.floor(chunkBegins[damagedChunk]! / BLOCK_SIZE) + 1) * BLOCK_SIZE;
    const bytes = Buffer.from(clean);
    bytes[chunkBegins[damagedChunk]! + 5]! ^= 0x40;
    bytes[boundary + 10]! ^= 0x40;
    const file = path.join(dir, 'block-header.riegeli');
    fs.writeFileSync(file, bytes);
    const resume = chunkBegins.find((begin) => begin >= boundary + BLOCK_SIZE)!;
    using reader = new RiegeliRecordReader(file, 'skip_corrupted_chunks');
    const resumeChunk = chunkBegins.indexOf(resume);
    expect(readEverything(reader)).toEqual(expectedTexts(range(0, CHUNKS * 10).filter((i) => i < damagedChunk * 10 || i >= resumeChunk * 10)));
    expect(reader.skippedRegions().map(({ begin, end }) => [begin, end])).toEqual([[chunkBegins[damagedChunk], resume]]);
  });
});
