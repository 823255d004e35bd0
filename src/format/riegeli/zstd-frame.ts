// What a zstd stream can decompress to, read from its frame and block headers (RFC 8878) without
// decompressing: the decoder allocates its output up front, so a size claimed by the file is checked
// against this before it is allocated.

import { readU32 } from './bytes.js';

const FRAME_MAGIC = 0xfd2fb528;
/** Skippable frames (magic 0x184d2a50..0x184d2a5f) carry no content. */
const SKIPPABLE_MAGIC_BASE = 0x184d2a50;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
/** No block decompresses to more than this (Block_Maximum_Size is at most 128 KiB). */
const MAX_BLOCK_CONTENT = 128 * 1024;
const BLOCK_HEADER_SIZE = 3;
const BLOCK_RAW = 0;
const BLOCK_RLE = 1;
const BLOCK_COMPRESSED = 2;
const DICTIONARY_ID_SIZES = [0, 1, 2, 4] as const;
const CONTENT_SIZE_SIZES = [0, 2, 4, 8] as const;

/** A stream whose headers are malformed or disagree with the size it should decompress to. */
export class ZstdFrameError extends Error {
  override readonly name = 'ZstdFrameError';
}

/**
 * Checks that a zstd stream can decompress to `size` bytes: every frame that declares its content size
 * must add up to it, and its blocks must have room for it (raw and RLE blocks state their size,
 * compressed ones yield at most 128 KiB). One pass over a few header bytes per 128 KiB of content,
 * allocating nothing.
 * @throws ZstdFrameError for an unknown magic, a reserved bit or block type, headers that run past the
 *   end of the stream, or a size the stream cannot have.
 * @example verifyZstdContentSize(compressed, claimedSize); // then allocate claimedSize bytes
 */
export function verifyZstdContentSize(stream: Uint8Array, size: number): void {
  let pos = 0;
  let maxSize = 0;
  /** The sum of declared content sizes; NaN once a frame declares none. */
  let declared = 0;
  while (pos < stream.length) {
    need(stream, pos, 4, 'a frame magic');
    const magic = readU32(stream, pos);
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC_BASE) {
      need(stream, pos + 4, 4, 'a skippable frame size');
      pos += 8 + readU32(stream, pos + 4);
      if (pos > stream.length) throw new ZstdFrameError('a skippable frame runs past the end of the stream');
      continue;
    }
    if (magic !== FRAME_MAGIC) throw new ZstdFrameError(`frame magic 0x${magic.toString(16)} at ${pos}, expected 0x${FRAME_MAGIC.toString(16)}`);
    // Frame header: descriptor, window descriptor (unless single segment), dictionary id, content size.
    need(stream, pos + 4, 1, 'a frame header');
    const descriptor = stream[pos + 4]!;
    if ((descriptor & 0x08) !== 0) throw new ZstdFrameError(`reserved bit set in the frame header at ${pos + 4}`);
    const singleSegment = (descriptor & 0x20) !== 0;
    const contentSizeBytes = descriptor >>> 6 === 0 && singleSegment ? 1 : CONTENT_SIZE_SIZES[descriptor >>> 6]!;
    const contentSizeAt = pos + 5 + (singleSegment ? 0 : 1) + DICTIONARY_ID_SIZES[descriptor & 3]!;
    need(stream, contentSizeAt, contentSizeBytes, 'a frame header');
    if (contentSizeBytes === 0) declared = NaN;
    else declared += readContentSize(stream, contentSizeAt, contentSizeBytes);
    pos = contentSizeAt + contentSizeBytes;
    for (let last = 0; last === 0; ) {
      need(stream, pos, BLOCK_HEADER_SIZE, 'a block header');
      const header = stream[pos]! | (stream[pos + 1]! << 8) | (stream[pos + 2]! << 16);
      last = header & 1;
      const type = (header >>> 1) & 3;
      const blockSize = header >>> 3;
      pos += BLOCK_HEADER_SIZE;
      if (type === BLOCK_RAW) {
        maxSize += blockSize;
        pos += blockSize;
      } else if (type === BLOCK_RLE) {
        maxSize += blockSize;
        pos += 1;
      } else if (type === BLOCK_COMPRESSED) {
        maxSize += MAX_BLOCK_CONTENT;
        pos += blockSize;
      } else {
        throw new ZstdFrameError(`reserved block type at ${pos - BLOCK_HEADER_SIZE}`);
      }
    }
    // The content checksum, when the frame has one.
    if ((descriptor & 0x04) !== 0) pos += 4;
    if (pos > stream.length) throw new ZstdFrameError(`the frame runs past the end of the stream, to ${pos}`);
  }
  if (!Number.isNaN(declared) && declared !== size) throw new ZstdFrameError(`the zstd frames declare ${declared} bytes, expected ${size}`);
  if (size > maxSize) throw new ZstdFrameError(`the zstd blocks hold at most ${maxSize} bytes, expected ${size}`);
}

