// Reading what a zstd stream can decompress to from its headers, before any output is allocated.

import { describe, expect, it } from 'vitest';
import { encodeBlock } from '../../src/format/riegeli/compression.js';
import { CompressionType } from '../../src/format/riegeli/constants.js';
import zstdNapi from 'zstd-napi/binding.js';
import { decodeStoredZstdFrame, verifyZstdContentSize, ZstdFrameError } from '../../src/format/riegeli/zstd-frame.js';

/** A zstd frame of `data` as the writer makes it (the varint size prefix removed). */
function frameOf(data: Uint8Array): Uint8Array {
  const block = encodeBlock({ type: CompressionType.zstd, level: 3 }, data);
  let prefix = 0;
  while (block[prefix]! >= 0x80) prefix++;
  return block.subarray(prefix + 1);
}

/** A frame by hand: magic, a descriptor without content size (window byte 0), then the given blocks. */
function frameWithoutContentSize(...blocks: number[][]): Uint8Array {
  return Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, ...blocks.flat()]);
}

/** A block header: last flag, type (0 raw, 1 RLE, 2 compressed, 3 reserved), size; then its content. */
function block(last: boolean, type: number, size: number, content: number[]): number[] {
  const header = (size << 3) | (type << 1) | (last ? 1 : 0);
  return [header & 0xff, (header >>> 8) & 0xff, header >>> 16, ...content];
}

describe('verifyZstdContentSize', () => {
  const text = new TextEncoder().encode('the quick brown fox jumps over the lazy dog '.repeat(5000));

  it('accepts the true size of real frames, small and spanning several blocks', () => {
    for (const data of [new Uint8Array(0), text.subarray(0, 100), text]) {
      expect(() => verifyZstdContentSize(frameOf(data), data.length)).not.toThrow();
    }
  });

  it('refuses a size other than the one the frame declares', () => {
    expect(() => verifyZstdContentSize(frameOf(text), text.length + 1)).toThrow(/frames declare 220000 bytes, expected 220001/);
    expect(() => verifyZstdContentSize(frameOf(text), 2 ** 40)).toThrow(ZstdFrameError);
  });

  it('without a declared size, bounds the size by what the blocks can hold', () => {
    const rle = frameWithoutContentSize(block(false, 1, 1000, [7]), block(true, 0, 2, [1, 2]));
    expect(() => verifyZstdContentSize(rle, 1002)).not.toThrow();
    expect(() => verifyZstdContentSize(rle, 1003)).toThrow(/blocks hold at most 1002 bytes, expected 1003/);
    const compressed = frameWithoutContentSize(block(true, 2, 4, [0, 0, 0, 0]));
    expect(() => verifyZstdContentSize(compressed, 128 * 1024 + 1)).toThrow(/at most 131072 bytes/);
  });

  it('refuses malformed headers instead of trusting them', () => {
    expect(() => verifyZstdContentSize(Uint8Array.from([1, 2, 3, 4, 5]), 1)).toThrow(/frame magic 0x4030201/);
    expect(() => verifyZstdContentSize(frameWithoutContentSize(block(true, 3, 0, [])), 1)).toThrow(/reserved block type/);
    expect(() => verifyZstdContentSize(frameWithoutContentSize(block(true, 0, 50, [1, 2])), 50)).toThrow(/runs past the end/);
    expect(() => verifyZstdContentSize(frameWithoutContentSize(), 1)).toThrow(/inside a block header/);
    expect(() => verifyZstdContentSize(frameOf(text).subarray(0, 5), 1)).toThrow(/inside a frame header/);
  });
});

describe('decodeStoredZstdFrame', () => {
  const take = { take: (length: number): Uint8Array => new Uint8Array(length) };
  const cctx = new zstdNapi.CCtx();
  const frame = (input: Uint8Array, checksum = false): Uint8Array => {
    cctx.reset(zstdNapi.ResetDirective.parameters);
    cctx.setParameter(zstdNapi.CParameter.compressionLevel, 3);
    cctx.setParameter(zstdNapi.CParameter.checksumFlag, checksum ? 1 : 0);
    const out = Buffer.alloc(zstdNapi.compressBound(input.length));
    return out.subarray(0, cctx.compress2(out, input));
  };

  it('decodes what zstd stores raw (a record size, incompressible bytes) and RLE, as zstd does', () => {
    let state = 12345;
    const random = new Uint8Array(5000).map(() => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state & 0xff;
    });
    for (const input of [new Uint8Array([0x96, 0x0a]), new Uint8Array([7]), new Uint8Array(0), random, new Uint8Array(300_000).fill(9)]) {
      const stored = decodeStoredZstdFrame(frame(input), input.length, take);
      if (input.length <= 5000) expect(stored).toBeDefined();
      if (stored !== undefined) expect(Buffer.from(stored).equals(Buffer.from(input))).toBe(true);
    }
  });

  it('leaves compressed blocks, checksums, other sizes and damaged frames to zstd', () => {
    const text = new TextEncoder().encode('lorem ipsum dolor sit amet '.repeat(50));
    expect(decodeStoredZstdFrame(frame(text), text.length, take)).toBeUndefined();
    const two = new Uint8Array([1, 2]);
    expect(decodeStoredZstdFrame(frame(two, true), 2, take)).toBeUndefined();
    expect(decodeStoredZstdFrame(frame(two), 3, take)).toBeUndefined();
    const good = frame(two);
    expect(decodeStoredZstdFrame(good.subarray(0, good.length - 1), 2, take)).toBeUndefined();
    expect(decodeStoredZstdFrame(new Uint8Array([...good, 0]), 2, take)).toBeUndefined();
    const badMagic = good.slice();
    badMagic[0] = badMagic[0]! ^ 1;
    expect(decodeStoredZstdFrame(badMagic, 2, take)).toBeUndefined();
  });
});
