// ParseErrors worded as TensorFlow's example parser words them, carrying the record index (and byte offset).

import { InvalidArgumentError, ParseError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';
import { kindName } from './feature-cursor.js';
import { describeShape } from './feature-spec.js';
import { DecodeFailure } from './wire.js';

/** Names records in messages: the caller's names, else TensorFlow's `<unknown>`. */
export class RecordNames {
  constructor(private readonly names: readonly string[] | undefined) {}

  /** The name of record `index`. */
  of(index: number): string {
    return this.names?.[index] ?? '<unknown>';
  }
}

/** `Name: n, Key: k, Index: i.  <detail>` — a problem with one feature of one record. */
export function featureError(names: RecordNames, key: string, index: number, detail: string, offset?: number): ParseError {
  return new ParseError(`Name: ${names.of(index)}, Key: ${key}, Index: ${index}.  ${detail}`, { index, offset });
}

/** A required fixed-length feature that the record lacks. */
export function missingFeatureError(names: RecordNames, key: string, kind: number, index: number): ParseError {
  return new ParseError(
    `Name: ${names.of(index)}, Feature: ${key} (data type: ${kindName(kind)}) is required but could not be found.`,
    { index },
  );
}

/** A fixed-length feature holding another list kind than the spec's dtype. */
export function fixedTypeError(names: RecordNames, key: string, index: number, found: number, expected: number): ParseError {
  return featureError(
    names,
    key,
    index,
    `Data types don't match. Data type: ${kindName(found)} but expected type: ${kindName(expected)}`,
  );
}

/** A variable-length feature holding another list kind than the spec's dtype. */
export function varLenTypeError(names: RecordNames, key: string, index: number, found: number, expected: number): ParseError {
  return featureError(
    names,
    key,
    index,
    `Data types don't match. Expected type: ${kindName(expected)}, Actual type: ${kindName(found)}`,
  );
}

/** A fixed-length feature with the wrong number of values. */
export function countError(
  names: RecordNames,
  key: string,
  index: number,
  kind: number,
  found: number,
  shape: readonly number[],
): ParseError {
  const typeName = kind === 1 ? 'bytes' : kindName(kind);
  return featureError(
    names,
    key,
    index,
    `Number of ${typeName} values != expected.  Values size: ${found} but output shape: ${describeShape(shape)}`,
  );
}

/** A fixedLenSequence feature whose value count is not a whole number of rows. */
export function strideError(
  names: RecordNames,
  key: string,
  index: number,
  kind: number,
  found: number,
  shape: readonly number[],
): ParseError {
  const typeName = kind === 1 ? 'bytes' : kindName(kind);
  return featureError(
    names,
    key,
    index,
    `Number of ${typeName} values is not a multiple of stride length. Saw ${found} values but output shape is: ${describeShape(['?', ...shape])}`,
  );
}

/** Rewraps a DecodeFailure met while decoding feature `key` of record `index`. */
export function decodeError(names: RecordNames, key: string, index: number, failure: DecodeFailure): ParseError {
  const detail = failure.malformed ? `Can't parse serialized Example: ${failure.reason}` : failure.reason;
  return featureError(names, key, index, detail, failure.offset);
}

/** Rewraps a DecodeFailure met while walking the record's messages and maps. */
export function recordError(names: RecordNames, index: number, what: string, failure: DecodeFailure): ParseError {
  return new ParseError(`Name: ${names.of(index)}, Index: ${index}.  Could not parse ${what} input: ${failure.reason}`, {
    index,
    offset: failure.offset,
  });
}

/** Converts a DecodeFailure with `convert`; anything else is rethrown unchanged. */
export function rethrowDecodeFailure(error: unknown, convert: (failure: DecodeFailure) => ParseError): never {
  if (error instanceof DecodeFailure) throw convert(error);
  throw error;
}

/** `Name: n, Feature list: k, Index: step.  <detail>` — a problem with one step of a feature list. */
export function featureListError(names: RecordNames, key: string, index: number, step: number, detail: string): ParseError {
  return new ParseError(`Name: ${names.of(index)}, Feature list: ${key}, Index: ${step}.  ${detail}`, { index });
}

/** A required feature list that the record lacks. */
export function missingFeatureListError(names: RecordNames, key: string, index: number): ParseError {
  return new ParseError(
    `Name: ${names.of(index)}, Feature list '${key}' is required but could not be found.  ` +
      'Give it allowMissing: true to read a missing list as empty.',
    { index },
  );
}

/** A step of a fixedLenSequence feature list with the wrong number of values. */
export function stepCountError(
  names: RecordNames,
  key: string,
  index: number,
  step: number,
  found: number,
  shape: readonly number[],
): ParseError {
  return new ParseError(
    `Name: ${names.of(index)}, Key: ${key}, Index: ${step}.  Number of values != expected.  ` +
      `values size: ${found} but output shape: ${describeShape(shape)}`,
    { index },
  );
}

/**
 * @throws InvalidArgumentError unless `records` is an array (of serialized records): one record given
 *   alone is a Uint8Array, whose bytes would each be taken for a record.
 */
export function checkRecordArray(records: unknown, parser: string): void {
  if (!Array.isArray(records)) {
    const single = records instanceof Uint8Array ? '; to parse one record, use parse(record)' : '';
    throw new InvalidArgumentError(`${parser}.parseBatch(records) takes an array of serialized records, got ${describeFound(records)}${single}`);
  }
}
