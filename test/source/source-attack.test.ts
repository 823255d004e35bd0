// ArrayRecordDataSource as users break it: files replaced under the source, odd index requests, odd instructions.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordDataSource } from '../../src/source/data-source.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { FileChangedError, InvalidArgumentError, IoError, OutOfRangeError } from '../../src/format/errors.js';
import { RangeServer } from '../remote/range-server.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-source-attack-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const text = (records: readonly Uint8Array[]): string[] => records.map((record) => Buffer.from(record).toString('utf8'));

/** Writes (or rewrites in place) a shard whose records are the given strings and returns its path. */
function writeShard(name: string, records: readonly string[]): string {
  const file = path.join(dir, name);
  const writer = new ArrayRecordWriter(file, 'group_size:1');
  for (const record of records) writer.write(record);
  writer.close();
  return file;
}

/** Replaces `file` by another file (a new inode) holding `records`, as a rename over it does. */
function replaceShard(file: string, records: readonly string[]): void {
  const name = `${path.basename(file)}.next`;
  writeShard(name, records);
  fs.renameSync(path.join(dir, name), file);
}

describe('a file replaced on disk under a data source', () => {
  it('is refused when its evicted reader reopens, sync and async, instead of reading the new file', async () => {
    const a = writeShard('evicted-a', ['a0', 'a1']);
    const b = writeShard('evicted-b', ['b0']);
    using source = new ArrayRecordDataSource([a, b], '', { maxOpenReaders: 1 });
    expect(text(source.getItems([0, 1]))).toEqual(['a0', 'a1']);
    expect(text(source.getItems([2]))).toEqual(['b0']); // evicts a's reader
    replaceShard(a, ['X0', 'X1']); // same record count
    expect(() => source.getItems([0])).toThrow(IoError);
    expect(() => source.getItem(1)).toThrow(/replaced or rewritten/);
    await expect(source.getItemsAsync([0, 1])).rejects.toThrow(IoError);
    await expect(source.getItemsAsync([2, 0])).rejects.toMatchObject({ code: 'ERR_IO', path: a });
    expect(() => [...source]).toThrow(IoError);
    // The other file still reads.
    expect(text(await source.getItemsAsync([2]))).toEqual(['b0']);
  });

  it('is refused when it was replaced between counting its records and its first read (constructor and open)', async () => {
    const a = writeShard('counted-a', ['a0', 'a1']);
    const b = writeShard('counted-b', ['b0']);
    const sync = new ArrayRecordDataSource([a, b]);
    const async = await ArrayRecordDataSource.open([a, b]);
    replaceShard(a, ['Y0', 'Y1', 'Y2']); // more records: the old count would read a slice of them
    expect(() => sync.getItems([0, 1])).toThrow(IoError);
    await expect(async.getItemsAsync([0])).rejects.toThrow(IoError);
    sync.close();
    async.close();
  });

  it('is refused when rewritten in place with as many records after a closed slice of it was read', async () => {
    const a = writeShard('slice-a', ['a0', 'a1', 'a2']);
    const b = writeShard('slice-b', ['b0']);
    using source = new ArrayRecordDataSource([`${a}[1:3]`, b], '', { maxOpenReaders: 1 });
    expect(text(source.getItems([0, 1, 2]))).toEqual(['a1', 'a2', 'b0']);
    writeShard('slice-a', ['Z0', 'Z1', 'Z2']); // same path, rewritten
    await expect(source.getItemsAsync([0])).rejects.toThrow(IoError);
    const streamed: string[] = [];
    await expect(
      (async () => {
        for await (const record of source.records()) streamed.push(Buffer.from(record).toString('utf8'));
      })(),
    ).rejects.toThrow(IoError);
    expect(streamed).toEqual([]);
  });

  it('is refused as FileChangedError when a remote file changed before its evicted reader reopened', async () => {
    const server = await RangeServer.start();
    try {
      server.put('a', fs.readFileSync(writeShard('remote-a', ['a0', 'a1'])));
      server.put('b', fs.readFileSync(writeShard('remote-b', ['b0'])));
      const source = await ArrayRecordDataSource.open([server.url('a'), server.url('b')], '', { maxOpenReaders: 1 });
      expect(text(await source.getItemsAsync([0, 1, 2]))).toEqual(['a0', 'a1', 'b0']); // b's reader evicts a's
      server.put('a', fs.readFileSync(writeShard('remote-a', ['X0', 'X1']))); // a new version, as many records
      await expect(source.getItemsAsync([1])).rejects.toThrow(FileChangedError);
      expect(text(await source.getItemsAsync([2]))).toEqual(['b0']);
      source.close();
    } finally {
      await server.close();
    }
  });
});

describe('odd requests', () => {
  it('rejects an index list whose length is negative with InvalidArgumentError, not a RangeError', async () => {
    const a = writeShard('odd-a', ['a0']);
    using source = new ArrayRecordDataSource(a);
    expect(() => source.getItems({ length: -1 })).toThrow(InvalidArgumentError);
    await expect(source.getItemsAsync({ length: -1 })).rejects.toThrow(InvalidArgumentError);
    expect(() => source.getItemsAvailable({ length: -1 })).toThrow(InvalidArgumentError);
  });

  it('names an open-ended slice past the end as it was written, [start:], not with the end it resolved to', () => {
    const a = writeShard('odd-b', ['a0', 'a1', 'a2']);
    expect(() => new ArrayRecordDataSource(`${a}[4:]`)).toThrow(OutOfRangeError);
    expect(() => new ArrayRecordDataSource(`${a}[4:]`)).toThrow(/\[4:\] reaches past the file's 3 records/);
    expect(() => new ArrayRecordDataSource({ filename: a, skip: 5, take: -1 })).toThrow(/\[5:\] reaches past/);
  });
});

describe('shard counts', () => {
  it('refuses a count no data set has at once, instead of running out of memory expanding it', async () => {
    const started = Date.now();
    expect(() => new ArrayRecordDataSource(path.join(dir, 'typo@100000000'))).toThrow(InvalidArgumentError);
    await expect(ArrayRecordDataSource.open('s3://bucket/typo@100000000')).rejects.toThrow(/shard count must be a positive integer up to 1000000/);
    expect(Date.now() - started).toBeLessThan(10_000); // expanding the pattern took 90 s, then ran out of memory
  });

  it('says at once that the first shard of a local name@N is missing', async () => {
    const started = Date.now();
    expect(() => new ArrayRecordDataSource(path.join(dir, 'nothing@999999'))).toThrow(/no file matches the shard pattern .*nothing@999999: its first shard .*nothing-000000-of-999999 does not exist/);
    await expect(ArrayRecordDataSource.open(path.join(dir, 'nothing@999999'))).rejects.toThrow(IoError);
    expect(Date.now() - started).toBeLessThan(10_000); // expanding the pattern took 90 s, then ran out of memory
  });
});
