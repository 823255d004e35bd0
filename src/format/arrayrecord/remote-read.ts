// Async batch reads of a remote file: every chunk the batch needs is one byte range, the ranges are
// fetched with coalesced, concurrent ranged GETs on this thread's event loop (HTTP is async I/O), and
// the chunks are decoded here in file order as their requests return, while the others are still in
// flight, giving the event loop a turn every few milliseconds of decoding.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { OutputArena, SHARED_SLABS } from '../io/output-arena.js';
import type { RemoteFile } from '../io/remote/remote-file.js';
import type { DecodedChunk } from '../riegeli/decoded-chunk.js';
import type { OpenedFile } from './opened-file.js';
import type { AvailableRecords, SkippedChunk } from './skipped-chunk.js';

/** Decoding gives the event loop a turn after this long, so a large batch never holds the thread for long. */
const DECODE_SLICE_MS = 4;

/**
 * Reads the records at `indices` of a remote file; with `skips`, damaged chunks are listed there and
 * their records undefined (else their damage rejects).
 * @throws (rejects with) what RemoteFile's reads throw, and the chunks' decoding errors.
 */
export async function readRemote(file: OpenedFile, source: RemoteFile, indices: readonly number[], skips: SkippedChunk[] | undefined): Promise<AvailableRecords> {
  const chunks = file.chunksOf(indices);
  const { index } = file;
  const ranges = chunks.map((chunk) => ({ offset: index.start(chunk), length: index.end(chunk) - index.start(chunk) }));
  // An arena of the call's own, so an ArrayRecordDataSource's records can move to transform workers
  // whole; not for a sparse read, whose arena would hold mostly records nobody asked for.
  const records = file.needsMostOfItsChunks(indices) ? new OutputArena() : SHARED_SLABS;
  const decoded = new Map<number, DecodedChunk>();
  const reads = source.readRanges(ranges);
  // Awaited in order below; a failure of a later one is reported by that await, or not at all once an earlier one threw.
  for (const read of reads) read.catch(() => {});
  let sliceStart = performance.now();
  for (let k = 0; k < chunks.length; k++) {
    const buffer = await reads[k]!;
    const chunk = chunks[k]!;
    const chunkRecords = file.decodeOrSkip(buffer, ranges[k]!.offset, chunk, records, skips);
    if (chunkRecords !== undefined) decoded.set(chunk, chunkRecords);
    if (performance.now() - sliceStart > DECODE_SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
  return { records: file.gather(indices, decoded), skipped: skips ?? [] };
}
