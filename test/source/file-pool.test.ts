// ReaderPool: least-recently-used eviction, shared async opens, waiting for slots, failures and close.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReaderPool } from '../../src/source/file-pool.js';
import type { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ClosedError, InvalidOptionsError, IoError, OutOfRangeError } from '../../src/format/errors.js';
import { GOLDEN_DIR, goldenPath } from '../helpers/golden.js';

const FILES = [
  goldenPath('digits.array_record-00000-of-00002'),
  goldenPath('digits.array_record-00001-of-00002'),
  goldenPath('uncompressed_g1_small.array_record'),
];
const MISSING = path.join(GOLDEN_DIR, 'no-such-file.array_record');
const noCheck = (): void => undefined;
const same = (reader: ArrayRecordReader): ArrayRecordReader => reader;

describe('ReaderPool', () => {
  it('closes the least recently used idle reader first', () => {
    const pool = new ReaderPool(FILES, '', 2, noCheck);
    const first = pool.withReader(0, same);
    const second = pool.withReader(1, same);
    expect(pool.withReader(0, same)).toBe(first);
    pool.withReader(2, same);
    expect(pool.openCount).toBe(2);
    expect(first.isOpen()).toBe(true);
    expect(second.isOpen()).toBe(false);
    pool.close();
    expect(first.isOpen()).toBe(false);
  });

  it('opens a file once for concurrent async callers', async () => {
    const pool = new ReaderPool(FILES, '', 4, noCheck);
    const readers = await Promise.all([0, 0, 0].map((file) => pool.withReaderAsync(file, async (reader) => reader)));
    expect(new Set(readers).size).toBe(1);
    expect(pool.openCount).toBe(1);
    pool.close();
  });

  it('makes async callers wait for a slot and never closes a reader in use', async () => {
    const pool = new ReaderPool(FILES, '', 1, noCheck);
    const usersPerFile = new Map<number, number>();
    let mostFilesInUse = 0;
    const use = async (file: number, reader: ArrayRecordReader): Promise<number> => {
      usersPerFile.set(file, (usersPerFile.get(file) ?? 0) + 1);
      mostFilesInUse = Math.max(mostFilesInUse, usersPerFile.size);
      const records = await reader.readAsync([0, 1]);
      expect(reader.isOpen()).toBe(true);
      const left = usersPerFile.get(file)! - 1;
      if (left === 0) usersPerFile.delete(file);
      else usersPerFile.set(file, left);
      return records.length;
    };
    const files = [0, 0, 1, 2, 1, 1, 0, 2, 2, 0, 1, 2];
    const counts = await Promise.all(files.map((file) => pool.withReaderAsync(file, (reader) => use(file, reader))));
    expect(counts).toEqual(files.map(() => 2));
    expect(mostFilesInUse).toBe(1);
    expect(pool.openCount).toBe(1);
    pool.close();
  });

  it('fails every caller of a failed open and frees its slot for waiters', async () => {
    const pool = new ReaderPool([MISSING, FILES[0]!], '', 1, noCheck);
    const failing = [pool.withReaderAsync(0, async () => 'opened'), pool.withReaderAsync(0, async () => 'opened')];
    const waiter = pool.withReaderAsync(1, async (reader) => reader.numRecords());
    for (const outcome of await Promise.allSettled(failing)) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(IoError);
    }
    expect(await waiter).toBe(5);
    expect(pool.openCount).toBe(1);
    expect(() => pool.withReader(0, same)).toThrow(MISSING);
    pool.close();
  });

  it('closes a reader its check rejects (sync and async)', async () => {
    const reject = (file: number): void => {
      throw new OutOfRangeError('rejected by the check', { path: FILES[file] });
    };
    const pool = new ReaderPool(FILES, '', 2, reject);
    expect(() => pool.withReader(0, same)).toThrow(OutOfRangeError);
    await expect(pool.withReaderAsync(1, async () => undefined)).rejects.toThrow(OutOfRangeError);
    expect(pool.openCount).toBe(0);
  });

  it('rejects waiters and new callers once closed; closes busy readers when they are released', async () => {
    const pool = new ReaderPool(FILES, '', 1, noCheck);
    let busy: ArrayRecordReader | undefined;
    const holding = pool.withReaderAsync(0, async (reader) => {
      busy = reader;
      await reader.readAsync([1]);
      return reader.isOpen();
    });
    const waiting = pool.withReaderAsync(1, async () => 'ran').catch((error: unknown) => error);
    await Promise.resolve();
    pool.close();
    pool.close();
    expect(await holding).toBe(true);
    expect(busy?.isOpen()).toBe(false);
    expect(await waiting).toBeInstanceOf(ClosedError);
    expect(() => pool.withReader(2, same)).toThrow(ClosedError);
    expect(pool.openCount).toBe(0);
  });

  it('rejects a capacity that is not a positive integer', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN]) expect(() => new ReaderPool(FILES, '', capacity, noCheck)).toThrow(InvalidOptionsError);
  });
});
