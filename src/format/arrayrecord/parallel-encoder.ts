// Parallel chunk encoding for a writer with max_parallelism P > 1: records are copied into batches of
// groups; a batch is encoded on one of P - 1 workers or, when those are all full (or still loading),
// by the writer's thread itself, so that P threads encode at most; chunks are written in the order
// of the records, whatever order the batches finish in. The batches not yet written are bounded, so
// memory is. A small file never waits for a worker to start: the writer encodes alone until then.
// With `auto` parallelism the writer measures, window by window of batches (8 MiB or more), the CPU
// time per byte of records with workers and without, and the cores the process gets; it keeps the way
// that is faster at that share and measures the other again now and then. Workers cost 1.4-1.6x the
// CPU per byte (handing batches over, copies, wake-ups, two compressors sharing caches) and pay only
// when the process gets well over one core: on a machine busy with other work (Linux shares CPU time
// per session or cgroup, not per thread) a second thread adds no CPU time, only its cost
// (docs/performance.md, "Parallel writes").

import type { ChunkEncoding } from '../riegeli/chunk-codec.js';
import { CHUNK_HEADER_SIZE } from '../riegeli/constants.js';
import type { EncodedChunkData } from '../riegeli/decoded-chunk.js';
import { encodeBatch } from './encode-batch.js';
import { deliverReplies, newRequestId, replyError, startEncodeWorkers, trySubmit, waitForReplies } from './encode-pool.js';
import { CHUNK_FIELDS, type EncodeReply } from './encode-protocol.js';
import { grownBuffer, grownCapacity, releaseGroupBuffer } from './group-buffer.js';

/** Tunables of parallel encoding (tests lower the threshold to use the workers on small files). */
export const PARALLEL_ENCODING = {
  /** A writer starts the workers once it has accepted this many bytes of records: below, encoding inline is cheaper. */
  thresholdBytes: 1 << 20,
  /** A batch is sent at the first group end past this many bytes of records. */
  batchBytes: 256 << 10,
  /** ... or past this many groups, so that replies of tiny records stay small. */
  batchGroups: 4096,
  /** With auto parallelism: a measuring window is at least this many bytes of records ... */
  windowBytes: 8 << 20,
  /** ... and this many batches. */
  windowBatches: 8,
  /** Windows the chosen way runs before the other is measured again. */
  keepWindows: 6,
};

/** A thread alone that gets this share of a core (CPU time over wall time) may get more with a second one. */
const FULL_CORE = 0.9;

/** Who encodes the batches of a window: the workers (the writer's thread too when they are all busy), or the writer's thread alone. */
export type EncodeMode = 'workers' | 'inline';

/** Batches encoded on workers and by the writer itself, and switches of an adaptive writer's mode, since the process started (tests check which ran). */
export const encodeCounts = { onWorkers: 0, inline: 0, switches: 0 };

/** Batches encoded and not yet written, or in flight, per encoding thread: beyond, the writer waits. */
const MAX_PENDING_PER_THREAD = 3;
/** ... and bytes of records in them (a batch holds at least one group, however large): beyond, it waits too. */
const MAX_PENDING_BYTES = 64 << 20;

/** A batch's chunks once encoded, or the error that encoding it raised. */
type Encoded = EncodedChunkData[] | Error;

