// Bad input: damaged bytes anywhere, truncation, wrong files, misuse. Always a typed error, never a wrong record.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ArrayRecordError,
  ClosedError,
  CorruptFileError,
  InvalidArgumentError,
  IoError,
  NotArrayRecordError,
  OutOfRangeError,
  UnsupportedError,
} from '../../src/format/errors.js';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { RiegeliRecordReader } from '../../src/format/riegeli/record-reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { encodeFooterMetadata, encodePostscript } from '../../src/format/arrayrecord/layout.js';
import { ChunkWriter } from '../../src/format/riegeli/chunk-writer.js';
import { UNCOMPRESSED } from '../../src/format/riegeli/compression.js';
import { encodeSimpleChunk } from '../../src/format/riegeli/simple-chunk.js';
import { goldenPath, mixedRecord } from '../helpers/golden.js';
import { memorySink } from '../helpers/memory-sink.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-corrupt-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const records = Array.from({ length: 120 }, (_, i) => mixedRecord(i));

function writeSample(name: string, options: string): string {
  const file = path.join(dir, name);
  const writer = new ArrayRecordWriter(file, options);
  for (const record of records) writer.write(record);
  writer.close();
  return file;
}

/** Opens and reads everything; returns the records or the error thrown. */
function readEverything(file: string): Uint8Array[] | Error {
  try {
    using reader = new ArrayRecordReader(file);
    const all = reader.readAll();
    const byIndex = reader.read(all.map((_, i) => i));
    return all.length === byIndex.length ? all : new Error('mismatch');
  } catch (error) {
    return error as Error;
  }
}

function withFlippedByte(source: string, offset: number): string {
  const bytes = fs.readFileSync(source);
  bytes[offset] = bytes[offset]! ^ 0x5a;
  const file = path.join(dir, `flipped-${path.basename(source)}`);
  fs.writeFileSync(file, bytes);
  return file;
}

function expectIntactOrTypedError(file: string, offset: number): void {
  const result = readEverything(file);
  if (result instanceof Error) {
    expect(result, `offset ${offset}: ${result.message}`).toBeInstanceOf(ArrayRecordError);
  } else {
    expect(result.length).toBe(records.length);
    for (let i = 0; i < records.length; i++) {
      expect(Buffer.from(result[i]!).equals(Buffer.from(records[i]!)), `offset ${offset}, record ${i}`).toBe(true);
    }
  }
}

describe('flipped bytes', () => {
  for (const options of ['group_size:4,zstd', 'group_size:16,uncompressed,pad_to_block_boundary', 'group_size:1,snappy', 'group_size:9,brotli:3']) {
    it(`${options}: every damaged byte in headers, footer and postscript is caught`, () => {
      const file = writeSample('sample.array_record', options);
      const size = fs.statSync(file).size;
      const offsets = new Set<number>();
      for (let i = 0; i < 400; i++) offsets.add(i); // signature, first chunks
      for (let block = 65536; block < size; block += 65536) for (let i = 0; i < 80; i++) offsets.add(block + i); // block headers
      for (let i = 0; i < 600; i++) offsets.add(Math.floor(((i * 7919) % 1000) / 1000 * size)); // spread
      for (const offset of offsets) expectIntactOrTypedError(withFlippedByte(file, offset), offset);
    });
  }

  it('names what is damaged', () => {
    const file = writeSample('named.array_record', 'group_size:4,zstd');
    expect(() => new ArrayRecordReader(withFlippedByte(file, 3))).toThrow(NotArrayRecordError);
    expect(() => new ArrayRecordReader(withFlippedByte(file, 30))).toThrow(/file signature byte 30/);
    const dataHeader = withFlippedByte(file, 64 + 10);
    expect(() => new ArrayRecordReader(dataHeader).read([0])).toThrow(/chunk header hash mismatch \(computed 0x[0-9a-f]{16}, stored 0x[0-9a-f]{16}\), chunk at 64/);
    const data = withFlippedByte(file, 64 + 40 + 2);
    expect(() => new ArrayRecordReader(data).read([0])).toThrow(/chunk data hash mismatch .* chunk at 64 .* with data size \d+/);
    const size = fs.statSync(file).size;
    expect(() => new ArrayRecordReader(withFlippedByte(file, size - 65536 + 5))).toThrow(/block header hash mismatch/);
    expect(() => new ArrayRecordReader(withFlippedByte(file, size - 65536 + 24 + 45))).toThrow(CorruptFileError);
  });
});

