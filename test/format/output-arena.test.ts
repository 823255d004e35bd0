// OutputArena: consecutive, non-overlapping pieces of buffers that hold nothing else; and reads into one.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as workerThreads from 'node:worker_threads';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { OutputArena } from '../../src/format/io/output-arena.js';
import { ReadScratch } from '../../src/format/io/read-scratch.js';
import { recordsInPlace, transferList, unpackRecords, type TransferableRecords } from '../../src/format/io/record-transfer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'output-arena-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('OutputArena', () => {
  it('hands out consecutive pieces that never overlap; slack is room to scribble, not used space', () => {
    const arena = new OutputArena();
    const a = arena.take(10, 16);
    a.fill(1);
    const b = arena.take(5);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + 10);
    b.fill(2);
    expect([...a]).toEqual(new Array(10).fill(1));
    expect(arena.owns(a.buffer)).toBe(true);
    expect(arena.owns(new ArrayBuffer(8))).toBe(false);
  });

  it('starts a new buffer when a piece does not fit, doubling up to 64 KiB; a larger piece gets its own', () => {
    const arena = new OutputArena();
    const sizes: number[] = [];
    let last: ArrayBufferLike | undefined;
    for (let i = 0; i < 40; i++) {
      const piece = arena.take(60_000);
      if (piece.buffer !== last) sizes.push(piece.buffer.byteLength);
      last = piece.buffer;
      expect(arena.owns(piece.buffer)).toBe(true);
    }
    expect(sizes.slice(0, 3)).toEqual([60_000, 65_536, 65_536]);
    const huge = arena.take(3 << 20);
    expect(huge.buffer.byteLength).toBe(3 << 20);
    expect(arena.owns(huge.buffer)).toBe(true);
  });

  it('gives empty pieces that are its own too', () => {
    const arena = new OutputArena();
    expect(arena.owns(arena.take(0).buffer)).toBe(true);
  });
});

const records = Array.from({ length: 300 }, (_, i) => new TextEncoder().encode(`record ${i} `.repeat(1 + (i % 17))));

function writeFile(options: string): string {
  const file = path.join(dir, `${options.replace(/\W/g, '_')}.array_record`);
  const writer = new ArrayRecordWriter(file, options);
  for (const record of records) writer.write(record);
  writer.close();
  return file;
}

/** Sends records through a MessageChannel the way the read workers do, and returns what arrives. */
function sendAcross(transferable: TransferableRecords): Uint8Array[] {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(transferable, transferList(transferable));
  const arrived = receiveMessageOnPort(port2)!.message as TransferableRecords;
  port1.close();
  return unpackRecords(arrived);
}

