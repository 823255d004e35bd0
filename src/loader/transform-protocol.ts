// Messages between the loader and its transform workers: setup, a block of records to transform, and
// the kept results (or the failure) sent back.

import type { SerializedError } from '../format/errors.js';
import type { TransferableRecords } from '../format/io/record-transfer.js';
import type { TransformTiming } from './transform-timing.js';

/** Loads the user's transform list in the worker. */
export interface InitRequest {
  readonly kind: 'init';
  /** URL of the module exporting the transforms. */
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly seed: number | undefined;
}

/**
 * One block: its records, whose buffers are transferred, not copied (either the source's own buffers,
 * or one buffer they were packed into).
 */
export interface RunRequest extends TransferableRecords {
  readonly kind: 'run';
  readonly id: number;
  readonly epoch: number;
  readonly sources: Int32Array<ArrayBuffer>;
  readonly keys: Float64Array<ArrayBuffer>;
}

export type TransformRequest = InitRequest | RunRequest;

/** JavaScript's error classes that exist in every thread, so an error of one is rebuilt as one. */
export type BuiltinErrorName = 'Error' | 'TypeError' | 'RangeError' | 'SyntaxError' | 'ReferenceError' | 'EvalError' | 'URIError' | 'AggregateError';

/** An error as a worker sends it back (see worker-error.ts); `SerializedError` alone keeps only our typed errors' class. */
export interface WorkerError {
  /** Name, and for this package's typed errors their code and location. */
  readonly error: SerializedError;
  /** The whole message (`error.message` leaves out a typed error's location). */
  readonly message: string;
  readonly stack: string | undefined;
  /** The error's built-in class, or the nearest one its user-defined class extends. */
  readonly builtin: BuiltinErrorName;
  /** Its own enumerable properties whose values can be cloned. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** Its own `cause`: an error, or another (cloneable) value. */
  readonly cause: { readonly error: WorkerError } | { readonly value: unknown } | undefined;
  /** An AggregateError's `errors`. */
  readonly errors: readonly WorkerError[] | undefined;
}

export type TransformResponse =
  /** The module loaded; `shape` is describeTransforms() of its list. */
  | { readonly kind: 'ready'; readonly shape: string }
  | { readonly kind: 'init-failed'; readonly failure: WorkerError }
  | {
      readonly kind: 'done';
      readonly id: number;
      readonly values: unknown[];
      readonly kept: Int32Array<ArrayBuffer>;
      /** How long the block's transforms took in the worker; absent for an empty list. */
      readonly timing: TransformTiming | undefined;
    }
  | {
      readonly kind: 'failed';
      readonly id: number;
      /** Element of the block and transform step that threw; -1 when the results could not be sent back. */
      readonly element: number;
      readonly step: number;
      readonly stepName: string;
      readonly failure: WorkerError;
      /** The block's kept values before the failing element. */
      readonly values: unknown[];
      readonly kept: Int32Array<ArrayBuffer>;
    };
