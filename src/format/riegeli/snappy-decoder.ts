// Snappy decompression (the raw block format Riegeli stores), checked at every step: a stream
// that reads or writes out of bounds, or that yields another size than announced, is an error.
//
// The tags are decoded by our WebAssembly module (snappy-decoder.wat): the stream is copied into its
// memory, decoded there with 16-byte vector moves, and the output copied out to `output`. Copies
// included, that takes 1.5-1.65x less CPU than the same loop in JavaScript on a 1.3 KB text record
// (1.45 µs against 2.3 µs) and 1.8x less on a 64 KiB block (bench/snappy.ts): in JavaScript each tag
// costs a dozen bounds-checked DataView calls, parsing the tags alone took 1.9 µs of the 2.3. Blocks
// too large for the module's memory (MAX_WASM_BYTES) are decoded by the JavaScript loop below, with
// the same checks and errors.

import { SHARED_SLABS, type ByteAllocator } from '../io/output-arena.js';
import { SNAPPY_DECODER_WASM } from './snappy-decoder-wasm.js';

/** Literals and copies at least this long are moved with one native call instead of a byte loop. */
const BULK_COPY = 32;

/** A damaged snappy stream. */
export class SnappyFormatError extends Error {
  override readonly name = 'SnappyFormatError';
}

/**
 * Checks the stream's uncompressed-length varint (at src[begin, end)) against `size` and returns where
 * the tags start.
 * @throws SnappyFormatError for a bad varint or another length.
 */
function tagsStart(src: Uint8Array, begin: number, end: number, size: number): number {
  let length = 0;
  // A running scale rather than 2 ** shift, which V8 computes with a pow() call.
  for (let pos = begin, scale = 1; pos < end && scale < 2 ** 35; pos++, scale *= 128) {
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

/** The part of the WebAssembly global used here (its types come with the DOM lib, which Node code leaves out). */
declare const WebAssembly: {
  Module: new (binary: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
};

interface SnappyDecoderExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  /** The figures of the last error (see errorOf). */
  readonly errA: { readonly value: number };
  readonly errB: { readonly value: number };
  /** Decodes the tags of the stream at [0, srcEnd) from `pos` into [out, out + size); see the .wat file. */
  decode(pos: number, srcEnd: number, out: number, size: number): number;
}

/** Bytes the module may read past the stream and write past the output (16-byte vectors, 4-byte lengths). */
const WASM_SLACK = 64;
const WASM_PAGE = 65536;
/**
 * Blocks whose stream and output would need more module memory than this are decoded in JavaScript:
 * the module's memory never shrinks, and this is what a thread keeps at most (ReadScratch keeps as much).
 */
const MAX_WASM_BYTES = 64 << 20;

/** Instantiated on the first block, once per thread. */
let wasm: SnappyDecoderExports | undefined;
/** A view of the module's memory, renewed when it grows (which detaches the old buffer). */
let wasmBytes = new Uint8Array(0);

/** The module's memory, grown to at least `needed` bytes. */
function wasmMemory(needed: number): Uint8Array {
  if (wasmBytes.length >= needed) return wasmBytes;
  wasm ??= new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(SNAPPY_DECODER_WASM, 'base64'))).exports as SnappyDecoderExports;
  const have = wasm.memory.buffer.byteLength;
  if (have < needed) {
    // At least doubled, so a reader of growing blocks grows it a few times only.
    const pages = Math.max(Math.ceil((needed - have) / WASM_PAGE), Math.min(have, MAX_WASM_BYTES - have) / WASM_PAGE);
    wasm.memory.grow(pages);
  }
  wasmBytes = new Uint8Array(wasm.memory.buffer);
  return wasmBytes;
}

/**
 * The error the module reported with `code` (see the .wat file), in the words of the JavaScript decoder.
 * @param base where the stream starts in the module's memory: subtracted from positions in it.
 */
function errorOf(code: number, a: number, b: number, base: number): SnappyFormatError {
  switch (code) {
    case -1:
      return new SnappyFormatError(`literal length runs past the end at ${a - base}`);
    case -2:
      return new SnappyFormatError(`literal of 2 GiB or more at ${a - base}`);
    case -3:
      return new SnappyFormatError(`literal of ${a} bytes runs past the end at ${b - base}`);
    case -4:
      return new SnappyFormatError(`literal of ${a} bytes overflows the output at ${b}`);
    case -5:
      return new SnappyFormatError(`copy at ${a - base} runs past the end of the stream`);
    case -6:
      return new SnappyFormatError(`copy from offset ${a} at output position ${b}`);
    default:
      return new SnappyFormatError(`copy of ${a} bytes overflows the output at ${b}`);
  }
}

