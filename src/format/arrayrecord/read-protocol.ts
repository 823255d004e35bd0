// Messages between the main thread and the read workers.

import type { SerializedError } from '../errors.js';
import type { TransferableRecords } from '../io/record-transfer.js';
import type { OpenedLayout } from './footer.js';
import type { SkippedChunk } from './skipped-chunk.js';

/**
 * The file a request reads: opened by path with these reader options, and only if it is still this file.
 * @example const file: RequestedFile = { path, options: 'max_parallelism:1', identity: reader.fileIdentity(), skipDamaged: false };
 */
export interface RequestedFile {
  readonly path: string;
  readonly options: string;
  /** The requesting reader's `fileIdentity()`: a file found at the path with another is not read. */
  readonly identity: string;
  /** Skip damaged chunks (the reader has skip_corrupted_chunks and its read may leave records out). */
  readonly skipDamaged: boolean;
  /** The requesting reader's layout and chunk offsets (shared memory), when it keeps them: the worker need not read the footer. */
  readonly layout?: OpenedLayout | undefined;
}

/** Read these records of a file (by index, in this order) and send them back packed. */
export interface ReadRequest extends RequestedFile {
  readonly kind: 'read';
  readonly id: number;
  readonly indices: Float64Array<ArrayBuffer>;
}

/** Read records [from, to) of a file and send them back packed. */
export interface ReadRangeRequest extends RequestedFile {
  readonly kind: 'range';
  readonly id: number;
  readonly from: number;
  readonly to: number;
}

/**
 * Read records [from, to) of a file for a pass over it (forEachRecordAsync): decoded into `buffers`
 * (those of the requester's earlier parts, handed back) before any fresh memory, and every one of
 * `buffers` sent back with the records, used or not.
 */
export interface PassRequest extends RequestedFile {
  readonly kind: 'pass';
  readonly id: number;
  readonly from: number;
  readonly to: number;
  readonly buffers: ArrayBuffer[];
}

/** Close any reader the worker keeps open for this file. */
export interface ForgetRequest {
  readonly kind: 'forget';
  readonly path: string;
}

export type WorkerRequest = ReadRequest | ReadRangeRequest | PassRequest | ForgetRequest;

/**
 * The records of a request, their buffers transferred, not copied; or the error that stopped it; or
 * `fileChanged` when the path no longer names the file the requesting reader opened. When damaged
 * chunks were skipped, `records` holds only the records read and `missing` the positions (in the
 * request's order) of the others.
 */
export interface ReadResponse {
  readonly kind: 'records';
  readonly id: number;
  readonly records?: TransferableRecords;
  readonly missing?: readonly number[];
  readonly skipped?: readonly SkippedChunk[];
  readonly error?: SerializedError;
  readonly fileChanged?: true;
  /** For a pass request: buffers that hold records, and buffers allocated afresh (too few were sent). */
  readonly passBuffers?: { readonly used: number; readonly fresh: number };
}

/** Sent once, when the worker has loaded its modules: until then it must not be stopped (see WorkerLifetime). */
export interface WorkerLoaded {
  readonly kind: 'loaded';
}

export type ReadWorkerMessage = ReadResponse | WorkerLoaded;
