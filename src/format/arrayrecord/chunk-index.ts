// Where each data chunk of an ArrayRecord file lies: chunk offsets in a typed array (in memory),
// or re-read from the footer on disk when asked (offloaded), as the reader's index_storage_option says.

import { CorruptFileError } from '../errors.js';
import type { DecodedChunk } from '../riegeli/decoded-chunk.js';
import { recordOf } from '../riegeli/decoded-chunk.js';
import { decodeChunkFooter } from './layout.js';

/** Chunk boundaries of a file: chunk `i` spans [start(i), end(i)); the last ends at the footer. */
export interface ChunkIndex {
  readonly numChunks: number;
  start(chunk: number): number;
  end(chunk: number): number;
  /** Drops anything cached for the current operation (the offloaded index keeps nothing between calls). */
  release(): void;
}

/**
 * Reads and checks the chunk offsets listed in a decoded footer chunk (record 0 is the metadata).
 * @throws CorruptFileError when an offset is missing, out of order, or outside [firstChunk, footerOffset).
 */
export function readChunkOffsets(footer: DecodedChunk, numChunks: number, footerOffset: number, where: string): Float64Array {
  const offsets = new Float64Array(numChunks + 1);
  let previous = -1;
  for (let chunk = 0; chunk < numChunks; chunk++) {
    const entry = decodeChunkFooter(recordOf(footer, chunk + 1), `footer entry ${chunk} of ${where}`);
    if (entry.chunkOffset < 0) throw new CorruptFileError(`footer entry ${chunk} has no chunk offset`, { path: where, index: chunk });
    if (entry.chunkOffset <= previous || entry.chunkOffset >= footerOffset) {
      throw new CorruptFileError(
        `footer entry ${chunk} puts a chunk at ${entry.chunkOffset}, expected after ${previous} and before the footer at ${footerOffset}`,
        { path: where, index: chunk },
      );
    }
    offsets[chunk] = entry.chunkOffset;
    previous = entry.chunkOffset;
  }
  offsets[numChunks] = footerOffset;
  return offsets;
}

/** The whole index as one Float64Array: 8 bytes per chunk. */
export class InMemoryChunkIndex implements ChunkIndex {
  readonly numChunks: number;

  constructor(private readonly offsets: Float64Array) {
    this.numChunks = offsets.length - 1;
  }

  start(chunk: number): number {
    return this.offsets[chunk]!;
  }

  end(chunk: number): number {
    return this.offsets[chunk + 1]!;
  }

  release(): void {}
}

/**
 * Keeps only the footer's position; the offsets are decoded from the footer on first use in an
 * operation and dropped again by `release()`, so an idle reader holds no per-chunk memory.
 */
export class OffloadedChunkIndex implements ChunkIndex {
  private cached: Float64Array | undefined;

  constructor(
    readonly numChunks: number,
    private readonly loadOffsets: () => Float64Array,
  ) {}

  start(chunk: number): number {
    return this.offsets()[chunk]!;
  }

  end(chunk: number): number {
    return this.offsets()[chunk + 1]!;
  }

  release(): void {
    this.cached = undefined;
  }

  private offsets(): Float64Array {
    this.cached ??= this.loadOffsets();
    return this.cached;
  }
}
