// Messages between a writer and the chunk encoding workers (encode-pool, encode-worker).

import type { MessagePort } from 'node:worker_threads';
import type { SerializedError } from '../errors.js';
import type { ChunkEncoding } from '../riegeli/chunk-codec.js';

/**
 * Encode these groups of records, each into one chunk. Records are consecutive in `bytes`: record `r`
 * is [recordEnds[r - 1] (0 for r = 0), recordEnds[r]); group `g` holds the next `groupCounts[g]` records.
 */
export interface EncodeRequest {
  readonly id: number;
  readonly encoding: ChunkEncoding;
  /** Transferred to the worker, and back with the reply for the next batch. */
  readonly bytes: ArrayBuffer;
  readonly recordEnds: Float64Array<ArrayBuffer>;
  readonly groupCounts: Float64Array<ArrayBuffer>;
  /** `encoded` buffers of earlier replies, written out and handed back for the worker to reuse. */
  readonly spareOutputs: ArrayBuffer[];
}

/** Values per chunk in EncodeReply.chunks: data length, record count, decoded size, chunk type. */
export const CHUNK_FIELDS = 4;

/**
 * The chunks of a request, in order: chunk `c` is its 40-byte header (hashes computed) followed by its
 * data, consecutive in `encoded`, with its fields at chunks[CHUNK_FIELDS * c ...].
 */
export interface EncodeReply {
  readonly id: number;
  readonly encoded?: ArrayBuffer;
  readonly chunks?: Float64Array<ArrayBuffer>;
  /** The request's `bytes`, handed back for reuse. */
  readonly bytes: ArrayBuffer;
  readonly error?: SerializedError;
}

/** Int32 slots of the state a worker shares with the writers' thread. */
export const enum WorkerState {
  /** 1 once the worker has loaded its modules and listens. */
  ready = 0,
  /** 1 once the worker thread is exiting: it answers nothing more. */
  exited = 1,
}
export const WORKER_STATE_SLOTS = 2;

/**
 * What a worker gets at start: its port, its state, and the pool's signal, an Int32 that every worker
 * increments and notifies after each reply it posts (and when its state changes).
 */
export interface EncodeWorkerData {
  readonly port: MessagePort;
  readonly state: Int32Array;
  readonly signal: Int32Array;
}