function need(stream: Uint8Array, pos: number, length: number, what: string): void {
  if (pos + length > stream.length) throw new ZstdFrameError(`the stream ends at ${stream.length} inside ${what} at ${pos}`);
}

/** Frame_Content_Size, little-endian; a 2-byte field counts from 256. Beyond 2^53 it stays a (rounded) huge number. */
function readContentSize(stream: Uint8Array, at: number, length: number): number {
  let value = 0;
  for (let i = length - 1; i >= 0; i--) value = value * 256 + stream[at + i]!;
  return length === 2 ? value + 256 : value;
}

/**
 * Decodes in JavaScript a zstd stream that is one frame of stored (raw or RLE) blocks only, with no
 * dictionary and no checksum, declaring exactly `size` bytes: what zstd writes for input it cannot
 * compress, such as a chunk's record sizes when it holds one record. A native call costs more than
 * the copy. Returns undefined for any other stream (compressed blocks, several frames, anything
 * malformed), which the caller decodes as usual, so that errors are reported there.
 * @param output gives the `size` bytes to fill (an allocator object, not a closure: this runs once
 *   per chunk, and a closure per call was 1.5-2.7% of a read's samples).
 * @example decodeStoredZstdFrame(frame, 2, { take: (n) => new Uint8Array(n) }) // the 2 bytes stored in the frame
 */
export function decodeStoredZstdFrame(stream: Uint8Array, size: number, output: { take(length: number): Uint8Array }): Uint8Array | undefined {
  if (stream.length < 9 || readU32(stream, 0) !== FRAME_MAGIC) return undefined;
  const descriptor = stream[4]!;
  // Only a single-segment frame with its content size, no dictionary, no checksum, no reserved bit.
  if ((descriptor & 0x2f) !== 0x20) return undefined;
  const contentSizeBytes = descriptor >>> 6 === 0 ? 1 : CONTENT_SIZE_SIZES[descriptor >>> 6]!;
  if (stream.length < 5 + contentSizeBytes || readContentSize(stream, 5, contentSizeBytes) !== size) return undefined;
  // A first pass checks the blocks, so that nothing is taken for a stream decoded elsewhere after all.
  let pos = 5 + contentSizeBytes;
  let total = 0;
  for (let last = 0; last === 0; ) {
    if (pos + BLOCK_HEADER_SIZE > stream.length) return undefined;
    const header = stream[pos]! | (stream[pos + 1]! << 8) | (stream[pos + 2]! << 16);
    last = header & 1;
    const type = (header >>> 1) & 3;
    const blockSize = header >>> 3;
    pos += BLOCK_HEADER_SIZE + (type === BLOCK_RAW ? blockSize : type === BLOCK_RLE ? 1 : NaN);
    if (!(pos <= stream.length)) return undefined;
    total += blockSize;
  }
  if (pos !== stream.length || total !== size) return undefined;
  const decoded = output.take(size);
  pos = 5 + contentSizeBytes;
  let at = 0;
  while (at < size || pos < stream.length) {
    const header = stream[pos]! | (stream[pos + 1]! << 8) | (stream[pos + 2]! << 16);
    const blockSize = header >>> 3;
    pos += BLOCK_HEADER_SIZE;
    if (((header >>> 1) & 3) === BLOCK_RAW) {
      decoded.set(stream.subarray(pos, pos + blockSize), at);
      pos += blockSize;
    } else {
      decoded.fill(stream[pos]!, at, at + blockSize);
      pos += 1;
    }
    at += blockSize;
  }
  return decoded;
}
