// Argument checks shared by the samplers, so every sampler rejects bad options and steps with the same wording.

import { InvalidArgumentError, InvalidOptionsError, OutOfRangeError } from '../format/errors.js';
import { SEED_MODULUS, describeFound, requireInteger, requireSeed } from '../format/options-check.js';
import type { Environment } from './env.js';
import type { Sampler } from './sampler.js';

// The generic value checks live beside the error types, for every layer; the samplers' names stay here.
export {
  SEED_MODULUS,
  checkOptions,
  optionNames,
  requireBoolean,
  requireInteger,
  requireOneOf,
  requireSeed,
  type OptionAliases,
} from '../format/options-check.js';

/**
 * Returns the seed a shuffle uses, refusing a shuffle without one: an unseeded shuffle would give each
 * machine a different order, which is never what a sharded job wants.
 */
export function requireShuffleSeed(owner: string, shuffle: boolean, seed: unknown): number | undefined {
  if (seed === undefined) {
    if (shuffle) throw new InvalidOptionsError(`${owner}: shuffle needs a seed (got none); pass seed: <0..2^32-1>`);
    return undefined;
  }
  return requireSeed(owner, seed);
}

/** Returns `value` (a positive integer or Infinity) or `fallback` when undefined; throws InvalidOptionsError. */
export function requireEpochs(owner: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (value === Infinity) return Infinity;
  return requireInteger(owner, 'numEpochs', value, 1);
}

/**
 * Returns `value` if it looks like a Sampler (keyAt, epochAt, epochRange, describe and a length);
 * throws InvalidOptionsError naming the argument.
 * @example
 * requireSampler('BatchSampler', 'sampler', new SequentialSampler({ numRecords: 3 })); // the sampler
 * requireSampler('BatchSampler', 'sampler', [0, 1, 2]); // throws: BatchSampler: sampler must be a Sampler (got an array)
 */
export function requireSampler(owner: string, name: string, value: unknown): Sampler {
  const candidate = value as Partial<Sampler> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.length !== 'number' ||
    typeof candidate.keyAt !== 'function' ||
    typeof candidate.epochAt !== 'function' ||
    typeof candidate.epochRange !== 'function' ||
    typeof candidate.describe !== 'function'
  ) {
    throw new InvalidOptionsError(`${owner}: ${name} must be a Sampler (got ${describeFound(value)})`);
  }
  return candidate as Sampler;
}

/**
 * Returns `value` if it is undefined or an object of environment variables; throws InvalidOptionsError.
 * @example
 * requireEnvironment('StridedShardSampler', { RANK: '0', WORLD_SIZE: '2' }); // the object
 * requireEnvironment('StridedShardSampler', 'RANK=0'); // throws: env must be an object of environment variables ...
 */
export function requireEnvironment(owner: string, value: unknown): Environment | undefined {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new InvalidOptionsError(`${owner}: env must be an object of environment variables, like process.env (got ${describeFound(value)})`);
  }
  return value as Environment | undefined;
}

/**
 * Checks a step against a sampler's length.
 * @throws InvalidArgumentError if `step` is not a non-negative safe integer.
 * @throws OutOfRangeError if `step >= length`.
 */
export function checkStep(owner: string, step: number, length: number): void {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new InvalidArgumentError(`${owner}: step must be a non-negative integer (got ${describeFound(step)})`);
  }
  if (step >= length) {
    throw new OutOfRangeError(`${owner}: step ${step} is past the end (length ${length})`, { index: step });
  }
}

/** `(seed + epoch) mod 2^32` computed exactly even when `epoch` is near 2^53. */
export function epochSeed(seed: number, epoch: number): number {
  return (seed + (epoch % SEED_MODULUS)) % SEED_MODULUS;
}

/** JSON has no Infinity: descriptions write unbounded counts as null. */
export function finiteOrNull(value: number): number | null {
  return value === Infinity ? null : value;
}
