// Files whose hashes are all valid but whose structure lies: every read path gives a CorruptFileError
// naming the file and offset, quickly, with memory bounded by the bytes present rather than a claimed count.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrayRecordDataSource } from '../../src/source/data-source.js';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { CorruptFileError, deserializeError, serializeError } from '../../src/format/errors.js';
import { asDecodingError } from '../../src/format/riegeli/chunk-codec.js';
import { decodeBlock, encodeBlock, UNCOMPRESSED } from '../../src/format/riegeli/compression.js';
import { chunkEnd } from '../../src/format/riegeli/block.js';
import { parseChunkHeader } from '../../src/format/riegeli/chunk-header.js';
import { CHUNK_HEADER_SIZE, ChunkType, CompressionType } from '../../src/format/riegeli/constants.js';
import { RiegeliRecordReader } from '../../src/format/riegeli/record-reader.js';
import { recordOf } from '../../src/format/riegeli/decoded-chunk.js';
import { decodeSimpleChunk, encodeSimpleChunk } from '../../src/format/riegeli/simple-chunk.js';
import { decodeTransposedChunk, encodeTransposedChunk } from '../../src/format/riegeli/transpose/index.js';
import { buildArrayRecord, buildRiegeli, reforgeChunkHeader } from '../helpers/forge.js';
import { goldenPath } from '../helpers/golden.js';
import { run } from '../helpers/run-cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-hostile-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const records = Array.from({ length: 6 }, (_, i) => Uint8Array.from([i, i, i]));
/** A hang guard, not a speed test: failing takes milliseconds; the lies reproduced here took minutes, or ran out of heap, and a shared 2-core CI machine can stall a test for a second. */
const MOMENT_MS = 5000;

// The read workers start before the timed reads: loading their modules takes about a second.
beforeAll(() => withReader(goldenPath('digits.array_record-00000-of-00002'), '', (reader) => reader.readAllAsync()));

