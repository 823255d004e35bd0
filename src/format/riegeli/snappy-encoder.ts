// Snappy compression into the raw block format: 64 KiB fragments, each searched for 4-byte matches
// through a hash table of recent positions. Any valid stream decodes the same everywhere, so this
// follows the format, not another encoder's exact choices.

import { writeVarint } from './bytes.js';

/** Snappy compresses its input in independent fragments of at most this many bytes. */
const FRAGMENT_SIZE = 1 << 16;
/** Fragments shorter than this are stored as one literal; also the margin kept from a fragment's end. */
const INPUT_MARGIN = 15;
const MAX_TABLE_BITS = 14;
const MIN_TABLE_BITS = 8;
/** Snappy's multiplicative hash constant for 4-byte sequences. */
const HASH_MULTIPLIER = 0x1e35a7bd;

/** One table serves every call (cleared per fragment): allocating 32 KiB per block costs more than compressing it. */
const table = new Uint16Array(1 << MAX_TABLE_BITS);

/** The largest stream snappy can produce for `length` input bytes. */
function maxCompressedLength(length: number): number {
  return 32 + length + Math.floor(length / 6);
}


function writeLiteral(input: Uint8Array, start: number, length: number, out: Uint8Array, op: number): number {
  const stored = length - 1;
  if (stored < 60) {
    out[op++] = stored << 2;
  } else if (stored < 0x100) {
    out[op++] = 60 << 2;
    out[op++] = stored;
  } else {
    // A fragment is at most 64 KiB, so two length bytes always suffice.
    out[op++] = 61 << 2;
    out[op++] = stored & 0xff;
    out[op++] = stored >>> 8;
  }
  if (length < 32) {
    for (let i = 0; i < length; i++) out[op + i] = input[start + i]!;
  } else {
    out.set(input.subarray(start, start + length), op);
  }
  return op + length;
}

/** Copies of up to 64 bytes; longer matches become several, none shorter than 4. */
function writeCopy(out: Uint8Array, op: number, offset: number, length: number): number {
  while (length >= 68) {
    op = writeCopy2(out, op, offset, 64);
    length -= 64;
  }
  if (length > 64) {
    op = writeCopy2(out, op, offset, 60);
    length -= 60;
  }
  if (length < 12 && offset < 2048) {
    out[op] = 1 | ((length - 4) << 2) | ((offset >>> 8) << 5);
    out[op + 1] = offset & 0xff;
    return op + 2;
  }
  return writeCopy2(out, op, offset, length);
}

function writeCopy2(out: Uint8Array, op: number, offset: number, length: number): number {
  out[op] = 2 | ((length - 1) << 2);
  out[op + 1] = offset & 0xff;
  out[op + 2] = offset >>> 8;
  return op + 3;
}

/** How many bytes from `a` on equal those from `b` on (`a` < `b`), not reading at or past `limit`. */
function matchLength(input: Uint8Array, view: DataView, a: number, b: number, limit: number): number {
  const start = b;
  while (b + 4 <= limit) {
    // Little-endian: the lowest set bit of the difference is in the first byte that differs.
    const difference = view.getInt32(a, true) ^ view.getInt32(b, true);
    if (difference !== 0) return b - start + ((31 - Math.clz32(difference & -difference)) >>> 3);
    a += 4;
    b += 4;
  }
  while (b < limit && input[a] === input[b]) {
    a++;
    b++;
  }
  return b - start;
}

/** Compresses `input[start, end)` (at most one fragment) into `out` from `op` on; returns the new end. */
function compressFragment(input: Uint8Array, view: DataView, start: number, end: number, out: Uint8Array, op: number): number {
  const length = end - start;
  if (length < INPUT_MARGIN) return length === 0 ? op : writeLiteral(input, start, length, out, op);
  let tableBits = MIN_TABLE_BITS;
  while (tableBits < MAX_TABLE_BITS && 1 << tableBits < length) tableBits++;
  table.fill(0, 0, 1 << tableBits);
  const shift = 32 - tableBits;
  // Table entries are positions relative to `start`; an entry never written reads as `start`,
  // a candidate like any other, since every candidate is checked before use.
  const searchLimit = end - INPUT_MARGIN;
  let emitted = start;
  let ip = start + 1;
  let nextWord = view.getInt32(ip, true);
  search: for (;;) {
    // Find a 4-byte match, looking further apart the longer none turns up (incompressible data).
    let skip = 32;
    let nextIp = ip;
    let candidate: number;
    let word: number;
    do {
      ip = nextIp;
      word = nextWord;
      const hash = Math.imul(word, HASH_MULTIPLIER) >>> shift;
      nextIp = ip + (skip++ >>> 5);
      if (nextIp > searchLimit) break search;
      nextWord = view.getInt32(nextIp, true);
      candidate = start + table[hash]!;
      table[hash] = ip - start;
    } while (word !== view.getInt32(candidate, true));
    op = writeLiteral(input, emitted, ip - emitted, out, op);
    // Emit the match, and the ones that follow it directly.
    do {
      const matched = 4 + matchLength(input, view, candidate + 4, ip + 4, end);
      op = writeCopy(out, op, ip - candidate, matched);
      ip += matched;
      emitted = ip;
      if (ip >= searchLimit) break search;
      table[Math.imul(view.getInt32(ip - 1, true), HASH_MULTIPLIER) >>> shift] = ip - 1 - start;
      word = view.getInt32(ip, true);
      const hash = Math.imul(word, HASH_MULTIPLIER) >>> shift;
      candidate = start + table[hash]!;
      table[hash] = ip - start;
    } while (word === view.getInt32(candidate, true));
    ip++;
    nextWord = view.getInt32(ip, true);
  }
  return emitted < end ? writeLiteral(input, emitted, end - emitted, out, op) : op;
}

/**
 * Compresses `input` into one raw snappy block (the uncompressed length, then the tags), placed
 * after `headroom` bytes that are left for the caller.
 */
export function snappyCompress(input: Uint8Array, headroom = 0): Uint8Array {
  const out = Buffer.allocUnsafe(headroom + maxCompressedLength(input.length));
  const view = new DataView(input.buffer, input.byteOffset, input.length);
  let op = writeVarint(out, headroom, input.length);
  for (let start = 0; start < input.length; start += FRAGMENT_SIZE) {
    op = compressFragment(input, view, start, Math.min(input.length, start + FRAGMENT_SIZE), out, op);
  }
  return out.subarray(0, op);
}
