// Helpers to read many keys of a sampler at once: a generator and a fill-a-buffer loop.

import { InvalidArgumentError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';
import type { Sampler } from './sampler.js';

/** Anything keys can be written into: a number[], Float64Array, Uint32Array, ... */
export interface KeyBuffer {
  /** How many keys it holds. */
  readonly length: number;
  [index: number]: number;
}

function checkRange(start: number, end: number, length: number): void {
  if (!Number.isSafeInteger(start) || start < 0 || (end !== Infinity && !Number.isSafeInteger(end)) || end < start) {
    // String(): a template literal throws a TypeError of its own for a symbol.
    throw new InvalidArgumentError(`keys: need integers 0 <= start <= end (got start ${String(start)}, end ${String(end)})`);
  }
  if (end > length) {
    throw new InvalidArgumentError(`keys: end ${end} is past the sampler's ${length} steps`);
  }
}

/**
 * Checks that `out` can take keys: an object with a numeric length that is not frozen, and not a BigInt
 * array (writing numbers into anything else throws a TypeError mid-way). Shared with BatchSampler.keysInto.
 * @throws InvalidArgumentError naming what was given.
 */
export function checkKeyBuffer(out: unknown): void {
  const writable =
    typeof out === 'object' &&
    out !== null &&
    typeof (out as { length?: unknown }).length === 'number' &&
    !Object.isFrozen(out) &&
    !(out instanceof BigInt64Array || out instanceof BigUint64Array);
  if (!writable) {
    throw new InvalidArgumentError(`keys: out must be a writable array or typed array of keys (got ${describeFound(out)})`);
  }
}

/**
 * Yields the keys of steps `[start, end)` (default: all steps; an unbounded sampler yields forever).
 * @throws InvalidArgumentError for a bad range.
 * @example
 * [...keysOf(new SequentialSampler({ numRecords: 3 }))]; // [0, 1, 2]
 */
export function* keysOf(sampler: Sampler, start = 0, end = sampler.length): Generator<number, void, undefined> {
  checkRange(start, end, sampler.length);
  for (let step = start; step < end; step++) yield sampler.keyAt(step);
}

/**
 * Writes the keys of steps `start, start + 1, ...` into `out` until it is full or the sampler ends;
 * returns how many were written. No allocation: meant for the loader's batch path.
 * @throws InvalidArgumentError if `start` is not in [0, length] or `out` is not a writable array or typed array.
 * @example
 * const keys = new Float64Array(4);
 * keysInto(new SequentialSampler({ numRecords: 6 }), 4, keys); // 2; keys = [4, 5, 0, 0]
 */
export function keysInto(sampler: Sampler, start: number, out: KeyBuffer): number {
  checkRange(start, start, sampler.length);
  checkKeyBuffer(out);
  const count = Math.min(out.length, sampler.length - start);
  for (let i = 0; i < count; i++) out[i] = sampler.keyAt(start + i);
  return count;
}
