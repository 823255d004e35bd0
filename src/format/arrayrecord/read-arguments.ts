// The records a batch read asks for, checked against the file: indices in range, ranges resolved.

import { InvalidArgumentError, OutOfRangeError } from '../errors.js';
import { describeFound } from '../options-check.js';
import type { OpenedFile } from './opened-file.js';

/**
 * `indices` themselves once every one names a record of the file.
 * @throws ClosedError after close; InvalidArgumentError when not an array, or for an index that is not
 *   an integer (a string, 1.5, NaN); OutOfRangeError for an integer index outside the file.
 */
export function checkIndices(file: OpenedFile, indices: readonly number[]): readonly number[] {
  file.requireOpen();
  if (!Array.isArray(indices) && !ArrayBuffer.isView(indices)) {
    throw new InvalidArgumentError(`read(indices) takes an array of record indices, got ${typeof indices}`, { path: file.path });
  }
  const numRecords = file.layout.numRecords;
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    if (!Number.isInteger(index)) {
      throw new InvalidArgumentError(`record index at position ${i} of the request must be an integer, got ${describeFound(index)}`, { path: file.path });
    }
    if (index < 0 || index >= numRecords) {
      throw new OutOfRangeError(`record index ${index} (position ${i} of the request) outside [0, ${numRecords})`, {
        path: file.path,
        index,
      });
    }
  }
  return indices;
}

/**
 * [from, to) of `read(start, end)`, negative bounds counting from the end as in Python.
 * @throws ClosedError after close; InvalidArgumentError for non-integers; OutOfRangeError when empty or outside the file.
 */
export function resolveRange(file: OpenedFile, start: number, end: number): [number, number] {
  file.requireOpen();
  const numRecords = file.layout.numRecords;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
    throw new InvalidArgumentError(`read(start, end) takes integers, got ${start}, ${end}`, { path: file.path });
  }
  const from = fromEnd(start, numRecords);
  const to = fromEnd(end, numRecords);
  if (from < 0 || to > numRecords || to <= from) {
    throw new OutOfRangeError(`[${start}, ${end}) is out of range of [0, ${numRecords})`, { path: file.path });
  }
  return [from, to];
}

/**
 * Checks the bounds of a streaming read or pass and fills in the defaults ([0, numRecords)). A negative
 * bound counts from the end, as in `read(start, end)` and Python's slices; an empty range is fine.
 * @param method the reader's method, named in the error.
 * @throws InvalidArgumentError for a bound that is not an integer; OutOfRangeError for a range that
 *   lies outside [0, numRecords] or ends before it starts.
 * @example streamRange(100, undefined, 50); // [0, 50]
 * @example streamRange(100, -10, undefined); // [90, 100]
 */
export function streamRange(numRecords: number, start: number | undefined, end: number | undefined, method = 'records'): [number, number] {
  for (const [name, bound] of [['start', start], ['end', end]] as const) {
    if (bound !== undefined && !Number.isSafeInteger(bound)) throw new InvalidArgumentError(`${method}(start, end): ${name} must be an integer, got ${describeFound(bound)}`);
  }
  const from = start === undefined ? 0 : fromEnd(start, numRecords);
  const to = end === undefined ? numRecords : fromEnd(end, numRecords);
  if (from < 0 || to < from || to > numRecords) {
    throw new OutOfRangeError(`${method}(${String(start)}, ${String(end)}) is [${from}, ${to}), not a range of [0, ${numRecords}]`);
  }
  return [from, to];
}

/** A bound as an index: a negative one counts from the end, as in Python. */
function fromEnd(bound: number, numRecords: number): number {
  return bound < 0 ? numRecords + bound : bound;
}

/** The integers [from, to), ascending: the indices of a range of records, or the chunks of a range. */
export function rangeArray(from: number, to: number): number[] {
  const values = new Array<number>(to - from);
  for (let i = 0; i < values.length; i++) values[i] = from + i;
  return values;
}

/**
 * The function a pass calls with each record.
 * @throws InvalidArgumentError unless `fn` is a function.
 */
export function checkRecordVisitor(file: OpenedFile, method: string, fn: unknown): void {
  if (typeof fn !== 'function') {
    throw new InvalidArgumentError(`${method}(fn) needs a function to call with each record, got ${describeFound(fn)}`, { path: file.path });
  }
}
