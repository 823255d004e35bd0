// The snappy decoder's two paths, the WebAssembly module (snappyDecompress, every block a reader sees
// below 64 MiB) and the JavaScript loop (blocks beyond it; snappyDecompressInJs here), against each
// other and a byte-by-byte reference: every tag form and size boundary, overlapping copies, damaged
// streams (the same SnappyFormatError text from both), and blocks decoded in place within larger data.

import fc from 'fast-check';
import * as snappy from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { OutputArena } from '../../src/format/io/output-arena.js';
import { SnappyFormatError, snappyDecompress, snappyDecompressInJs } from '../../src/format/riegeli/snappy-decoder.js';
import { snappyCompress } from '../../src/format/riegeli/snappy-encoder.js';
import { referenceDecode, stream, varint } from '../helpers/snappy-reference.js';

const bytesOf = (length: number, seed = 0): number[] => Array.from({ length }, (_, i) => (i * 37 + seed * 11 + 5) & 0xff);

/** A literal tag with its length in `extra` bytes after the tag (0: in the tag), then the bytes. */
function literalIn(extra: number, bytes: number[]): number[] {
  const stored = bytes.length - 1;
  if (extra === 0) return [stored << 2, ...bytes];
  return [(59 + extra) << 2, ...Array.from({ length: extra }, (_, i) => (stored >>> (8 * i)) & 0xff), ...bytes];
}
const literal = (bytes: number[]): number[] => {
  const stored = bytes.length - 1;
  return literalIn(stored < 60 ? 0 : stored < 0x100 ? 1 : stored < 0x10000 ? 2 : stored < 0x1000000 ? 3 : 4, bytes);
};
const copy1 = (len: number, offset: number): number[] => [1 | ((len - 4) << 2) | ((offset >> 8) << 5), offset & 0xff];
const copy2 = (len: number, offset: number): number[] => [2 | ((len - 1) << 2), offset & 0xff, offset >> 8];
const copy4 = (len: number, offset: number): number[] => [3 | ((len - 1) << 2), offset & 0xff, (offset >> 8) & 0xff, (offset >> 16) & 0xff, offset >>> 24];

const PATHS = [
  ['wasm', snappyDecompress],
  ['js', snappyDecompressInJs],
] as const;

/** What a path makes of `src`: the output, or the SnappyFormatError's message. */
function outcome(decode: (src: Uint8Array, size: number) => Uint8Array, src: Uint8Array, size: number): Uint8Array | string {
  try {
    return Uint8Array.from(decode(src, size));
  } catch (error) {
    expect(error).toBeInstanceOf(SnappyFormatError);
    return (error as Error).message;
  }
}

/** Both paths decode `src` to the reference's output. */
function decodesLikeReference(src: Uint8Array): void {
  const expected = referenceDecode(src);
  expect(expected).toBeDefined();
  for (const [, decode] of PATHS) expect(Buffer.compare(decode(src, (expected as Uint8Array).length), expected as Uint8Array)).toBe(0);
}

/** Both paths refuse `src` with a SnappyFormatError, with the same message, matching `message`. */
function refusedAlike(src: Uint8Array, size: number, message: RegExp): void {
  const [wasm, js] = PATHS.map(([, decode]) => outcome(decode, src, size));
  expect(typeof wasm).toBe('string');
  expect(wasm).toBe(js);
  expect(wasm).toMatch(message);
}

