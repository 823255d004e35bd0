// Argument checks shared by the samplers, so every sampler rejects bad options and steps with the same wording.

import { InvalidArgumentError, InvalidOptionsError, OutOfRangeError } from '../format/errors.js';

/** 2^32: seeds are unsigned 32-bit, like Grain's and PyTorch's effective seeds. */
export const SEED_MODULUS = 0x1_0000_0000;

/** Returns `value` if it is a safe integer >= `min`, else throws InvalidOptionsError naming the option. */
export function requireInteger(owner: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidOptionsError(`${owner}: ${name} must be an integer >= ${min} (got ${String(value)})`);
  }
  return value;
}

/** Returns a seed in [0, 2^32), or throws InvalidOptionsError. */
export function requireSeed(owner: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= SEED_MODULUS) {
    throw new InvalidOptionsError(`${owner}: seed must be an integer in [0, 2^32) (got ${String(value)})`);
  }
  return value;
}

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

/** Returns `value` if it is a boolean or undefined (then `fallback`); throws InvalidOptionsError. */
export function requireBoolean(owner: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new InvalidOptionsError(`${owner}: ${name} must be a boolean (got ${String(value)})`);
  }
  return value;
}

/**
 * Checks a step against a sampler's length.
 * @throws InvalidArgumentError if `step` is not a non-negative safe integer.
 * @throws OutOfRangeError if `step >= length`.
 */
export function checkStep(owner: string, step: number, length: number): void {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new InvalidArgumentError(`${owner}: step must be a non-negative integer (got ${String(step)})`);
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
