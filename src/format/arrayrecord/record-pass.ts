// Passes over a file that call a function with each record, in index order, as a view into memory
// reused from record to record (ArrayRecordReader.forEachRecord and forEachRecordAsync): the shape of
// C++'s ParallelReadRecords, which costs no fresh memory per record once warm.
// - sync: runs of chunks read into a reused buffer, each chunk decoded into a reused scratch;
// - async: parts of the file decoded on the read workers into buffers that come back to this thread
//   transferred, and go back to the worker with its next request;
// - max_parallelism:0 and remote files: runs of records read as readRangeAsync reads them (fresh
//   memory), one run ahead.

import { ChunkScratch } from '../io/chunk-scratch.js';
import { ReadScratch } from '../io/read-scratch.js';
import { InvalidArgumentError } from '../errors.js';
import { recordCount, recordOf } from '../riegeli/decoded-chunk.js';
import type { OpenedFile } from './opened-file.js';
import { readRangeInParallel, readsHere, workerFile } from './parallel-read.js';
import { nextTurn, PARTS_IN_FLIGHT_PER_WORKER, rangePartBounds, startStats } from './read-parts.js';
import { leastBusyWorkers, readPoolSize, startReadWorkers, type PassPart, type PooledWorker } from './read-pool.js';
import { planRuns, runBytes, streamBudget } from './record-stream.js';
import type { SkippedChunk } from './skipped-chunk.js';

/**
 * What forEachRecord calls with each record: a view valid only until it returns (copy it with
 * `record.slice()` to keep it) and the record's index in the file. It must not return a Promise.
 * @example const visit: RecordVisitor = (record, index) => void hashes.push(hash(record, index));
 */
export type RecordVisitor = (record: Uint8Array, index: number) => void;

/** Parts read but not yet consumed, per worker, at most: bounds the memory of a pass. */
const PARTS_AHEAD_PER_WORKER = 3;

/**
 * An uncompressed file's pass runs on the calling thread, this many parts (1 MiB of the file) per turn
 * of the event loop: checking a chunk's hash and framing costs less than handing its records across
 * threads (on the benchmark machine a group_size:1 file's pass took 1.3 µs a record here, against
 * 2.7 µs on two read workers, which copied each record into a transferred buffer).
 */
const IN_THREAD_PARTS = 4;

/** Calls `visit`, rejecting a callback that returned a Promise (it would run past the view's life). */
function call(visit: RecordVisitor, record: Uint8Array, index: number, path: string): void {
  const result = visit(record, index) as unknown;
  if (result !== undefined) refusePromise(result, path);
}

function refusePromise(result: unknown, path: string): void {
  if (result === null || (typeof result !== 'object' && typeof result !== 'function') || typeof (result as { then?: unknown }).then !== 'function') return;
  // Its rejection is this error's business now, not an unhandled rejection.
  (result as PromiseLike<unknown>).then(undefined, () => undefined);
  throw new InvalidArgumentError(
    'forEachRecord: the callback returned a Promise; it must do its work before it returns (the record is a view valid only until then): use records() to await per record',
    { path },
  );
}

/** The memory of one synchronous pass, reused by the next (a pass inside a callback takes another). */
interface PassScratch {
  readonly fileBytes: ReadScratch;
  readonly chunk: ChunkScratch;
}
const idleScratches: PassScratch[] = [];
const MAX_IDLE_SCRATCHES = 2;

/**
 * Calls `visit` with records [from, to) of a local file in order: runs of chunks (a quarter of the
 * read-ahead each) read into a reused buffer, each chunk decoded into a reused scratch. With
 * skip_corrupted_chunks damaged chunks are skipped and reported; without, they throw.
 */