/** Streams that start at most this far into `src` and end with it are copied with what precedes them: one set(), no view. */
const COPIED_LEAD = 256;
/** Streams and outputs up to this long are copied byte by byte (a set() of a view costs more). */
const SHORT_STREAM = 64;

/**
 * Decompresses a raw snappy block that must hold exactly `size` bytes, into memory from `output`.
 * @param begin, end the stream's bytes in `src` (all of it by default): a block within chunk data is
 *   decoded without a view of it. Positions in errors count from `begin`.
 * @throws SnappyFormatError for a damaged stream, another length, or a size beyond MAX_SIZE.
 */
export function snappyDecompress(
  src: Uint8Array,
  expectedSize: number,
  output: ByteAllocator = SHARED_SLABS,
  begin = 0,
  end = src.length,
): Uint8Array {
  return decompress(src, begin, end, expectedSize, output, false);
}

/** snappyDecompress always in JavaScript, as for blocks beyond MAX_WASM_BYTES: for tests, which compare both. */
export function snappyDecompressInJs(src: Uint8Array, expectedSize: number, output: ByteAllocator = SHARED_SLABS): Uint8Array {
  return decompress(src, 0, src.length, expectedSize, output, true);
}

function decompress(src: Uint8Array, begin: number, end: number, expectedSize: number, output: ByteAllocator, inJs: boolean): Uint8Array {
  if (expectedSize > MAX_SIZE) throw new SnappyFormatError(`${expectedSize} bytes is beyond the ${MAX_SIZE} a block may hold`);
  // Every index below stays in int32 arithmetic, which keeps the loops free of float conversions.
  const size = expectedSize | 0;
  const start = tagsStart(src, begin, end, size);
  // Checked before the output is allocated: no tag yields more than 64 bytes from 3.
  if (size > ((end - start) * MAX_COPY) / COPY_TAG_SIZE) {
    throw new SnappyFormatError(`${end - start} bytes of tags cannot yield ${size} bytes (at most ${MAX_COPY} per ${COPY_TAG_SIZE})`);
  }
  // Where src[begin] lands in the module's memory: `begin` when src is copied from its start.
  const whole = end === src.length && begin <= COPIED_LEAD;
  const base = whole ? begin : 0;
  const streamEnd = base + end - begin;
  // The output after the stream and its slack, 16-aligned.
  const outStart = (streamEnd + WASM_SLACK + 15) & ~15;
  if (inJs || end - begin > MAX_WASM_BYTES || outStart + size + WASM_SLACK > MAX_WASM_BYTES) {
    const stream = begin === 0 && end === src.length ? src : src.subarray(begin, end);
    return decompressInJs(stream, start - begin, size, output);
  }
  const memory = wasmMemory(outStart + size + WASM_SLACK);
  if (whole) memory.set(src);
  else if (end - begin <= SHORT_STREAM) for (let i = begin; i < end; i++) memory[i - begin] = src[i]!;
  else memory.set(src.subarray(begin, end));
  const produced = wasm!.decode(base + start - begin, streamEnd, outStart, size);
  if (produced < 0) throw errorOf(produced, wasm!.errA.value, wasm!.errB.value, base);
  if (produced !== size) throw new SnappyFormatError(`the stream ends after ${produced} of ${size} bytes`);
  // Every byte of the output is written here, so it need not be zeroed.
  const out = output.take(size);
  if (size <= SHORT_STREAM) for (let i = 0; i < size; i++) out[i] = memory[outStart + i]!;
  else out.set(memory.subarray(outStart, outStart + size));
  return out;
}

/**
 * The tags of a block decoded in JavaScript, for blocks too large for the module's memory (see
 * MAX_WASM_BYTES); the same checks and errors as the module's.
 * @param start where the tags start (after the length varint, checked by the caller).
 */
function decompressInJs(src: Uint8Array, start: number, size: number, output: ByteAllocator): Uint8Array {
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
