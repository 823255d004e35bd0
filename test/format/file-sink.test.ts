// FileSink: appended bytes reach the file in order, a megabyte per write call; short writes are
// finished; failures are IoErrors naming the file.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IoError } from '../../src/format/errors.js';
import { FileSink } from '../../src/format/io/file-sink.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'file-sink-'));
afterEach(() => vi.restoreAllMocks());

function chunks(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => Uint8Array.from({ length: 1 + (i % 700) }, (_, j) => (i * 7 + j) & 0xff));
}

function writeAll(file: string, parts: readonly Uint8Array[]): void {
  const sink = FileSink.create(file);
  for (const part of parts) sink.append(part.length).set(part);
  sink.close();
}

describe('FileSink', () => {
  it('writes every chunk in order, across flushes of a megabyte, in few system calls', () => {
    const file = path.join(dir, 'many');
    const parts = chunks(5000);
    const writes = vi.spyOn(fs, 'writeSync');
    writeAll(file, parts);
    expect(Buffer.compare(fs.readFileSync(file), Buffer.concat(parts))).toBe(0);
    // 5000 chunks of ~1.75 MB in all: one write per megabyte buffered, plus the rest at close.
    expect(writes.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(writes.mock.calls.length).toBeLessThanOrEqual(3);
  });

  it('takes a region larger than its buffer, and fills regions in place', () => {
    const file = path.join(dir, 'large');
    const sink = FileSink.create(file);
    const small = sink.append(3);
    small.set([1, 2, 3]);
    const large = sink.append(3 << 20);
    large.fill(7);
    sink.append(1)[0] = 9;
    sink.close();
    const content = fs.readFileSync(file);
    expect(content.length).toBe(4 + (3 << 20));
    expect([...content.subarray(0, 4)]).toEqual([1, 2, 3, 7]);
    expect(content.subarray(3, 3 + (3 << 20)).every((byte) => byte === 7)).toBe(true);
    expect(content[content.length - 1]).toBe(9);
  });

  it('finishes a write that stopped short', () => {
    const file = path.join(dir, 'short');
    const parts = chunks(300);
    const write = fs.writeSync;
    // The first write puts out only 1,000 bytes, ending inside a chunk.
    const writes = vi
      .spyOn(fs, 'writeSync')
      .mockImplementationOnce(((fd: number, buffer: Uint8Array, offset: number) => write(fd, buffer, offset, 1000)) as typeof fs.writeSync);
    writeAll(file, parts);
    expect(writes.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(Buffer.compare(fs.readFileSync(file), Buffer.concat(parts))).toBe(0);
  });

  it('reports a failed write as an IoError naming the file', () => {
    const file = path.join(dir, 'failing');
    vi.spyOn(fs, 'writeSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    });
    const sink = FileSink.create(file);
    sink.append(10).fill(0);
    expect(() => sink.close()).toThrow(IoError);
    expect(() => FileSink.create(path.join(dir, 'missing', 'x'))).toThrow(/cannot create file/);
  });
});
