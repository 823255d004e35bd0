// FileSink: queued chunks reach the file in order through one writev, short writes are finished,
// failures are IoErrors naming the file.

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
  for (const part of parts) sink.write(part);
  sink.close();
}

describe('FileSink', () => {
  it('writes every chunk in order, across flushes of a megabyte, in few system calls', () => {
    const file = path.join(dir, 'many');
    const parts = chunks(5000);
    const writev = vi.spyOn(fs, 'writevSync');
    writeAll(file, parts);
    expect(Buffer.compare(fs.readFileSync(file), Buffer.concat(parts))).toBe(0);
    // 5000 chunks of ~1.75 MB in all: one writev per megabyte queued, plus the rest at close.
    expect(writev.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(writev.mock.calls.length).toBeLessThanOrEqual(3);
  });

  it('finishes a writev that stopped short', () => {
    const file = path.join(dir, 'short');
    const parts = chunks(300);
    // The first writev puts out only 1,000 bytes, ending inside a chunk.
    const writev = vi.spyOn(fs, 'writevSync').mockImplementationOnce((fd: number, buffers: readonly NodeJS.ArrayBufferView[]) =>
      fs.writeSync(fd, Buffer.concat(buffers as Uint8Array[]).subarray(0, 1000)),
    );
    writeAll(file, parts);
    expect(writev).toHaveBeenCalledTimes(1);
    expect(Buffer.compare(fs.readFileSync(file), Buffer.concat(parts))).toBe(0);
  });

  it('reports a failed write as an IoError naming the file', () => {
    const file = path.join(dir, 'failing');
    vi.spyOn(fs, 'writevSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    });
    const sink = FileSink.create(file);
    sink.write(new Uint8Array(10));
    expect(() => sink.close()).toThrow(IoError);
    expect(() => FileSink.create(path.join(dir, 'missing', 'x'))).toThrow(/cannot create file/);
  });
});
