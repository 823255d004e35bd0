// Memory for decoding one chunk at a time whose records are copied out right away (a sparse read
// needs a few records of each large chunk): one buffer reused from chunk to chunk, instead of fresh
// memory the size of every chunk, which costs page faults and keeps whole chunks alive behind a record.

import type { ByteAllocator } from './output-arena.js';
import { unzeroed } from './read-scratch.js';

/** Decoded chunks larger than this get memory of their own, which the scratch does not keep (by default). */
const MAX_KEPT_BYTES = 64 << 20;

/**
 * Consecutive pieces of a reused buffer for the decoding of one chunk (a decoder may take several);
 * `reset()` starts the next chunk and invalidates every piece handed out before.
 */
export class ChunkScratch implements ByteAllocator {
  private buffer: Uint8Array = new Uint8Array(0);
  private used = 0;

  /** @param maxKeptBytes the most kept between chunks: a larger piece gets memory of its own. */
  constructor(private readonly maxKeptBytes = MAX_KEPT_BYTES) {}

  /** Starts over: what earlier takes returned is overwritten by later ones. */
  reset(): void {
    this.used = 0;
  }

  take(length: number, slack = 0): Uint8Array {
    const needed = length + slack;
    if (this.used + needed > this.buffer.length) {
      // Pieces already handed out for this chunk stay valid in the old buffer.
      if (needed > this.maxKeptBytes) return unzeroed(needed).subarray(0, length);
      this.buffer = unzeroed(Math.min(this.maxKeptBytes, Math.max(needed, 2 * this.buffer.length)));
      this.used = 0;
    }
    const start = this.used;
    this.used += length;
    return this.buffer.subarray(start, start + length);
  }
}
