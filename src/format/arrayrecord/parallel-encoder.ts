// Parallel chunk encoding for a writer with max_parallelism P > 1: records are copied into batches of
// groups; a batch is encoded on one of P - 1 workers or, when those are all full (or still loading),
// by the writer's thread itself, so that P threads encode at most; chunks are written in the order
// of the records, whatever order the batches finish in. The batches not yet written are bounded, so
// memory is. A small file never waits for a worker to start: the writer encodes alone until then.

import type { ChunkEncoding } from '../riegeli/chunk-codec.js';
import { CHUNK_HEADER_SIZE } from '../riegeli/constants.js';
import type { EncodedChunkData } from '../riegeli/decoded-chunk.js';
import { encodeBatch } from './encode-batch.js';
import { deliverReplies, newRequestId, replyError, startEncodeWorkers, trySubmit, waitForReplies } from './encode-pool.js';
import { CHUNK_FIELDS, type EncodeReply } from './encode-protocol.js';

/** Tunables of parallel encoding (tests lower the threshold to use the workers on small files). */
export const PARALLEL_ENCODING = {
  /** A writer starts the workers once it has accepted this many bytes of records: below, encoding inline is cheaper. */
  thresholdBytes: 1 << 20,
  /** A batch is sent at the first group end past this many bytes of records. */
  batchBytes: 256 << 10,
  /** ... or past this many groups, so that replies of tiny records stay small. */
  batchGroups: 4096,
};

/** Batches encoded on workers and by the writer itself, since the process started (tests check which ran). */
export const encodeCounts = { onWorkers: 0, inline: 0 };

/** Batches encoded and not yet written, or in flight, per encoding thread: beyond, the writer waits. */
const MAX_PENDING_PER_THREAD = 3;
/** ... and bytes of records in them (a batch holds at least one group, however large): beyond, it waits too. */
const MAX_PENDING_BYTES = 64 << 20;

/** A batch's chunks once encoded, or the error that encoding it raised. */
type Encoded = EncodedChunkData[] | Error;

export class ParallelChunkEncoder {
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

  /**
   * @param workers how many encoding workers to use besides the writer's thread (at least 1).
   * @param emit takes each chunk in the order of the records; may throw (the writer's file failed).
   */
  constructor(
    private readonly encoding: ChunkEncoding,
    private readonly workers: number,
    private readonly emit: (chunk: EncodedChunkData) => void,
  ) {
    this.bytes = new Uint8Array(2 * PARALLEL_ENCODING.batchBytes);
  }

  /** Copies a record into the group being filled. */
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
    while (this.order.length > 0) {
      this.emitDone();
      if (this.order.length > 0) waitForReplies();
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
    if (this.started) {
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
    const bigger = new Uint8Array(Math.max(2 * this.bytes.length, this.used + length));
    bigger.set(this.bytes.subarray(0, this.used));
    this.bytes = bigger;
  }
}

function grown(array: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const bigger = new Float64Array(2 * array.length);
  bigger.set(array);
  return bigger;
}
