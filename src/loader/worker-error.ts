// Errors crossing the transform-worker boundary: what a worker sends back for an error a transform threw,
// and its rebuilding on the main thread with the same class (JavaScript's built-in classes and this
// package's typed errors), message, stack, cause and copyable own properties. A user-defined class does
// not exist in the other thread: it comes back as the nearest built-in class it extends, keeping its name.

import { deserializeError, serializeError } from '../format/errors.js';
import { LoaderError, type LoaderErrorDetails } from './loader-error.js';
import type { BuiltinErrorName, WorkerError } from './transform-protocol.js';

/** The built-in error classes that can be rebuilt by name in any thread (AggregateError takes its errors too). */
const BUILTINS: Readonly<Record<Exclude<BuiltinErrorName, 'AggregateError'>, ErrorConstructor>> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};
const BUILTIN_BY_PROTOTYPE = new Map<object, BuiltinErrorName>([
  ...Object.entries(BUILTINS).map(([name, constructor]) => [constructor.prototype, name as BuiltinErrorName] as const),
  [AggregateError.prototype, 'AggregateError'],
]);
/** Nesting of causes and aggregated errors sent along; deeper ones (or a cycle) are cut off. */
const MAX_DEPTH = 8;

/** The nearest built-in class on the prototype chain of `error` (Error for anything else). */
function builtinOf(error: Error): BuiltinErrorName {
  for (let proto = Object.getPrototypeOf(error) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    const name = BUILTIN_BY_PROTOTYPE.get(proto);
    if (name !== undefined) return name;
  }
  return 'Error';
}

/** True when `value` survives postMessage (the structured clone algorithm). */
function cloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * What a worker sends back for a thrown value: an Error's class, message, stack, own enumerable
 * properties that can be cloned (functions, for one, cannot), its `cause` and an AggregateError's
 * `errors`. A value that is not an Error is sent as an Error with its text as message.
 */
export function workerError(thrown: unknown, depth = 0): WorkerError {
  try {
    return describeError(thrown, depth);
  } catch (failure) {
    // Describing it threw (a throwing getter or toString): what can be said safely still reaches the loader.
    const message = `${textOf(thrown)} (describing it in the worker failed: ${textOf(failure)})`;
    return { error: { name: 'Error', message, code: undefined, path: undefined, offset: undefined, index: undefined }, message, stack: undefined, builtin: 'Error', properties: {}, cause: undefined, errors: undefined };
  }
}

/** A value as text, whatever its toString does. */
function textOf(value: unknown): string {
  try {
    return value instanceof Error ? `${String(value.name)}: ${String(value.message)}` : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** `value` when it is a string, else its text: a name or message that is a Symbol, say, cannot be posted. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : textOf(value);
}

function describeError(thrown: unknown, depth: number): WorkerError {
  const error = thrown instanceof Error ? thrown : new Error(textOf(thrown));
  const properties: Record<string, unknown> = {};
  const aggregate = error instanceof AggregateError;
  for (const key of Object.keys(error)) {
    if (key === 'cause' || (aggregate && key === 'errors')) continue; // sent below, as errors where they are errors
    const value = (error as unknown as Record<string, unknown>)[key];
    if (cloneable(value)) properties[key] = value;
  }
  const nested = depth < MAX_DEPTH;
  const errors: unknown = aggregate ? (error as AggregateError).errors : undefined;
  const serialized = serializeError(error);
  return {
    error: { ...serialized, name: asText(serialized.name), message: asText(serialized.message) },
    message: asText(error.message),
    stack: error.stack === undefined ? undefined : asText(error.stack),
    builtin: builtinOf(error),
    properties,
    cause: nested && Object.prototype.hasOwnProperty.call(error, 'cause') ? causeOf(error.cause, depth) : undefined,
    errors: nested && Array.isArray(errors) ? errors.map((item: unknown) => workerError(item, depth + 1)) : undefined,
  };
}

/** An error cause as sent: an Error rebuilt as one, another value as it is if it can be cloned, else left out. */
function causeOf(cause: unknown, depth: number): WorkerError['cause'] {
  if (cause instanceof Error) return { error: workerError(cause, depth + 1) };
  return cloneable(cause) ? { value: cause } : undefined;
}

function defineValue(target: object, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable });
}

/**
 * The error a worker sent, rebuilt in this thread: this package's typed errors (LoaderError too) and
 * the built-in classes as themselves; an error of a user-defined class as the nearest built-in class it
 * extends, keeping its name. Message, stack, cause and the copied own properties are set as they were.
 */
export function rebuildError(failure: WorkerError): Error {
  const cause = failure.cause === undefined ? undefined : 'error' in failure.cause ? rebuildError(failure.cause.error) : failure.cause.value;
  let error: Error;
  if (failure.error.code === LoaderError.CODE) {
    // Not among the classes deserializeError knows: its details are its own properties.
    error = new LoaderError(failure.properties as unknown as LoaderErrorDetails, cause);
  } else if (failure.error.code !== undefined) {
    error = deserializeError(failure.error);
  } else if (failure.builtin === 'AggregateError') {
    error = new AggregateError((failure.errors ?? []).map(rebuildError), failure.message);
  } else {
    error = new BUILTINS[failure.builtin](failure.message);
  }
  // A user-defined class's name (a subclass of a built-in or of a typed error) is not the rebuilt class's.
  if (error.name !== failure.error.name) defineValue(error, 'name', failure.error.name, false);
  if (error.message !== failure.message) defineValue(error, 'message', failure.message, false);
  if (failure.stack !== undefined) defineValue(error, 'stack', failure.stack, false);
  if (failure.cause !== undefined) defineValue(error, 'cause', cause, false);
  for (const [key, value] of Object.entries(failure.properties)) defineValue(error, key, value, true);
  return error;
}
