// Async batch reads: cut into parts that go to whichever read worker (up to max_parallelism of them)
// is free, and read and decoded there in parallel; or, with max_parallelism:0, read on libuv's thread
// pool and decoded on this thread; remote files are fetched and decoded on this thread (remote-read).

import { OutputArena, SHARED_SLABS } from '../io/output-arena.js';
import { ReadScratch } from '../io/read-scratch.js';
import type { DecodedChunk } from '../riegeli/decoded-chunk.js';
import { readIntoArena } from './batch-read.js';
import type { OpenedFile } from './opened-file.js';
import { rangeArray } from './read-arguments.js';
import { planChunkReads } from './read-plan.js';
import { readRemote } from './remote-read.js';
import { inParts, partEnds, rangePartBounds } from './read-parts.js';
import { readPoolSize, readWorkersStarted, startReadWorkers, type WorkerFile } from './read-pool.js';
import type { AvailableRecords, SkippedChunk } from './skipped-chunk.js';

/** Async batch reads keep at most this many reads in flight (libuv's pool has 4 threads by default). */
const MAX_READS_IN_FLIGHT = 16;

/**
 * File bytes of the parts this thread reads while the workers start (see inParts), as a worker reads
 * its own: the read is synchronous, and its records are copied or decoded out before it returns.
 */
const HERE_SCRATCH = new ReadScratch();

/**
 * Whether a read of `parts` parts is read on this thread, as max_parallelism:0 reads, rather than on the
 * read workers: one part (under 64 KiB of the file, or one chunk) before any read of the process has
 * started them. Starting them costs a fresh process ~75 ms and, on Node 20, ~110 ms of CPU each, and a
 * loading worker keeps the process alive (see WorkerLifetime): a program that reads a few records
 * asynchronously and ends took twice as long as its import. Once started, reads of any size use them.
 * @example if (readsHere(parts)) return readIndicesAsync(file, indices, undefined);
 */
export function readsHere(parts: number): boolean {
  return parts === 1 && !readWorkersStarted();
}

/** Reads [from, to) on the read workers, part after part; skips damaged chunks if enabled. */
export async function readRangeInParallel(file: OpenedFile, from: number, to: number): Promise<AvailableRecords> {
  const remote = file.remote;
  if (remote !== undefined) return file.withReleaseAsync(() => readRemote(file, remote, rangeArray(from, to), file.newSkips()));
  const maxWorkers = file.options.maxParallelism ?? readPoolSize();
  if (maxWorkers === 0) return file.withReleaseAsync(() => readIndicesAsync(file, rangeArray(from, to), file.newSkips()));
  const lanes = Math.min(maxWorkers, readPoolSize());
  const bounds = rangePartBounds(file, from, to, lanes);
  if (readsHere(bounds.length - 1)) return file.withReleaseAsync(() => readIndicesAsync(file, rangeArray(from, to), file.newSkips()));
  startReadWorkers();
  const skipDamaged = file.options.skipCorruptedChunks;
  const target = workerFile(file);
  const pieces = await inParts(
    file,
    lanes,
    bounds.length - 1,
    (worker, part) => worker.readRange(target, bounds[part]!, bounds[part + 1]!, skipDamaged),
    // What a worker does with a range request, on this thread's own open file.
    (part) => readIntoArena(file, new OutputArena(), HERE_SCRATCH, bounds[part]!, bounds[part + 1]!, skipDamaged),
  );
  if (pieces.length === 1) return pieces[0]!;
  const records: (Uint8Array | undefined)[] = [];
  const skipped: SkippedChunk[] = [];
  for (const piece of pieces) {
    for (const record of piece.records) records.push(record);
    skipped.push(...piece.skipped);
  }
  return { records, skipped };
}

