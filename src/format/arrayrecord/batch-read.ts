// Synchronous batch reads, by index or range: one read call per run of adjacent (or nearly adjacent)
// chunks, each chunk decoded once, into the memory the caller's targets say (fresh buffers, a scratch, an arena).

import { InvalidArgumentError } from '../errors.js';
import { ChunkScratch } from '../io/chunk-scratch.js';
import { copyOf, SHARED_SLABS, type ByteAllocator, type OutputArena } from '../io/output-arena.js';
import { ReadScratch } from '../io/read-scratch.js';
import { recordCount, recordOf, type DecodedChunk } from '../riegeli/decoded-chunk.js';
import type { OpenedFile } from './opened-file.js';
import { checkIndices, rangeArray, resolveRange } from './read-arguments.js';
import { planChunkReads, READ_GAP_BYTES, type ChunkRun } from './read-plan.js';
import type { AvailableRecords, SkippedChunk } from './skipped-chunk.js';

/** Where one batch read puts the file bytes it reads and the records it decodes. */
export interface ReadTargets {
  /** For the file bytes: a reused scratch, or (undefined) fresh memory per read. */
  readonly fileBytes: ReadScratch | undefined;
  /** For decompressed and assembled records. */
  readonly records: ByteAllocator;
  /** When set, every record must end up in a buffer of this arena (copied there if need be). */
  readonly arena?: OutputArena;
  /**
   * File bytes go to `fileBytes` a slice of runs at a time (see SLICE_BYTES), decoded before the next
   * slice is read; a record that views them (an uncompressed chunk's) is copied into `records` right away.
   */
  readonly copyFileViews?: boolean;
}

/** A plain batch read's targets: records decoded into the shared slabs (see plainTargets for the file bytes). */
export const PLAIN_TARGETS: ReadTargets = { fileBytes: undefined, records: SHARED_SLABS };

/**
 * The file bytes of plain reads of compressed chunks: fresh memory per read costs page faults (most of
 * a read of one small record), a reused scratch does not.
 */
const PLAIN_SCRATCH_TARGETS: ReadTargets = { fileBytes: new ReadScratch(), records: SHARED_SLABS, copyFileViews: true };

/**
 * Where a plain read of `file` puts its file bytes: the shared scratch, its records decoded or copied
 * out; for a range of a file whose chunks are uncompressed, fresh memory that the records stay views of
 * (no copy of the whole range). Reads by index use the scratch whatever the codec: a read into memory
 * already in use costs ~1 µs less than into fresh memory, more than copying out a small record
 * (random batches of 256 uncompressed records: 5.1 -> 4.3 µs a record).
 */
function plainTargets(file: OpenedFile, range: boolean): ReadTargets {
  return range && file.holdsUncompressedChunks ? PLAIN_TARGETS : PLAIN_SCRATCH_TARGETS;
}

/** The targets of a read whose file bytes go to `scratch`, its records to the shared slabs. */
export function scratchTargets(scratch: ReadScratch): ReadTargets {
  return { fileBytes: scratch, records: SHARED_SLABS };
}

/** A batch read; with `skips`, damaged chunks are skipped and listed there, their records undefined. */
export function readBatch(
  file: OpenedFile,
  first: readonly number[] | number,
  end: number | undefined,
  targets: ReadTargets,
  skips: SkippedChunk[] | undefined,
): AvailableRecords {
  let records: (Uint8Array | undefined)[];
  if (targets === PLAIN_TARGETS) targets = plainTargets(file, typeof first === 'number');
  if (typeof first === 'number') {
    if (end === undefined) throw new InvalidArgumentError('read(start, end) needs both bounds', { path: file.path });
    const [from, to] = resolveRange(file, first, end);
    records = file.withRelease(() => readRangeSync(file, from, to, targets, skips));
  } else {
    const indices = checkIndices(file, first);
    records = file.withRelease(() => readIndicesSync(file, indices, targets, skips));
  }
  if (targets.arena !== undefined) moveIntoArena(records, targets.arena);
  return { records, skipped: skips ?? [] };
}

/**
 * A batch read whose records all end up in `arena` (see ArrayRecordReader.readAvailableIntoArena):
 * decoded straight into it when the read needs most records of its chunks, copied there otherwise
 * (see readFewOfEachChunk).
 */