export class ParallelChunkEncoder {
  private readonly adaptive: boolean;
  private readonly groupSize: number;
  private bytes: Uint8Array;
  private used = 0;
  private recordEnds: Float64Array<ArrayBuffer> = new Float64Array(1024);
  private records = 0;
  private groupCounts: Float64Array<ArrayBuffer> = new Float64Array(64);
  private groups = 0;
  /** Records of the group being filled. */
  private groupRecords = 0;
  private accepted = 0;
  private started = false;
  /** Batch ids in order of their records; `done` holds the ones encoded and not yet emitted. */
  private readonly order: number[] = [];
  /** Bytes of records of each batch in `order`, and their sum. */
  private readonly orderBytes: number[] = [];
  private pendingBytes = 0;
  private readonly done = new Map<number, Encoded>();
  /** Batch buffers workers handed back, for the next batches. */
  private readonly spare: ArrayBuffer[] = [];
  /** Workers' output buffers whose chunks are written out, to hand back with the next request. */
  private spareOutputs: ArrayBuffer[] = [];
  /** How batches are encoded now; only an adaptive encoder goes 'inline' once workers are ready. */
  private mode: EncodeMode = 'workers';
  /** CPU microseconds (every thread of the process) per byte of records each mode spent, averaged over its windows (NaN: not measured yet). */
  private readonly cpuPerByte: Record<EncodeMode, number> = { workers: NaN, inline: NaN };
  /** Batches sent in the current window, when it started (performance.now(), process.cpuUsage()), and bytes since. */
  private windowBatches = 0;
  private windowStart = 0;
  private windowCpu: NodeJS.CpuUsage = { user: 0, system: 0 };
  private windowBytes = 0;
  /** Windows since the mode not chosen was last measured. */
  private kept = 0;
  /** The cores the process got in the last window encoded with the workers. */
  private workersCores = 0;
  /** True once a worker was ready for a request: from then on an adaptive encoder times its windows. */
  private measuring = false;

  /**
   * @param workers how many encoding workers to use besides the writer's thread (at least 1).
   * @param emit takes each chunk in the order of the records; may throw (the writer's file failed).
   * @param how `adaptive`: measure both ways and keep the faster (auto parallelism), else use the
   *   workers whenever one has room (max_parallelism given); `groupSize`: records per group, which
   *   predicts how large a group grows.
   */
  constructor(
    private readonly encoding: ChunkEncoding,
    private readonly workers: number,
    private readonly emit: (chunk: EncodedChunkData) => void,
    how: { readonly adaptive?: boolean; readonly groupSize?: number } = {},
  ) {
    this.adaptive = how.adaptive ?? false;
    this.groupSize = how.groupSize ?? 1;
    this.bytes = new Uint8Array(2 * PARALLEL_ENCODING.batchBytes);
  }

  /**
   * Copies a record into the group being filled.
   * @throws InvalidArgumentError when the batch outgrows what memory or one buffer holds.
   */
  add(record: Uint8Array): void {
    if (this.used + record.length > this.bytes.length) this.growBytes(record.length);
    this.bytes.set(record, this.used);
    this.used += record.length;
    if (this.records === this.recordEnds.length) this.recordEnds = grown(this.recordEnds);
    this.recordEnds[this.records++] = this.used;
    this.groupRecords++;
  }

  /** Ends the group being filled (it becomes one chunk); sends the batch once it is large enough. */
  endGroup(): void {
    if (this.groupRecords === 0) return;
    if (this.groups === this.groupCounts.length) this.groupCounts = grown(this.groupCounts);
    this.groupCounts[this.groups++] = this.groupRecords;
    this.groupRecords = 0;
    if (this.used >= PARALLEL_ENCODING.batchBytes || this.groups >= PARALLEL_ENCODING.batchGroups) this.sendBatch();
  }

  /**
   * Ends the last group, encodes what is left and emits every chunk, in order.
   * @throws the first error of encoding or of emit.
   */
  finish(): void {
    this.endGroup();
    if (this.groups > 0) this.sendBatch();
    this.drain(0);
    // The largest batch buffer left (never one a worker holds) serves the next writer.
    for (const buffer of [this.bytes.buffer, ...this.spare]) releaseGroupBuffer(buffer);
    this.spare.length = 0;
    this.bytes = new Uint8Array(0);
    this.resetBatch();
  }

  /** Emits the batches done, waiting for the workers, until `keep` batches or fewer are left. */
  private drain(keep: number): void {
    for (;;) {
      this.emitDone();
      if (this.order.length <= keep) return;
      waitForReplies();
    }
  }