export function forEachRecordSync(file: OpenedFile, from: number, to: number, visit: RecordVisitor): void {
  if (from >= to) return;
  file.requireSync('forEachRecord', 'forEachRecordAsync');
  const { groupSize } = file.layout;
  const skips = file.newSkips();
  const scratch = idleScratches.pop() ?? { fileBytes: new ReadScratch(), chunk: new ChunkScratch() };
  try {
    const runs = planRuns(file.index, groupSize, from, to, runBytes(streamBudget(file.options.readaheadBufferSize)));
    for (const run of runs) {
      const firstChunk = Math.floor(run.start / groupSize);
      const lastChunk = Math.floor((run.end - 1) / groupSize);
      const begin = file.index.start(firstChunk);
      const length = file.index.end(lastChunk) - begin;
      // Open still (a callback may close the reader, whose descriptor's number may then name another file).
      const bytes = file.requireOpen().readSync(begin, length, scratch.fileBytes.take(length));
      for (let chunk = firstChunk; chunk <= lastChunk; chunk++) {
        scratch.chunk.reset();
        const base = chunk * groupSize;
        const last = Math.min(run.end, base + groupSize);
        const decoded = file.decodeOrSkip(bytes, begin, chunk, scratch.chunk, skips, last - base);
        if (decoded === undefined) continue;
        const end = Math.min(last, base + recordCount(decoded));
        for (let index = Math.max(run.start, base); index < end; index++) call(visit, recordOf(decoded, index - base), index, file.path);
      }
    }
  } finally {
    if (idleScratches.length < MAX_IDLE_SCRATCHES) idleScratches.push(scratch);
    file.index.release();
    if (skips !== undefined) file.report(skips);
  }
}

/** A part of a pass sent to a worker. */
interface SentPart {
  readonly worker: PooledWorker;
  readonly part: Promise<PassPart>;
  /** Its buffers went back to the worker (or it failed): nothing left to do with it. */
  done: boolean;
}

/**
 * Calls `visit` with records [from, to) in order, the file read on the read workers (as
 * readRangeInParallel reads it) into buffers handed back and forth; with max_parallelism:0 or a
 * remote file, run after run as readRangeAsync reads them.
 *
 * A fresh process's workers take 0.1-0.4 s to load: meanwhile this thread reads the parts as
 * forEachRecord does, in order, one per turn of the event loop, and the workers take the parts after
 * the last one read here from the moment they have loaded. Each record is visited once, in order,
 * whoever read its part. (Also reading here the parts sent to a worker that had not answered yet, its
 * own copy then dropped, took more CPU for no gain in the pass's time on the 2-core benchmark machine.)
 *
 * A file that stores its records uncompressed is read here whole, IN_THREAD_PARTS parts per turn.
 */
export async function forEachRecordParallel(file: OpenedFile, from: number, to: number, visit: RecordVisitor): Promise<void> {
  file.requireOpen();
  if (from >= to) return;
  const maxWorkers = file.options.maxParallelism ?? readPoolSize();
  if (file.remote !== undefined || maxWorkers === 0) return forEachRecordInRuns(file, from, to, visit);
  if (file.storesRecordsUncompressed()) return forEachRecordInThread(file, from, to, visit);
  const bounds = rangePartBounds(file, from, to, Math.min(maxWorkers, readPoolSize()));
  const parts = bounds.length - 1;
  if (readsHere(parts)) return forEachRecordInThread(file, from, to, visit);
  startReadWorkers();
  const target = workerFile(file);
  const workers = leastBusyWorkers(Math.min(maxWorkers, readPoolSize(), parts));
  const inFlight = new Map<PooledWorker, number>(workers.map((worker) => [worker, 0]));
  const sent: (SentPart | undefined)[] = [];
  /** Parts before this one are sent to a worker or visited here. */
  let nextToSend = 0;
  let consumed = 0;
  let stopped = false;
  const skipDamaged = file.options.skipCorruptedChunks;
  const giveBack = (entry: SentPart, read: PassPart): void => {
    if (entry.done) return;
    entry.done = true;
    entry.worker.recycle(read.records.buffers);
  };
  // Sends parts to the loaded workers with fewest in flight, within the bound of parts ahead of the consumer.
  const send = (): void => {
    nextToSend = Math.max(nextToSend, consumed);
    while (!stopped && nextToSend < parts && nextToSend < consumed + PARTS_AHEAD_PER_WORKER * workers.length && file.isOpen()) {
      let worker: PooledWorker | undefined;
      for (const other of workers) if (other.ready && (worker === undefined || inFlight.get(other)! < inFlight.get(worker)!)) worker = other;
      if (worker === undefined || inFlight.get(worker)! >= PARTS_IN_FLIGHT_PER_WORKER) return;
      const chosen = worker;
      inFlight.set(chosen, inFlight.get(chosen)! + 1);
      const index = nextToSend++;
      const part = chosen.readPassPart(target, bounds[index]!, bounds[index + 1]!, skipDamaged);
      const entry: SentPart = { worker: chosen, part, done: false };
      part.then(undefined, () => {
        entry.done = true;
      });
      const settle = (): void => {
        inFlight.set(chosen, inFlight.get(chosen)! - 1);
        send();
      };
      part.then(settle, settle);
      sent[index] = entry;
    }
  };
  // A worker that loads while this thread reads parts gets its first ones at the next turn.
  for (const worker of workers) if (!worker.ready) void worker.loaded.then(send);
  try {
    for (; consumed < parts; consumed++) {
      send();
      file.requireOpen();
      const entry = sent[consumed];
      if (entry === undefined) {
        // No worker has loaded yet (parts go only to loaded ones): read and visited here.
        nextToSend = Math.max(nextToSend, consumed + 1);
        forEachRecordSync(file, bounds[consumed]!, bounds[consumed + 1]!, visit);
        startStats.partsReadHere++;
        if (consumed + 1 < parts) await nextTurn();
        continue;
      }
      const read = await entry.part;
      try {
        if (read.skipped.length > 0) file.report(read.skipped);
        visitPart(read, bounds[consumed]!, visit, file.path);
      } finally {
        giveBack(entry, read);
      }
    }
  } finally {
    // Stopped early (a callback threw, a read failed, the reader closed): the parts in flight are
    // waited for, their buffers kept for the next pass, and nothing more is sent.
    stopped = true;
    for (const entry of sent) {
      if (entry === undefined || entry.done) continue;
      try {
        giveBack(entry, await entry.part);
      } catch {
        // The pass already failed with the error that stopped it.
      }
    }
  }
}