export function readIntoArena(
  file: OpenedFile,
  arena: OutputArena,
  scratch: ReadScratch,
  first: readonly number[] | number,
  end: number | undefined,
  skipDamaged: boolean,
): AvailableRecords {
  file.requireOpen();
  // Slice by slice: records that view the file bytes (uncompressed chunks) are copied into the arena as
  // they are decoded, so the scratch holds one slice of runs (about 4 MiB, gaps included), not the whole read.
  return readBatch(file, first, end, { fileBytes: scratch, records: arena, arena, copyFileViews: true }, skipDamaged ? file.newSkips() : undefined);
}

function readRangeSync(file: OpenedFile, from: number, to: number, targets: ReadTargets, skips: SkippedChunk[] | undefined): (Uint8Array | undefined)[] {
  const { groupSize } = file.layout;
  const firstChunk = Math.floor(from / groupSize);
  const lastChunk = Math.floor((to - 1) / groupSize);
  const records = new Array<Uint8Array | undefined>(to - from);
  const runs = planChunkReads(rangeArray(firstChunk, lastChunk + 1), file.index);
  forEachRun(file, runs, targets, (buffer, run) => {
    for (let chunk = run.first; chunk <= run.last; chunk++) {
      const decoded = file.decodeOrSkip(buffer, run.start, chunk, targets.records, skips);
      if (decoded === undefined) continue;
      const base = chunk * groupSize;
      const begin = Math.max(from, base);
      const finish = Math.min(to, base + recordCount(decoded));
      for (let index = begin; index < finish; index++) records[index - from] = recordOf(decoded, index - base);
      if (targets.copyFileViews && decoded.values.buffer === buffer.buffer) copyOut(records, begin - from, finish - from, targets.records);
    }
  });
  return records;
}

function readIndicesSync(file: OpenedFile, indices: readonly number[], targets: ReadTargets, skips: SkippedChunk[] | undefined): (Uint8Array | undefined)[] {
  if (!file.needsMostOfItsChunks(indices)) return readFewOfEachChunk(file, indices, targets, skips);
  const { groupSize } = file.layout;
  if (indices.length === 1) return [readOne(file, indices[0]!, targets, skips)];
  const order = byChunk(indices, groupSize, file.layout.numChunks);
  if (order === undefined) return readIndicesByMap(file, indices, targets, skips);
  const { keys, span, chunks, firsts } = order;
  const records = new Array<Uint8Array | undefined>(indices.length);
  // Runs come in file order and cover consecutive ranks of `chunks`: `rank` walks along with them.
  let rank = 0;
  const runs = planChunkReads(chunks, file.index, gapFor(targets));
  forEachRun(file, runs, targets, (buffer, run) => {
    for (; rank < chunks.length && chunks[rank]! <= run.last; rank++) {
      const chunk = chunks[rank]!;
      const decoded = decodeKept(file, buffer, run.start, chunk, targets, skips);
      if (decoded === undefined) continue;
      const base = chunk * groupSize;
      const chunkKey = chunk * span;
      for (let k = firsts[rank]!; k < firsts[rank + 1]!; k++) {
        const position = keys[k]! - chunkKey;
        records[position] = recordOf(decoded, indices[position]! - base);
      }
    }
  });
  return records;
}

/**
 * Chunk `chunk` of the run read into `buffer` (at file offset `runStart`) decoded; with
 * `copyFileViews`, an uncompressed chunk's values (views of `buffer`) copied out into
 * `targets.records`, since the buffer is reused. Undefined for a chunk skipped as damaged.
 */
function decodeKept(file: OpenedFile, buffer: Uint8Array, runStart: number, chunk: number, targets: ReadTargets, skips: SkippedChunk[] | undefined): DecodedChunk | undefined {
  const decoded = file.decodeOrSkip(buffer, runStart, chunk, targets.records, skips);
  if (decoded === undefined || !targets.copyFileViews || decoded.values.buffer !== buffer.buffer) return decoded;
  return { values: copyOf(decoded.values, targets.records), ends: decoded.ends };
}

/**
 * The gap a read may read through (see READ_GAP_BYTES): only when runs are read a slice at a time into
 * reused memory; when every run's bytes are kept to the end of the read, gaps would add up with them.
 */
function gapFor(targets: ReadTargets): number {
  return targets.copyFileViews && targets.fileBytes !== undefined ? READ_GAP_BYTES : 0;
}