function save(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** Runs `action` on a reader that is closed afterwards, whatever happens. */
async function withReader<T>(file: string, options: string, action: (reader: ArrayRecordReader) => T | Promise<T>): Promise<T> {
  const reader = new ArrayRecordReader(file, options);
  try {
    return await action(reader);
  } finally {
    reader.close();
  }
}

/** Every way of reading records of an ArrayRecord file, each opening it afresh. */
const RECORD_PATHS: Readonly<Record<string, (file: string) => unknown>> = {
  'readAll()': (file) => withReader(file, '', (reader) => reader.readAll()),
  'read(indices)': (file) => withReader(file, '', (reader) => reader.read([0])),
  'read(start, end)': (file) => withReader(file, '', (reader) => reader.read(0, 1)),
  'read() sequentially': (file) => withReader(file, '', (reader) => reader.read()),
  'readAllAsync() on the read workers': (file) => withReader(file, '', (reader) => reader.readAllAsync()),
  'readAsync() on one worker': (file) => withReader(file, 'max_parallelism:1', (reader) => reader.readAsync([0])),
  'readAllAsync() with max_parallelism:0': (file) => withReader(file, 'max_parallelism:0', (reader) => reader.readAllAsync()),
  'readAll() with an offloaded index': (file) => withReader(file, 'index_storage_option:offloaded', (reader) => reader.readAll()),
  'ArrayRecordReader.open': async (file) => (await ArrayRecordReader.open(file)).readAllAsync(),
  'ArrayRecordDataSource': (file) => {
    using source = new ArrayRecordDataSource([file]);
    return source.getItems([0]);
  },
  'ArrayRecordDataSource.open': async (file) => {
    using source = await ArrayRecordDataSource.open([file]);
    return source.getItemsAsync([0]);
  },
};

/** Every path, those that read only the footer included (they check all of it). */
const ARRAY_RECORD_PATHS: Readonly<Record<string, (file: string) => unknown>> = {
  ...RECORD_PATHS,
  'ArrayRecordReader.info': (file) => ArrayRecordReader.info(file),
  'ArrayRecordReader.infoAsync': (file) => ArrayRecordReader.infoAsync(file),
};

/** The error `action` throws or rejects with (a test failure if it succeeds). */
async function failureOf(action: () => unknown): Promise<Error> {
  try {
    await action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the read to fail');
}

/**
 * Expects a CorruptFileError naming `file` and `offset`, thrown within a moment and without the
 * process growing by more than a few tens of megabytes (a claimed count must not size anything).
 */
async function expectCorrupt(action: () => unknown, file: string, offset: number, pattern: RegExp, label: string): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  const start = performance.now();
  const error = await failureOf(action);
  const elapsed = performance.now() - start;
  expect(error, `${label}: ${error.stack}`).toBeInstanceOf(CorruptFileError);
  expect((error as CorruptFileError).code).toBe('ERR_CORRUPT_FILE');
  expect(error.message, label).toContain(file);
  expect(error.message, label).toMatch(new RegExp(`\\b${offset}\\b`));
  expect(error.message, label).toMatch(pattern);
  expect(elapsed, `${label} took ${elapsed} ms`).toBeLessThan(MOMENT_MS);
  expect(process.memoryUsage().rss - rssBefore, label).toBeLessThan(64 << 20);
}

async function expectCorruptOnEveryPath(file: string, offset: number, pattern: RegExp, paths = ARRAY_RECORD_PATHS): Promise<void> {
  for (const [label, read] of Object.entries(paths)) await expectCorrupt(() => read(file), file, offset, pattern, label);
}

/** Runs the CLI; returns its exit code and what it printed. */
function cli(...args: string[]): { code: number | null; output: string } {
  const result = run(args);
  return { code: result.code, output: result.stdout + result.stderr };
}

function expectCliCorrupt(file: string, offset: number): void {
  for (const command of ['info', 'cat', 'verify']) {
    const { code, output } = cli(command, file);
    expect(code, `${command}: ${output}`).toBe(1);
    expect(output, command).toContain(file);
    expect(output, command).toMatch(new RegExp(`\\b${offset}\\b`));
    expect(output, command).not.toMatch(/RangeError|TypeError|heap/);
  }
}

describe('1. a footer claiming 2^32 records, its counts agreeing with each other', () => {
  const forged = buildArrayRecord({
    chunks: [encodeSimpleChunk(records, UNCOMPRESSED)],
    numRecords: 2 ** 32,
    entries: ([entry]) => [{ ...entry!, numRecords: 2 ** 32 }],
  });
  const file = save('footer-2e32.array_record', forged.bytes);

  it('is refused on every read path: one record per byte of chunks at most', async () => {
    await expectCorruptOnEveryPath(file, forged.footerOffset, /counts 4294967296 records, more than the \d+ bytes of chunks/);
  });

  it('is refused by the CLI', () => expectCliCorrupt(file, forged.footerOffset));

  it('an entry that disagrees with the metadata, or claims more records than its chunk has bytes, is refused too', async () => {
    const twoChunks = [encodeSimpleChunk(records.slice(0, 3), UNCOMPRESSED), encodeSimpleChunk(records.slice(3), UNCOMPRESSED)];
    const disagreeing = buildArrayRecord({ chunks: twoChunks, entries: ([a, b]) => [a!, { ...b!, numRecords: 2 }] });
    const disagreeingFile = save('entry-disagrees.array_record', disagreeing.bytes);
    await expectCorruptOnEveryPath(disagreeingFile, disagreeing.footerOffset, /footer entry 1 counts 2 records, the footer metadata implies 3/);

    // 100 records claimed for a chunk of a few dozen bytes; the file as a whole has room for the 150 claimed.
    const roomy = [encodeSimpleChunk(records.slice(0, 3), UNCOMPRESSED), encodeSimpleChunk([new Uint8Array(500)], UNCOMPRESSED)];
    const crowded = buildArrayRecord({ chunks: roomy, numRecords: 150, entries: ([a, b]) => [{ ...a!, numRecords: 100 }, { ...b!, numRecords: 50 }] });
    const crowdedFile = save('entry-crowded.array_record', crowded.bytes);
    await expectCorruptOnEveryPath(crowdedFile, crowded.footerOffset, /footer entry 0 counts 100 records in a chunk of \d+ bytes at 64, at most one per byte/);
  });

  it('chunk offsets must lie where a chunk can begin', async () => {
    const misplaced = buildArrayRecord({ chunks: [encodeSimpleChunk(records, UNCOMPRESSED)], entries: ([entry]) => [{ ...entry!, chunkOffset: 10 }] });
    const misplacedFile = save('entry-misplaced.array_record', misplaced.bytes);
    await expectCorrupt(() => new ArrayRecordReader(misplacedFile), misplacedFile, misplaced.footerOffset, /puts a chunk at 10, expected after 63/, 'open');
  });
});

describe('2. a chunk header claiming a huge record count', () => {
  for (const claim of [2 ** 33, 2 ** 40]) {
    it(`a footer chunk claiming ${claim} records is refused by every ArrayRecord path and the CLI`, async () => {
      const built = buildArrayRecord({ chunks: [encodeSimpleChunk(records, UNCOMPRESSED)] });
      const bytes = Buffer.from(built.bytes);
      reforgeChunkHeader(bytes, built.footerOffset, { numRecords: claim });
      const file = save(`footer-chunk-${claim}.array_record`, bytes);
      await expectCorruptOnEveryPath(file, built.footerOffset, /ends at \d+, past the postscript/);
      expectCliCorrupt(file, built.footerOffset);
    });

    it(`an ArrayRecord data chunk claiming ${claim} records is refused by every path that reads it`, async () => {
      const built = buildArrayRecord({ chunks: [encodeSimpleChunk(records, UNCOMPRESSED)] });
      const bytes = Buffer.from(built.bytes);
      reforgeChunkHeader(bytes, built.chunkOffsets[0]!, { numRecords: claim });
      const file = save(`data-chunk-${claim}.array_record`, bytes);
      await expectCorruptOnEveryPath(file, built.chunkOffsets[0]!, /ends at \d+, past the footer/, RECORD_PATHS);
    });

    it(`a data chunk claiming ${claim} records is refused by RiegeliRecordReader`, async () => {
      const built = buildRiegeli([encodeSimpleChunk(records, UNCOMPRESSED)]);
      const bytes = Buffer.from(built.bytes);
      reforgeChunkHeader(bytes, built.offsets[0]!, { numRecords: claim });
      const file = save(`riegeli-${claim}.riegeli`, bytes);
      await expectCorrupt(() => [...new RiegeliRecordReader(file)], file, built.offsets[0]!, /past the end of the file at \d+ \(truncated\)/, 'riegeli');
    });
  }

  it('the simple chunk decoder checks the count against the record sizes before allocating by it', () => {
    const { data } = encodeSimpleChunk(records, { type: CompressionType.zstd, level: 3 });
    for (const claim of [7, 2 ** 33, 2 ** 40]) {
      expect(() => decodeSimpleChunk(data, claim, 18, 'chunk at 64 of forged')).toThrow(
        new RegExp(`announces ${claim} records, its record sizes hold 6 bytes`),
      );
    }
  });

  it('the transposed decoder runs in room for what its bytes can yield, not for the header claims', () => {
    const protos = Array.from({ length: 50 }, (_, i) => Uint8Array.from([0x08, i + 1, 0x12, 2, 0x61, 0x62]));
    const { data, decodedDataSize } = encodeTransposedChunk(protos, UNCOMPRESSED, 256);
    const rssBefore = process.memoryUsage().rss;
    expect(() => decodeTransposedChunk(data, 2 ** 20, decodedDataSize, 'chunk at 64 of forged')).toThrow(CorruptFileError);
    expect(() => decodeTransposedChunk(data, 50, 2 ** 31, 'chunk at 64 of forged')).toThrow(CorruptFileError);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 << 20);
    expect(decodeTransposedChunk(data, 50, decodedDataSize, 'chunk at 64').ends.length).toBe(50);

    // Valid records that yield more than that first room (twelve nested submessages, no buffers: about
    // 2.5 times as many bytes as transitions and states suggest) still decode, in a larger second run.
    let deep = [0x08, 1, 0x10, 2];
    for (let depth = 0; depth < 12; depth++) deep = [0x0a, deep.length, ...deep];
    const nested = Array.from({ length: 400 }, (_, i) => Uint8Array.from(deep.map((byte, j) => (j === deep.length - 1 ? i % 100 : byte))));
    const encoded = encodeTransposedChunk(nested, UNCOMPRESSED, 256);
    const decoded = decodeTransposedChunk(encoded.data, encoded.numRecords, encoded.decodedDataSize, 'chunk at 64');
    expect(Array.from({ length: 400 }, (_, i) => Buffer.from(recordOf(decoded, i)).equals(nested[i]!))).not.toContain(false);
  });

  it('codecs check a claimed decompressed size against what their frames can yield before allocating', () => {
    const sizes = new Uint8Array(1000).fill(1);
    for (const type of [CompressionType.zstd, CompressionType.snappy]) {
      const block = encodeBlock({ type, level: 3 }, sizes);
      // The varint size prefix rewritten to 2^31 - 1 (five bytes), the codec's bytes unchanged.
      const prefixLength = block[1]! < 0x80 ? 2 : 3;
      const forged = Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0x07]), block.subarray(prefixLength)]);
      expect(() => decodeBlock(type, forged, 'record sizes of chunk at 64 of forged')).toThrow(CorruptFileError);
      expect(() => decodeBlock(type, forged, 'record sizes of chunk at 64 of forged')).toThrow(/decompress record sizes of chunk at 64/);
    }
  });
});

