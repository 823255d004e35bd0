// The snappy decoder against snappyjs's encoder, a byte-by-byte reference decoder, hand-built
// streams for every tag form, and damaged streams.

import fc from 'fast-check';
import * as snappy from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { SnappyFormatError, snappyDecompress } from '../../src/format/riegeli/snappy-decoder.js';
import { referenceDecode, stream, varint } from '../helpers/snappy-reference.js';

const literal = (bytes: number[]): number[] => {
  const len = bytes.length - 1;
  if (len < 60) return [len << 2, ...bytes];
  const extra = len < 0x100 ? 1 : len < 0x10000 ? 2 : len < 0x1000000 ? 3 : 4;
  return [(59 + extra) << 2, ...Array.from({ length: extra }, (_, i) => (len >> (8 * i)) & 0xff), ...bytes];
};
const copy1 = (len: number, offset: number): number[] => [1 | ((len - 4) << 2) | ((offset >> 8) << 5), offset & 0xff];
const copy2 = (len: number, offset: number): number[] => [2 | ((len - 1) << 2), offset & 0xff, offset >> 8];
const copy4 = (len: number, offset: number): number[] => [3 | ((len - 1) << 2), offset & 0xff, (offset >> 8) & 0xff, (offset >> 16) & 0xff, offset >>> 24];

function decodesLikeReference(src: Uint8Array): void {
  const expected = referenceDecode(src);
  expect(expected).toBeDefined();
  expect(Buffer.compare(snappyDecompress(src, expected!.length), expected!)).toBe(0);
}

/** Bytes with long repeats, so the encoder emits copies of every length and offset. */
const repetitive = fc
  .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 30 })), { maxLength: 30 })
  .map((parts) => Uint8Array.from(parts.flatMap(([bytes, times]) => Array.from({ length: times }, () => [...bytes]).flat())));

describe('snappyDecompress', () => {
  it('inverts snappyjs compression of random and repetitive data', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 5000 }), repetitive), (data) => {
        const decoded = snappyDecompress(snappy.compress(data), data.length);
        expect(decoded.length).toBe(data.length);
        expect(Buffer.compare(decoded, data)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes a 300 KB block with long literals and far copies', () => {
    const data = new Uint8Array(300_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251 ^ (i >> 12);
    data.copyWithin(200_000, 10_000, 90_000);
    expect(Buffer.compare(snappyDecompress(snappy.compress(data), data.length), data)).toBe(0);
  });

  it('decodes every literal length form', () => {
    for (const len of [1, 16, 17, 60, 61, 255, 256, 300, 65_536, 65_537]) {
      const bytes = Array.from({ length: len }, (_, i) => (i * 13) & 0xff);
      decodesLikeReference(stream(len, ...literal(bytes)));
    }
    // A length in four extra bytes (tag 63), as an encoder may write even for short literals.
    decodesLikeReference(stream(3, (63 << 2) | 0, 2, 0, 0, 0, 7, 8, 9));
  });

  it('decodes copies of every form, overlapping or not, short and long', () => {
    const start = Array.from({ length: 120 }, (_, i) => (i * 31 + 7) & 0xff);
    const cases: [number, number[]][] = [
      [4, copy1(4, 1)],
      [11, copy1(11, 2)],
      [8, copy1(8, 3)],
      [11, copy1(11, 8)],
      [11, copy1(11, 9)],
      [16, copy2(16, 8)],
      [16, copy2(16, 15)],
      [16, copy2(16, 100)],
      [64, copy2(64, 3)],
      [64, copy2(64, 7)],
      [64, copy2(64, 8)],
      [64, copy2(64, 40)],
      [64, copy2(64, 64)],
      [64, copy2(64, 120)],
      [33, copy4(33, 100)],
      [5, copy4(5, 1)],
    ];
    for (const [len, tags] of cases) {
      decodesLikeReference(stream(start.length + len, ...literal(start), ...tags));
      // The same copy right at the end of a short source, where no word may be read past it.
      decodesLikeReference(stream(start.length + len + 2, ...literal(start), ...tags, ...literal([1, 2])));
    }
  });

  it('gives every byte stream either the reference output or a SnappyFormatError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 200 }), (tail, body) => {
        const src = Uint8Array.from([...varint(body.length + tail.length), ...tail, ...body]);
        const expected = referenceDecode(src);
        const size = body.length + tail.length;
        if (expected === undefined) {
          expect(() => snappyDecompress(src, size)).toThrow(SnappyFormatError);
        } else {
          expect(Buffer.compare(snappyDecompress(src, size), expected)).toBe(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['another announced length', stream(3, ...literal([1, 2, 3])), 4, /holds 3 bytes, expected 4/],
    ['a length varint that never ends', Uint8Array.from([0x80, 0x80]), 0, /bad uncompressed length/],
    ['a length varint over 32 bits', Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 0, /bad uncompressed length/],
    ['a literal past the end of the stream', stream(4, 3 << 2, 1, 2), 4, /literal of 4 bytes runs past the end/],
    ['a literal length past the end', stream(4, 62 << 2, 1), 4, /literal length runs past the end/],
    ['a literal longer than the output', stream(2, ...literal([1, 2, 3])), 2, /literal of 3 bytes overflows the output/],
    ['a literal of 2 GiB', stream(1, 63 << 2, 0xff, 0xff, 0xff, 0x7f), 1, /literal of 2 GiB or more/],
    ['a copy with offset 0', stream(5, ...literal([1]), ...copy1(4, 0)), 5, /copy from offset 0 at output position 1/],
    ['a copy from before the start', stream(6, ...literal([1, 2]), ...copy2(4, 3)), 6, /copy from offset 3 at output position 2/],
    ['a copy from 2 GiB back', stream(5, ...literal([1]), 3 | (3 << 2), 0, 0, 0, 0x80), 5, /copy from offset -2147483648/],
    ['a copy longer than the output', stream(5, ...literal([1]), ...copy1(8, 1)), 5, /copy of 8 bytes overflows the output at 1/],
    ['a 1-byte-offset copy cut short', stream(5, ...literal([1]), 1), 5, /copy at 3 runs past the end of the stream/],
    ['a 2-byte-offset copy cut short', stream(5, ...literal([1]), 2 | (3 << 2), 1), 5, /copy at 3 runs past the end of the stream/],
    ['a 4-byte-offset copy cut short', stream(5, ...literal([1]), 3 | (3 << 2), 1, 0, 0), 5, /copy at 3 runs past the end of the stream/],
    ['a stream that ends early', stream(5, ...literal([1, 2])), 5, /ends after 2 of 5 bytes/],
    ['a size beyond int32 indices', stream(0), 2 ** 31, /beyond the/],
  ])('refuses %s', (_, src, size, message) => {
    expect(() => snappyDecompress(src, size)).toThrow(SnappyFormatError);
    expect(() => snappyDecompress(src, size)).toThrow(message);
  });
});