/** Reads `indices` on the read workers, part after part; with `skipDamaged` (and the option), skips damaged chunks. */
export async function readIndicesInParallel(file: OpenedFile, indices: readonly number[], skipDamaged: boolean): Promise<AvailableRecords> {
  const remote = file.remote;
  if (remote !== undefined) return file.withReleaseAsync(() => readRemote(file, remote, indices, skipDamaged ? file.newSkips() : undefined));
  const maxWorkers = file.options.maxParallelism ?? readPoolSize();
  if (maxWorkers === 0 || indices.length === 0) {
    return file.withReleaseAsync(() => readIndicesAsync(file, indices, skipDamaged ? file.newSkips() : undefined));
  }
  const groupSize = file.layout.groupSize;
  const chunks = file.chunksOf(indices);
  const lanes = Math.min(maxWorkers, readPoolSize());
  const ends = file.withRelease(() => partEnds(file.index, (rank) => chunks[rank]!, chunks.length, lanes));
  if (readsHere(ends.length)) return file.withReleaseAsync(() => readIndicesAsync(file, indices, skipDamaged ? file.newSkips() : undefined));
  startReadWorkers();
  // The positions of the request each part serves, in request order.
  const partOfChunk = new Map<number, number>();
  for (let part = 0, rank = 0; part < ends.length; part++) for (; rank < ends[part]!; rank++) partOfChunk.set(chunks[rank]!, part);
  const positions: number[][] = Array.from({ length: ends.length }, () => []);
  for (let i = 0; i < indices.length; i++) positions[partOfChunk.get(Math.floor(indices[i]! / groupSize))!]!.push(i);
  const records = new Array<Uint8Array | undefined>(indices.length);
  const skipped: SkippedChunk[] = [];
  const workerSkips = skipDamaged && file.options.skipCorruptedChunks;
  const target = workerFile(file);
  const keep = (part: number, partRead: AvailableRecords): void => {
    const served = positions[part]!;
    for (let j = 0; j < served.length; j++) records[served[j]!] = partRead.records[j];
    skipped.push(...partRead.skipped);
  };
  await inParts(
    file,
    lanes,
    ends.length,
    async (worker, part) => {
      const served = positions[part]!;
      const partIndices = new Float64Array(served.length);
      for (let j = 0; j < served.length; j++) partIndices[j] = indices[served[j]!]!;
      keep(part, await worker.readIndices(target, partIndices, workerSkips));
    },
    // What a worker does with an indices request, on this thread's own open file.
    (part) => keep(part, readIntoArena(file, new OutputArena(), HERE_SCRATCH, positions[part]!.map((position) => indices[position]!), undefined, workerSkips)),
  );
  // Parts settle in any order: the skipped chunks in file order, as the parts hold them.
  if (skipped.length > 1) skipped.sort((a, b) => a.chunk - b.chunk);
  return { records, skipped };
}

/** Reads the runs of chunks `indices` need on libuv's pool, a few at a time, and decodes them here. */
async function readIndicesAsync(file: OpenedFile, indices: readonly number[], skips: SkippedChunk[] | undefined): Promise<AvailableRecords> {
  const source = file.requireOpen();
  const decoded = new Map<number, DecodedChunk>();
  const runs = planChunkReads(file.chunksOf(indices), file.index);
  // An arena of the call's own, so an ArrayRecordDataSource's records can move to transform workers
  // whole; not for a sparse read, whose arena would hold mostly records nobody asked for.
  const records = file.needsMostOfItsChunks(indices) ? new OutputArena() : SHARED_SLABS;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < runs.length) {
      const run = runs[next++]!;
      const buffer = await source.read(run.start, run.end - run.start);
      for (let chunk = run.first; chunk <= run.last; chunk++) {
        const chunkRecords = file.decodeOrSkip(buffer, run.start, chunk, records, skips);
        if (chunkRecords !== undefined) decoded.set(chunk, chunkRecords);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_READS_IN_FLIGHT, runs.length) }, worker));
  return { records: file.gather(indices, decoded), skipped: skips ?? [] };
}

/** The reader's file as the read workers get it. */
export function workerFile(file: OpenedFile): WorkerFile {
  return { path: file.path, options: file.optionsText, identity: file.requireOpen().identity, layout: file.sharedLayout(), isOpen: () => file.isOpen() };
}