describe('3. max_parallelism:0 with a footer claiming 2^24 .. 2^31 records', () => {
  for (const claim of [2 ** 24, 2 ** 28, 2 ** 31 - 1]) {
    it(`${claim} records fail at once, before any index array is built`, async () => {
      const forged = buildArrayRecord({
        chunks: [encodeSimpleChunk(records, UNCOMPRESSED)],
        numRecords: claim,
        entries: ([entry]) => [{ ...entry!, numRecords: claim }],
      });
      const file = save(`footer-${claim}.array_record`, forged.bytes);
      await expectCorrupt(
        () => withReader(file, 'max_parallelism:0', (reader) => reader.readAllAsync()),
        file,
        forged.footerOffset,
        /more than the \d+ bytes of chunks/,
        'max_parallelism:0',
      );
    });
  }
});

describe('4. a chunk typed padding, metadata or signature whose header holds records', () => {
  const types = { padding: ChunkType.padding, metadata: ChunkType.fileMetadata, signature: ChunkType.fileSignature };
  for (const [name, type] of Object.entries(types)) {
    it(`RiegeliRecordReader refuses a simple chunk retyped as ${name} instead of dropping its records`, async () => {
      const built = buildRiegeli([encodeSimpleChunk(records, UNCOMPRESSED), encodeSimpleChunk(records, UNCOMPRESSED)]);
      const bytes = Buffer.from(built.bytes);
      reforgeChunkHeader(bytes, built.offsets[0]!, { chunkType: type });
      const file = save(`retyped-${name}.riegeli`, bytes);
      const field = name === 'signature' ? 'data size' : 'record count';
      await expectCorrupt(() => [...new RiegeliRecordReader(file)], file, built.offsets[0]!, new RegExp(`type '${String.fromCharCode(type)}' with ${field}`), name);
    });
  }

  it('padding between ArrayRecord chunks that announces records is refused on every path', async () => {
    const built = buildArrayRecord({ chunks: [encodeSimpleChunk(records, UNCOMPRESSED)] });
    // The padding chunk that follows the footer up to the postscript's block.
    const paddingAt = chunkEndAt(built.bytes, built.footerOffset);
    const bytes = Buffer.from(built.bytes);
    reforgeChunkHeader(bytes, paddingAt, { numRecords: 5 });
    const file = save('padding-with-records.array_record', bytes);
    await expectCorruptOnEveryPath(file, paddingAt, /type 'p' with record count 5, expected 0/);
  });

  it('a metadata chunk that announces records is refused by metadata()', async () => {
    const metadata = encodeTransposedChunk([Uint8Array.from([0x0a, 1, 0x61])], UNCOMPRESSED, 256);
    const built = buildArrayRecord({ chunks: [encodeSimpleChunk(records, UNCOMPRESSED)], leading: [{ ...metadata, chunkType: ChunkType.fileMetadata, numRecords: 0 }] });
    const bytes = Buffer.from(built.bytes);
    reforgeChunkHeader(bytes, built.leadingOffsets[0]!, { numRecords: 1 });
    const file = save('metadata-with-records.array_record', bytes);
    await expectCorrupt(() => withReader(file, '', (reader) => reader.metadata()), file, 64, /type 'm' with record count 1, expected 0/, 'metadata()');
    await expectCorrupt(() => [...new RiegeliRecordReader(file)], file, 64, /type 'm' with record count 1, expected 0/, 'riegeli');
  });
});

