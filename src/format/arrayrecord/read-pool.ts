// The process-wide pool of read workers behind the async batch reads: the analogue of the C++
// reader's thread pool. Workers start on first use; once loaded and idle they do not keep the process alive.

import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { deserializeError } from '../errors.js';
import { siblingModule, startModuleWorker } from '../io/module-worker.js';
import { unpackRecords } from '../io/record-transfer.js';
import { WorkerLifetime } from '../io/worker-lifetime.js';
import type { ReadRangeRequest, ReadRequest, ReadResponse, ReadWorkerMessage } from './read-protocol.js';

interface Pending {
  resolve(records: Uint8Array[]): void;
  reject(error: Error): void;
}

class PooledWorker {
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

  read(request: ReadRequest | ReadRangeRequest): Promise<Uint8Array[]> {
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
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
    const records = unpackRecords(response.records!);
    pending.resolve(records);
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    this.lifetime.setBusy(false);
    pool = undefined;
  }
}

let pool: PooledWorker[] | undefined;
let nextRequestId = 0;

/** Number of read workers: one per core the process may use. */
export function readPoolSize(): number {
  return Math.max(1, os.availableParallelism());
}

function workers(): PooledWorker[] {
  pool ??= Array.from({ length: readPoolSize() }, () => new PooledWorker());
  return pool;
}

/**
 * Reads records of a file on a pool worker: the least busy of the first `maxWorkers`.
 * @throws (rejects with) the reader's typed errors, rebuilt in this thread.
 */
export function readOnWorker(path: string, options: string, indices: Float64Array<ArrayBuffer>): Promise<Uint8Array[]> {
  return leastBusy().read({ kind: 'read', id: nextRequestId++, path, options, indices });
}

/** Reads records [from, to) of a file on the least busy pool worker. */
export function readRangeOnWorker(path: string, options: string, from: number, to: number): Promise<Uint8Array[]> {
  return leastBusy().read({ kind: 'range', id: nextRequestId++, path, options, from, to });
}

function leastBusy(): PooledWorker {
  const candidates = workers();
  let chosen = candidates[0]!;
  for (const worker of candidates) if (worker.load < chosen.load) chosen = worker;
  return chosen;
}

/** Lets the workers close what they keep open for `path`. */
export function forgetFileOnWorkers(path: string): void {
  if (pool === undefined) return;
  for (const worker of pool) worker.forget(path);
}
