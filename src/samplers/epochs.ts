// Epoch arithmetic shared by samplers whose epochs all have the same number of steps.

import { InvalidArgumentError, InvalidOptionsError, OutOfRangeError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';
import type { StepRange } from './sampler.js';

/**
 * The steps of `epoch` for a sampler whose epochs `firstEpoch, firstEpoch + 1, ...` each take
 * `epochLength` steps, clipped to `length` total steps.
 * @throws InvalidArgumentError if `epoch` is not a non-negative safe integer.
 * @throws OutOfRangeError if the sampler has no step in `epoch`.
 */
export function uniformEpochRange(
  owner: string,
  epoch: number,
  epochLength: number,
  length: number,
  firstEpoch = 0,
): StepRange {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new InvalidArgumentError(`${owner}: epoch must be a non-negative integer (got ${describeFound(epoch)})`);
  }
  const start = (epoch - firstEpoch) * epochLength;
  if (epoch < firstEpoch || start >= length) {
    const epochs = epochLength === 0 ? 0 : Math.ceil(length / epochLength);
    const last = epochs === Infinity ? 'unbounded' : String(firstEpoch + epochs - 1);
    throw new OutOfRangeError(`${owner}: epoch ${epoch} has no steps (epochs ${firstEpoch}..${last})`, {
      index: epoch,
    });
  }
  return { start, end: Math.min(start + epochLength, length) };
}

/**
 * `count * epochs` as a sampler length (Infinity when epochs is), refusing lengths past 2^53 where
 * step numbers stop being exact.
 */
export function totalSteps(owner: string, count: number, epochs: number): number {
  if (epochs === Infinity) return count === 0 ? 0 : Infinity;
  const total = count * epochs;
  if (!Number.isSafeInteger(total)) {
    throw new InvalidOptionsError(`${owner}: ${count} steps x ${epochs} epochs exceeds 2^53 - 1 steps`);
  }
  return total;
}
