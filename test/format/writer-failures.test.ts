// Writer failures are never silent: a full disk (/dev/full fails every write with ENOSPC), a failing
// write or fsync on a regular file. And what close() does so that accepted records are on disk.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ArrayRecordError, ClosedError, IoError } from '../../src/format/errors.js';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-writer-fail-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const record = new Uint8Array(1000).fill(7);
const enospc = (): never => {
  throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
};

/** The error `action` throws (it must throw). */
function thrown(action: () => void): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** A file left behind must not read as an ArrayRecord file: opening it fails with a typed error. */
function expectNotReadable(file: string): void {
  expect(fs.statSync(file).size).toBe(0);
  expect(thrown(() => new ArrayRecordReader(file))).toBeInstanceOf(ArrayRecordError);
}

describe('a full disk (/dev/full)', () => {
  it('a small file fails at close(), with an IoError naming the path', () => {
    const writer = new ArrayRecordWriter('/dev/full', 'group_size:1,uncompressed');
    for (let i = 0; i < 10; i++) writer.write(record);
    expect(writer.ok()).toBe(true);
    const error = thrown(() => writer.close());
    expect(error).toBeInstanceOf(IoError);
    expect(error.message).toMatch(/ENOSPC.*\/dev\/full/);
    expect((error as IoError).path).toBe('/dev/full');
    expect(writer.ok()).toBe(false);
    expect(writer.isOpen()).toBe(false);
    expect(() => writer.close()).not.toThrow();
    expect(() => writer.write(record)).toThrow(ClosedError);
  });

  it('a large file fails at the write() that fills the buffer; later writes and close() throw too', () => {
    const writer = new ArrayRecordWriter('/dev/full', 'group_size:1,uncompressed');
    let failure: Error | undefined;
    for (let i = 0; i < 5000 && failure === undefined; i++) {
      try {
        writer.write(record);
      } catch (error) {
        failure = error as Error;
      }
    }
    expect(failure).toBeInstanceOf(IoError);
    expect(failure!.message).toMatch(/ENOSPC.*\/dev\/full/);
    expect(writer.ok()).toBe(false);
    expect(() => writer.write(record)).toThrow(/failed earlier: .*ENOSPC/);
    expect(() => writer.close()).toThrow(IoError);
    expect(writer.isOpen()).toBe(false);
    expect(() => writer.close()).not.toThrow();
  });
});

describe('a regular file whose writes or fsync fail', () => {
  it('a write that fails part-way leaves an empty file, not half of one', () => {
    const file = path.join(dir, 'enospc.array_record');
    const write = fs.writeSync;
    let budget = 300_000;
    // The disk fills after 300 kB: the write that crosses it puts out what fits, the next fails.
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, buffer: Uint8Array, offset: number, length: number) => {
      if (budget === 0) enospc();
      const written = write(fd, buffer, offset, Math.min(length, budget));
      budget -= written;
      return written;
    }) as typeof fs.writeSync);
    const writer = new ArrayRecordWriter(file, 'group_size:1,uncompressed');
    const failure = thrown(() => {
      for (let i = 0; i < 5000; i++) writer.write(record);
      writer.close();
    });
    expect(failure).toBeInstanceOf(IoError);
    expect(failure.message).toContain(file);
    expect(writer.ok()).toBe(false);
    expect(() => writer.close()).toThrow(IoError);
    vi.restoreAllMocks();
    expectNotReadable(file);
  });

  it('a failed fsync at close() leaves an empty file, though every byte was written', () => {
    const file = path.join(dir, 'eio.array_record');
    vi.spyOn(fs, 'fsyncSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    });
    const writer = new ArrayRecordWriter(file, 'group_size:1,uncompressed');
    for (let i = 0; i < 10; i++) writer.write(record);
    const failure = thrown(() => writer.close());
    expect(failure).toBeInstanceOf(IoError);
    expect(failure.message).toMatch(/EIO/);
    expect(failure.message).toContain(file);
    expect(writer.ok()).toBe(false);
    vi.restoreAllMocks();
    expectNotReadable(file);
  });
});

describe('durability', () => {
  it('close() fsyncs the file and its directory before it returns, and every record reads back', () => {
    const file = path.join(dir, 'durable.array_record');
    const fsync = fs.fsyncSync;
    const synced: string[] = [];
    vi.spyOn(fs, 'fsyncSync').mockImplementation((fd: number) => {
      const stat = fs.fstatSync(fd);
      synced.push(stat.isDirectory() ? `dir ${stat.ino}` : `file ${stat.ino}`);
      fsync(fd);
    });
    const writer = new ArrayRecordWriter(file, 'group_size:3');
    for (let i = 0; i < 10; i++) writer.write(record.map((byte) => byte + i));
    expect(synced).toEqual([]);
    writer.close();
    expect(synced).toEqual([`file ${fs.statSync(file).ino}`, `dir ${fs.statSync(dir).ino}`]);
    using reader = new ArrayRecordReader(file);
    expect(reader.readAll().map((bytes) => bytes[0])).toEqual(Array.from({ length: 10 }, (_, i) => 7 + i));
  });
});
