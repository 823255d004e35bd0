// A read worker's part of a pass (forEachRecordAsync): records [from, to) as places in the arena's
// buffers, exactly the file's records, the buffers handed back reused, damaged chunks left out at the
// right positions.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { OpenedFile } from '../../src/format/arrayrecord/opened-file.js';
import { readPassPart, type PassPartRead } from '../../src/format/arrayrecord/pass-part.js';
import { CorruptFileError } from '../../src/format/errors.js';
import { OutputArena } from '../../src/format/io/output-arena.js';
import { ReadScratch } from '../../src/format/io/read-scratch.js';
import { unpackRecords } from '../../src/format/io/record-transfer.js';
import { damageStoredRecord, writeRecordsFile } from '../helpers/record-files.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-pass-part-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 300 records of 0-3,000 bytes (some empty), each with its index in it. */
const records = Array.from({ length: 300 }, (_, i) => {
  const length = i % 37 === 0 ? 0 : 20 + ((i * 7919) % 3000);
  const record = new Uint8Array(length).fill(i % 251);
  if (length >= 4) new DataView(record.buffer).setUint32(0, i);
  return record;
});
const text = (record: Uint8Array | undefined): string => (record === undefined ? '(missing)' : Buffer.from(record).toString('hex'));

function write(options: string): string {
  return writeRecordsFile(path.join(dir, `${options.replace(/\W/g, '_')}.array_record`), options, records.length, (i) => records[i]!);
}

/** The records of a part as the calling thread sees them, in order. */
function received(part: PassPartRead): Uint8Array[] {
  return unpackRecords(part.records);
}

describe('readPassPart', () => {
  for (const options of ['group_size:1,uncompressed', 'group_size:7,zstd', 'group_size:64,snappy', 'group_size:16,brotli:2', 'group_size:10,uncompressed,transpose:true', 'group_size:300,zstd']) {
    it(`gives records [from, to) exactly, in buffers handed back and reused (${options})`, () => {
      const file = OpenedFile.open(write(options), '');
      const scratch = new ReadScratch();
      let spare: ArrayBuffer[] = [];
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), (a, b) => {
          const [from, to] = a <= b ? [a, b] : [b, a];
          const arena = new OutputArena(spare);
          const part = readPassPart(file, arena, scratch, from, to, false);
          expect(part.missing).toBeUndefined();
          expect(part.skipped).toEqual([]);
          // Every buffer of the arena goes back, used or not, so the requester can send them again.
          if (arena.buffers().length > 0) expect(part.records.buffers).toEqual(arena.buffers());
          else expect(part.records.buffers.map((buffer) => buffer.byteLength)).toEqual([0]);
          const got = received(part).map(text);
          expect(got).toEqual(records.slice(from, to).map(text));
          spare = [...part.records.buffers];
        }),
        { numRuns: 40 },
      );
      file.close();
    });
  }

  it('fills the buffers it is given before any fresh one, once they suffice', () => {
    const file = OpenedFile.open(write('group_size:7,zstd'), '');
    const scratch = new ReadScratch();
    const first = new OutputArena([]);
    const part = readPassPart(file, first, scratch, 0, 100, false);
    expect(first.freshBuffers).toBeGreaterThan(0);
    const again = new OutputArena([...part.records.buffers]);
    const second = readPassPart(file, again, scratch, 100, 200, false);
    expect(again.freshBuffers).toBe(0);
    expect(received(second).map(text)).toEqual(records.slice(100, 200).map(text));
    file.close();
  });

  it("copies an uncompressed chunk's records out of the reused file buffer", () => {
    const file = OpenedFile.open(write('group_size:3,uncompressed'), '');
    const scratch = new ReadScratch();
    const early = readPassPart(file, new OutputArena([]), scratch, 0, 60, false);
    readPassPart(file, new OutputArena([]), scratch, 150, 300, false);
    expect(received(early).map(text)).toEqual(records.slice(0, 60).map(text));
    file.close();
  });

  it('with skipDamaged, leaves out the records of a damaged chunk and names their positions', () => {
    const damaged = path.join(dir, 'damaged.array_record');
    fs.copyFileSync(write('group_size:5,uncompressed'), damaged);
    damageStoredRecord(damaged, records[62]!, 10, 0x20);
    const file = OpenedFile.open(damaged, 'skip_corrupted_chunks');
    // Chunk 12 holds records 60-64; the part [58, 70) has them at positions 2-6.
    const part = readPassPart(file, new OutputArena([]), new ReadScratch(), 58, 70, true);
    expect(part.missing).toEqual([2, 3, 4, 5, 6]);
    expect(part.skipped.map((chunk) => [chunk.chunk, chunk.firstRecord, chunk.endRecord])).toEqual([[12, 60, 65]]);
    expect(received(part).map(text)).toEqual([...records.slice(58, 60), ...records.slice(65, 70)].map(text));
    expect(() => readPassPart(file, new OutputArena([]), new ReadScratch(), 58, 70, false)).toThrow(CorruptFileError);
    // A part that does not reach the damaged chunk reads as if nothing were wrong.
    const clean = readPassPart(file, new OutputArena([]), new ReadScratch(), 0, 60, true);
    expect(clean.missing).toBeUndefined();
    expect(received(clean).map(text)).toEqual(records.slice(0, 60).map(text));
    file.close();
  });

  it('gives an empty part for an empty range', () => {
    const file = OpenedFile.open(write('group_size:7,zstd'), '');
    const part = readPassPart(file, new OutputArena([]), new ReadScratch(), 40, 40, false);
    expect(received(part)).toEqual([]);
    file.close();
  });
});
