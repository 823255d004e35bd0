// Where decoded records land: consecutive pieces of large buffers, instead of memory of its own per
// chunk (for a file of one record per chunk, one allocation per record; ArrayBuffers are costly to
// create and to collect).
//
// - OutputArena: the buffers of one read call, holding nothing else, so a read worker can transfer
//   them to the main thread as they are.
// - SHARED_SLABS: 64 KiB buffers shared by every plain read of a thread, like Node's Buffer pool but
//   8x larger; marked untransferable, so a record sent to another thread is copied and never takes
//   the records of other reads with it.

import { markAsUntransferable } from 'node:worker_threads';

/**
 * The first buffer of an arena (or the first piece, when larger); each next one doubles, up to
 * MAX_BLOCK. Small, because many reads are of one record: a 64 KiB first buffer halved the speed of
 * reading one record at a time (fresh memory is costly to allocate, touch and collect).
 */
const MIN_BLOCK = 4 * 1024;
/**
 * Beyond this a buffer is not grown further: a record kept alone keeps at most this much alive. As
 * small as the shared slabs' because malloc reuses freed 64 KiB buffers where it maps and unmaps
 * 1 MiB ones afresh, and a fresh page costs a page fault (12-20 µs on the benchmark machine, more
 * than decompressing it): reading a file's 86 MB of records again and again took 450-480 ms of CPU a
 * pass with 64 KiB buffers, 560-710 ms with 1 MiB ones, whose pages kept faulting.
 */
const MAX_BLOCK = 64 * 1024;

/** Hands out unzeroed byte ranges (fresh, or reused as ReadScratch does): every caller writes all of what it takes. */
export interface ByteAllocator {
  /**
   * `length` bytes for the caller to fill, followed by `slack` more it may scribble on while it
   * works (word-wise copies past the end); only `length` count as used.
   */
  take(length: number, slack?: number): Uint8Array;
}

/**
 * The size of the buffers of an arena that recycles them (a pass over a file, whose parts' buffers go
 * back to the read worker with its next request): every such buffer fits most next requests.
 */
const RECYCLED_BLOCK = 512 * 1024;

/**
 * A ByteAllocator for one read call; its buffers hold only what was taken from it.
 * @example
 * const arena = new OutputArena();
 * const piece = arena.take(16);
 * arena.owns(piece.buffer); // true
 */
export class OutputArena implements ByteAllocator {
  private block = new Uint8Array(0);
  private used = 0;
  /** Every buffer this arena handed pieces of (the first, empty one included: empty records view it). */
  private readonly blocks = new Set<ArrayBuffer>([this.block.buffer]);

  /**
   * @param recycled buffers to fill before any fresh one (taken from this array as they are used),
   *   for a caller that hands the buffers of its last reads back: the arena's buffers are then
   *   RECYCLED_BLOCK bytes (or one piece, when larger), so that the next read can use them again.
   */
  constructor(private readonly recycled?: ArrayBuffer[]) {}

  /** Buffers allocated afresh (not recycled) so far. */
  freshBuffers = 0;

  /** Buffers this arena handed pieces of (not counting the empty first one). */
  get usedBuffers(): number {
    return this.blocks.size - 1;
  }

  take(length: number, slack = 0): Uint8Array {
    if (this.used + length + slack > this.block.length) this.grow(length + slack);
    const start = this.used;
    this.used += length;
    return this.block.subarray(start, start + length);
  }

  /** True when `buffer` is one of this arena's. */
  owns(buffer: ArrayBufferLike): boolean {
    return this.blocks.has(buffer as ArrayBuffer);
  }

  /**
   * Every buffer of the arena that can hold bytes: those it handed pieces of, then the recycled ones
   * it did not need (the empty first buffer left out: an empty record may view any buffer).
   */
  buffers(): ArrayBuffer[] {
    const buffers: ArrayBuffer[] = [];
    for (const buffer of this.blocks) if (buffer.byteLength > 0) buffers.push(buffer);
    if (this.recycled !== undefined) buffers.push(...this.recycled);
    return buffers;
  }

  private grow(needed: number): void {
    if (this.recycled !== undefined) {
      let buffer = takeRecycled(this.recycled, needed);
      if (buffer === undefined) {
        buffer = Buffer.allocUnsafeSlow(Math.max(needed, RECYCLED_BLOCK)).buffer as ArrayBuffer;
        this.freshBuffers++;
      }
      this.useBuffer(buffer);
      return;
    }
    const size = Math.max(needed, Math.min(MAX_BLOCK, Math.max(MIN_BLOCK, 2 * this.block.length)));
    // The slow variant gives a buffer of its own, never a slice of Node's shared pool (which cannot
    // be transferred).
    const allocation = Buffer.allocUnsafeSlow(size);
    this.block = new Uint8Array(allocation.buffer, allocation.byteOffset, size);
    this.used = 0;
    this.blocks.add(allocation.buffer);
  }

  private useBuffer(buffer: ArrayBuffer): void {
    this.block = new Uint8Array(buffer);
    this.used = 0;
    this.blocks.add(buffer);
  }
}

/** Removes from `recycled` and returns a buffer of at least `needed` bytes (the last one that fits), if any. */
function takeRecycled(recycled: ArrayBuffer[], needed: number): ArrayBuffer | undefined {
  for (let i = recycled.length - 1; i >= 0; i--) {
    const buffer = recycled[i]!;
    if (buffer.byteLength < needed) continue;
    recycled[i] = recycled[recycled.length - 1]!;
    recycled.pop();
    return buffer;
  }
  return undefined;
}

/**
 * `bytes` copied into memory taken from `allocator`: records that must outlive the buffer they were
 * read or assembled in.
 * @example const kept = copyOf(record, SHARED_SLABS);
 */
export function copyOf(bytes: Uint8Array, allocator: ByteAllocator): Uint8Array {
  const copy = allocator.take(bytes.length);
  copy.set(bytes);
  return copy;
}

/** A buffer of its own for every take: for pieces too large to share a slab. */
const FRESH_BYTES: ByteAllocator = {
  take(length, slack = 0) {
    const allocation = Buffer.allocUnsafeSlow(length + slack);
    // A plain Uint8Array view: element access and set() stay on V8's fastest typed array paths.
    return new Uint8Array(allocation.buffer, allocation.byteOffset, length);
  },
};

/** Buffers of SHARED_SLABS; a larger piece than half of one gets a buffer of its own. */
const SLAB = 64 * 1024;

function untransferable(bytes: Uint8Array): Uint8Array {
  markAsUntransferable(bytes.buffer);
  return bytes;
}

/** Consecutive pieces of SLAB-sized buffers that every caller of the thread shares. */
class SharedSlabs implements ByteAllocator {
  /** Empty until the first take; marked too, since empty records view it and must not move it. */
  private slab = untransferable(new Uint8Array(0));
  private used = 0;

  take(length: number, slack = 0): Uint8Array {
    if (length + slack > SLAB / 2) return FRESH_BYTES.take(length, slack);
    if (this.used + length + slack > this.slab.length) {
      const allocation = Buffer.allocUnsafeSlow(SLAB);
      this.slab = untransferable(new Uint8Array(allocation.buffer, allocation.byteOffset, SLAB));
      this.used = 0;
    }
    const start = this.used;
    this.used += length;
    return this.slab.subarray(start, start + length);
  }
}

/** The slabs plain reads decode into (see the top of this file); decoders use them by default. */
export const SHARED_SLABS: ByteAllocator = new SharedSlabs();
