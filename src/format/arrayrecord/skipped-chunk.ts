// What an ArrayRecordReader with skip_corrupted_chunks left out, and the result of the index reads
// that may leave records out.

import type { SkippedRegion } from '../riegeli/recovery.js';

/**
 * A data chunk that could not be read (hash mismatch, undecodable data, a record count that
 * contradicts the footer) and was skipped: its records [firstRecord, endRecord) of the file, which
 * the footer index locates, and its bytes [begin, end), padding included.
 * @example
 * const reader = new ArrayRecordReader('damaged.array_record', 'skip_corrupted_chunks');
 * const intact = reader.readAll();
 * for (const s of reader.skippedChunks()) console.warn(`records [${s.firstRecord}, ${s.endRecord}) lost: ${s.reason}`);
 */
export interface SkippedChunk extends SkippedRegion {
  /** The file the chunk belongs to. */
  readonly path: string;
  /** The chunk's number in the footer index. */
  readonly chunk: number;
  /** Index in the file of the chunk's first record. */
  readonly firstRecord: number;
  /** Index in the file one past the chunk's last record. */
  readonly endRecord: number;
}

/**
 * The records of an index read that may skip damaged chunks: `records[i]` is the record at the
 * i-th requested index, or undefined when a skipped chunk held it; `skipped` lists those chunks.
 * @example
 * const { records, skipped } = await reader.readAvailableAsync([3, 70, 9]);
 * const present = records.filter((record) => record !== undefined);
 */
export interface AvailableRecords {
  /** The record at each requested index, in request order; undefined where a skipped chunk held it. */
  readonly records: (Uint8Array | undefined)[];
  /** The chunks that held the missing records. */
  readonly skipped: SkippedChunk[];
}

/**
 * The records that are there, in order: `read.records` itself when nothing was skipped (only a
 * skipped chunk leaves a record undefined).
 * @example const intact = presentRecords(reader.readAvailable(indices));
 */
export function presentRecords(read: AvailableRecords): Uint8Array[] {
  if (read.skipped.length === 0) return read.records as Uint8Array[];
  return read.records.filter((record): record is Uint8Array => record !== undefined);
}
