// The reused brotli and zstd decoders of node:zlib: exact bytes into the caller's memory, undefined
// (never wrong bytes) for any stream that is not exactly what its size says, and still right after a
// failure.

import zlib from 'node:zlib';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeBrotliReused, decodeZstdReused } from '../../src/format/riegeli/zlib-reused-decoder.js';
import { loadZstdCodec } from '../../src/format/riegeli/zstd-codec.js';
import { decodeBlock, encodeBlock } from '../../src/format/riegeli/compression.js';
import { CompressionType } from '../../src/format/riegeli/constants.js';
import { CorruptFileError } from '../../src/format/errors.js';
import { OutputArena, SHARED_SLABS } from '../../src/format/io/output-arena.js';

function brotli(bytes: Uint8Array, quality = 5, params: Record<number, number> = {}): Buffer {
  return zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality, ...params } });
}

/** Text-like bytes: compressible, so the stream has real (not stored) meta-blocks. */
function words(count: number, seed: number): Uint8Array {
  const vocabulary = ['array', 'record', 'riegeli', 'chunk', 'brotli', 'window', 'stream', 'block'];
  let state = seed;
  const text: string[] = [];
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    text.push(vocabulary[(state >>> 16) % vocabulary.length]!);
  }
  return new TextEncoder().encode(text.join(' '));
}

const same = (a: Uint8Array | undefined, b: Uint8Array): boolean => a !== undefined && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

