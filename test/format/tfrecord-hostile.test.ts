// Hostile TFRecord inputs (plain, gzip, zlib; paths and streams): each must end in a typed error that
// names the input and an offset, never a wrong record, a raw zlib error, or reading a bogus length.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptFileError, UnsupportedError } from '../../src/format/errors.js';
import { maskedCrc32c } from '../../src/format/tfrecord/crc32c.js';
import { TFRecordReader } from '../../src/format/tfrecord/tfrecord-reader.js';
import { encodeTFRecord } from '../../src/format/tfrecord/tfrecord-writer.js';
import { convert } from '../../src/format/tools/convert.js';
import { openRecordInput, type InputSource } from '../../src/format/tools/record-input.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfrecord-hostile-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const records = (...items: string[]): Buffer => Buffer.concat(items.map((item) => encodeTFRecord(text(item))));
const GOOD = records('hello', '', 'world!');

/** A TFRecord header claiming `length` bytes, with a correct length CRC. */
function header(length: bigint): Buffer {
  const bytes = Buffer.alloc(12);
  bytes.writeBigUInt64LE(length);
  bytes.writeUInt32LE(maskedCrc32c(bytes.subarray(0, 8)), 8);
  return bytes;
}

function file(name: string, bytes: Uint8Array): string {
  const at = path.join(dir, name);
  fs.writeFileSync(at, bytes);
  return at;
}

async function readAll(source: InputSource): Promise<string[]> {
  const input = await openRecordInput(source);
  try {
    const out: string[] = [];
    for await (const record of input.records()) out.push(Buffer.from(record).toString());
    return out;
  } finally {
    await input.close();
  }
}

/** The error reading `source` ends in; fails the test when it reads through. */
async function failure(source: InputSource): Promise<Error & { path?: string; offset?: number }> {
  try {
    await readAll(source);
  } catch (error) {
    return error as Error;
  }
  throw new Error('read through without an error');
}

function flipped(bytes: Uint8Array, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at < 0 ? copy.length + at : at]! ^= 1;
  return copy;
}

describe('compressed TFRecord inputs that are damaged', () => {
  const gz = zlib.gzipSync(GOOD);
  const zz = zlib.deflateSync(GOOD);
  const cases: [string, Buffer, RegExp][] = [
    ['gzip with a bad CRC-32', flipped(gz, -6), /gzip stream is corrupt .*incorrect data check/],
    ['gzip with a bad length', flipped(gz, -2), /gzip stream is corrupt .*incorrect length check/],
    ['gzip cut in its data', gz.subarray(0, gz.length - 10), /gzip stream ends after 55 compressed bytes .*truncated/],
    ['gzip cut in its header', gz.subarray(0, 5), /gzip stream ends after 5 compressed bytes .*truncated/],
    ['gzip followed by garbage', Buffer.concat([gz, Buffer.from('garbage after')]), /gzip stream is corrupt .*incorrect header check/],
    ['zlib with a bad adler32', flipped(zz, -1), /zlib stream is corrupt .*incorrect data check/],
    ['zlib cut short', zz.subarray(0, zz.length - 6), /zlib stream ends after .*truncated/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`${what}: CorruptFileError naming the file and an offset, from a path and from a stream`, async () => {
      const at = file('damaged.tfrecord.gz', bytes);
      for (const source of [at, { name: 'stdin', stream: fs.createReadStream(at) }]) {
        const error = await failure(source);
        expect(error).toBeInstanceOf(CorruptFileError);
        expect(error.message).toMatch(message);
        expect(error.path).toBe(typeof source === 'string' ? at : 'stdin');
        expect(error.offset).toBeTypeOf('number');
      }
    });
  }

  it('refuses bytes after the end of a zlib stream instead of dropping their records', async () => {
    const two = Buffer.concat([zlib.deflateSync(records('a')), zlib.deflateSync(records('b'))]);
    const error = await failure(file('two.tfrecord.zz', two));
    expect(error).toBeInstanceOf(CorruptFileError);
    expect(error.message).toMatch(/zlib stream ends after 20 compressed bytes, but 20 more bytes follow it/);
    expect(error.offset).toBe(20);
  });

  it('reads every member of concatenated gzip members, and zero padding after them, as TensorFlow does', async () => {
    const members = Buffer.concat([zlib.gzipSync(records('a')), zlib.gzipSync(records('b', 'c')), Buffer.alloc(8)]);
    expect(await readAll(file('members.tfrecord.gz', members))).toEqual(['a', 'b', 'c']);
    // A record split across two members.
    const split = Buffer.concat([zlib.gzipSync(records('abc').subarray(0, 7)), zlib.gzipSync(records('abc').subarray(7))]);
    expect(await readAll(file('split.tfrecord.gz', split))).toEqual(['abc']);
  });
});