describe('5. a chunk whose declared end lies past the end of the file', () => {
  it('RiegeliRecordReader reports truncation, even when the chunk data is all there', async () => {
    // 300 empty records: the chunk's data takes a few dozen bytes, its positions 300.
    const empties = Array.from({ length: 300 }, () => new Uint8Array(0));
    const built = buildRiegeli([encodeSimpleChunk(records, UNCOMPRESSED), encodeSimpleChunk(empties, UNCOMPRESSED)]);
    const cut = built.offsets[1]! + 120;
    const file = save('cut-in-padding.riegeli', built.bytes.subarray(0, cut));
    await expectCorrupt(() => [...new RiegeliRecordReader(file)], file, built.offsets[1]!, /ends at \d+, past the end of the file at 2\d\d \(truncated\)/, 'read');
    await expectCorrupt(() => new RiegeliRecordReader(file).seek(built.offsets[1]! + 5), file, built.offsets[1]!, /truncated/, 'seek');
  });

  it('a file that ends at a chunk boundary ends cleanly', () => {
    const built = buildRiegeli([encodeSimpleChunk(records, UNCOMPRESSED), encodeSimpleChunk(records, UNCOMPRESSED)]);
    const file = save('whole.riegeli', built.bytes);
    using reader = new RiegeliRecordReader(file);
    expect([...reader].length).toBe(12);
    const first = save('first-chunk-only.riegeli', built.bytes.subarray(0, built.offsets[1]));
    using shorter = new RiegeliRecordReader(first);
    expect([...shorter].length).toBe(6);
  });

  it('an ArrayRecord chunk whose end overlaps the next chunk is refused', async () => {
    const twoChunks = [encodeSimpleChunk(records.slice(0, 3), UNCOMPRESSED), encodeSimpleChunk(records.slice(3), UNCOMPRESSED)];
    const built = buildArrayRecord({ chunks: twoChunks });
    const bytes = Buffer.from(built.bytes);
    // The data size grows by one: the header's declared end now reaches into the next chunk.
    reforgeChunkHeader(bytes, built.chunkOffsets[0]!, { dataSize: twoChunks[0]!.data.length + 1 });
    const file = save('overlapping.array_record', bytes);
    await expectCorrupt(() => withReader(file, '', (reader) => reader.read([0])), file, built.chunkOffsets[0]!, /past the next chunk|extends to|hash mismatch/, 'read');
  });
});