describe('snappy decoder paths', () => {
  it('decode literal lengths at every tag-size boundary, in every length form', () => {
    // 60 is the longest in the tag; 61-63 need one byte, then 256/257 two, 65536/65537 three bytes.
    for (const len of [1, 2, 15, 16, 17, 31, 32, 33, 59, 60, 61, 62, 63, 64, 65, 255, 256, 257, 1000, 65_536, 65_537]) {
      const bytes = bytesOf(len, len);
      decodesLikeReference(stream(len, ...literal(bytes)));
      // The same length in every longer form an encoder may choose (tags 60-63: 1-4 extra bytes).
      const least = len <= 60 ? 0 : len <= 0x100 ? 1 : len <= 0x10000 ? 2 : 3;
      for (let extra = Math.max(1, least); extra <= 4; extra++) decodesLikeReference(stream(len, ...literalIn(extra, bytes)));
    }
  });

  it('decode copies of every offset form and overlapping copies with long lengths', () => {
    const start = bytesOf(300, 3);
    for (const offset of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 63, 64, 65, 200, 300]) {
      for (const len of [1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 15, 16, 17, 31, 32, 33, 48, 63, 64]) {
        const forms: number[][] = [copy2(len, offset), copy4(len, offset)];
        if (len >= 4 && len <= 11 && offset < 2048) forms.push(copy1(len, offset));
        for (const tags of forms) {
          decodesLikeReference(stream(start.length + len, ...literal(start), ...tags));
          // A run of the same copy (snappy's long matches), then a literal right after it.
          decodesLikeReference(stream(start.length + 5 * len + 2, ...literal(start), ...tags, ...tags, ...tags, ...tags, ...tags, ...literal([9, 8])));
        }
      }
    }
    // A long run of one byte and of short patterns, as zero padding compresses.
    for (const offset of [1, 2, 3, 4, 7, 8, 16, 64]) {
      const tags = Array.from({ length: 200 }, () => copy2(64, offset)).flat();
      decodesLikeReference(stream(64 + 200 * 64, ...literal(bytesOf(64, offset)), ...tags));
    }
    // A copy from far back: 4-byte offsets beyond 65535.
    const far = bytesOf(70_000, 1);
    decodesLikeReference(stream(far.length + 64, ...literal(far), ...copy4(64, 69_999)));
  });

  it('round-trip random and repetitive data through our encoder and snappyjs', () => {
    const repetitive = fc
      .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 40 })), { maxLength: 30 })
      .map((parts) => Uint8Array.from(parts.flatMap(([bytes, times]) => Array.from({ length: times }, () => [...bytes]).flat())));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 5000 }), repetitive), (data) => {
        for (const compressed of [snappyCompress(data), snappy.compress(data)]) {
          for (const [, decode] of PATHS) expect(Buffer.compare(decode(compressed, data.length), data)).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('agree on every byte stream: the reference output, or the same SnappyFormatError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 200 }), fc.integer({ min: -3, max: 3 }), (tail, body, skew) => {
        const size = Math.max(0, body.length + tail.length + skew);
        const src = Uint8Array.from([...varint(size), ...tail, ...body]);
        const expected = referenceDecode(src);
        const [wasm, js] = PATHS.map(([, decode]) => outcome(decode, src, size));
        expect(wasm).toEqual(js);
        if (expected === undefined) expect(typeof wasm).toBe('string');
        else expect(wasm).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['a copy with offset 0', stream(5, ...literal([1]), ...copy1(4, 0)), 5, /copy from offset 0 at output position 1/],
    ['a copy from before the start', stream(70, ...literal(bytesOf(64)), ...copy2(6, 65)), 70, /copy from offset 65 at output position 64/],
    ['a 4-byte offset beyond the output', stream(70, ...literal(bytesOf(64)), ...copy4(6, 70_000)), 70, /copy from offset 70000 at output position 64/],
    ['an offset of 2^31 or more', stream(5, ...literal([1]), 3 | (3 << 2), 0, 0, 0, 0x80), 5, /copy from offset -2147483648/],
    ['a copy past the declared size', stream(66, ...literal(bytesOf(64)), ...copy2(3, 8)), 66, /copy of 3 bytes overflows the output at 64/],
    ['a literal past the declared size', stream(63, ...literal(bytesOf(64))), 63, /literal of 64 bytes overflows the output at 0/],
    ['a literal cut short', stream(64, ...literal(bytesOf(64)).slice(0, 40)), 64, /literal of 64 bytes runs past the end at 3/],
    ['a literal length cut short', stream(20, 62 << 2, 0x2b), 20, /literal length runs past the end at 2/],
    ['a literal of 2 GiB', stream(1, 63 << 2, 0xff, 0xff, 0xff, 0x7f), 1, /literal of 2 GiB or more at 6/],
    ['a 1-byte-offset copy cut short', stream(5, ...literal([1]), 1), 5, /copy at 3 runs past the end of the stream/],
    ['a 2-byte-offset copy cut short', stream(5, ...literal([1]), 2 | (3 << 2), 1), 5, /copy at 3 runs past the end of the stream/],
    ['a 4-byte-offset copy cut short', stream(5, ...literal([1]), 3 | (3 << 2), 1, 0, 0), 5, /copy at 3 runs past the end of the stream/],
    ['a stream that ends early', stream(70, ...literal(bytesOf(64))), 70, /ends after 64 of 70 bytes/],
    ['a declared size too large for its tags', stream(1000, ...literal([1, 2])), 1000, /cannot yield 1000 bytes/],
    ['another length than the caller expects', stream(3, ...literal([1, 2, 3])), 4, /holds 3 bytes, expected 4/],
    ['a length varint that never ends', Uint8Array.from([0x80, 0x80]), 0, /bad uncompressed length/],
  ])('refuse %s alike', (_, src, size, message) => refusedAlike(src, size, message));

  it('decode a block within larger data in place, counting error positions from the block', () => {
    const data = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) % 13);
    const compressed = snappyCompress(data);
    for (const lead of [0, 1, 5, 256, 257, 1000]) {
      for (const trail of [0, 3]) {
        const host = new Uint8Array(lead + compressed.length + trail).fill(0xee);
        host.set(compressed, lead);
        const decoded = snappyDecompress(host, data.length, new OutputArena(), lead, lead + compressed.length);
        expect(Buffer.compare(decoded, data)).toBe(0);
        // The same damage (the last byte cut off) reported at the same stream position wherever the block lies.
        const cut = outcome((src, size) => snappyDecompress(src, size, new OutputArena(), lead, lead + compressed.length - 1), host, data.length);
        expect(cut).toBe(outcome(snappyDecompressInJs, compressed.subarray(0, -1), data.length));
      }
    }
    // Short blocks (copied byte by byte) and a block of record sizes, as a simple chunk holds them.
    const small = stream(3, ...literal([1, 2, 3]));
    const host = Uint8Array.from([9, 9, ...small, 9]);
    expect([...snappyDecompress(host, 3, new OutputArena(), 2, 2 + small.length)]).toEqual([1, 2, 3]);
    expect(() => snappyDecompress(host, 3, new OutputArena(), 2, 2 + small.length - 1)).toThrow(/literal of 3 bytes runs past the end at 2/);
  });

  it('write only the bytes taken for the output, whatever the stream', () => {
    // Guard bytes around what the decoder takes: vector moves past the output stay in the module.
    const takes: Uint8Array[] = [];
    const guarded = { take: (length: number, slack = 0): Uint8Array => {
      const buffer = new Uint8Array(length + slack + 64).fill(0xa5);
      const view = buffer.subarray(32, 32 + length);
      takes.push(buffer);
      return view;
    } };
    const data = Uint8Array.from({ length: 5000 }, (_, i) => (i % 97 < 50 ? 0 : (i * 31) & 0xff));
    expect(Buffer.compare(snappyDecompress(snappyCompress(data), data.length, guarded), data)).toBe(0);
    const buffer = takes[0]!;
    expect(buffer.subarray(0, 32).every((byte) => byte === 0xa5)).toBe(true);
    expect(buffer.subarray(32 + data.length).every((byte) => byte === 0xa5)).toBe(true);
  });

  it('grow the module memory for large blocks and keep decoding small ones after', () => {
    const big = Uint8Array.from({ length: 3_000_000 }, (_, i) => (i * 2654435761) >>> 24);
    const compressed = snappyCompress(big);
    expect(Buffer.compare(snappyDecompress(compressed, big.length, new OutputArena()), big)).toBe(0);
    const small = Uint8Array.from([5, 6, 7, 5, 6, 7, 5, 6, 7]);
    expect([...snappyDecompress(snappyCompress(small), small.length)]).toEqual([...small]);
  });
});