describe('a damaged chunk: the file and offset as fields, not only in the message', () => {
  /** The error `read` throws, which must be a CorruptFileError. */
  function corruptionOf(read: () => unknown): CorruptFileError {
    try {
      read();
    } catch (error) {
      expect(error).toBeInstanceOf(CorruptFileError);
      return error as CorruptFileError;
    }
    throw new Error('no error thrown');
  }

  it('header, data, block header and decoding damage name the chunk (the block) by path and offset, on every read path', async () => {
    const file = writeSample('located.array_record', 'group_size:4,zstd');
    const size = fs.statSync(file).size;
    const cases: [string, number, RegExp, number][] = [
      ['header', 64 + 10, /chunk header hash mismatch/, 64],
      ['data', 64 + 40 + 2, /chunk data hash mismatch/, 64],
    ];
    for (const [what, at, message, offset] of cases) {
      const damaged = withFlippedByte(file, at);
      for (const read of [(r: ArrayRecordReader) => r.read([0]), (r: ArrayRecordReader) => r.readAll(), (r: ArrayRecordReader) => r.read()]) {
        const error = corruptionOf(() => read(new ArrayRecordReader(damaged)));
        expect(error.message, what).toMatch(message);
        expect([error.path, error.offset], what).toEqual([damaged, offset]);
      }
      for (const options of ['', 'max_parallelism:0']) {
        const failure = new ArrayRecordReader(damaged, options).readAsync([0]);
        await expect(failure, `${what} ${options}`).rejects.toMatchObject({ path: damaged, offset });
      }
    }
    // A block header inside the footer's block: its own position, not its chunk's.
    const block = Math.floor((size - 1) / 65536) * 65536;
    const blockError = corruptionOf(() => new ArrayRecordReader(withFlippedByte(file, block + 5)));
    expect(blockError.message).toMatch(/block header hash mismatch/);
    expect(blockError.offset).toBe(block);
    expect(blockError.path).toMatch(/located\.array_record$/);
  });

  it('a chunk whose hashes hold but whose values do not decode: the chunk, by path and offset', () => {
    // Records of one chunk, uncompressed; the record sizes then claim more bytes than the values hold.
    const file = path.join(dir, 'undecodable.array_record');
    const sink = memorySink();
    const writer = new ChunkWriter(sink);
    const chunk = encodeSimpleChunk([new Uint8Array([1, 2, 3])], UNCOMPRESSED);
    chunk.data[2] = 9; // the one record's size: 9 bytes, where 3 follow
    const begin = writer.writeChunk(chunk);
    fs.writeFileSync(file, sink.bytes());
    const error = corruptionOf(() => new RiegeliRecordReader(file).read());
    expect([error.path, error.offset]).toEqual([file, begin]);
  });
});

