// The shape shared by every mutator: what it gets (a corpus file, the random stream) and what it returns.

import type { CorpusFile } from './corpus.js';
import type { Rng } from './rng.js';

/** Raw mutations leave hashes as they fall; forged ones recompute every hash so that only the structure lies. */
export type MutationFamily = 'raw' | 'forged';

/** What a mutator is given. */
export interface MutationContext {
  readonly rng: Rng;
  readonly file: CorpusFile;
  /** Every corpus file, for splices from another file. */
  readonly corpus: readonly CorpusFile[];
}

/** A mutated file and a description of what was done to it. */
export interface Mutation {
  /** Short name for statistics, e.g. `footer.chunkOffset`. */
  readonly type: string;
  /** The specifics, e.g. `entry 3 chunk_offset 1234 -> 2^40`, for the report and repro. */
  readonly detail: string;
  readonly bytes: Uint8Array;
}

/** A mutation generator; undefined when it does not apply to the file (then another is drawn). */
export type Mutator = (context: MutationContext) => Mutation | undefined;

/** A registered mutator. */
export interface MutatorEntry {
  readonly name: string;
  readonly family: MutationFamily;
  /** Relative frequency. */
  readonly weight: number;
  readonly run: Mutator;
}

/** Hostile integers for counts and sizes, as text for details and as numbers. */
export const HOSTILE_COUNTS: readonly number[] = [0, 1, 2 ** 24, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40, 2 ** 53 - 1];

/** A hostile value near `value`: 0, 1, value ± 1, or one of HOSTILE_COUNTS. */
export function hostileNear(rng: Rng, value: number): number {
  const choice = rng.int(6);
  if (choice === 0) return value + 1;
  if (choice === 1) return Math.max(0, value - 1);
  if (choice === 2) return rng.pick([0, 1]);
  return rng.pick(HOSTILE_COUNTS);
}

/** Numbers in details: powers of two as 2^k (2^k-1 too), others as they are. */
export function showNumber(value: number): string {
  for (let k = 16; k <= 60; k++) {
    if (value === 2 ** k) return `2^${k}`;
    if (value === 2 ** k - 1) return `2^${k}-1`;
  }
  return String(value);
}
