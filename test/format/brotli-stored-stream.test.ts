// Brotli streams of uncompressed meta-blocks decoded without zlib: always what zlib gives, taken for
// the streams brotli writes for incompressible bytes, and left to zlib otherwise.

import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutputArena } from '../../src/format/io/output-arena.js';
import { decodeStoredBrotliStream } from '../../src/format/riegeli/brotli-stored-stream.js';

/** A brotli stream of `data` at `quality`, with a window log, in large-window form on request. */
function streamOf(data: Uint8Array, quality: number, windowLog = 22, largeWindow = false): Buffer {
  const { BROTLI_PARAM_QUALITY, BROTLI_PARAM_LGWIN, BROTLI_PARAM_LARGE_WINDOW } = zlib.constants;
  return zlib.brotliCompressSync(data, { params: { [BROTLI_PARAM_QUALITY]: quality, [BROTLI_PARAM_LGWIN]: windowLog, [BROTLI_PARAM_LARGE_WINDOW]: largeWindow ? 1 : 0 } });
}

/** What zlib decodes `stream` to when it holds exactly `size` bytes; undefined when it fails. */
function zlibDecode(stream: Uint8Array, size: number): Buffer | undefined {
  try {
    const out = zlib.brotliDecompressSync(stream, { maxOutputLength: Math.max(size, 1), params: { [zlib.constants.BROTLI_DECODER_PARAM_LARGE_WINDOW]: 1 } });
    return out.length === size ? out : undefined;
  } catch {
    return undefined;
  }
}

/** `length` incompressible bytes from a seeded xorshift32. */
function random(length: number, seed: number): Uint8Array {
  let state = seed * 0x9e3779b1 + 1;
  return Uint8Array.from({ length }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 24;
  });
}

const decode = (stream: Uint8Array, size: number) => decodeStoredBrotliStream(stream, size, new OutputArena());

describe('decodeStoredBrotliStream', () => {
  it('decodes the stored streams brotli writes for record sizes and other incompressible bytes', () => {
    let stored = 0;
    for (const length of [0, 1, 2, 3, 17, 200, 5000, 70_000, 300_000]) {
      const data = random(length, length);
      for (const [quality, windowLog, large] of [[0, 22, false], [3, 22, false], [11, 16, false], [5, 10, false], [3, 24, true], [3, 28, true]] as const) {
        const stream = streamOf(data, quality, windowLog, large);
        const ours = decode(stream, length);
        if (ours === undefined) continue;
        stored++;
        expect(Buffer.from(ours).equals(Buffer.from(data)), `length ${length}, quality ${quality}`).toBe(true);
      }
    }
    // Most of these are stored streams (the rest are left to zlib, which the property below covers).
    expect(stored).toBeGreaterThan(30);
    expect(decode(streamOf(random(2, 1), 3), 2)).toBeDefined();
  });

  it('leaves compressed and metadata meta-blocks, wrong sizes and trailing bytes to zlib', () => {
    const text = new TextEncoder().encode('lorem ipsum dolor sit amet '.repeat(40));
    expect(decode(streamOf(text, 3), text.length)).toBeUndefined();
    const data = random(40, 3);
    const stream = streamOf(data, 3);
    expect(decode(stream, 40)).toBeDefined();
    expect(decode(stream, 39)).toBeUndefined();
    expect(decode(stream, 41)).toBeUndefined();
    expect(decode(Buffer.concat([stream, Buffer.from([0])]), 40)).toBeUndefined();
    expect(decode(stream.subarray(0, stream.length - 1), 40)).toBeUndefined();
  });

  it('gives what zlib gives, or nothing, for any damaged stream', () => {
    let decoded = 0;
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: 2 }),
        fc.integer({ min: -1, max: 1 }),
        (data, flips, sizeDelta) => {
          const stream = Buffer.from(streamOf(data, 3));
          for (const [at, bit] of flips) stream[at % stream.length]! ^= 1 << bit;
          const size = Math.max(0, data.length + sizeDelta);
          const ours = decode(stream, size);
          if (ours === undefined) return;
          decoded++;
          const reference = zlibDecode(stream, size);
          expect(reference).toBeDefined();
          expect(Buffer.from(ours).equals(reference!)).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
    // Not vacuous: damaged streams that still decode (a flipped content bit, say) are compared too.
    expect(decoded).toBeGreaterThan(200);
  });
});
