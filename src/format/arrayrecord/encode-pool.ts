// The process-wide pool of chunk encoding workers behind writers with max_parallelism above 1. Writers
// are synchronous, so they wait for replies synchronously: every worker posts its reply on a port of
// its own, then increments and notifies one shared Int32 (Atomics.wait on the writer's thread), and the
// writer takes replies with receiveMessageOnPort. Workers start on first use and never keep the
// process alive once loaded (idle workers hold no work: a writer that waits is blocking its thread).

import os from 'node:os';
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { deserializeError, serializeError, WorkerExitedError } from '../errors.js';
import { siblingModule, startModuleWorker } from '../io/module-worker.js';
import { ThreadWatch, WorkerLifetime } from '../io/worker-lifetime.js';
import { CompressionType, type CompressionTypeCode } from '../riegeli/constants.js';
import { WORKER_STATE_SLOTS, WorkerState, type EncodeReply, type EncodeRequest, type EncodeWorkerData } from './encode-protocol.js';

/** Requests one worker holds at once: one being encoded, one waiting, so it never idles between them. */
const MAX_IN_FLIGHT_PER_WORKER = 2;
/** How long one wait lasts before the workers' state is looked at again (a worker that died notifies). */
const WAIT_SLICE_MS = 1000;

/** The answer to a request, as its writer gets it: the reply, or the error that lost it. */
export type ReplyHandler = (reply: EncodeReply) => void;

/** Incremented and notified by every worker after every reply it posts. */
const signal = new Int32Array(new SharedArrayBuffer(4));

class EncodeWorker {
  private readonly port: MessagePort;
  private readonly state = new Int32Array(new SharedArrayBuffer(4 * WORKER_STATE_SLOTS));
  private readonly worker: Worker;
  private readonly watch: ThreadWatch;
  /** Handlers of the requests sent and not yet answered, by request id. */
  readonly pending = new Map<number, ReplyHandler>();

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const workerData: EncodeWorkerData = { port: port2, state: this.state, signal };
    this.worker = startModuleWorker(siblingModule(import.meta.url, 'encode-worker'), { workerData, transferList: [port2] });
    // Referenced while it loads (a native addon must not be cut off mid-load), unreferenced after.
    const lifetime = new WorkerLifetime(this.worker);
    this.worker.on('message', () => lifetime.finishedLoading());
    this.worker.on('error', () => lifetime.finishedLoading());
    // The worker marks itself exited as it exits; this covers an exit that runs none of its code (a
    // terminated thread, one out of memory), seen whenever this thread's event loop turns.
    this.worker.once('exit', () => this.markExited());
    this.watch = new ThreadWatch(this.worker);
    this.port.unref();
  }

  private markExited(): void {
    Atomics.store(this.state, WorkerState.exited, 1);
  }

  /** For a writer blocked in waitForReplies, whose event loop cannot turn to get an 'exit' event. */
  noticeSilentExit(): void {
    if (this.pending.size > 0 && !this.exited && this.watch.stopped()) this.markExited();
  }

  /** Loaded and listening; not exited. */
  get ready(): boolean {
    return Atomics.load(this.state, WorkerState.ready) === 1 && !this.exited;
  }

  get exited(): boolean {
    return Atomics.load(this.state, WorkerState.exited) === 1;
  }

  get hasRoom(): boolean {
    return this.pending.size < MAX_IN_FLIGHT_PER_WORKER;
  }

  post(request: EncodeRequest, handler: ReplyHandler): void {
    this.watch.observe();
    this.pending.set(request.id, handler);
    this.port.postMessage(request, [request.bytes, request.recordEnds.buffer, request.groupCounts.buffer, ...request.spareOutputs]);
  }

  /** Hands every reply that has arrived to its handler; returns how many there were. */
  deliver(): number {
    let count = 0;
    for (let message = receiveMessageOnPort(this.port); message !== undefined; message = receiveMessageOnPort(this.port)) {
      const reply = message.message as EncodeReply;
      const handler = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      handler?.(reply);
      count++;
    }
    return count;
  }

  /** After the worker exited: its unanswered requests fail (replies it posted before are delivered first). */
  failPending(): number {
    let count = this.deliver();
    for (const [id, handler] of this.pending) {
      handler({ id, bytes: new ArrayBuffer(0), error: serializeError(new WorkerExitedError('a chunk encoding worker exited before it answered')) });
      count++;
    }
    this.pending.clear();
    return count;
  }
}

let pool: EncodeWorker[] = [];
let nextRequestId = 0;

/**
 * Threads a writer with `maxParallelism` encodes on (its own included): no more than the cores the
 * process may use. `auto` (undefined) is one per core for zstd and brotli; for uncompressed and snappy
 * chunks, whose encoding costs less than handing a batch to a worker, the writer's thread alone.
 * (With `auto` the writer then uses the workers only while they measure faster: parallel-encoder.)
 */
export function encodeParallelism(maxParallelism: number | undefined, compression: CompressionTypeCode): number {
  const cores = Math.max(1, os.availableParallelism());
  const cheap = compression === CompressionType.none || compression === CompressionType.snappy;
  return Math.min(maxParallelism ?? (cheap ? 1 : cores), cores);
}

/** Starts workers until the pool has `count`. */
export function startEncodeWorkers(count: number): void {
  pool = pool.filter((worker) => !worker.exited || worker.pending.size > 0);
  while (pool.length < count) pool.push(new EncodeWorker());
}

/** A fresh id for a request. */
export function newRequestId(): number {
  return nextRequestId++;
}

/**
 * Sends `request` to the least busy ready worker among the first `count`, unless none is ready
 * (still loading) or all of those are full.
 * @returns 'sent', 'busy' (ready workers, all full: wait for a reply) or 'loading' (none ready yet).
 */
export function trySubmit(request: EncodeRequest, count: number, handler: ReplyHandler): 'sent' | 'busy' | 'loading' {
  let chosen: EncodeWorker | undefined;
  let anyReady = false;
  for (const worker of pool.slice(0, count)) {
    if (!worker.ready) continue;
    anyReady = true;
    if (worker.hasRoom && (chosen === undefined || worker.pending.size < chosen.pending.size)) chosen = worker;
  }
  if (chosen === undefined) return anyReady ? 'busy' : 'loading';
  chosen.post(request, handler);
  return 'sent';
}

/** Delivers the replies that have arrived, without waiting. */
export function deliverReplies(): number {
  let count = 0;
  for (const worker of pool) {
    count += worker.exited ? worker.failPending() : worker.deliver();
  }
  return count;
}

/**
 * Blocks this thread until at least one reply (of any writer) has been delivered, or a worker that
 * held requests has exited (its requests then fail).
 * @throws Error when no worker holds a request (nothing could ever answer).
 */
export function waitForReplies(): void {
  for (;;) {
    const seen = Atomics.load(signal, 0);
    if (deliverReplies() > 0) return;
    if (!pool.some((worker) => worker.pending.size > 0)) throw new Error('waiting for chunk encoding replies with none pending');
    if (Atomics.wait(signal, 0, seen, WAIT_SLICE_MS) === 'timed-out') for (const worker of pool) worker.noticeSilentExit();
  }
}

/** Resolves once the first `count` workers have loaded (for tests and benchmarks that time steady state). */
export async function encodeWorkersReady(count: number): Promise<void> {
  startEncodeWorkers(count);
  while (!pool.slice(0, count).every((worker) => worker.ready)) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Rebuilds the error of a failed reply. */
export function replyError(reply: EncodeReply): Error | undefined {
  return reply.error === undefined ? undefined : deserializeError(reply.error);
}
