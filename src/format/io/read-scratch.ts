// A byte buffer that a loop reuses from one request to the next, instead of fresh memory per read:
// fresh memory costs page faults on every use (~2.7 µs per 4 KiB on these machines), which for a
// reader that copies its records out right away is most of the work. Decoders take their
// short-lived bytes (a chunk's record sizes) from one too.

import type { ByteAllocator } from './output-arena.js';

/** The most a scratch keeps between requests; a larger request gets a buffer of its own. */
const MAX_KEPT_BYTES = 64 << 20;

/** A reusable byte region; what `take` returns is valid until its next call. */
export class ReadScratch implements ByteAllocator {
  private buffer: Uint8Array = new Uint8Array(0);

  /**
   * `length` bytes of scratch (old contents, to be overwritten), replacing what the last call gave,
   * with `slack` more after them that the caller may scribble on.
   */
  take(length: number, slack = 0): Uint8Array {
    const needed = length + slack;
    if (needed > this.buffer.length) {
      if (needed > MAX_KEPT_BYTES) return unzeroed(needed).subarray(0, length);
      this.buffer = unzeroed(Math.min(MAX_KEPT_BYTES, Math.max(needed, 2 * this.buffer.length)));
    }
    return this.buffer.subarray(0, length);
  }
}

/** `length` bytes of fresh memory, not zeroed, as a plain Uint8Array (V8's fast subarray, one array type). */
export function unzeroed(length: number): Uint8Array {
  const allocation = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(allocation.buffer, allocation.byteOffset, length);
}