  private sendBatch(): void {
    const id = newRequestId();
    this.order.push(id);
    this.orderBytes.push(this.used);
    this.pendingBytes += this.used;
    this.accepted += this.used;
    if (!this.started && this.accepted >= PARALLEL_ENCODING.thresholdBytes) {
      this.started = true;
      startEncodeWorkers(this.workers);
    }
    deliverReplies();
    this.emitDone();
    if (this.started && this.adaptive) this.measure();
    if (this.started && this.mode === 'workers') {
      for (;;) {
        const request = {
          id,
          encoding: this.encoding,
          bytes: this.bytes.buffer as ArrayBuffer,
          recordEnds: this.recordEnds.slice(0, this.records),
          groupCounts: this.groupCounts.slice(0, this.groups),
          spareOutputs: this.spareOutputs,
        };
        const sent = trySubmit(request, this.workers, (reply) => this.done.set(reply.id, this.chunksOf(reply)));
        // Windows are timed once the workers are ready: loading them is no steady state.
        if (sent !== 'loading') this.measuring = true;
        if (sent === 'sent') {
          this.spareOutputs = [];
          encodeCounts.onWorkers++;
          this.nextBatch();
          return;
        }
        // All full or still loading: this thread encodes the batch, unless too many are pending.
        const room = this.order.length <= MAX_PENDING_PER_THREAD * (this.workers + 1) && this.pendingBytes <= MAX_PENDING_BYTES;
        if (sent === 'loading' || room) break;
        waitForReplies();
        this.emitDone();
      }
    }
    encodeCounts.inline++;
    let encoded: Encoded;
    try {
      encoded = encodeBatch(this.bytes.buffer as ArrayBuffer, this.recordEnds.subarray(0, this.records), this.groupCounts.subarray(0, this.groups), this.encoding);
    } catch (error) {
      encoded = error as Error;
    }
    this.done.set(id, encoded);
    // The chunks are views of new buffers (never of the batch's bytes), which are reused.
    this.resetBatch();
    this.emitDone();
  }

  /**
   * Called as each batch is sent, with the batch's bytes in `used`: times the window of batches and,
   * at its end, chooses the mode of the next window (see the top of this file).
   */
  private measure(): void {
    if (!this.measuring) return;
    if (this.windowBatches++ === 0) {
      // The clock starts as this batch is sent: the bytes of the next batches are the window's.
      this.windowStart = performance.now();
      this.windowCpu = process.cpuUsage();
      this.windowBytes = 0;
      return;
    }
    this.windowBytes += this.used;
    if (this.windowBatches <= PARALLEL_ENCODING.windowBatches || this.windowBytes < PARALLEL_ENCODING.windowBytes) return;
    // The batches the workers still hold are this window's work: the window ends once they are written
    // (all but the batch being sent). Timing only what was handed over would credit the workers with
    // a backlog the next window pays for.
    if (this.mode === 'workers') this.drain(1);
    const wall = (performance.now() - this.windowStart) * 1000;
    const { user, system } = process.cpuUsage(this.windowCpu);
    const cpu = user + system;
    const measured = this.cpuPerByte[this.mode];
    this.cpuPerByte[this.mode] = Number.isNaN(measured) ? cpu / this.windowBytes : (measured + cpu / this.windowBytes) / 2;
    this.windowBatches = 0;
    const next = this.nextMode(cpu / wall);
    if (next !== this.mode) {
      this.mode = next;
      this.kept = 0;
      encodeCounts.switches++;
    }
  }