describe('errors from hostile bytes cross the worker boundary with their class', () => {
  it('an untyped failure while decoding becomes a CorruptFileError naming the file and chunk, and stays one', () => {
    const error = asDecodingError(new RangeError('Invalid typed array length: 8589934592'), 'chunk', '/data/x.array_record', 4160);
    const rebuilt = deserializeError(serializeError(error));
    expect(rebuilt).toBeInstanceOf(CorruptFileError);
    expect(rebuilt.message).toBe('chunk at 4160 cannot be decoded: Invalid typed array length: 8589934592 (/data/x.array_record, offset 4160)');
    const typed = new CorruptFileError('already typed');
    expect(asDecodingError(typed, 'chunk', '/data/x.array_record', 4160)).toBe(typed);
  });

  it('a transposed chunk that cannot be decoded rejects with CorruptFileError from a read worker', async () => {
    const protos = Array.from({ length: 4 }, (_, i) => Uint8Array.from([0x08, i + 1]));
    const chunk = encodeTransposedChunk(protos, UNCOMPRESSED, 256);
    const built = buildArrayRecord({ chunks: [{ ...chunk, decodedDataSize: chunk.decodedDataSize + 1 }] });
    const file = save('transposed-lie.array_record', built.bytes);
    await expectCorrupt(() => withReader(file, 'max_parallelism:1', (reader) => reader.readAsync([0])), file, built.chunkOffsets[0]!, /transposed chunk at/, 'worker');
  });
});

/** Where the chunk at `begin` ends, by its header (which lies within one block in these small files). */
function chunkEndAt(bytes: Uint8Array, begin: number): number {
  const header = parseChunkHeader(bytes.subarray(begin, begin + CHUNK_HEADER_SIZE), `chunk at ${begin}`);
  return chunkEnd(begin, header.dataSize, header.numRecords);
}