describe('wrong or damaged files', () => {
  it('a missing file', () => {
    expect(() => new ArrayRecordReader(path.join(dir, 'nope'))).toThrow(IoError);
    expect(() => new ArrayRecordReader(path.join(dir, 'nope'))).toThrow(/nope/);
  });

  it('a file shorter than 64 KiB', () => {
    expect(() => new ArrayRecordReader(goldenPath('morris_sequence_first_5.tfrecord'))).toThrow(NotArrayRecordError);
    expect(() => new ArrayRecordReader(goldenPath('morris_sequence_first_5.tfrecord'))).toThrow(/at least 128 KiB, this one has 105 bytes/);
  });

  it('a file that is not Riegeli at all', () => {
    const file = path.join(dir, 'text.bin');
    fs.writeFileSync(file, Buffer.alloc(131072, 'a'));
    expect(() => new ArrayRecordReader(file)).toThrow(NotArrayRecordError);
  });

  it('a plain Riegeli file has no ArrayRecord postscript', () => {
    const plain = path.join(dir, 'plain.riegeli');
    const bytes = fs.readFileSync(goldenPath('plain_riegeli_small.riegeli'));
    fs.writeFileSync(plain, Buffer.concat([bytes, Buffer.alloc(65536 * 2 - (bytes.length % 65536))]));
    expect(() => new ArrayRecordReader(plain)).toThrow(ArrayRecordError);
  });

  it('a truncated file', () => {
    const file = writeSample('whole.array_record', 'group_size:4');
    const bytes = fs.readFileSync(file);
    const truncated = path.join(dir, 'truncated.array_record');
    fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
    expect(() => new ArrayRecordReader(truncated)).toThrow(/multiple of 64 KiB.*truncated/);
    fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 65536));
    expect(() => new ArrayRecordReader(truncated)).toThrow(ArrayRecordError);
  });

  it('a file cut to its first block, which ends after the footer: no postscript, said so', () => {
    const file = writeSample('one-block.array_record', 'group_size:10');
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(2 * 65536);
    const cut = path.join(dir, 'one-block-cut.array_record');
    fs.writeFileSync(cut, bytes.subarray(0, 65536));
    // Before, the signature chunk at 0 was taken for the postscript and the error spoke of padding.
    expect(() => new ArrayRecordReader(cut)).toThrow(NotArrayRecordError);
    expect(() => new ArrayRecordReader(cut)).toThrow(/without the footer and postscript of ArrayRecord.*repair/);
  });

  const validMetadata = encodeFooterMetadata({ version: 1, numChunks: 0, numRecords: 0, writerOptions: 'x' });

  it('a hand-built file with nothing wrong reads (the control for the cases below)', () => {
    expect(new ArrayRecordReader(handBuiltFile('control.array_record', validMetadata)).numRecords()).toBe(0);
  });

  it('a record chunk between the footer and the postscript: the error names the file and the chunk', () => {
    const sink = memorySink();
    const writer = new ChunkWriter(sink);
    const footerOffset = writer.writeChunk(encodeSimpleChunk([validMetadata], UNCOMPRESSED));
    const strayOffset = writer.writeChunk(encodeSimpleChunk([Uint8Array.of(1, 2, 3)], UNCOMPRESSED));
    writer.padToBlockBoundary();
    const proto = encodePostscript(footerOffset);
    writer.writeChunk(encodeSimpleChunk([proto, proto, proto], UNCOMPRESSED));
    writer.padToBlockBoundary();
    const file = path.join(dir, 'stray-chunk.array_record');
    fs.writeFileSync(file, sink.bytes());
    const error = (() => {
      try {
        return new ArrayRecordReader(file);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(CorruptFileError);
    expect(error).toMatchObject({ path: file, offset: strayOffset });
    expect((error as Error).message).toMatch(/type 0x72 where only padding may follow/);
  });

  it('a wrong postscript magic', () => {
    const wrongMagic = (footerOffset: number): Uint8Array => {
      const proto = encodePostscript(footerOffset);
      proto[proto.length - 2] = proto[proto.length - 2]! ^ 1;
      return proto;
    };
    const file = handBuiltFile('magic.array_record', validMetadata, wrongMagic);
    expect(() => new ArrayRecordReader(file)).toThrow(NotArrayRecordError);
    expect(() => new ArrayRecordReader(file)).toThrow(/postscript magic is 0x71910e704fdae05e, expected 0x71930e704fdae05e/);
  });

  it('an unknown footer version', () => {
    const file = handBuiltFile('version.array_record', encodeFooterMetadata({ version: 2, numChunks: 0, numRecords: 0, writerOptions: 'x' }));
    expect(() => new ArrayRecordReader(file)).toThrow(UnsupportedError);
    expect(() => new ArrayRecordReader(file)).toThrow(/unknown ArrayRecord footer version 2, expected 1/);
  });

  it('a footer whose counts disagree', () => {
    const file = handBuiltFile('counts.array_record', encodeFooterMetadata({ version: 1, numChunks: 0, numRecords: 5, writerOptions: 'x' }));
    expect(() => new ArrayRecordReader(file)).toThrow(CorruptFileError);
    expect(() => new ArrayRecordReader(file)).toThrow(/5 records in groups of 0 need 0 chunks/);
  });
});

describe('misuse', () => {
  it('out-of-range indices, seeks and ranges', () => {
    using reader = new ArrayRecordReader(goldenPath('digits.array_record-00000-of-00002'));
    expect(() => reader.read([0, 5])).toThrow(OutOfRangeError);
    expect(() => reader.read([0, 5])).toThrow(/record index 5 \(position 1 of the request\) outside \[0, 5\)/);
    expect(() => reader.read([-1])).toThrow(OutOfRangeError);
    expect(() => reader.seek(6)).toThrow(OutOfRangeError);
    expect(() => reader.seek(-1)).toThrow(OutOfRangeError);
    return expect(reader.readAsync([9])).rejects.toThrow(OutOfRangeError);
  });

  it('indices that are not integers: the type is wrong, not the range', async () => {
    using reader = new ArrayRecordReader(goldenPath('digits.array_record-00000-of-00002'));
    expect(() => reader.read([1.5])).toThrow(InvalidArgumentError);
    expect(() => reader.read([0, '1' as unknown as number])).toThrow(/record index at position 1 of the request must be an integer, got "1"/);
    expect(() => reader.read([NaN])).toThrow(InvalidArgumentError);
    await expect(reader.readAsync([2.5])).rejects.toThrow(InvalidArgumentError);
    expect(() => reader.seek(undefined as unknown as number)).toThrow(/seek\(index\) needs an integer record index, got undefined/);
    expect(() => reader.seek(1.5)).toThrow(InvalidArgumentError);
    // An integer too large to be exact is still an integer, and outside the file.
    expect(() => reader.read([2 ** 60])).toThrow(OutOfRangeError);
  });

  it('a path that is not a non-empty string, and a visitor that is not a function', async () => {
    for (const path of [42, undefined, '']) {
      expect(() => new ArrayRecordReader(path as unknown as string)).toThrow(InvalidArgumentError);
      expect(() => new ArrayRecordWriter(path as unknown as string)).toThrow(InvalidArgumentError);
      expect(() => ArrayRecordReader.info(path as unknown as string)).toThrow(InvalidArgumentError);
      await expect(ArrayRecordReader.open(path as unknown as string)).rejects.toThrow(InvalidArgumentError);
      await expect(ArrayRecordReader.infoAsync(path as unknown as string)).rejects.toThrow(InvalidArgumentError);
    }
    expect(() => new ArrayRecordWriter(42 as unknown as string)).toThrow('ArrayRecordWriter needs a file path or URL (a non-empty string), got 42');
    using reader = new ArrayRecordReader(goldenPath('digits.array_record-00000-of-00002'));
    expect(() => reader.forEachRecord(5 as never)).toThrow(/forEachRecord\(fn\) needs a function to call with each record, got 5/);
    await expect(reader.forEachRecordAsync(undefined as never)).rejects.toThrow(InvalidArgumentError);
  });

  it('ranges and argument types', () => {
    using reader = new ArrayRecordReader(goldenPath('digits.array_record-00000-of-00002'));
    expect(() => reader.read(3, 3)).toThrow(/\[3, 3\) is out of range of \[0, 5\)/);
    expect(() => reader.read(0, 6)).toThrow(OutOfRangeError);
    expect(() => reader.read('x' as unknown as number[])).toThrow(InvalidArgumentError);
  });

  it('use after close', async () => {
    const reader = new ArrayRecordReader(goldenPath('digits.array_record-00000-of-00002'));
    reader.close();
    reader.close();
    expect(reader.isOpen()).toBe(false);
    expect(() => reader.read()).toThrow(ClosedError);
    expect(() => reader.numRecords()).toThrow(/ArrayRecordReader is closed/);
    await expect(reader.readAllAsync()).rejects.toThrow(ClosedError);

    const file = path.join(dir, 'closed.array_record');
    const writer = new ArrayRecordWriter(file);
    writer.write('a');
    writer.close();
    writer.close();
    expect(writer.isOpen()).toBe(false);
    expect(writer.ok()).toBe(true);
    expect(() => writer.write('b')).toThrow(ClosedError);
    expect(new ArrayRecordReader(file).numRecords()).toBe(1);
  });

  it('bad record types and an unwritable path', () => {
    const writer = new ArrayRecordWriter(path.join(dir, 'types.array_record'));
    expect(() => writer.write(42 as unknown as string)).toThrow(InvalidArgumentError);
    writer.close();
    expect(() => new ArrayRecordWriter(path.join(dir, 'no', 'such', 'dir', 'x'))).toThrow(IoError);
  });
});

/**
 * Builds an empty ArrayRecord file by hand with our framing, with the footer metadata and the
 * postscript record of the caller's choosing, so exactly one thing is wrong in it.
 */
function handBuiltFile(name: string, metadata: Uint8Array, postscript = (footerOffset: number) => encodePostscript(footerOffset)): string {
  const sink = memorySink();
  const writer = new ChunkWriter(sink);
  const footerOffset = writer.writeChunk(encodeSimpleChunk([metadata], UNCOMPRESSED));
  writer.padToBlockBoundary();
  const proto = postscript(footerOffset);
  writer.writeChunk(encodeSimpleChunk([proto, proto, proto], UNCOMPRESSED));
  writer.padToBlockBoundary();
  const file = path.join(dir, name);
  fs.writeFileSync(file, sink.bytes());
  return file;
}

describe('async reads report the same typed errors', () => {
  it('from the read workers and from the main-thread path', async () => {
    const file = writeSample('async-corrupt.array_record', 'group_size:4,zstd');
    const damaged = withFlippedByte(file, 64 + 40 + 2);
    for (const options of ['', 'max_parallelism:0', 'max_parallelism:1']) {
      const reader = new ArrayRecordReader(damaged, options);
      const failure = reader.readAsync([0, 50]);
      await expect(failure).rejects.toThrow(CorruptFileError);
      await expect(failure).rejects.toThrow(/chunk data hash mismatch .* chunk at 64 of .*async-corrupt/);
      expect(Buffer.from((await reader.readAsync([50]))[0]!).equals(Buffer.from(records[50]!))).toBe(true);
      reader.close();
    }
  });
});