/** `forEachRecordParallel` for a file that stores its records uncompressed: read here, IN_THREAD_PARTS parts per turn of the event loop. */
async function forEachRecordInThread(file: OpenedFile, from: number, to: number, visit: RecordVisitor): Promise<void> {
  const bounds = rangePartBounds(file, from, to, 1);
  const parts = bounds.length - 1;
  for (let first = 0; first < parts; first += IN_THREAD_PARTS) {
    if (first > 0) await nextTurn();
    const last = Math.min(parts, first + IN_THREAD_PARTS);
    forEachRecordSync(file, bounds[first]!, bounds[last]!, visit);
    startStats.partsReadHere += last - first;
  }
}

/** Calls `visit` with the records of one part, record `first` of the file its first. */
function visitPart(read: PassPart, first: number, visit: RecordVisitor, path: string): void {
  const { buffers, bufferOf, starts, lengths } = read.records;
  const views = buffers.map((buffer) => new Uint8Array(buffer));
  const missing = read.missing;
  let position = 0;
  let m = 0;
  for (let i = 0; i < bufferOf.length; i++, position++) {
    while (missing !== undefined && missing[m] === position) {
      m++;
      position++;
    }
    const start = starts[i]!;
    call(visit, views[bufferOf[i]!]!.subarray(start, start + lengths[i]!), first + position, path);
  }
}

/** `forEachRecordParallel` for remote files and max_parallelism:0: runs of records read one ahead of the one visited. */
async function forEachRecordInRuns(file: OpenedFile, from: number, to: number, visit: RecordVisitor): Promise<void> {
  const runs = file.withRelease(() => [...planRuns(file.index, file.layout.groupSize, from, to, runBytes(streamBudget(file.options.readaheadBufferSize)))]);
  const read = (r: number): Promise<{ records: (Uint8Array | undefined)[]; skipped: SkippedChunk[] }> => {
    const pending = readRangeInParallel(file, runs[r]!.start, runs[r]!.end);
    pending.catch(() => undefined);
    return pending;
  };
  let next = read(0);
  let current = next;
  try {
    for (let r = 0; r < runs.length; r++) {
      current = next;
      const { records, skipped } = await current;
      file.report(skipped);
      if (r + 1 < runs.length) next = read(r + 1);
      const start = runs[r]!.start;
      for (let i = 0; i < records.length; i++) if (records[i] !== undefined) call(visit, records[i]!, start + i, file.path);
    }
  } finally {
    // A read started ahead is waited for, so that nothing of the pass runs after it settles.
    if (next !== current) await next.then(
      () => undefined,
      () => undefined,
    );
  }
}
