// The in-memory form of a chunk's records: one buffer of concatenated values plus record end offsets.

import { concatBytes } from '../io/concat-bytes.js';

/**
 * Records of one decoded chunk. Record `i` is `values.subarray(i === 0 ? 0 : ends[i - 1], ends[i])`:
 * a view, never a copy, so a batch read that needs many records of a chunk pays one decode.
 */
export interface DecodedChunk {
  readonly values: Uint8Array;
  readonly ends: Float64Array;
}

/** Record `index` of a decoded chunk as a view into its values. */
export function recordOf(chunk: DecodedChunk, index: number): Uint8Array {
  const start = index === 0 ? 0 : chunk.ends[index - 1]!;
  return chunk.values.subarray(start, chunk.ends[index]);
}

/** Number of records in a decoded chunk. */
export function recordCount(chunk: DecodedChunk): number {
  return chunk.ends.length;
}

/** What a chunk encoder produces: the chunk data and the header fields that describe it. */
export interface EncodedChunkData {
  readonly chunkType: number;
  readonly data: Uint8Array;
  readonly numRecords: number;
  readonly decodedDataSize: number;
  /** The chunk's 40-byte header when already built (by an encoding worker); built from the rest when absent. */
  readonly header?: Uint8Array;
}

/** Concatenates records into one buffer, as encoders need it (a lone record is used as it is). */
export function concatRecords(records: readonly Uint8Array[]): Uint8Array {
  return records.length === 1 ? records[0]! : concatBytes(records);
}
