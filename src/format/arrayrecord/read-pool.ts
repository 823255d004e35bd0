// The process-wide pool of read workers behind the async batch reads: the analogue of the C++
// reader's thread pool. Workers start on first use; once loaded and idle they do not keep the process alive.

import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ClosedError, deserializeError, IoError, WorkerExitedError } from '../errors.js';
import { siblingModule, startModuleWorker } from '../io/module-worker.js';
import { unpackRecords, type TransferableRecords } from '../io/record-transfer.js';
import { WorkerLifetime } from '../io/worker-lifetime.js';
import type { PassRequest, ReadRangeRequest, ReadRequest, ReadResponse, ReadWorkerMessage, RequestedFile } from './read-protocol.js';
import type { AvailableRecords, SkippedChunk } from './skipped-chunk.js';

/**
 * The file a reader asks the workers to read, and whether that reader is still open.
 * @example leastBusyWorkers(1)[0]!.readIndices({ path, options, identity: reader.fileIdentity(), isOpen: () => reader.isOpen() }, indices, false)
 */
export interface WorkerFile extends Omit<RequestedFile, 'skipDamaged'> {
  isOpen(): boolean;
}

interface Pending {
  readonly file: WorkerFile;
  resolve(response: ReadResponse): void;
  reject(error: Error): void;
}

/**
 * One part of a pass over a file as a worker sent it: the records, in the buffers to hand back to
 * that worker (`recycle`) once they are consumed.
 */
export interface PassPart {
  /** The records read, in order; their buffers are every buffer of the part. */
  readonly records: TransferableRecords;
  /** Positions in the part (ascending) of the records a skipped chunk held, which `records` lacks. */
  readonly missing: readonly number[] | undefined;
  readonly skipped: readonly SkippedChunk[];
}

/**
 * Buffers of passes a worker keeps between them, to fill again: a few parts' worth (see RECYCLED_BLOCK
 * in output-arena), so that a pass costs no fresh memory once warm.
 */
const MAX_SPARE_BUFFERS = 24;

/**
 * Buffers the workers allocated for pass parts (forEachRecordAsync) because too few came back to
 * them: after a pass has warmed them, a pass over the same file should need none.
 * @example const before = passStats.freshBuffers; await reader.forEachRecordAsync(() => undefined); const fresh = passStats.freshBuffers - before;
 */
export const passStats = { freshBuffers: 0 };

let pool: PooledWorker[] | undefined;
let nextRequestId = 0;

/** One worker of the pool, as a batch read sends it parts of its work. */
export class PooledWorker {
  private readonly worker: Worker;
  private readonly lifetime: WorkerLifetime;
  private readonly pending = new Map<number, Pending>();
  /** Buffers of consumed pass parts, sent back with this worker's next pass request. */
  private readonly spare: ArrayBuffer[] = [];
  /** The most buffers a pass part of this worker filled lately: what the next one is sent. */
  private partBuffers = 1;
  private loadedFlag = false;
  /** Why the worker is gone, once it has exited or failed: later requests reject with it. */
  private gone: Error | undefined;

  constructor() {
    this.worker = startModuleWorker(siblingModule(import.meta.url, 'read-worker'));
    this.worker.on('message', (message: ReadWorkerMessage) => {
      if (message.kind === 'loaded') {
        this.loadedFlag = true;
        this.lifetime.finishedLoading();
      } else {
        this.settle(message);
      }
    });
    this.worker.on('error', (error) => this.failAll(new WorkerExitedError(`a read worker failed: ${error.message}`, error)));
    this.worker.on('exit', (code) => this.failAll(new WorkerExitedError(`a read worker exited with code ${code}`)));
    // Last: adding the 'message' listener refs the worker's port again, and a loaded worker that never
    // gets a request (max_parallelism:1, small batches) would then keep the process alive.
    this.lifetime = new WorkerLifetime(this.worker);
  }

  get load(): number {
    return this.pending.size;
  }

  /**
   * True once the worker has loaded its modules (or is gone, when requests reject at once): a request
   * sent before waits for the loading, which takes a fresh process 0.1-0.4 s.
   */
  get ready(): boolean {
    return this.loadedFlag || this.gone !== undefined;
  }

  /** Settles once `ready` is true. */
  get loaded(): Promise<void> {
    return this.lifetime.loaded;
  }

