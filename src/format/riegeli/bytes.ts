// Little-endian integers and protobuf-style varints, with u64 values kept as JS numbers (< 2^53) or two u32 halves.

import { CorruptFileError, type ErrorLocation } from '../errors.js';
import type { Where } from '../place.js';

const TWO_32 = 0x1_0000_0000;

// Fixed-width fields are read from the bytes themselves: a DataView per header would cost an
// allocation (and a buffer lookup) per chunk on the read path.

/** Reads the little-endian u32 at `bytes[offset]`. */
export function readU32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

/** Writes `value` (below 2^32) as a little-endian u32 at `bytes[offset]`. */
export function writeU32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = value >>> 24;
}

/**
 * Reads a little-endian u64 that must be below 2^53; `what` names the field in the error and
 * `location` the file and offset where the field lies.
 */
export function readU64(bytes: Uint8Array, offset: number, what: Where, location: ErrorLocation = {}): number {
  const low = readU32(bytes, offset);
  const high = readU32(bytes, offset + 4);
  if (high >= 0x20_0000) {
    throw new CorruptFileError(`${what} is ${high.toString(16)}${low.toString(16).padStart(8, '0')}h, beyond 2^53`, location);
  }
  return high * TWO_32 + low;
}

/** Writes a non-negative integer below 2^53 as a little-endian u64. */
export function writeU64(bytes: Uint8Array, offset: number, value: number): void {
  writeU32(bytes, offset, value >>> 0);
  writeU32(bytes, offset + 4, Math.floor(value / TWO_32));
}

/** Number of bytes of the varint encoding of a non-negative integer below 2^53. */
export function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

/** Writes a varint at `offset` and returns the offset after it. */
export function writeVarint(target: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    target[offset++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  target[offset++] = value;
  return offset;
}

/**
 * A forward cursor over bytes that reads varints; it keeps its position in `pos` so hot loops
 * read many values without allocating.
 */
export class VarintCursor {
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  /** True when the cursor reached `end`. */
  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /**
   * Reads a varint64 whose value must be below 2^53.
   * @throws CorruptFileError when the varint is truncated, longer than 10 bytes or too large.
   */
  readVarint(what: Where): number {
    const bytes = this.bytes;
    let pos = this.pos;
    if (pos < this.end) {
      const first = bytes[pos]!;
      if (first < 0x80) {
        this.pos = pos + 1;
        return first;
      }
    }
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i++) {
      // Positions in `bytes` are not file offsets: they go in the text; the caller's context names the file.
      if (pos >= this.end) throw new CorruptFileError(`truncated varint at byte ${pos} of ${what}`);
      const byte = bytes[pos++]!;
      result += (byte & 0x7f) * multiplier;
      if (byte < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) throw new CorruptFileError(`varint at byte ${this.pos} of ${what} exceeds 2^53`);
        this.pos = pos;
        return result;
      }
      multiplier *= 128;
    }
    throw new CorruptFileError(`varint at byte ${this.pos} of ${what} is longer than 10 bytes`);
  }
}

/** Reads one varint at `offset` from `bytes`; returns [value, offset after it]. */
export function readVarintAt(bytes: Uint8Array, offset: number, what: Where, end = bytes.length): [number, number] {
  const cursor = new VarintCursor(bytes, offset, end);
  const value = cursor.readVarint(what);
  return [value, cursor.pos];
}

/** A u64 as its low and high 32-bit halves, for values (hashes, magics) that exceed 2^53. */
export interface U64Halves {
  readonly low: number;
  readonly high: number;
}

/**
 * Reads a varint64 of any size as two u32 halves.
 * @throws CorruptFileError when the varint is truncated or longer than 10 bytes.
 */
export function readVarintHalves(cursor: VarintCursor, what: Where): U64Halves {
  let low = 0;
  let high = 0;
  for (let i = 0; i < 10; i++) {
    if (cursor.pos >= cursor.end) throw new CorruptFileError(`truncated varint at byte ${cursor.pos} of ${what}`);
    const byte = cursor.bytes[cursor.pos++]!;
    const bits = byte & 0x7f;
    const shift = i * 7;
    if (shift < 32) {
      low = (low | (bits << shift)) >>> 0;
      if (shift > 25) high = (high | (bits >>> (32 - shift))) >>> 0;
    } else {
      high = (high | (bits << (shift - 32))) >>> 0;
    }
    if (byte < 0x80) return { low, high };
  }
  throw new CorruptFileError(`varint at byte ${cursor.pos} of ${what} is longer than 10 bytes`);
}

/** Encodes a u64 given as halves as a varint. */
export function varintFromHalves(value: U64Halves): Uint8Array {
  const out: number[] = [];
  let low = value.low >>> 0;
  let high = value.high >>> 0;
  while (high !== 0 || low >= 0x80) {
    out.push((low & 0x7f) | 0x80);
    low = ((low >>> 7) | (high << 25)) >>> 0;
    high >>>= 7;
  }
  out.push(low);
  return Uint8Array.from(out);
}