/** readIndicesSync of one index: one chunk read, no grouping (most of a one-record read's own cost). */
function readOne(file: OpenedFile, index: number, targets: ReadTargets, skips: SkippedChunk[] | undefined): Uint8Array | undefined {
  const chunk = Math.floor(index / file.layout.groupSize);
  const start = file.index.start(chunk);
  const end = file.index.end(chunk);
  let record: Uint8Array | undefined;
  forEachRun(file, [{ first: chunk, last: chunk, start, end }], targets, (buffer) => {
    const decoded = file.decodeOrSkip(buffer, start, chunk, targets.records, skips);
    if (decoded === undefined) return;
    record = recordOf(decoded, index - chunk * file.layout.groupSize);
    if (targets.copyFileViews && record.buffer === buffer.buffer) {
      record = copyOf(record, targets.records);
    }
  });
  return record;
}

/** The request's positions grouped by chunk (see byChunk). */
interface ChunkOrder {
  /** chunk * span + position, ascending: the positions of each chunk together, chunks in file order. */
  readonly keys: Float64Array;
  readonly span: number;
  /** The distinct chunks, ascending. */
  readonly chunks: readonly number[];
  /** The keys of chunks[r] are keys[firsts[r]] up to keys[firsts[r + 1]]. */
  readonly firsts: readonly number[];
}

/**
 * The positions of `indices` grouped by chunk with one native sort of numbers (no Map, no Set, no
 * comparator); undefined when keys would not stay exact integers (2^53), for the Map-based read.
 */
function byChunk(indices: readonly number[], groupSize: number, numChunks: number): ChunkOrder | undefined {
  const count = indices.length;
  let span = 1;
  while (span < count) span *= 2;
  if (numChunks * span > Number.MAX_SAFE_INTEGER) return undefined;
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) keys[i] = Math.floor(indices[i]! / groupSize) * span + i;
  keys.sort();
  const distinct: number[] = [];
  const firsts: number[] = [];
  let previous = -1;
  for (let k = 0; k < count; k++) {
    const chunk = Math.floor(keys[k]! / span);
    if (chunk !== previous) {
      distinct.push(chunk);
      firsts.push(k);
      previous = chunk;
    }
  }
  firsts.push(count);
  return { keys, span, chunks: distinct, firsts };
}

/** readIndicesSync for a request too large for byChunk's keys: the chunks kept in a Map. */
function readIndicesByMap(file: OpenedFile, indices: readonly number[], targets: ReadTargets, skips: SkippedChunk[] | undefined): (Uint8Array | undefined)[] {
  const decoded = new Map<number, DecodedChunk>();
  const runs = planChunkReads(file.chunksOf(indices), file.index);
  forEachRun(file, runs, targets, (buffer, run) => {
    for (let chunk = run.first; chunk <= run.last; chunk++) {
      const chunkRecords = decodeKept(file, buffer, run.start, chunk, targets, skips);
      if (chunkRecords !== undefined) decoded.set(chunk, chunkRecords);
    }
  });
  return file.gather(indices, decoded);
}

/** Where a sparse read decodes each chunk before it copies the records asked for out (one per thread). */
const CHUNK_SCRATCH = new ChunkScratch();

/**
 * A sparse read (a few records of each of its chunks, which hold many): each chunk is decoded into the
 * reused CHUNK_SCRATCH, only as far as its last record asked for (see decodeChunk), and only the records
 * asked for are copied out, into `targets.records`. A record then keeps only its own bytes alive, not
 * its whole chunk, and the read costs no fresh memory the size of its chunks (page faults cost more
 * than the copy). Records of a chunk whose values are damaged only past them are returned: they are right.
 */
