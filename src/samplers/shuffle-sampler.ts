// ShuffleSampler: a global shuffle of all records, a new order each epoch, in O(1) memory.

import {
  checkOptions,
  checkStep,
  finiteOrNull,
  optionNames,
  requireEpochs,
  requireInteger,
  requireSeed,
  type OptionAliases,
} from './checks.js';
import { EpochShuffle } from './epoch-shuffle.js';
import { totalSteps, uniformEpochRange } from './epochs.js';
import type { Sampler, SamplerDescription, StepRange } from './sampler.js';

/** Options of {@link ShuffleSampler}. */
export interface ShuffleSamplerOptions {
  /** Records in the data source (at least 1). */
  readonly numRecords: number;
  /** Required: an integer in [0, 2^32). Epoch e uses seed (seed + e) mod 2^32. */
  readonly seed: number;
  /** Passes over the data: a positive integer or Infinity; default 1. */
  readonly numEpochs?: number;
}

const OWNER = 'ShuffleSampler';
const KEYS = optionNames<ShuffleSamplerOptions>({ numRecords: true, seed: true, numEpochs: true });
const ALIASES: OptionAliases = {
  shuffle: { note: 'ShuffleSampler always shuffles; SequentialSampler gives file order' },
  shard_options: { note: 'ShuffleSampler has no shards: split it with StridedShardSampler, or use IndexSampler({ shardOptions })' },
};

/**
 * Every epoch visits all records once in a seeded random order: step s has key
 * `index_shuffle(s % n, n - 1, (seed + floor(s / n)) mod 2^32)`, Grain's bijection, so nothing is
 * materialised and the order is the same on every machine. It is the order of a Grain
 * `IndexSampler` with one shard and shuffle on, except for the sizes where Grain's is not a
 * permutation (2^k + 1 records with k even >= 16, a few sizes above 2^50): this sampler uses the
 * 'bijective' block rule, which is a permutation for every size.
 *
 * @throws InvalidOptionsError for a numRecords below 1, a missing or bad seed, a bad numEpochs, or an
 *   unknown option (named, with the nearest known one).
 * @example
 * const sampler = new ShuffleSampler({ numRecords: 5, seed: 32, numEpochs: 2 });
 * [0, 1, 2, 3, 4].map((s) => sampler.keyAt(s)); // [2, 4, 3, 0, 1]
 */
export class ShuffleSampler implements Sampler {
  /** Records in the data source. */
  readonly numRecords: number;
  /** The seed; epoch e shuffles with (seed + e) mod 2^32. */
  readonly seed: number;
  /** Passes over the data (Infinity when unbounded). */
  readonly numEpochs: number;
  readonly length: number;
  private readonly shuffle: EpochShuffle;

  constructor(options: ShuffleSamplerOptions) {
    checkOptions(OWNER, options, KEYS, { aliases: ALIASES });
    this.numRecords = requireInteger(OWNER, 'numRecords', options.numRecords, 1);
    this.seed = requireSeed(OWNER, options.seed);
    this.numEpochs = requireEpochs(OWNER, options.numEpochs, 1);
    this.length = totalSteps(OWNER, this.numRecords, this.numEpochs);
    this.shuffle = new EpochShuffle(this.numRecords, this.seed, 'bijective');
  }

  keyAt(step: number): number {
    checkStep(OWNER, step, this.length);
    const epoch = Math.floor(step / this.numRecords);
    return this.shuffle.at(epoch, step - epoch * this.numRecords);
  }

  epochAt(step: number): number {
    checkStep(OWNER, step, this.length);
    return Math.floor(step / this.numRecords);
  }

  epochRange(epoch: number): StepRange {
    return uniformEpochRange(OWNER, epoch, this.numRecords, this.length);
  }

  describe(): SamplerDescription {
    return { kind: OWNER, numRecords: this.numRecords, seed: this.seed, numEpochs: finiteOrNull(this.numEpochs) };
  }
}
