// ChunkWriter frames chunks into whatever region its sink hands out: every byte is written, so a
// reused (dirty) write buffer gives the same file as fresh zeroed memory.

import { describe, expect, it } from 'vitest';
import { ChunkWriter } from '../../src/format/riegeli/chunk-writer.js';
import { UNCOMPRESSED } from '../../src/format/riegeli/compression.js';
import { CompressionType } from '../../src/format/riegeli/constants.js';
import { encodeSimpleChunk } from '../../src/format/riegeli/simple-chunk.js';
import { memorySink } from '../helpers/memory-sink.js';

const ZSTD = { type: CompressionType.zstd, level: 3 } as const;

/** The bytes a ChunkWriter produces when each region it is given starts out filled with `fill`. */
function framed(fill: number, write: (writer: ChunkWriter) => void): Buffer {
  const sink = memorySink(fill);
  write(new ChunkWriter(sink));
  return sink.bytes();
}

describe('ChunkWriter', () => {
  it('overwrites every byte of its regions: header, data, padding and block headers', () => {
    const write = (writer: ChunkWriter): void => {
      // Many empty records, their sizes compressed, make a chunk whose padding is longer than its data.
      writer.writeChunk(encodeSimpleChunk(Array.from({ length: 5000 }, () => new Uint8Array(0)), ZSTD));
      // A chunk across a block boundary, then padding to the next boundary.
      writer.writeChunk(encodeSimpleChunk([new Uint8Array(70_000).fill(1)], UNCOMPRESSED));
      writer.padToBlockBoundary();
      // Empty records whose padding runs over a block boundary.
      writer.writeChunk(encodeSimpleChunk(Array.from({ length: 70_000 }, () => new Uint8Array(0)), ZSTD));
    };
    const clean = framed(0, write);
    const dirty = framed(0xee, write);
    expect(clean.length).toBeGreaterThan(3 * 65_536);
    expect(Buffer.compare(dirty, clean)).toBe(0);
  });
});