  /**
   * Reads records of a file by index, in this order; with `skipDamaged`, records of damaged chunks are
   * undefined and those chunks listed (see ArrayRecordReader.readAvailableIntoArena).
   * @throws (rejects with) the reader's typed errors, rebuilt in this thread; when the worker found
   *   another file at the path, ClosedError if the reader has closed meanwhile, else IoError.
   */
  async readIndices(file: WorkerFile, indices: Float64Array<ArrayBuffer>, skipDamaged: boolean): Promise<AvailableRecords> {
    const { path, options, identity, layout } = file;
    return available(await this.request({ kind: 'read', id: nextRequestId++, path, options, identity, layout, skipDamaged, indices }, file, [indices.buffer]));
  }

  /** Reads records [from, to) of a file. @throws as readIndices. */
  async readRange(file: WorkerFile, from: number, to: number, skipDamaged: boolean): Promise<AvailableRecords> {
    const { path, options, identity, layout } = file;
    return available(await this.request({ kind: 'range', id: nextRequestId++, path, options, identity, layout, skipDamaged, from, to }, file, []));
  }

  /**
   * Reads records [from, to) of a file for a pass over it, into this worker's spare buffers (sent
   * along) before fresh memory; the caller hands the part's buffers back with `recycle`.
   * @throws as readIndices.
   */
  async readPassPart(file: WorkerFile, from: number, to: number, skipDamaged: boolean): Promise<PassPart> {
    const { path, options, identity, layout } = file;
    // Not every spare buffer: the next part, sent while this one is decoded, needs its share.
    const buffers = this.spare.splice(Math.max(0, this.spare.length - this.partBuffers - 1));
    const response = await this.request({ kind: 'pass', id: nextRequestId++, path, options, identity, layout, skipDamaged, from, to, buffers }, file, buffers);
    const { used, fresh } = response.passBuffers ?? { used: 0, fresh: 0 };
    this.partBuffers = Math.max(1, used, this.partBuffers - 1);
    passStats.freshBuffers += fresh;
    return { records: response.records!, missing: response.missing, skipped: [...(response.skipped ?? [])] };
  }

  /** Keeps a consumed part's buffers (the records viewing them are done with) for this worker's next pass request. */
  recycle(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) if (this.spare.length < MAX_SPARE_BUFFERS && buffer.byteLength > 0) this.spare.push(buffer);
  }

  private request(request: ReadRequest | ReadRangeRequest | PassRequest, file: WorkerFile, transfer: ArrayBuffer[]): Promise<ReadResponse> {
    return new Promise((resolve, reject) => {
      if (this.gone !== undefined) {
        reject(this.gone);
        return;
      }
      this.pending.set(request.id, { file, resolve, reject });
      this.lifetime.setBusy(true);
      this.worker.postMessage(request, transfer);
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
    pending.resolve(response);
  }

  private failAll(error: Error): void {
    this.gone ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    this.lifetime.setBusy(false);
    if (pool?.includes(this) === true) pool = undefined;
  }
}

/** What readPoolSize() found, once: asking the system costs a system call (~25 µs a batch read here). */
let poolSize: number | undefined;

/** Number of read workers: one per core the process may use (when the pool is first sized). */
export function readPoolSize(): number {
  poolSize ??= Math.max(1, os.availableParallelism());
  return poolSize;
}

function workers(): PooledWorker[] {
  pool ??= Array.from({ length: readPoolSize() }, () => new PooledWorker());
  return pool;
}

/** The records of a successful response, as views of the buffers that arrived. */
function available(response: ReadResponse): AvailableRecords {
  return { records: withHoles(unpackRecords(response.records!), response.missing), skipped: [...(response.skipped ?? [])] };
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

/**
 * Starts the read workers unless they run already, and settles once every one has loaded: for a caller
 * (a test, a program about to time its reads) that wants every async read to run on them, where the
 * first reads of a process otherwise decode on this thread until a worker is ready.
 * @example await readWorkersLoaded(); const records = await reader.readAsync(indices);
 */
export async function readWorkersLoaded(): Promise<void> {
  await Promise.all(workers().map((worker) => worker.loaded));
}

/** Starts the read workers unless they run already (they load in the background). */
export function startReadWorkers(): void {
  workers();
}

/**
 * True once the read workers have been started in this process (by a read or startReadWorkers), until
 * they are gone.
 * @example if (!readWorkersStarted()) console.log('no async read of this process has needed the workers yet');
 */
export function readWorkersStarted(): boolean {
  return pool !== undefined;
}

/** Lets the workers close what they keep open for `path`. */
export function forgetFileOnWorkers(path: string): void {
  if (pool === undefined) return;
  for (const worker of pool) worker.forget(path);
}
