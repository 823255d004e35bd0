// Async batch reads: split among the read workers, which read and decode in parallel; or, with
// max_parallelism:0, read on libuv's thread pool and decoded on this thread; remote files are fetched
// and decoded on this thread (remote-read).

import { OutputArena, SHARED_SLABS } from '../io/output-arena.js';
import type { DecodedChunk } from '../riegeli/decoded-chunk.js';
import type { OpenedFile } from './opened-file.js';
import { rangeArray } from './read-arguments.js';
import { planChunkReads } from './read-plan.js';
import { readRemote } from './remote-read.js';
import { readOnWorker, readPoolSize, readRangeOnWorker, type WorkerFile } from './read-pool.js';
import type { AvailableRecords, SkippedChunk } from './skipped-chunk.js';

/** A batch read is split among the read workers only into parts of at least this many chunks. */
const MIN_CHUNKS_PER_WORKER = 64;
/** Async batch reads keep at most this many reads in flight (libuv's pool has 4 threads by default). */
const MAX_READS_IN_FLIGHT = 16;

/** Splits [from, to) at chunk boundaries into one contiguous part per worker; skips damaged chunks if enabled. */
export async function readRangeInParallel(file: OpenedFile, from: number, to: number): Promise<AvailableRecords> {
  const remote = file.remote;
  if (remote !== undefined) return file.withReleaseAsync(() => readRemote(file, remote, rangeArray(from, to), file.newSkips()));
  const maxWorkers = file.options.maxParallelism ?? readPoolSize();
  if (maxWorkers === 0) return file.withReleaseAsync(() => readIndicesAsync(file, rangeArray(from, to), file.newSkips()));
  const groupSize = file.layout.groupSize;
  const firstChunk = Math.floor(from / groupSize);
  const chunks = Math.floor((to - 1) / groupSize) - firstChunk + 1;
  const parts = Math.min(maxWorkers, readPoolSize(), chunks);
  const bounds = Array.from({ length: parts + 1 }, (_, p) =>
    p === 0 ? from : p === parts ? to : (firstChunk + Math.floor((p * chunks) / parts)) * groupSize,
  );
  const skipDamaged = file.options.skipCorruptedChunks;
  const pieces = await Promise.all(
    Array.from({ length: parts }, (_, p) => readRangeOnWorker(workerFile(file), bounds[p]!, bounds[p + 1]!, skipDamaged)),
  );
  if (pieces.length === 1) return pieces[0]!;
  return { records: pieces.flatMap((piece) => piece.records), skipped: pieces.flatMap((piece) => piece.skipped) };
}

/** Reads `indices` on the read workers; with `skipDamaged` (and the option), skips damaged chunks. */
export async function readIndicesInParallel(file: OpenedFile, indices: readonly number[], skipDamaged: boolean): Promise<AvailableRecords> {
  const remote = file.remote;
  if (remote !== undefined) return file.withReleaseAsync(() => readRemote(file, remote, indices, skipDamaged ? file.newSkips() : undefined));
  const maxWorkers = file.options.maxParallelism ?? readPoolSize();
  if (maxWorkers === 0 || indices.length === 0) {
    return file.withReleaseAsync(() => readIndicesAsync(file, indices, skipDamaged ? file.newSkips() : undefined));
  }
  const groupSize = file.layout.groupSize;
  const chunks = file.chunksOf(indices);
  // A message to a worker and back costs tens of µs: a small batch goes whole to one worker
  // (concurrent batches, e.g. of several files, still spread over the pool).
  const parts = Math.min(maxWorkers, readPoolSize(), Math.ceil(chunks.length / MIN_CHUNKS_PER_WORKER));
  const partOfChunk = new Map<number, number>();
  chunks.forEach((chunk, rank) => partOfChunk.set(chunk, Math.floor((rank * parts) / chunks.length)));
  const positions: number[][] = Array.from({ length: parts }, () => []);
  for (let i = 0; i < indices.length; i++) positions[partOfChunk.get(Math.floor(indices[i]! / groupSize))!]!.push(i);
  const records = new Array<Uint8Array | undefined>(indices.length);
  const skipped: SkippedChunk[] = [];
  const workerSkips = skipDamaged && file.options.skipCorruptedChunks;
  await Promise.all(
    positions.map(async (part) => {
      const partIndices = new Float64Array(part.length);
      for (let j = 0; j < part.length; j++) partIndices[j] = indices[part[j]!]!;
      const partRead = await readOnWorker(workerFile(file), partIndices, workerSkips);
      for (let j = 0; j < part.length; j++) records[part[j]!] = partRead.records[j];
      skipped.push(...partRead.skipped);
    }),
  );
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
function workerFile(file: OpenedFile): WorkerFile {
  return { path: file.path, options: file.optionsText, identity: file.requireOpen().identity, isOpen: () => file.isOpen() };
}
