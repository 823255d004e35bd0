// Brotli decoding with one native decoder per thread, reused from block to block.
//
// node:zlib has no reusable synchronous brotli decoder: brotliDecompressSync builds a Transform stream
// and a native decoder for every call, ~4-5 µs, as much as decoding a 1.3 KB record takes (bench:
// 10-11 µs a record that way against 5-7 µs reused). A BrotliDecompress stream's native handle can be
// driven the way node:zlib's own synchronous path drives it (writeSync, then reset for the next
// stream), which is what this module does, writing straight into the caller's memory. Whatever is not
// a plain success (damage, a large-window stream, which a decoder without parameters rejects, or a
// Node whose zlib handle looks different) returns undefined, and the caller decodes the block with
// brotliDecompressSync, which also words the errors.

import zlib from 'node:zlib';
import type { ByteAllocator } from '../io/output-arena.js';

/** The parts of node:zlib's native handle this module drives (internal to Node since v10, unchanged through v24). */
interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inputOffset: number, inputLength: number, output: Uint8Array, outputOffset: number, outputLength: number): void;
  reset(): void;
}

/** A stream kept only for its handle; `state` receives [output bytes left, input bytes left] after each write. */
interface ReusedDecoder {
  readonly stream: zlib.BrotliDecompress;
  readonly handle: ZlibHandle;
  readonly state: Uint32Array;
}

/** This thread's decoder; null once this Node's handle proved not to be what the module drives. */
let decoder: ReusedDecoder | null | undefined;

function openDecoder(): ReusedDecoder | null {
  const stream = zlib.createBrotliDecompress();
  // A failed write destroys the stream and emits 'error' on the next tick; we see the failure at once
  // through `destroyed`, and the event must not go unhandled.
  stream.on('error', () => {});
  const internals = stream as unknown as { _handle?: Partial<ZlibHandle> | null; _writeState?: unknown };
  const handle = internals._handle;
  const state = internals._writeState;
  if (typeof handle?.writeSync !== 'function' || typeof handle.reset !== 'function' || !(state instanceof Uint32Array) || state.length !== 2) {
    stream.destroy();
    return null;
  }
  return { stream, handle: handle as ZlibHandle, state };
}

/**
 * A large-window stream (Brotli's extension, which Riegeli writes for window_log above 24) begins with
 * the 7 bits 0010001, which standard streams never start with.
 */
function isLargeWindowStream(src: Uint8Array): boolean {
  return src.length > 0 && (src[0]! & 0x7f) === 0x11;
}

/**
 * Decodes the brotli stream `src`, which should hold exactly `size` bytes, into memory taken from
 * `output`; undefined when it does not decode to exactly `size` bytes with nothing after it, or
 * cannot be decoded here (the caller then runs brotliDecompressSync on it).
 * @example
 * const block = zlib.brotliCompressSync(Buffer.from('hello'));
 * decodeBrotliReused(block, 5, SHARED_SLABS); // the 5 bytes of 'hello'
 */
export function decodeBrotliReused(src: Uint8Array, size: number, output: ByteAllocator): Uint8Array | undefined {
  if (decoder === null || isLargeWindowStream(src)) return undefined;
  decoder ??= openDecoder();
  if (decoder === null) return undefined;
  // One byte of room past `size`: a stream that fills it holds more than its prefix announces.
  const decoded = output.take(size, 1);
  const room = new Uint8Array(decoded.buffer, decoded.byteOffset, size + 1);
  const { stream, handle, state } = decoder;
  handle.writeSync(zlib.constants.BROTLI_OPERATION_FINISH, src, 0, src.length, room, 0, size + 1);
  if (stream.destroyed) {
    // Node reported an error (a damaged or truncated stream) and closed the handle.
    decoder = undefined;
    return undefined;
  }
  const produced = size + 1 - state[0]!;
  const inputLeft = state[1]!;
  handle.reset();
  return produced === size && inputLeft === 0 ? decoded : undefined;
}