describe('decodeBrotliReused', () => {
  it('decodes streams one after another into memory taken from the allocator', () => {
    const arena = new OutputArena();
    for (let i = 0; i < 50; i++) {
      const record = words(10 + i * 37, i + 1);
      const decoded = decodeBrotliReused(brotli(record, i % 12), record.length, arena);
      expect(same(decoded, record)).toBe(true);
      expect(arena.owns(decoded!.buffer)).toBe(true);
    }
  });

  it('decodes any bytes at any quality, as brotliDecompressSync does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 0, max: 11 }), (bytes, quality) => {
        expect(same(decodeBrotliReused(brotli(bytes, quality), bytes.length, SHARED_SLABS), bytes)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('decodes a block of several MiB (many meta-blocks, the ring buffer wrapping)', () => {
    const record = words(1_500_000, 3);
    expect(same(decodeBrotliReused(brotli(record, 4, { [zlib.constants.BROTLI_PARAM_LGWIN]: 16 }), record.length, SHARED_SLABS), record)).toBe(true);
  });

  it('gives undefined when the stream holds more or fewer bytes than announced, and leaves nothing behind', () => {
    const record = words(400, 9);
    const stream = brotli(record);
    expect(decodeBrotliReused(stream, record.length - 1, SHARED_SLABS)).toBeUndefined();
    expect(decodeBrotliReused(stream, record.length + 1, SHARED_SLABS)).toBeUndefined();
    expect(decodeBrotliReused(stream, 0, SHARED_SLABS)).toBeUndefined();
    // The next stream decodes as if nothing had come before it.
    expect(same(decodeBrotliReused(stream, record.length, SHARED_SLABS), record)).toBe(true);
  });

  it('gives undefined for bytes after the end of the stream', () => {
    const record = words(300, 4);
    const stream = brotli(record);
    const padded = Uint8Array.from([...stream, 0]);
    expect(decodeBrotliReused(padded, record.length, SHARED_SLABS)).toBeUndefined();
    expect(same(decodeBrotliReused(stream, record.length, SHARED_SLABS), record)).toBe(true);
  });

  it('gives undefined for truncated and damaged streams, and decodes the next stream right', () => {
    const record = words(2000, 5);
    const stream = brotli(record);
    let undecoded = 0;
    for (let cut = 0; cut < stream.length; cut += 7) {
      expect(decodeBrotliReused(stream.subarray(0, cut), record.length, SHARED_SLABS)).toBeUndefined();
      const damaged = Uint8Array.from(stream);
      damaged[cut] = damaged[cut]! ^ 0x5a;
      const decoded = decodeBrotliReused(damaged, record.length, SHARED_SLABS);
      // A flipped bit can still make a valid stream of the same length; then it is what brotli makes of it.
      if (decoded === undefined) undecoded++;
      else expect(same(decoded, zlib.brotliDecompressSync(damaged))).toBe(true);
      expect(same(decodeBrotliReused(stream, record.length, SHARED_SLABS), record)).toBe(true);
    }
    expect(undecoded).toBeGreaterThan(0);
  });

  it('leaves large-window streams to brotliDecompressSync, and decodeBlock still reads them', () => {
    const record = words(5000, 6);
    const stream = brotli(record, 5, { [zlib.constants.BROTLI_PARAM_LARGE_WINDOW]: 1, [zlib.constants.BROTLI_PARAM_LGWIN]: 26 });
    expect(stream[0]! & 0x7f).toBe(0x11);
    expect(decodeBrotliReused(stream, record.length, SHARED_SLABS)).toBeUndefined();
    const block = encodeBlock({ type: CompressionType.brotli, level: 5, windowLog: 26 }, record);
    expect(same(decodeBlock(CompressionType.brotli, block, 'block'), record)).toBe(true);
  });
});

describe('brotli blocks through decodeBlock', () => {
  it('a block whose stream is damaged is a CorruptFileError naming the block', () => {
    const record = words(800, 7);
    const block = Uint8Array.from(encodeBlock({ type: CompressionType.brotli, level: 6 }, record));
    block[block.length - 3] = block[block.length - 3]! ^ 0xff;
    block[block.length - 8] = block[block.length - 8]! ^ 0xff;
    expect(() => decodeBlock(CompressionType.brotli, block, 'values of chunk at 64')).toThrow(CorruptFileError);
    expect(() => decodeBlock(CompressionType.brotli, block, 'values of chunk at 64')).toThrow(/values of chunk at 64/);
  });
});

describe('on a Node whose zlib handle is not the one the decoder drives', () => {
  afterEach(() => {
    vi.doUnmock('node:zlib');
    vi.resetModules();
  });

  it('gives undefined, and decodeBlock decodes with brotliDecompressSync', async () => {
    vi.resetModules();
    vi.doMock('node:zlib', async (importOriginal) => {
      const real = (await importOriginal()) as { default: typeof zlib };
      const createBrotliDecompress = (): zlib.BrotliDecompress => {
        const stream = real.default.createBrotliDecompress();
        Object.defineProperty(stream, '_handle', { value: {} });
        return stream;
      };
      const changed = { ...real.default, createBrotliDecompress };
      return { ...real, default: changed };
    });
    const decoder = await import('../../src/format/riegeli/zlib-reused-decoder.js');
    const compression = await import('../../src/format/riegeli/compression.js');
    const record = words(600, 8);
    expect(decoder.decodeBrotliReused(brotli(record), record.length, SHARED_SLABS)).toBeUndefined();
    const block = compression.encodeBlock({ type: CompressionType.brotli, level: 5 }, record);
    expect(same(compression.decodeBlock(CompressionType.brotli, block, 'block'), record)).toBe(true);
  });
});

/** node:zlib's zstd (Node 22.15+ and 24). */
const zstdZlib = zlib as unknown as { zstdCompressSync?: (data: Uint8Array) => Buffer; zstdDecompressSync?: (data: Uint8Array) => Buffer };
const zlibHasZstd = typeof zstdZlib.zstdCompressSync === 'function';

describe('decodeZstdReused', () => {
  it.runIf(zlibHasZstd)('decodes frames one after another, and gives undefined for wrong sizes, damage and trailing bytes', () => {
    const arena = new OutputArena();
    for (let i = 0; i < 40; i++) {
      const record = words(5 + i * 61, i + 11);
      const frame = zstdZlib.zstdCompressSync!(record);
      const decoded = decodeZstdReused(frame, record.length, arena);
      expect(same(decoded, record)).toBe(true);
      expect(arena.owns(decoded!.buffer)).toBe(true);
      expect(decodeZstdReused(frame, record.length + 1, arena)).toBeUndefined();
      if (record.length > 0) expect(decodeZstdReused(frame, record.length - 1, arena)).toBeUndefined();
      expect(decodeZstdReused(Uint8Array.from([...frame, 7]), record.length, arena)).toBeUndefined();
      const damaged = Uint8Array.from(frame);
      damaged[frame.length >> 1] = damaged[frame.length >> 1]! ^ 0xff;
      const got = decodeZstdReused(damaged, record.length, arena);
      if (got !== undefined) expect(same(got, zstdZlib.zstdDecompressSync!(damaged))).toBe(true);
      expect(decodeZstdReused(frame.subarray(0, frame.length - 2), record.length, arena)).toBeUndefined();
    }
  });

  it.runIf(zlibHasZstd)('is what the node:zlib path decodes with, which still reports a truncated frame', () => {
    const codec = loadZstdCodec('node:zlib');
    if (typeof codec === 'string') throw new Error(codec);
    const record = words(3000, 12);
    const frame = codec.compress(record, 3, undefined, 0);
    expect(same(codec.decompress(frame, record.length, SHARED_SLABS), record)).toBe(true);
    // A frame cut short (flipped bytes may still decode: Riegeli's frames carry no checksum, the chunk hash catches them).
    expect(() => codec.decompress(frame.subarray(0, frame.length - 3), record.length, SHARED_SLABS)).toThrow();
    expect(same(codec.decompress(frame, record.length, SHARED_SLABS), record)).toBe(true);
  });

  it.runIf(!zlibHasZstd)('gives undefined on a Node whose zlib has no zstd', () => {
    expect(decodeZstdReused(Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd), 0, SHARED_SLABS)).toBeUndefined();
  });
});
