// The process-wide pool of read workers behind the async batch reads: the analogue of the C++
// reader's thread pool. Workers start on first use; once loaded and idle they do not keep the process alive.

import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ClosedError, deserializeError, IoError } from '../errors.js';
import { siblingModule, startModuleWorker } from '../io/module-worker.js';
import { unpackRecords } from '../io/record-transfer.js';
import { WorkerLifetime } from '../io/worker-lifetime.js';
import type { ReadRangeRequest, ReadRequest, ReadResponse, ReadWorkerMessage, RequestedFile } from './read-protocol.js';
import type { AvailableRecords } from './skipped-chunk.js';

/**
 * The file a reader asks the workers to read, and whether that reader is still open.
 * @example leastBusyWorkers(1)[0]!.readIndices({ path, options, identity: reader.fileIdentity(), isOpen: () => reader.isOpen() }, indices, false)
 */
export interface WorkerFile extends Omit<RequestedFile, 'skipDamaged'> {
  isOpen(): boolean;
}

interface Pending {
  readonly file: WorkerFile;
  resolve(read: AvailableRecords): void;
  reject(error: Error): void;
}

let pool: PooledWorker[] | undefined;
let nextRequestId = 0;

/** One worker of the pool, as a batch read sends it parts of its work. */
export class PooledWorker {
  private readonly worker: Worker;
  private readonly lifetime: WorkerLifetime;
  private readonly pending = new Map<number, Pending>();

  constructor() {
    this.worker = startModuleWorker(siblingModule(import.meta.url, 'read-worker'));
    this.worker.on('message', (message: ReadWorkerMessage) => {
      if (message.kind === 'loaded') this.lifetime.finishedLoading();
      else this.settle(message);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`read worker exited with code ${code}`)));
    // Last: adding the 'message' listener refs the worker's port again, and a loaded worker that never
    // gets a request (max_parallelism:1, small batches) would then keep the process alive.
    this.lifetime = new WorkerLifetime(this.worker);
  }

  get load(): number {
    return this.pending.size;
  }

  /**
   * Reads records of a file by index, in this order; with `skipDamaged`, records of damaged chunks are
   * undefined and those chunks listed (see ArrayRecordReader.readAvailableIntoArena).
   * @throws (rejects with) the reader's typed errors, rebuilt in this thread; when the worker found
   *   another file at the path, ClosedError if the reader has closed meanwhile, else IoError.
   */
  readIndices(file: WorkerFile, indices: Float64Array<ArrayBuffer>, skipDamaged: boolean): Promise<AvailableRecords> {
    const { path, options, identity, layout } = file;
    return this.request({ kind: 'read', id: nextRequestId++, path, options, identity, layout, skipDamaged, indices }, file);
  }

  /** Reads records [from, to) of a file. @throws as readIndices. */
  readRange(file: WorkerFile, from: number, to: number, skipDamaged: boolean): Promise<AvailableRecords> {
    const { path, options, identity, layout } = file;
    return this.request({ kind: 'range', id: nextRequestId++, path, options, identity, layout, skipDamaged, from, to }, file);
  }

  private request(request: ReadRequest | ReadRangeRequest, file: WorkerFile): Promise<AvailableRecords> {
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { file, resolve, reject });
      this.lifetime.setBusy(true);
      this.worker.postMessage(request, request.kind === 'read' ? [request.indices.buffer] : []);
    });
  }

  forget(path: string): void {
    this.worker.postMessage({ kind: 'forget', path });
  }

  private settle(response: ReadResponse): void {
    const pending = this.pending.get(response.id);
    if (pending === undefined) return;
    this.pending.delete(response.id);
    this.lifetime.setBusy(this.pending.size > 0);
    if (response.error !== undefined) {
      pending.reject(deserializeError(response.error));
      return;
    }
    if (response.fileChanged) {
      pending.reject(fileChangedError(pending.file));
      return;
    }
    const present = unpackRecords(response.records!);
    pending.resolve({ records: withHoles(present, response.missing), skipped: [...(response.skipped ?? [])] });
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    this.lifetime.setBusy(false);
    pool = undefined;
  }
}

/** Number of read workers: one per core the process may use. */
export function readPoolSize(): number {
  return Math.max(1, os.availableParallelism());
}

function workers(): PooledWorker[] {
  pool ??= Array.from({ length: readPoolSize() }, () => new PooledWorker());
  return pool;
}

/** The records of a response in request order, undefined at the `missing` positions (ascending). */
function withHoles(present: Uint8Array[], missing: readonly number[] | undefined): (Uint8Array | undefined)[] {
  if (missing === undefined) return present;
  const records: (Uint8Array | undefined)[] = [];
  let next = 0;
  let m = 0;
  for (let i = 0; i < present.length + missing.length; i++) {
    if (missing[m] === i) {
      m++;
      records.push(undefined);
    } else {
      records.push(present[next++]);
    }
  }
  return records;
}

/**
 * A worker opens files by path, so a read that reaches it after the path was given to another file
 * (the reader closed, the file replaced) finds that file: it is not read. For a closed reader that
 * is the close cutting the read short; for an open one, its file is gone from under it.
 */
function fileChangedError(file: WorkerFile): Error {
  if (!file.isOpen()) return new ClosedError('ArrayRecordReader', { path: file.path });
  return new IoError('the file was replaced or rewritten since the reader opened it', { path: file.path });
}

/** The `count` least busy workers of the pool (at most all of them), for the lanes of one batch read. */
export function leastBusyWorkers(count: number): PooledWorker[] {
  return [...workers()].sort((a, b) => a.load - b.load).slice(0, count);
}

/** Lets the workers close what they keep open for `path`. */
export function forgetFileOnWorkers(path: string): void {
  if (pool === undefined) return;
  for (const worker of pool) worker.forget(path);
}