  /**
   * The mode of the next window, given the cores the process got in this one (CPU time over wall time,
   * every thread). Wall time is too noisy to compare from window to window on a shared machine (the
   * same mode measured 3-15 ns per byte in windows a second apart), CPU time per byte is steady and
   * the share of CPU the process gets is what varies. Where the threads got `cores`, one thread alone
   * would get min(1, cores) (Linux gives each session, or cgroup, its share however many threads it
   * runs); where one thread alone got less than a core, more threads would get no more.
   */
  private nextMode(cores: number): EncodeMode {
    const other: EncodeMode = this.mode === 'workers' ? 'inline' : 'workers';
    if (this.mode === 'workers') this.workersCores = cores;
    // The other mode not measured yet, or not for a while: measure it.
    if (Number.isNaN(this.cpuPerByte[other]) || ++this.kept > PARALLEL_ENCODING.keepWindows) {
      this.kept = 0;
      return other;
    }
    // The share of CPU the process can have: what it got with the workers, or alone when that was less
    // than a core; alone on a whole core, what it got with the workers last.
    const share = Math.max(this.mode === 'inline' && cores >= FULL_CORE ? this.workersCores : cores, 1e-3);
    const workersTime = this.cpuPerByte.workers / Math.min(this.workers + 1, share);
    const inlineTime = this.cpuPerByte.inline / Math.min(1, share);
    return workersTime < inlineTime ? 'workers' : 'inline';
  }

  /** Emits the chunks of the batches that are done, in order, up to the first one not done. */
  private emitDone(): void {
    while (this.order.length > 0 && this.done.has(this.order[0]!)) {
      const id = this.order.shift()!;
      this.pendingBytes -= this.orderBytes.shift()!;
      const encoded = this.done.get(id)!;
      this.done.delete(id);
      if (encoded instanceof Error) throw encoded;
      for (const chunk of encoded) this.emit(chunk);
      // The chunks are in the file's buffer now: a worker's output buffer can be reused.
      const output = encoded[0]?.data.buffer;
      if (output instanceof ArrayBuffer && encoded[0]!.header !== undefined && this.spareOutputs.length < 4) this.spareOutputs.push(output);
    }
  }

  private chunksOf(reply: EncodeReply): Encoded {
    if (reply.bytes.byteLength >= PARALLEL_ENCODING.batchBytes) this.spare.push(reply.bytes);
    const error = replyError(reply);
    if (error !== undefined) return error;
    const fields = reply.chunks!;
    const chunks: EncodedChunkData[] = [];
    let at = 0;
    for (let c = 0; c < fields.length; c += CHUNK_FIELDS) {
      const dataLength = fields[c]!;
      chunks.push({
        header: new Uint8Array(reply.encoded!, at, CHUNK_HEADER_SIZE),
        data: new Uint8Array(reply.encoded!, at + CHUNK_HEADER_SIZE, dataLength),
        numRecords: fields[c + 1]!,
        decodedDataSize: fields[c + 2]!,
        chunkType: fields[c + 3]!,
      });
      at += CHUNK_HEADER_SIZE + dataLength;
    }
    return chunks;
  }

  /** After the batch's bytes went to a worker: a spare buffer (or a new one) for the next batch. */
  private nextBatch(): void {
    const capacity = this.bytes.length;
    let buffer: ArrayBuffer | undefined;
    while (buffer === undefined && this.spare.length > 0) {
      const candidate = this.spare.pop()!;
      if (candidate.byteLength >= capacity) buffer = candidate;
    }
    this.bytes = new Uint8Array(buffer ?? new ArrayBuffer(capacity));
    this.resetBatch();
  }

  private resetBatch(): void {
    this.used = 0;
    this.records = 0;
    this.groups = 0;
  }

  private growBytes(length: number): void {
    const groupStart = this.records === this.groupRecords ? 0 : this.recordEnds[this.records - this.groupRecords - 1]!;
    const capacity = grownCapacity(this.bytes.length, this.used + length, this.used - groupStart, this.groupRecords, this.groupSize);
    this.bytes = grownBuffer(this.bytes, this.used, capacity);
  }
}

function grown(array: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const bigger = new Float64Array(2 * array.length);
  bigger.set(array);
  return bigger;
}
