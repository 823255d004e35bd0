// Plain Riegeli record files: the golden file written by riegeli::RecordWriter, and multi-block files
// built with our chunk framing, read sequentially and by record position.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClosedError, CorruptFileError, OutOfRangeError } from '../../src/format/errors.js';
import { ChunkWriter } from '../../src/format/riegeli/chunk-writer.js';
import { CompressionType } from '../../src/format/riegeli/constants.js';
import { RiegeliRecordReader } from '../../src/format/riegeli/record-reader.js';
import { encodeSimpleChunk } from '../../src/format/riegeli/simple-chunk.js';
import { goldenPath, goldenSidecar, mixedRecord, sha256 } from '../helpers/golden.js';
import { memorySink } from '../helpers/memory-sink.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riegeli-reader-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A plain Riegeli file of `records` in chunks of `perChunk`, with a padding chunk after every third. */
function writePlainFile(name: string, records: readonly Uint8Array[], perChunk: number): string {
  const sink = memorySink();
  const writer = new ChunkWriter(sink);
  for (let start = 0, n = 0; start < records.length; start += perChunk, n++) {
    writer.writeChunk(encodeSimpleChunk(records.slice(start, start + perChunk), { type: CompressionType.zstd, level: 1 }));
    if (n % 3 === 2) writer.padToBlockBoundary();
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, sink.bytes());
  return file;
}

/** Reads every record with its canonical position. */
function positionsAndRecords(reader: RiegeliRecordReader): Array<[number, Uint8Array]> {
  const out: Array<[number, Uint8Array]> = [];
  for (;;) {
    const record = reader.read();
    if (record === undefined) return out;
    out.push([reader.lastPos(), record]);
  }
}

describe('RiegeliRecordReader', () => {
  it('reads the golden plain Riegeli file (brotli, written by riegeli::RecordWriter)', () => {
    const golden = goldenSidecar('plain_riegeli_small.riegeli');
    using reader = new RiegeliRecordReader(goldenPath('plain_riegeli_small.riegeli'));
    expect([...reader].map(sha256)).toEqual(golden.sha256);
    expect(reader.read()).toBeUndefined();
    expect(reader.pos()).toBe(fs.statSync(goldenPath('plain_riegeli_small.riegeli')).size);
  });

  it('seeks to every record position of the golden file', () => {
    using reader = new RiegeliRecordReader(goldenPath('plain_riegeli_small.riegeli'));
    const all = positionsAndRecords(reader);
    for (const [pos, record] of [all[0]!, all[1]!, all[500]!, all[999]!]) {
      reader.seek(pos);
      expect(Buffer.from(reader.read()!).equals(Buffer.from(record))).toBe(true);
    }
  });

  it('seeks across blocks through block headers, landing on the next record from any position', () => {
    const records = Array.from({ length: 300 }, (_, i) => mixedRecord(i));
    const file = writePlainFile('multi.riegeli', records, 7);
    using reader = new RiegeliRecordReader(file);
    const all = positionsAndRecords(reader);
    expect(all.map(([, record]) => sha256(record))).toEqual(records.map(sha256));
    const size = fs.statSync(file).size;
    for (let probe = 0; probe <= size; probe += 977) {
      reader.seek(probe);
      const expected = all.find(([pos]) => pos >= probe);
      const got = reader.read();
      if (expected === undefined) expect(got).toBeUndefined();
      else expect(sha256(got!)).toBe(sha256(expected[1]));
    }
    for (const [pos, record] of all.filter((_, i) => i % 37 === 0)) {
      reader.seek(pos);
      expect(reader.pos()).toBe(pos);
      expect(sha256(reader.read()!)).toBe(sha256(record));
      expect(reader.lastPos()).toBe(pos);
    }
  });

  it('errors', () => {
    const file = writePlainFile('errors.riegeli', [new Uint8Array(5)], 1);
    const reader = new RiegeliRecordReader(file);
    expect(() => reader.seek(-1)).toThrow(OutOfRangeError);
    expect(() => reader.seek(fs.statSync(file).size + 1)).toThrow(OutOfRangeError);
    reader.close();
    expect(() => reader.read()).toThrow(ClosedError);
    const bytes = fs.readFileSync(file);
    bytes[70] = bytes[70]! ^ 1;
    const damaged = path.join(dir, 'damaged.riegeli');
    fs.writeFileSync(damaged, bytes);
    expect(() => new RiegeliRecordReader(damaged).read()).toThrow(CorruptFileError);
    fs.writeFileSync(damaged, bytes.subarray(0, 90));
    expect(() => new RiegeliRecordReader(damaged).read()).toThrow(/truncated/);
    fs.writeFileSync(damaged, Buffer.alloc(100, 1));
    expect(() => new RiegeliRecordReader(damaged)).toThrow(CorruptFileError);
  });
});

describe('RiegeliRecordReader with transposed chunks and metadata', () => {
  it('reads what the ArrayRecord writer stores, as a plain Riegeli file would be read', async () => {
    const { ArrayRecordWriter } = await import('../../src/format/arrayrecord/writer.js');
    const file = path.join(dir, 'transposed.array_record');
    const protos = Array.from({ length: 30 }, (_, i) => Uint8Array.of(0x08, i, 0x12, 1, 0x61 + (i % 3)));
    const writer = new ArrayRecordWriter(file, 'group_size:7,transpose:true', { metadata: { fileComment: 'plain view' } });
    for (const record of protos) writer.write(record);
    writer.close();
    using reader = new RiegeliRecordReader(file);
    expect(reader.metadata()).toMatchObject({ fileComment: 'plain view' });
    // The ArrayRecord footer and postscript are simple chunks too: the records come first, then those.
    const all = [...reader];
    expect(all.slice(0, protos.length).map(sha256)).toEqual(protos.map(sha256));
    expect(new RiegeliRecordReader(goldenPath('plain_riegeli_small.riegeli')).metadata()).toBeUndefined();
  });
});

describe('seeking in files whose size is a multiple of the block size (found by the fuzzer)', () => {
  const golden = goldenPath('digits.array_record-00000-of-00002');

  it('seek(size) lands at the end instead of reading a block header past it', () => {
    using reader = new RiegeliRecordReader(golden);
    reader.seek(fs.statSync(golden).size);
    expect(reader.read()).toBeUndefined();
  });

  it('a damaged block header met by seek is a CorruptFileError naming the file and the block', () => {
    const bytes = fs.readFileSync(golden);
    bytes[65536 + 15] = 0x40; // previous_chunk's top byte: beyond 2^53, hash no longer matches
    const file = path.join(dir, 'damaged-block-header.array_record');
    fs.writeFileSync(file, bytes);
    using reader = new RiegeliRecordReader(file);
    let caught: unknown;
    try {
      reader.seek(65600);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CorruptFileError);
    expect((caught as CorruptFileError).message).toContain(file);
    expect((caught as CorruptFileError).offset).toBe(65536);
  });
});
