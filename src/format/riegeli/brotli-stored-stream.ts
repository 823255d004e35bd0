// Brotli streams that store their content as it is (uncompressed meta-blocks only), decoded without zlib.
//
// Brotli stores bytes it cannot shrink in uncompressed meta-blocks: every chunk of a group_size:1 file
// has such a stream for its record sizes (a varint or two). Node's brotliDecompressSync costs ~2 µs a
// call whatever the input (it builds a stream object and a decoder each time), ~15% of reading such a
// chunk; walking these few bytes here costs a few ns. Any other stream (compressed or metadata
// meta-blocks, nonzero padding, trailing bytes, anything malformed) gives undefined, and the caller
// decodes it with zlib, which also words the errors.

import type { ByteAllocator } from '../io/output-arena.js';

/** Reads a brotli stream's bits, least significant first; past the end it reads -1. */
class BitReader {
  private pos = 0;
  private bit = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** The next `count` (<= 24) bits as a number, or -1 when the stream ends first. */
  read(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      if (this.pos >= this.bytes.length) return -1;
      value |= ((this.bytes[this.pos]! >> this.bit) & 1) << i;
      if (++this.bit === 8) {
        this.bit = 0;
        this.pos++;
      }
    }
    return value;
  }

  /** Moves to the next byte boundary; false when a skipped bit is set (brotli requires zeros). */
  skipPadding(): boolean {
    if (this.bit === 0) return true;
    const padding = this.bytes[this.pos]! >> this.bit;
    this.bit = 0;
    this.pos++;
    return padding === 0;
  }

  /** The byte position, at a byte boundary. */
  get offset(): number {
    return this.pos;
  }

  /** Moves `count` whole bytes on (at a byte boundary). */
  skipBytes(count: number): void {
    this.pos += count;
  }

  /** True when every byte has been read. */
  get atEnd(): boolean {
    return this.pos >= this.bytes.length && this.bit === 0;
  }
}

/** Reads the window size of the stream header (plain or large-window); false for an invalid one. */
function readWindowBits(bits: BitReader): boolean {
  const first = bits.read(1);
  if (first <= 0) return first === 0;
  const n = bits.read(3);
  if (n !== 0) return n > 0;
  const m = bits.read(3);
  if (m === 1) {
    // Large-window brotli: a 6-bit window log, 10 to 30.
    const large = bits.read(6);
    return large >= 10 && large <= 30;
  }
  return m >= 0;
}

/**
 * The content of `stream` when it is a brotli stream of uncompressed meta-blocks only that holds exactly
 * `size` bytes and nothing after, written to memory from `output`; otherwise undefined (nothing is taken
 * from `output`).
 */
export function decodeStoredBrotliStream(stream: Uint8Array, size: number, output: ByteAllocator): Uint8Array | undefined {
  const pieces = storedPieces(stream, size);
  if (pieces === undefined) return undefined;
  const content = output.take(size);
  let written = 0;
  for (let i = 0; i < pieces.length; i += 2) {
    content.set(stream.subarray(pieces[i]!, pieces[i]! + pieces[i + 1]!), written);
    written += pieces[i + 1]!;
  }
  return content;
}

/** [start, length] pairs of the stored bytes of each meta-block, or undefined (see above). */
function storedPieces(stream: Uint8Array, size: number): number[] | undefined {
  const bits = new BitReader(stream);
  if (!readWindowBits(bits)) return undefined;
  const pieces: number[] = [];
  let total = 0;
  for (;;) {
    const isLast = bits.read(1);
    if (isLast < 0) return undefined;
    if (isLast === 1) {
      // Only an empty last meta-block ends a stored stream (a non-empty one is always compressed).
      if (bits.read(1) !== 1 || !bits.skipPadding() || !bits.atEnd) return undefined;
      return total === size ? pieces : undefined;
    }
    const nibbleCode = bits.read(2);
    // 3: a metadata meta-block, left to zlib.
    if (nibbleCode < 0 || nibbleCode === 3) return undefined;
    const nibbles = 4 + nibbleCode;
    // At most 6 nibbles: 24 bits, which one read takes (and a shift holds).
    const lengthMinusOne = bits.read(4 * nibbles);
    if (lengthMinusOne < 0) return undefined;
    // A length written with more nibbles than it needs is invalid.
    if (nibbles > 4 && lengthMinusOne >>> (4 * (nibbles - 1)) === 0) return undefined;
    if (bits.read(1) !== 1 || !bits.skipPadding()) return undefined;
    const length = lengthMinusOne + 1;
    const start = bits.offset;
    if (start + length > stream.length || total + length > size) return undefined;
    pieces.push(start, length);
    total += length;
    bits.skipBytes(length);
  }
}
