// Memory for a transposed chunk's decompressed blocks (header, buckets, transitions) and for the
// records its state machine rebuilds, reused from one chunk to the next: all of it is dead once the
// records are copied out, and fresh memory costs cache misses on every write and, whenever malloc
// has given pages back, a page fault per 4 KiB (see io/read-scratch.ts).

import type { ByteAllocator } from '../../io/output-arena.js';

/** The most a scratch keeps between chunks; a larger block gets memory of its own. */
const MAX_KEPT_BYTES = 16 << 20;

/** Consecutive pieces of one reused buffer; `reset` starts over, making earlier pieces scratch again. */
export class BlockScratch implements ByteAllocator {
  private buffer: Uint8Array = new Uint8Array(0);
  private used = 0;

  /** Starts a chunk: what earlier takes returned may be overwritten from now on. */
  reset(): void {
    this.used = 0;
  }

  take(length: number, slack = 0): Uint8Array {
    const needed = length + slack;
    if (this.used + needed > this.buffer.length) {
      if (needed > MAX_KEPT_BYTES) return unzeroed(needed).subarray(0, length);
      // Pieces taken before stay valid in the old buffer; the next chunk starts in this larger one.
      this.buffer = unzeroed(Math.min(MAX_KEPT_BYTES, Math.max(needed, 2 * this.buffer.length)));
      this.used = 0;
    }
    const start = this.used;
    this.used += length;
    return this.buffer.subarray(start, start + length);
  }
}

/** `length` bytes of fresh memory, not zeroed, as a plain Uint8Array (V8's fast subarray, one array type). */
function unzeroed(length: number): Uint8Array {
  const allocation = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(allocation.buffer, allocation.byteOffset, length);
}