describe('readIntoArena', () => {
  it.each([
    'group_size:1,uncompressed',
    'group_size:4,uncompressed,pad_to_block_boundary:true',
    'group_size:7,zstd',
    'group_size:3,snappy',
    'group_size:2,brotli',
    'group_size:5,transpose:true',
  ])('puts every record in the arena, whose buffers move to another thread whole (%s)', (options) => {
    const reader = new ArrayRecordReader(writeFile(options));
    const scratch = new ReadScratch();
    const earlier = reader.read([0, 1, 2]);
    for (const request of [[5, 250, 5, 17, 299], [0, 300]] as const) {
      const arena = new OutputArena();
      const expected = request.length === 2 ? records.slice(request[0], request[1]) : request.map((i) => records[i]!);
      const read = request.length === 2 ? reader.readIntoArena(arena, scratch, request[0], request[1]) : reader.readIntoArena(arena, scratch, [...request]);
      expect(read.every((record) => arena.owns(record.buffer))).toBe(true);
      const arrived = sendAcross(recordsInPlace(read)!);
      expect(arrived.map((record) => Buffer.from(record).toString())).toEqual(expected.map((record) => Buffer.from(record).toString()));
      // The moved buffers are gone here, and held nothing another read returned.
      expect(read.every((record) => record.byteLength === 0)).toBe(true);
      expect(earlier.map((record) => Buffer.from(record).toString())).toEqual(records.slice(0, 3).map((record) => Buffer.from(record).toString()));
    }
    reader.close();
  });

  it.each(['group_size:100,zstd', 'group_size:100,uncompressed'])('copies out the few records a sparse read needs instead of whole chunks (%s)', (options) => {
    const reader = new ArrayRecordReader(writeFile(options));
    const held = (batch: readonly Uint8Array[]) => [...new Set(batch.map((record) => record.buffer))].reduce((sum, buffer) => sum + buffer.byteLength, 0);
    const sparse = reader.readIntoArena(new OutputArena(), new ReadScratch(), [5, 250, 120]);
    expect(sparse.map((record) => Buffer.from(record).toString())).toEqual([5, 250, 120].map((i) => Buffer.from(records[i]!).toString()));
    expect(held(sparse)).toBe(4096);
    const dense = reader.readIntoArena(new OutputArena(), new ReadScratch(), Array.from({ length: 60 }, (_, i) => 100 + i));
    expect(dense.map((record) => Buffer.from(record).toString())).toEqual(records.slice(100, 160).map((record) => Buffer.from(record).toString()));
    reader.close();
  });

  it('lets a plain read be sent to another thread without taking other reads with it', () => {
    const reader = new ArrayRecordReader(writeFile('group_size:1,zstd'));
    const first = reader.read([1, 2, 3]);
    const second = reader.read(4, 8);
    // Plain reads share slabs: moving them would detach the other read's records, so they are copied.
    expect(first[0]!.buffer).toBe(second[0]!.buffer);
    const arrived = sendAcross(recordsInPlace(first)!);
    expect(arrived.map((record) => Buffer.from(record).toString())).toEqual([1, 2, 3].map((i) => Buffer.from(records[i]!).toString()));
    expect([...first, ...second].map((record) => Buffer.from(record).toString())).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((i) => Buffer.from(records[i]!).toString()),
    );
    reader.close();
});
});

describe('transferList', () => {
  it('lists the arena\'s buffers and leaves out the untransferable slabs of plain reads (Node 22+ would throw)', () => {
    const reader = new ArrayRecordReader(writeFile('group_size:1,snappy'));
    const plain = recordsInPlace(reader.read([1, 2]))!;
    const arena = recordsInPlace(reader.readIntoArena(new OutputArena(), new ReadScratch(), [1, 2]))!;
    reader.close();
    const marked = (workerThreads as { isMarkedAsUntransferable?: (value: unknown) => boolean }).isMarkedAsUntransferable;
    // Node 20 cannot tell (and copies marked buffers silently); later Nodes say which are marked.
    if (marked !== undefined) {
      expect(marked(plain.buffers[0])).toBe(true);
      expect(transferList(plain)).not.toContain(plain.buffers[0]);
    }
    expect(transferList(arena)).toEqual(expect.arrayContaining(arena.buffers));
    expect(transferList(arena)).toHaveLength(arena.buffers.length + 3);
  });
});

describe('shared slabs', () => {
  it('never let an empty record move the buffer later reads decode into', () => {
    const file = path.join(dir, 'empty-first.array_record');
    const writer = new ArrayRecordWriter(file, 'group_size:8,transpose:true');
    for (let i = 0; i < 8; i++) writer.write(new Uint8Array(0));
    for (let i = 0; i < 8; i++) writer.write(`r${i}`);
    writer.close();
    // A fresh thread, whose slabs have handed out nothing yet: the empty record is its first take.
    const script = path.join(dir, 'empty-first.mts');
    fs.writeFileSync(
      script,
      [
        `import { MessageChannel } from 'node:worker_threads';`,
        `import { ArrayRecordReader, recordsInPlace, transferList } from ${JSON.stringify(new URL('../../src/index.ts', import.meta.url).href)};`,
        `const reader = new ArrayRecordReader(${JSON.stringify(file)});`,
        `const moved = recordsInPlace(reader.read([0]))!;`,
        `const { port1 } = new MessageChannel();`,
        `port1.postMessage(moved, transferList(moved));`,
        `port1.close();`,
        `console.log(reader.read([1, 9]).map((record) => new TextDecoder().decode(record)).join(','), reader.readAll().length);`,
      ].join('\n'),
    );
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
    expect(result.stderr.replace(/.*nodedir.*\n/g, '')).toBe('');
    expect(result.stdout).toBe(',r1 16\n');
  });
});
