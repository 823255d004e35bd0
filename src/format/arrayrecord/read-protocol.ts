// Messages between the main thread and the read workers.

import type { SerializedError } from '../errors.js';
import type { TransferableRecords } from '../io/record-transfer.js';

/** Read these records of a file (by index, in this order) and send them back packed. */
export interface ReadRequest {
  readonly kind: 'read';
  readonly id: number;
  readonly path: string;
  readonly options: string;
  readonly indices: Float64Array<ArrayBuffer>;
}

/** Read records [from, to) of a file and send them back packed. */
export interface ReadRangeRequest {
  readonly kind: 'range';
  readonly id: number;
  readonly path: string;
  readonly options: string;
  readonly from: number;
  readonly to: number;
}

/** Close any reader the worker keeps open for this file. */
export interface ForgetRequest {
  readonly kind: 'forget';
  readonly path: string;
}

export type WorkerRequest = ReadRequest | ReadRangeRequest | ForgetRequest;

/** The records of a request, their buffers transferred, not copied; or the error that stopped it. */
export interface ReadResponse {
  readonly kind: 'records';
  readonly id: number;
  readonly records?: TransferableRecords;
  readonly error?: SerializedError;
}

/** Sent once, when the worker has loaded its modules: until then it must not be stopped (see WorkerLifetime). */
export interface WorkerLoaded {
  readonly kind: 'loaded';
}

export type ReadWorkerMessage = ReadResponse | WorkerLoaded;