describe('TFRecord lengths that cannot be right', () => {
  it('refuses a length no buffer can hold before reading the stream behind it', async () => {
    let pulled = 0;
    async function* endlessZeros(): AsyncGenerator<Uint8Array> {
      yield Buffer.concat([GOOD, header(1n << 40n)]);
      for (; pulled < 64; pulled++) yield new Uint8Array(1 << 20);
    }
    const error = await failure({ name: 'stdin', stream: endlessZeros() });
    expect(error).toBeInstanceOf(UnsupportedError);
    expect(error.message).toMatch(/TFRecord length is 1099511627776 bytes, more than the 2147483647 a record of an input of unknown size \(compressed, or a pipe\) may have/);
    expect(error.offset).toBe(GOOD.length);
    expect(pulled).toBeLessThan(4);
  });

  it('refuses a length beyond the end of an uncompressed file without reading to its end', async () => {
    const at = file('long.tfrecord', Buffer.concat([GOOD, header(1n << 31n), Buffer.alloc(100)]));
    const error = await failure(at);
    expect(error).toBeInstanceOf(CorruptFileError);
    expect(error.message).toMatch(/needs 2147483652 bytes, the file ends after 100 \(truncated\)/);
    expect(error.offset).toBe(GOOD.length + 12);
  });

  it('the file reader says the same for the same files', () => {
    const at = file('long2.tfrecord', Buffer.concat([header(1n << 40n), Buffer.alloc(100)]));
    expect(() => [...new TFRecordReader(at)]).toThrow(/needs 1099511627780 bytes, the file ends after 100 \(truncated\)/);
  });
});

describe('CRC mismatches', () => {
  it('give the stored and the computed CRC, in both readers', async () => {
    const badLength = file('badlength.tfrecord', flipped(GOOD, GOOD.length - 10 - 12 + 8));
    const badData = file('baddata.tfrecord', flipped(GOOD, -1));
    expect(() => [...new TFRecordReader(badLength)]).toThrow(/TFRecord length CRC mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}/);
    expect(() => [...new TFRecordReader(badData)]).toThrow(/TFRecord data CRC mismatch for a 6-byte record: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}/);
    expect((await failure(badLength)).message).toMatch(/length CRC mismatch: stored 0x[0-9a-f]{8}, computed/);
    expect((await failure(badData)).message).toMatch(/data CRC mismatch for a 6-byte record: stored 0x[0-9a-f]{8}, computed/);
  });
});

describe('convert from a damaged input', () => {
  it('throws the typed error and leaves nothing under the output name or beside it', async () => {
    const input = file('bad.tfrecord.gz', flipped(zlib.gzipSync(GOOD), -6));
    const outDir = fs.mkdtempSync(path.join(dir, 'out-'));
    for (const output of ['out.array_record', 'out.tfrecord', 'out.tfrecord.gz']) {
      await expect(convert([input], path.join(outDir, output))).rejects.toThrow(CorruptFileError);
    }
    expect(fs.readdirSync(outDir)).toEqual([]);
  });
});
