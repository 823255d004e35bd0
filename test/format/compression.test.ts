// Block codecs: the zstd context keeps its parameters between calls, so each call must get exactly
// the level and window it asks for, whatever came before; every codec's block decodes back.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBlock, encodeBlock, type CompressorOptions } from '../../src/format/riegeli/compression.js';
import { CompressionType } from '../../src/format/riegeli/constants.js';
import { zstdPath } from '../../src/format/riegeli/zstd-codec.js';

/**
 * 60 KB of words drawn at random (levels find different matches in it), then its first 5 KB again
 * (a match 60 KB back, out of reach of a 1 KiB window).
 */
const data = (() => {
  const words = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'elit', 'sed', 'tempor', 'magna', 'aliqua', 'minim', 'veniam'];
  let state = 7;
  const text: string[] = [];
  for (let length = 0; length < 60_000; length += text[text.length - 1]!.length + 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    text.push(words[(state >>> 16) % words.length]!);
  }
  const bytes = new TextEncoder().encode(text.join(' '));
  return Uint8Array.from([...bytes, ...bytes.subarray(0, 5000)]);
})();
const zstd = (level: number, windowLog?: number): CompressorOptions => ({ type: CompressionType.zstd, level, windowLog });

describe('encodeBlock', () => {
  it('gives zstd blocks that depend only on their own level and window', () => {
    const settings = [zstd(3), zstd(3, 10), zstd(-5), zstd(19, 12), zstd(3), zstd(-5), zstd(3, 10)];
    const first = new Map<string, Buffer>();
    for (const options of settings) {
      const block = Buffer.from(encodeBlock(options, data));
      // The wasm path (ARRAY_RECORD_ZSTD=wasm) has no window parameter: its blocks depend on the level alone.
      const key = zstdPath() === 'wasm' ? `${options.level}` : `${options.level}/${options.windowLog}`;
      if (first.has(key)) expect(Buffer.compare(block, first.get(key)!)).toBe(0);
      else first.set(key, block);
      expect(Buffer.compare(Buffer.from(decodeBlock(CompressionType.zstd, block, 'block')), Buffer.from(data))).toBe(0);
    }
    // The settings really differ, or the comparisons above would prove nothing.
    expect(new Set([...first.values()].map((block) => block.toString('hex'))).size).toBe(first.size);
  });

  it('round-trips any bytes through every codec, with the varint size prefix', () => {
    const codecs: CompressorOptions[] = [
      { type: CompressionType.none, level: 0 },
      zstd(3),
      zstd(-5, 10),
      { type: CompressionType.brotli, level: 2 },
      { type: CompressionType.snappy, level: 0 },
    ];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.constantFrom(...codecs), (bytes, options) => {
        const block = encodeBlock(options, bytes);
        expect(Buffer.compare(Buffer.from(decodeBlock(options.type, block, 'block')), Buffer.from(bytes))).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
