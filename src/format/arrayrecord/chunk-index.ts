// Where each data chunk of an ArrayRecord file lies: chunk offsets in a typed array (in memory),
// or re-read from the footer on disk when asked (offloaded), as the reader's index_storage_option says.

import { CorruptFileError } from '../errors.js';
import { isPossibleChunkBoundary } from '../riegeli/block.js';
import { FIRST_CHUNK_OFFSET } from '../riegeli/constants.js';
import type { DecodedChunk } from '../riegeli/decoded-chunk.js';
import { recordOf } from '../riegeli/decoded-chunk.js';
import type { FileLayout } from './footer.js';
import { decodeChunkFooter, readChunkFooterQuickly } from './layout.js';

/** Chunk boundaries of a file: chunk `i` spans [start(i), end(i)); the last ends at the footer. */
export interface ChunkIndex {
  readonly numChunks: number;
  start(chunk: number): number;
  end(chunk: number): number;
  /** Drops anything cached for the current operation (the offloaded index keeps nothing between calls). */
  release(): void;
}

/**
 * Reads and checks the chunk offsets listed in a decoded footer chunk (record 0 is the metadata), and
 * the record count of every entry, before anything is sized or indexed by them.
 * @throws CorruptFileError when an offset is missing, out of order, not where a chunk can begin, or
 *   outside [first chunk, footer); or when an entry's record count is not what the footer metadata
 *   implies (group_size records in every chunk but the last) or more than its chunk has bytes.
 */
export function readChunkOffsets(footer: DecodedChunk, layout: FileLayout, where: string): Float64Array {
  const { numChunks, numRecords, groupSize, footerOffset } = layout;
  const corrupt = (message: string): CorruptFileError => new CorruptFileError(message, { path: where, offset: footerOffset });
  const recordsIn = (chunk: number): number => (chunk === numChunks - 1 ? numRecords - chunk * groupSize : groupSize);
  const offsets = new Float64Array(numChunks + 1);
  offsets[numChunks] = footerOffset;
  const fields = new Float64Array(3);
  const { values, ends } = footer;
  for (let chunk = 0; chunk < numChunks; chunk++) {
    // Record chunk + 1 (record 0 is the metadata); the general parser for an unusual or damaged entry.
    const quick = chunk + 1 < ends.length && readChunkFooterQuickly(values, ends[chunk]!, ends[chunk + 1]!, fields);
    const entry = quick
      ? { chunkOffset: fields[0]!, numRecords: fields[2]! }
      : decodeChunkFooter(recordOf(footer, chunk + 1), `footer entry ${chunk} of ${where}`);
    if (entry.chunkOffset < 0) throw corrupt(`footer entry ${chunk} has no chunk offset`);
    const previous = chunk === 0 ? FIRST_CHUNK_OFFSET - 1 : offsets[chunk - 1]!;
    if (entry.chunkOffset <= previous || entry.chunkOffset >= footerOffset) {
      throw corrupt(`footer entry ${chunk} puts a chunk at ${entry.chunkOffset}, expected after ${previous} and before the footer at ${footerOffset}`);
    }
    if (!isPossibleChunkBoundary(entry.chunkOffset)) {
      throw corrupt(`footer entry ${chunk} puts a chunk at ${entry.chunkOffset}, inside or right after a block header`);
    }
    offsets[chunk] = entry.chunkOffset;
    if (entry.numRecords !== recordsIn(chunk)) {
      throw corrupt(`footer entry ${chunk} counts ${entry.numRecords} records, the footer metadata implies ${recordsIn(chunk)}`);
    }
  }
  // Riegeli gives every record of a chunk a position of its own, so a chunk spans at least one byte per record.
  for (let chunk = 0; chunk < numChunks; chunk++) {
    const span = offsets[chunk + 1]! - offsets[chunk]!;
    if (recordsIn(chunk) > span) {
      throw corrupt(`footer entry ${chunk} counts ${recordsIn(chunk)} records in a chunk of ${span} bytes at ${offsets[chunk]}, at most one per byte`);
    }
  }
  return offsets;
}

/** The whole index as one Float64Array: 8 bytes per chunk. */
export class InMemoryChunkIndex implements ChunkIndex {
  readonly numChunks: number;

  constructor(
    /** Chunk i begins at offsets[i]; the last entry is the footer's offset. */
    readonly offsets: Float64Array,
  ) {
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
