// Typed errors shared by every layer: each carries a stable `code` and the place (file, offset, index) it concerns.

const BRAND = Symbol.for('array-record.error');

/** Where an error happened: any of a file path, a byte offset, a record index. */
export interface ErrorLocation {
  /** The file concerned. */
  readonly path?: string | undefined;
  /** The byte offset in the file. */
  readonly offset?: number | undefined;
  /** The record index (or position in a batch). */
  readonly index?: number | undefined;
}

/** Stable machine-readable error codes; the message says the details. */
export type ArrayRecordErrorCode =
  | 'ERR_INVALID_OPTIONS'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_OUT_OF_RANGE'
  | 'ERR_CORRUPT_FILE'
  | 'ERR_NOT_ARRAY_RECORD'
  | 'ERR_UNSUPPORTED'
  | 'ERR_CLOSED'
  | 'ERR_IO'
  | 'ERR_FILE_CHANGED'
  | 'ERR_STATE_MISMATCH'
  | 'ERR_PARSE'
  | 'ERR_WORKER_EXITED'
  | 'ERR_LOADER';

function describeLocation(location: ErrorLocation): string {
  const parts: string[] = [];
  if (location.path !== undefined) parts.push(location.path);
  if (location.offset !== undefined) parts.push(`offset ${location.offset}`);
  if (location.index !== undefined) parts.push(`index ${location.index}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/**
 * Gives `error` the fields of `location` it has none of, its message unchanged: for an error whose
 * message already names its place in words (a chunk's Place), so that a program can read the file and
 * offset from `path` and `offset` too.
 * @example throw withLocation(new CorruptFileError('chunk at 64 of a.array_record: ...'), { path: 'a.array_record', offset: 64 });
 */
export function withLocation<E extends ArrayRecordError>(error: E, location: ErrorLocation): E {
  const fields = error as { path: string | undefined; offset: number | undefined; index: number | undefined };
  fields.path ??= location.path;
  fields.offset ??= location.offset;
  fields.index ??= location.index;
  return error;
}

/**
 * Base class of every error this package throws. `instanceof` works across two
 * copies of the package because it checks a global symbol brand, not the class identity.
 */
export class ArrayRecordError extends Error {
  /** Stable machine-readable code, such as `ERR_CORRUPT_FILE`. */
  readonly code: ArrayRecordErrorCode;
  /** The file the error concerns, when there is one. */
  readonly path: string | undefined;
  /** The byte offset in the file the error concerns, when known. */
  readonly offset: number | undefined;
  /** The record index (or position in a batch) the error concerns, when there is one. */
  readonly index: number | undefined;

  constructor(code: ArrayRecordErrorCode, message: string, location: ErrorLocation = {}, options?: ErrorOptions) {
    super(message + describeLocation(location), options);
    this.code = code;
    this.path = location.path;
    this.offset = location.offset;
    this.index = location.index;
    Object.defineProperty(this, BRAND, { value: code });
  }

  /** The class name (`CorruptFileError`, ...), as stack traces print it. */
  override get name(): string {
    return this.constructor.name;
  }

  /**
   * `instanceof` checks the brand and code, so it also recognises errors thrown by another copy
   * of this package. The base class matches every branded error.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const code = (value as Record<symbol, unknown>)[BRAND];
    if (code === undefined) return false;
    return this === ArrayRecordError || code === (this as unknown as { readonly CODE?: string }).CODE;
  }
}

/** An options string or options object that does not parse: unknown key, bad value, conflicting choices. */
export class InvalidOptionsError extends ArrayRecordError {
  /** The `code` of every error of this class; `instanceof` matches on it. */
  static readonly CODE = 'ERR_INVALID_OPTIONS';
  constructor(message: string, location: ErrorLocation = {}) {
    super('ERR_INVALID_OPTIONS', message, location);
  }
}

/** An argument of the wrong kind (not an integer, not bytes, ...). */
export class InvalidArgumentError extends ArrayRecordError {
  /** The `code` of every error of this class; `instanceof` matches on it. */
  static readonly CODE = 'ERR_INVALID_ARGUMENT';
  constructor(message: string, location: ErrorLocation = {}) {
    super('ERR_INVALID_ARGUMENT', message, location);
  }
}

/** A record index, seek target or range outside what the file or source holds. */
export class OutOfRangeError extends ArrayRecordError {
  /** The `code` of every error of this class; `instanceof` matches on it. */
  static readonly CODE = 'ERR_OUT_OF_RANGE';
  constructor(message: string, location: ErrorLocation = {}) {
    super('ERR_OUT_OF_RANGE', message, location);
  }
}

/** Bytes that contradict the format: hash mismatch, impossible size, truncated data. */
export class CorruptFileError extends ArrayRecordError {
  /** The `code` of every error of this class; `instanceof` matches on it. */
  static readonly CODE = 'ERR_CORRUPT_FILE';
  constructor(message: string, location: ErrorLocation = {}, options?: ErrorOptions) {
    super('ERR_CORRUPT_FILE', message, location, options);
  }
}

/** A file that is readable but is not an ArrayRecord file (no postscript, wrong magic, too short). */
export class NotArrayRecordError extends ArrayRecordError {
  /** The `code` of every error of this class; `instanceof` matches on it. */
  static readonly CODE = 'ERR_NOT_ARRAY_RECORD';
  constructor(message: string, location: ErrorLocation = {}) {
    super('ERR_NOT_ARRAY_RECORD', message, location);
  }
}

/** A valid feature of the format that this implementation does not handle. */
export class UnsupportedError extends ArrayRecordError {
  /** The `code` of every error of this class; `instanceof` matches on it. */
  static readonly CODE = 'ERR_UNSUPPORTED';
  constructor(message: string, location: ErrorLocation = {}, options?: ErrorOptions) {
    super('ERR_UNSUPPORTED', message, location, options);
  }
}

/** A reader, writer, data source or loader used after `close()`. */
export class ClosedError extends ArrayRecordError {
  /** The `code` of every error of this class; `instanceof` matches on it. */
  static readonly CODE = 'ERR_CLOSED';
  constructor(what: string, location: ErrorLocation = {}) {
    super('ERR_CLOSED', `${what} is closed`, location);
  }
}

/** An operating-system I/O failure (missing file, permission, short read), with the cause attached. */
export class IoError extends ArrayRecordError {
  /** The `code` of every error of this class; `instanceof` matches on it. */
  static readonly CODE = 'ERR_IO';
  constructor(message: string, location: ErrorLocation = {}, cause?: unknown) {
    super('ERR_IO', message, location, cause === undefined ? undefined : { cause });
  }
}

/**
 * A file that changed while it was being read: a remote object whose ETag (or GCS generation) differs
 * from the one seen when the reader opened it. Records of the old and the new file are never mixed:
 * open the file again to read the new one.
 */
export class FileChangedError extends ArrayRecordError {
  /** The `code` of every error of this class; `instanceof` matches on it. */
  static readonly CODE = 'ERR_FILE_CHANGED';
  constructor(message: string, location: ErrorLocation = {}, cause?: unknown) {
    super('ERR_FILE_CHANGED', message, location, cause === undefined ? undefined : { cause });
  }
}

/** A saved state restored into a sampler, loader or source it was not written for. */
export class StateMismatchError extends ArrayRecordError {
  /** The `code` of every error of this class; `instanceof` matches on it. */
  static readonly CODE = 'ERR_STATE_MISMATCH';
  constructor(message: string, location: ErrorLocation = {}) {
    super('ERR_STATE_MISMATCH', message, location);
  }
}

/** A record that does not parse as what was asked (a tf.Example against a feature spec, a proto). */
export class ParseError extends ArrayRecordError {
  /** The `code` of every error of this class; `instanceof` matches on it. */
  static readonly CODE = 'ERR_PARSE';
  constructor(message: string, location: ErrorLocation = {}) {
    super('ERR_PARSE', message, location);
  }
}

/**
 * A worker thread this package started (to read, to encode chunks, to run a loader's transforms)
 * stopped before it answered: it ran out of memory, exited, or failed outside any request. The work it
 * held fails with this error, whose `cause` is the worker's own error when it gave one; later work goes
 * to a new worker.
 */
export class WorkerExitedError extends ArrayRecordError {
  /** The `code` of every error of this class; `instanceof` matches on it. */
  static readonly CODE = 'ERR_WORKER_EXITED';
  constructor(message: string, cause?: unknown) {
    super('ERR_WORKER_EXITED', message, {}, cause === undefined ? undefined : { cause });
  }
}

/** An error as plain data, to cross a worker-thread boundary. */
export interface SerializedError {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
  readonly path: string | undefined;
  readonly offset: number | undefined;
  readonly index: number | undefined;
}

/** Turns any thrown value into plain data that `deserializeError` can rebuild. */
export function serializeError(error: unknown): SerializedError {
  const err = error instanceof Error ? error : new Error(String(error));
  const typed = error instanceof ArrayRecordError ? error : undefined;
  return {
    name: err.name,
    code: typed?.code,
    message: typed === undefined ? err.message : stripLocation(err.message, typed),
    path: typed?.path,
    offset: typed?.offset,
    index: typed?.index,
  };
}

function stripLocation(message: string, error: ArrayRecordError): string {
  const suffix = describeLocation(error);
  return suffix !== '' && message.endsWith(suffix) ? message.slice(0, -suffix.length) : message;
}

const ERROR_CLASSES: Readonly<Record<string, new (message: string, location: ErrorLocation) => ArrayRecordError>> = {
  ERR_INVALID_OPTIONS: InvalidOptionsError,
  ERR_INVALID_ARGUMENT: InvalidArgumentError,
  ERR_OUT_OF_RANGE: OutOfRangeError,
  ERR_CORRUPT_FILE: CorruptFileError,
  ERR_NOT_ARRAY_RECORD: NotArrayRecordError,
  ERR_UNSUPPORTED: UnsupportedError,
  ERR_IO: IoError,
  ERR_FILE_CHANGED: FileChangedError,
  ERR_STATE_MISMATCH: StateMismatchError,
  ERR_PARSE: ParseError,
};

/** Rebuilds an error serialised in another thread, with its original class where it had one of ours. */
export function deserializeError(data: SerializedError): Error {
  const location = { path: data.path, offset: data.offset, index: data.index };
  if (data.code === 'ERR_CLOSED') return new ClosedError(data.message.replace(/ is closed$/, ''), location);
  if (data.code === 'ERR_WORKER_EXITED') return new WorkerExitedError(data.message);
  const ErrorClass = data.code === undefined ? undefined : ERROR_CLASSES[data.code];
  if (ErrorClass !== undefined) return new ErrorClass(data.message, location);
  const error = new Error(data.message);
  error.name = data.name;
  return error;
}
