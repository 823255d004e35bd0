// Brotli and zstd decoding through node:zlib with one native decoder per codec and thread, reused from
// block to block.
//
// node:zlib has no reusable synchronous decoder: brotliDecompressSync and zstdDecompressSync build a
// Transform stream and a native decoder for every call, which costs more than decoding a 1.3 KB record
// (brotli 10-11 µs a record that way against 5-7 µs reused; zstd on Node 22 and 24, 14-27 µs against
// 6-8 µs). A decompression stream's native handle can be driven the way node:zlib's own synchronous
// path drives it (writeSync, then reset for the next stream), which is what this module does, writing
// straight into the caller's memory. Whatever is not a plain success (damage, a stream the decoder
// needs parameters for, a Node whose zlib handle looks different) gives undefined, and the caller
// decodes the block with the one-call API, which also words the errors.

import zlib from 'node:zlib';
import type { ByteAllocator } from '../io/output-arena.js';

/** The parts of node:zlib's native handle this module drives (internal to Node since v10, unchanged through v24). */
interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inputOffset: number, inputLength: number, output: Uint8Array, outputOffset: number, outputLength: number): void;
  reset(): void;
}

/** A stream kept only for its handle; `state` receives [output bytes left, input bytes left] after each write. */
interface OpenDecoder {
  readonly stream: zlib.Zlib & NodeJS.EventEmitter & { readonly destroyed: boolean; destroy(): void };
  readonly handle: ZlibHandle;
  readonly state: Uint32Array;
}

/** Decodes one whole stream into exactly `size` bytes taken from `output`, or gives undefined (see decodeReused). */
export type ReusedDecoder = (src: Uint8Array, size: number, output: ByteAllocator) => Uint8Array | undefined;

/**
 * A ReusedDecoder over streams that `create` makes (without parameters: a reset decoder forgets them),
 * ended with the flush value `finish`.
 */
function reusedDecoder(create: () => OpenDecoder['stream'], finish: number): ReusedDecoder {
  /** This thread's decoder; null once this Node's handle proved not to be what the module drives. */
  let decoder: OpenDecoder | null | undefined;
  const open = (): OpenDecoder | null => {
    const stream = create();
    // A failed write destroys the stream and emits 'error' on the next tick; the failure is seen at
    // once through `destroyed`, and the event must not go unhandled.
    stream.on('error', () => {});
    const internals = stream as unknown as { _handle?: Partial<ZlibHandle> | null; _writeState?: unknown };
    const handle = internals._handle;
    const state = internals._writeState;
    if (typeof handle?.writeSync !== 'function' || typeof handle.reset !== 'function' || !(state instanceof Uint32Array) || state.length !== 2) {
      stream.destroy();
      return null;
    }
    return { stream, handle: handle as ZlibHandle, state };
  };
  return (src, size, output) => {
    if (decoder === null) return undefined;
    decoder ??= open();
    if (decoder === null) return undefined;
    // One byte of room past `size`: a stream that fills it holds more than its prefix announces.
    const decoded = output.take(size, 1);
    const room = new Uint8Array(decoded.buffer, decoded.byteOffset, size + 1);
    const { stream, handle, state } = decoder;
    handle.writeSync(finish, src, 0, src.length, room, 0, size + 1);
    if (stream.destroyed) {
      // Node reported an error (a damaged or truncated stream) and closed the handle.
      decoder = undefined;
      return undefined;
    }
    const produced = size + 1 - state[0]!;
    const inputLeft = state[1]!;
    handle.reset();
    return produced === size && inputLeft === 0 ? decoded : undefined;
  };
}

const brotliDecoder = reusedDecoder(() => zlib.createBrotliDecompress(), zlib.constants.BROTLI_OPERATION_FINISH);

/**
 * A large-window stream (Brotli's extension, which Riegeli writes for window_log above 24) begins with
 * the 7 bits 0010001, which standard streams never start with; a decoder without parameters rejects it.
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
  return isLargeWindowStream(src) ? undefined : brotliDecoder(src, size, output);
}

/** node:zlib's zstd, on Node 22.15+ and 24 (the types of Node 20 do not declare it). */
const zstdZlib = zlib as unknown as { createZstdDecompress?: () => OpenDecoder['stream']; constants: { ZSTD_e_end?: number } };

/**
 * decodeBrotliReused for one zstd frame, on a Node whose zlib has zstd; undefined where it has not.
 * @example
 * const frame = zlib.zstdCompressSync(Buffer.from('hello')); // Node 22.15+
 * decodeZstdReused(frame, 5, SHARED_SLABS); // the 5 bytes of 'hello'
 */
export const decodeZstdReused: ReusedDecoder =
  zstdZlib.createZstdDecompress !== undefined && zstdZlib.constants.ZSTD_e_end !== undefined
    ? reusedDecoder(zstdZlib.createZstdDecompress, zstdZlib.constants.ZSTD_e_end)
    : () => undefined;
