// Snappy decompression (the raw block format Riegeli stores), checked at every step: a stream
// that reads or writes out of bounds, or that yields another size than announced, is an error.

import { SHARED_SLABS, type ByteAllocator } from '../io/output-arena.js';

/** Literals and copies at least this long are moved with one native call instead of a byte loop. */
const BULK_COPY = 32;

/** A damaged snappy stream. */
export class SnappyFormatError extends Error {
  override readonly name = 'SnappyFormatError';
}

/**
 * Checks the stream's uncompressed-length varint against `size` and returns where the tags start.
 * @throws SnappyFormatError for a bad varint or another length.
 */
function tagsStart(src: Uint8Array, size: number): number {
  let length = 0;
  // A running scale rather than 2 ** shift, which V8 computes with a pow() call.
  for (let pos = 0, scale = 1; pos < src.length && scale < 2 ** 35; pos++, scale *= 128) {
    const byte = src[pos]!;
    length += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (length !== size) throw new SnappyFormatError(`the stream holds ${length} bytes, expected ${size}`);
      return pos + 1;
    }
  }
  throw new SnappyFormatError('bad uncompressed length');
}

/** The largest block this decoder takes: int32 indices (a Riegeli block is far smaller in practice). */
const MAX_SIZE = 0x7fff_ffff - 64;

/** The best a snappy tag does: a 3-byte copy tag (2-byte offset) copies up to 64 bytes. */
const MAX_COPY = 64;
const COPY_TAG_SIZE = 3;

/** Output bytes past the end that the word-wise copies may scribble on before they are cut off. */
const SLACK = 16;

/**
 * Decompresses a raw snappy block that must hold exactly `size` bytes, into memory from `output`.
 * @throws SnappyFormatError for a damaged stream, another length, or a size beyond MAX_SIZE.
 */
export function snappyDecompress(src: Uint8Array, expectedSize: number, output: ByteAllocator = SHARED_SLABS): Uint8Array {
  if (expectedSize > MAX_SIZE) throw new SnappyFormatError(`${expectedSize} bytes is beyond the ${MAX_SIZE} a block may hold`);
  // Every index below stays in int32 arithmetic, which keeps the loop free of float conversions.
  const size = expectedSize | 0;
  const start = tagsStart(src, size);
  // Checked before the output is allocated: no tag yields more than 64 bytes from 3.
  if (size > ((src.length - start) * MAX_COPY) / COPY_TAG_SIZE) {
    throw new SnappyFormatError(`${src.length - start} bytes of tags cannot yield ${size} bytes (at most ${MAX_COPY} per ${COPY_TAG_SIZE})`);
  }
  // Every byte of the output is written below (or the call throws), so it need not be zeroed.
  const out = output.take(size, SLACK);
  const outView = new DataView(out.buffer, out.byteOffset, size + SLACK);
  const srcView = new DataView(src.buffer, src.byteOffset, src.length);
  const srcLength = src.length;
  let pos = start;
  let outPos = 0;
  while (pos < srcLength) {
    const tag = src[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = (tag >>> 2) + 1;
      if (len <= 16 && pos + 16 <= srcLength && outPos + len <= size) {
        // Short literals, the common case, move as whole words; the bytes past `len` are
        // overwritten by what follows (or lie in the slack).
        outView.setInt32(outPos, srcView.getInt32(pos, true), true);
        outView.setInt32(outPos + 4, srcView.getInt32(pos + 4, true), true);
        outView.setInt32(outPos + 8, srcView.getInt32(pos + 8, true), true);
        outView.setInt32(outPos + 12, srcView.getInt32(pos + 12, true), true);
        pos += len;
        outPos += len;
        continue;
      }
      if (len > 60) {
        const extra = len - 60;
        if (pos + extra > srcLength) throw new SnappyFormatError(`literal length runs past the end at ${pos}`);
        len = src[pos]!;
        if (extra > 1) len |= src[pos + 1]! << 8;
        if (extra > 2) len |= src[pos + 2]! << 16;
        if (extra > 3) len |= src[pos + 3]! << 24;
        // Kept in int32 arithmetic (a float would slow the whole loop): a length of 2^31 or more
        // reads as negative and is refused with the others that overflow.
        len = (len + 1) | 0;
        pos += extra;
        if (len <= 0) throw new SnappyFormatError(`literal of 2 GiB or more at ${pos}`);
      }
      if (len > srcLength - pos) throw new SnappyFormatError(`literal of ${len} bytes runs past the end at ${pos}`);
      if (len > size - outPos) throw new SnappyFormatError(`literal of ${len} bytes overflows the output at ${outPos}`);
      if (len >= BULK_COPY) {
        out.set(src.subarray(pos, pos + len), outPos);
      } else {
        for (let i = 0; i < len; i++) out[outPos + i] = src[pos + i]!;
      }
      pos += len;
      outPos += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (pos >= srcLength) throw new SnappyFormatError(`copy at ${pos - 1} runs past the end of the stream`);
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[pos++]!;
    } else if (kind === 2) {
      if (pos + 2 > srcLength) throw new SnappyFormatError(`copy at ${pos - 1} runs past the end of the stream`);
      len = (tag >>> 2) + 1;
      offset = src[pos]! | (src[pos + 1]! << 8);
      pos += 2;
    } else {
      if (pos + 4 > srcLength) throw new SnappyFormatError(`copy at ${pos - 1} runs past the end of the stream`);
      len = (tag >>> 2) + 1;
      // Negative from 2^31 on: refused below like any offset beyond the output.
      offset = src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16) | (src[pos + 3]! << 24);
      pos += 4;
    }
    if (offset <= 0 || offset > outPos) throw new SnappyFormatError(`copy from offset ${offset} at output position ${outPos}`);
    if (len > size - outPos) throw new SnappyFormatError(`copy of ${len} bytes overflows the output at ${outPos}`);
    let from = outPos - offset;
    const end = outPos + len;
    if (offset >= 8) {
      // Eight bytes at a time: each step reads bytes that are final by then, since they lie at
      // least 8 before what it writes; the last step may run past `end` into bytes that later
      // tags overwrite (or the slack).
      if (len <= 16) {
        outView.setInt32(outPos, outView.getInt32(from, true), true);
        outView.setInt32(outPos + 4, outView.getInt32(from + 4, true), true);
        outView.setInt32(outPos + 8, outView.getInt32(from + 8, true), true);
        outView.setInt32(outPos + 12, outView.getInt32(from + 12, true), true);
      } else if (len >= BULK_COPY && offset >= len) {
        out.copyWithin(outPos, from, from + len);
      } else {
        for (let to = outPos; to < end; to += 8, from += 8) {
          outView.setInt32(to, outView.getInt32(from, true), true);
          outView.setInt32(to + 4, outView.getInt32(from + 4, true), true);
        }
      }
    } else {
      // Byte by byte, so a copy that overlaps its own output repeats the pattern, as snappy means.
      for (let to = outPos; to < end; to++, from++) out[to] = out[from]!;
    }
    outPos = end;
  }
  if (outPos !== size) throw new SnappyFormatError(`the stream ends after ${outPos} of ${size} bytes`);
  return out;
}
