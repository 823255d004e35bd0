// Runs the loader's transforms on worker threads: each block's record buffers (or one buffer the records
// are packed into) are transferred to the least busy worker, and the kept values come back with their
// buffers transferred too. Results are matched to blocks by id, so the loader keeps its order whichever
// worker finishes first.

import type { Worker } from 'node:worker_threads';
import { ClosedError, InvalidOptionsError, WorkerExitedError } from '../format/errors.js';
import { siblingModule, startModuleWorker } from '../format/io/module-worker.js';
import { packRecords, recordsInPlace, type TransferableRecords } from '../format/io/record-transfer.js';
import { WorkerLifetime } from '../format/io/worker-lifetime.js';
import type { RunRequest, TransformResponse } from './transform-protocol.js';
import { TransformFailure, type TransformedBlock } from './apply-transforms.js';
import { rebuildError } from './worker-error.js';

/** How to start the workers. */
export interface TransformWorkerSettings {
  readonly moduleUrl: URL;
  readonly exportName: string;
  readonly count: number;
  readonly seed: number | undefined;
  /** describeTransforms() of the list the loader was given, to check the module's list against; undefined: no check. */
  readonly expectedShape: string | undefined;
}

interface Pending {
  resolve(block: TransformedBlock): void;
  reject(error: unknown): void;
}

class TransformWorker {
  private readonly worker: Worker;
  private readonly lifetime: WorkerLifetime;
  private readonly pending = new Map<number, Pending>();
  /** Set once the worker cannot serve any more blocks (its module failed to load, or it died). */
  failure: Error | undefined;

  constructor(settings: TransformWorkerSettings) {
    this.worker = startModuleWorker(siblingModule(import.meta.url, 'transform-worker'));
    this.worker.on('message', (response: TransformResponse) => this.receive(response, settings));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new WorkerExitedError(`a transform worker exited with code ${code}`)));
    // After the 'message' listener, which refs the worker again.
    this.lifetime = new WorkerLifetime(this.worker);
    this.worker.postMessage({ kind: 'init', moduleUrl: settings.moduleUrl.href, exportName: settings.exportName, seed: settings.seed });
  }

  get load(): number {
    return this.pending.size;
  }

  /** Sends a block; `fallback` gives a packed copy of its records if its own buffers cannot be transferred. */
  run(request: RunRequest, fallback: (() => TransferableRecords) | undefined): Promise<TransformedBlock> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      try {
        this.worker.postMessage(request, request.buffers);
      } catch (error) {
        if (fallback === undefined) throw error;
        const copy = { ...request, ...fallback() };
        this.worker.postMessage(copy, copy.buffers);
      }
      this.pending.set(request.id, { resolve, reject });
      this.lifetime.setBusy(true);
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new ClosedError("the DataLoader's transform pool");
    await this.lifetime.terminate();
  }

  private receive(response: TransformResponse, settings: TransformWorkerSettings): void {
    if (response.kind === 'ready' || response.kind === 'init-failed') this.lifetime.finishedLoading();
    if (response.kind === 'ready') {
      if (settings.expectedShape !== undefined && response.shape !== settings.expectedShape) {
        this.fail(
          new InvalidOptionsError(
            `export '${settings.exportName}' of ${settings.moduleUrl.href} is [${response.shape}] in the worker, ` +
              `but the loader's transforms are [${settings.expectedShape}]`,
          ),
        );
      }
      return;
    }
    if (response.kind === 'init-failed') {
      this.fail(rebuildError(response.failure));
      return;
    }
    const pending = this.pending.get(response.id);
    if (pending === undefined) return;
    this.pending.delete(response.id);
    this.lifetime.setBusy(this.pending.size > 0);
    if (response.kind === 'done') pending.resolve({ values: response.values, kept: response.kept, timing: response.timing });
    else {
      const before = { values: response.values, kept: response.kept };
      pending.reject(new TransformFailure(response.element, response.step, response.stepName, rebuildError(response.failure), before));
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
    this.lifetime.setBusy(false);
  }
}

/**
 * `count` workers, started on construction, each importing `moduleUrl` and taking its export
 * `exportName` (an array of map/filter steps). Idle workers do not keep the process alive.
 */
export class TransformWorkerPool {
  private readonly workers: TransformWorker[];
  private nextId = 0;

  constructor(settings: TransformWorkerSettings) {
    this.workers = Array.from({ length: settings.count }, () => new TransformWorker(settings));
  }

  /** The first error that made a worker unusable, if any: the pool should then be replaced. */
  get failure(): Error | undefined {
    return this.workers.find((worker) => worker.failure !== undefined)?.failure;
  }

  /**
   * Transforms one block on the least busy worker.
   * @param recordsOwned true when nothing else uses the buffers the records view (they hold only this
   *   block's records): those buffers are then transferred as they are and become unusable here.
   *   Otherwise the records are packed into one new buffer first (one copy).
   * @throws (rejects with) TransformFailure for an element a step threw on (cause rebuilt in this
   *   thread, with its stack), or the error that stopped the worker (module not found, wrong list, exit).
   */
  run(
    epoch: number,
    records: readonly Uint8Array[],
    sources: Int32Array<ArrayBuffer>,
    keys: Float64Array<ArrayBuffer>,
    recordsOwned: boolean,
  ): Promise<TransformedBlock> {
    let chosen = this.workers[0]!;
    for (const worker of this.workers) if (worker.load < chosen.load) chosen = worker;
    const own = recordsOwned ? recordsInPlace(records) : undefined;
    const layout = own ?? packRecords(records);
    const fallback = own === undefined ? undefined : () => packRecords(records);
    return chosen.run({ kind: 'run', id: this.nextId++, epoch, sources, keys, ...layout }, fallback);
  }

  /** Stops every worker; blocks in flight reject. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
