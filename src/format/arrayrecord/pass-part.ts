// One part of a pass over a file (forEachRecordAsync), read on a read worker straight into the form it
// crosses to the calling thread in: each chunk's values land in the pass's arena once (decoded there,
// or copied there whole when they view the reused file buffer, as an uncompressed chunk's do), and
// each record becomes two numbers, its start and length, without a view object of its own. (The
// general batch read made a Uint8Array per record, copied an uncompressed chunk record by record, then
// looked each record's buffer up again to describe it: a group_size:256 file's parts took 100-134 ms
// that way on one thread, 95 ms this way.)

import { copyOf, type OutputArena } from '../io/output-arena.js';
import type { ReadScratch } from '../io/read-scratch.js';
import type { TransferableRecords } from '../io/record-transfer.js';
import { recordCount } from '../riegeli/decoded-chunk.js';
import { forEachRun } from './batch-read.js';
import type { OpenedFile } from './opened-file.js';
import { rangeArray } from './read-arguments.js';
import { planChunkReads } from './read-plan.js';
import type { SkippedChunk } from './skipped-chunk.js';

/** A part read for a pass: its records, and when damaged chunks were skipped, which positions they held. */
export interface PassPartRead {
  /** The records read, in order, as places in every buffer of the arena. */
  readonly records: TransferableRecords;
  /** Positions in [from, to) (ascending) of the records a skipped chunk held; undefined when none was. */
  readonly missing: number[] | undefined;
  readonly skipped: SkippedChunk[];
}

/** Records [firstSlot, endSlot) of the part lie in `buffer`. */
interface ChunkPlace {
  readonly buffer: ArrayBufferLike;
  readonly firstSlot: number;
  readonly endSlot: number;
}

/**
 * Reads records [from, to) of `file` into `arena`, the file's bytes through `scratch`; with
 * `skipDamaged`, a damaged chunk's records are left out and listed in `missing`.
 * @throws CorruptFileError for a damaged chunk without `skipDamaged`.
 * @example
 * const part = readPassPart(file, new OutputArena(spareBuffers), new ReadScratch(), 0, 190, false);
 * port.postMessage(part.records, transferList(part.records));
 */
export function readPassPart(file: OpenedFile, arena: OutputArena, scratch: ReadScratch, from: number, to: number, skipDamaged: boolean): PassPartRead {
  file.requireOpen();
  const { groupSize } = file.layout;
  const skips = skipDamaged ? file.newSkips() : undefined;
  const count = Math.max(0, to - from);
  const starts = new Float64Array(count);
  const lengths = new Float64Array(count);
  const places: ChunkPlace[] = [];
  let missing: number[] | undefined;
  /** Records written so far; position - slot is how many were missing before. */
  let slot = 0;
  let position = 0;
  const skipTo = (end: number): void => {
    for (; position < end; position++) (missing ??= []).push(position);
  };
  if (count > 0) {
    const firstChunk = Math.floor(from / groupSize);
    const lastChunk = Math.floor((to - 1) / groupSize);
    const targets = { fileBytes: scratch, records: arena, arena, copyFileViews: true };
    file.withRelease(() =>
      forEachRun(file, planChunkReads(rangeArray(firstChunk, lastChunk + 1), file.index), targets, (buffer, run) => {
        for (let chunk = run.first; chunk <= run.last; chunk++) {
          const decoded = file.decodeOrSkip(buffer, run.start, chunk, arena, skips);
          const base = chunk * groupSize;
          if (decoded === undefined) {
            skipTo(Math.min(to, base + groupSize) - from);
            continue;
          }
          const begin = Math.max(from, base) - base;
          const finish = Math.min(to, base + recordCount(decoded)) - base;
          if (finish <= begin) continue;
          const { ends } = decoded;
          skipTo(begin + base - from);
          const low = begin === 0 ? 0 : ends[begin - 1]!;
          let values = decoded.values;
          let shift = values.byteOffset;
          if (!arena.owns(values.buffer)) {
            // A view of the reused file buffer (or of a codec's own memory): the records asked for, copied once.
            values = copyOf(values.subarray(low, ends[finish - 1]), arena);
            shift = values.byteOffset - low;
          }
          const firstSlot = slot;
          for (let record = begin, previous = low; record < finish; record++) {
            const end = ends[record]!;
            starts[slot] = shift + previous;
            lengths[slot] = end - previous;
            previous = end;
            slot++;
          }
          position += finish - begin;
          places.push({ buffer: values.buffer, firstSlot, endSlot: slot });
        }
      }),
    );
  }
  skipTo(count);
  return { records: describe(arena, places, starts, lengths, slot), missing, skipped: skips ?? [] };
}

/** The records as places in every buffer of `arena`, in the order arena.buffers() lists them. */
function describe(arena: OutputArena, places: readonly ChunkPlace[], starts: Float64Array<ArrayBuffer>, lengths: Float64Array<ArrayBuffer>, count: number): TransferableRecords {
  const buffers = arena.buffers();
  const indexOf = new Map<ArrayBufferLike, number>();
  for (let b = 0; b < buffers.length; b++) indexOf.set(buffers[b]!, b);
  const bufferOf = new Int32Array(count);
  // An empty chunk's values may view a buffer the arena never handed out: its records are empty, any index does.
  for (const place of places) bufferOf.fill(indexOf.get(place.buffer) ?? 0, place.firstSlot, place.endSlot);
  return {
    buffers: buffers.length > 0 ? buffers : [new ArrayBuffer(0)],
    bufferOf,
    starts: count === starts.length ? starts : starts.slice(0, count),
    lengths: count === lengths.length ? lengths : lengths.slice(0, count),
  };
}
