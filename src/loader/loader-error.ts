// The error a loader iteration throws when a read or a transform fails: which element(s), which step,
// and the original error as `cause`.

import { ArrayRecordError } from '../format/errors.js';

/** Where in the loader's order a failure happened. */
export interface LoaderErrorDetails {
  /** `read`: reading records failed; `transform`: a map or filter step threw. */
  readonly stage: 'read' | 'transform';
  /** The epoch of the failing element(s). */
  readonly epoch: number;
  /** Position in the epoch of the failing element (transform) or of the first element of the failed read. */
  readonly offset: number;
  /** Elements concerned: 1 for a transform, the block's size for a read. */
  readonly count: number;
  /** Transform only: the element's source (component) and record key. */
  readonly source?: number | undefined;
  /** Transform only: the element's record key in its source. */
  readonly key?: number | undefined;
  /** Transform only: the step of the transform list that threw, and its name. */
  readonly step?: number | undefined;
  /** Transform only: the name of the step that threw. */
  readonly stepName?: string | undefined;
}

/**
 * A read or a transform failed while the loader was producing an element; thrown from the consumer's
 * `for await`. The message names the epoch and position (and for a transform the record key and step);
 * `cause` is the original error (for reads, a typed error naming the file: IoError, CorruptFileError, ...).
 * The iteration ends; the loader's state is still that of the last element received.
 * @example
 * try { for await (const batch of loader) train(batch); }
 * catch (error) { if (error instanceof LoaderError && error.stage === 'read') console.error(error.cause); }
 */
export class LoaderError extends ArrayRecordError implements LoaderErrorDetails {
  /** The `code` of every error of this class; `instanceof` matches on it. */
  static readonly CODE = 'ERR_LOADER';
  /** `read`: reading records failed; `transform`: a map or filter step threw. */
  readonly stage: 'read' | 'transform';
  /** The epoch of the failing element(s). */
  readonly epoch: number;
  /** For a loader error, the position in the epoch (not a byte offset as on format errors). */
  override readonly offset: number;
  /** Elements concerned: 1 for a transform, the block's size for a read. */
  readonly count: number;
  /** Transform only: the element's source (the component's place in a mix, else 0). */
  readonly source: number | undefined;
  /** Transform only: the element's record key in its source. */
  readonly key: number | undefined;
  /** Transform only: the index in the transform list of the step that threw. */
  readonly step: number | undefined;
  /** Transform only: the name of the step that threw. */
  readonly stepName: string | undefined;

  constructor(details: LoaderErrorDetails, cause: unknown) {
    super('ERR_LOADER', `${describeFailure(details)}: ${cause instanceof Error ? cause.message : String(cause)}`, {}, { cause });
    this.stage = details.stage;
    this.epoch = details.epoch;
    this.offset = details.offset;
    this.count = details.count;
    this.source = details.source;
    this.key = details.key;
    this.step = details.step;
    this.stepName = details.stepName;
  }
}

function describeFailure(details: LoaderErrorDetails): string {
  const last = details.offset + details.count - 1;
  if (details.stage === 'read') return `reading elements ${details.offset}..${last} of epoch ${details.epoch} failed`;
  if (details.key === undefined) return `transforming elements ${details.offset}..${last} of epoch ${details.epoch} failed`;
  const step = `transform step ${details.step}${details.stepName ? ` (${details.stepName})` : ''}`;
  return `${step} failed on element ${details.offset} of epoch ${details.epoch} (source ${details.source}, record key ${details.key})`;
}