function readFewOfEachChunk(file: OpenedFile, indices: readonly number[], targets: ReadTargets, skips: SkippedChunk[] | undefined): (Uint8Array | undefined)[] {
  const { groupSize } = file.layout;
  const positions = new Map<number, number[]>();
  for (let i = 0; i < indices.length; i++) {
    const chunk = Math.floor(indices[i]! / groupSize);
    const list = positions.get(chunk);
    if (list === undefined) positions.set(chunk, [i]);
    else list.push(i);
  }
  const records = new Array<Uint8Array | undefined>(indices.length);
  const runs = planChunkReads([...positions.keys()].sort((a, b) => a - b), file.index, gapFor(targets));
  forEachRun(file, runs, targets, (buffer, run) => {
    for (let chunk = run.first; chunk <= run.last; chunk++) {
      // A chunk in a gap between wanted ones: its bytes were read along, it is not decoded.
      const wanted = positions.get(chunk);
      if (wanted === undefined) continue;
      const base = chunk * groupSize;
      let needed = 0;
      for (const i of wanted) needed = Math.max(needed, indices[i]! - base + 1);
      CHUNK_SCRATCH.reset();
      const decoded = file.decodeOrSkip(buffer, run.start, chunk, CHUNK_SCRATCH, skips, needed);
      if (decoded === undefined) continue;
      for (const i of wanted) records[i] = copyOf(recordOf(decoded, indices[i]! - base), targets.records);
    }
  });
  return records;
}

/**
 * At most this many bytes of runs are read into the scratch before they are decoded (with
 * `copyFileViews`). Reading a slice of runs back to back, then decoding them, took 10-15% less CPU
 * than alternating one pread and one decode (random reads of 256 one-record zstd chunks: the kernel's
 * read path and zstd's tables each stay in the caches for a while); the bound keeps the scratch small.
 */
const SLICE_BYTES = 4 * 1024 * 1024;

/**
 * Calls `decode` with the file bytes of each run, in order: all runs read first (into fresh buffers, or
 * consecutive regions of the scratch), or with `copyFileViews`, slices of runs of at most SLICE_BYTES
 * read into consecutive regions of the scratch and decoded before the next slice is read.
 */
export function forEachRun(file: OpenedFile, runs: readonly ChunkRun[], targets: ReadTargets, decode: (buffer: Uint8Array, run: ChunkRun) => void): void {
  const scratch = targets.fileBytes;
  if (!targets.copyFileViews || scratch === undefined) {
    const buffers = readRuns(file, runs, scratch);
    runs.forEach((run, r) => decode(buffers[r]!, run));
    return;
  }
  const source = file.requireOpen();
  if (runs.length === 1) {
    const run = runs[0]!;
    decode(source.readSync(run.start, run.end - run.start, scratch.take(run.end - run.start)), run);
    return;
  }
  const buffers: Uint8Array[] = [];
  for (let first = 0; first < runs.length; ) {
    let last = first;
    let bytes = runs[first]!.end - runs[first]!.start;
    for (; last + 1 < runs.length; last++) {
      const next = runs[last + 1]!;
      if (bytes + next.end - next.start > SLICE_BYTES) break;
      bytes += next.end - next.start;
    }
    const region = scratch.take(bytes);
    buffers.length = 0;
    for (let r = first, offset = 0; r <= last; r++) {
      const length = runs[r]!.end - runs[r]!.start;
      buffers.push(source.readSync(runs[r]!.start, length, region.subarray(offset, offset + length)));
      offset += length;
    }
    for (let r = first; r <= last; r++) decode(buffers[r - first]!, runs[r]!);
    first = last + 1;
  }
}

/** Copies records [begin, end) of `records` (views of reused file bytes) into `allocator`; the file holds uncompressed chunks. */
function copyOut(records: (Uint8Array | undefined)[], begin: number, end: number, allocator: ByteAllocator): void {
  for (let i = begin; i < end; i++) if (records[i] !== undefined) records[i] = copyOf(records[i]!, allocator);
}

/** The file bytes of each run: fresh buffers, or consecutive regions of `scratch`. */
function readRuns(file: OpenedFile, runs: readonly ChunkRun[], scratch: ReadScratch | undefined): Uint8Array[] {
  const source = file.requireOpen();
  if (scratch === undefined) return runs.map((run) => source.readSync(run.start, run.end - run.start));
  const region = scratch.take(runs.reduce((total, run) => total + run.end - run.start, 0));
  let offset = 0;
  return runs.map((run) => {
    const length = run.end - run.start;
    offset += length;
    return source.readSync(run.start, length, region.subarray(offset - length, offset));
  });
}

/** Replaces every record that is not a view into `arena` with a copy in it. */
function moveIntoArena(records: (Uint8Array | undefined)[], arena: OutputArena): void {
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (record === undefined || arena.owns(record.buffer)) continue;
    records[i] = copyOf(record, arena);
  }
}
