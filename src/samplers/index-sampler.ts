// Grain's IndexSampler, exactly: contiguous shards, per-shard shuffle reseeded each epoch, strided global indices.
//
// Facts from grain/_src/python/samplers.py (IndexSampler, _ShardMapDataset) and
// grain/_src/python/dataset/transformations/shuffle.py (ShuffleMapDataset): the sampler has
// `numEpochs * numRecords` global indices (capped at `L * shardCount * numEpochs` with drop_remainder,
// L the shard length); global index g gives the shard's element k = floor(g / shardCount); element k
// is record `start + index_shuffle(k % L, L - 1, (seed + floor(k / L)) mod 2^32)` (or
// `start + k % L` without shuffle). A Grain DataLoader on shard s reads g = s, s + shardCount, ...,
// so its k-th record is element k.

import { InvalidOptionsError } from '../format/errors.js';
import {
  checkOptions,
  checkStep,
  finiteOrNull,
  optionNames,
  requireBoolean,
  requireEpochs,
  requireInteger,
  requireShuffleSeed,
  type OptionAliases,
} from './checks.js';
import { EpochShuffle } from './epoch-shuffle.js';
import { totalSteps, uniformEpochRange } from './epochs.js';
import type { Sampler, SamplerDescription, StepRange } from './sampler.js';
import { NO_SHARDING, checkShardOptions, evenSplit, type ShardOptions } from './shard-options.js';

/** Options of {@link IndexSampler}, named as Grain's arguments. */
export interface IndexSamplerOptions {
  /** Records in the data source (at least 1). */
  readonly numRecords: number;
  /** This process's shard; default {@link NO_SHARDING}. See also `shardOptionsFromEnv`. */
  readonly shardOptions?: ShardOptions;
  /** Shuffle within the shard, a new order each epoch; needs `seed`. Default false. */
  readonly shuffle?: boolean;
  /** Passes over the data: a positive integer, or omitted / Infinity for unbounded (Grain's None). */
  readonly numEpochs?: number;
  /** An integer in [0, 2^32). */
  readonly seed?: number;
}

const OWNER = 'IndexSampler';
const KEYS = optionNames<IndexSamplerOptions>({ numRecords: true, shardOptions: true, shuffle: true, numEpochs: true, seed: true });
const SHARD_NOTE = 'give shardOptions: shardOptions(rank, worldSize), or shardOptionsFromEnv()';
const ALIASES: OptionAliases = {
  rank: { option: 'shardOptions', note: SHARD_NOTE },
  world_size: { option: 'shardOptions', note: SHARD_NOTE },
  shard_index: { option: 'shardOptions', note: SHARD_NOTE },
  shard_count: { option: 'shardOptions', note: SHARD_NOTE },
  drop_remainder: { option: 'shardOptions', note: 'dropRemainder is part of the shard options: shardOptions(index, count, true)' },
  drop_last: { option: 'shardOptions', note: 'dropRemainder is part of the shard options: shardOptions(index, count, true)' },
};

/**
 * Grain's `IndexSampler(num_records, shard_options, shuffle, num_epochs, seed)` as seen by the
 * process of shard `shardOptions.shardIndex`: `keyAt(k)` is the k-th record key a Grain `DataLoader`
 * on that process loads, so a TypeScript job reads the same records in the same order as a Python
 * Grain job with the same arguments. Grain's quirks are kept: with uneven shards the last epoch of a
 * shard can be partial, and a shuffled shard of 2^k + 1 records (k even >= 16) repeats one record
 * and skips the last in every epoch (see `BlockRule`). `recordKeyAt(g)` is Grain's `sampler[g].record_key` for a global index.
 *
 * @throws InvalidOptionsError for a numRecords below 1, bad shard options, a shard with no records,
 *   shuffle without a seed, a seed outside [0, 2^32), a bad numEpochs, or an unknown option (named,
 *   with the nearest known one).
 * @example
 * const sampler = new IndexSampler({
 *   numRecords: 10, shardOptions: shardOptions(1, 3), shuffle: true, seed: 0, numEpochs: 2,
 * });
 * Array.from({ length: sampler.length }, (_, k) => sampler.keyAt(k)); // [4, 6, 5, 5, 6, 4, 4]
 */
export class IndexSampler implements Sampler {
  /** Records in the data source. */
  readonly numRecords: number;
  /** This process's shard. */
  readonly shardOptions: ShardOptions;
  /** Whether the shard is shuffled, a new order each epoch. */
  readonly shuffle: boolean;
  /** Passes over the data (Infinity when unbounded). */
  readonly numEpochs: number;
  /** The shuffle's seed; undefined without shuffle. */
  readonly seed: number | undefined;
  /** First record of this process's shard. */
  readonly shardStart: number;
  /** Records in this process's shard (one epoch of this process). */
  readonly shardLength: number;
  /** Grain's `len(sampler)`: global indices over all shards (Infinity when unbounded). */
  readonly globalLength: number;
  /** Records this process loads over all epochs. */
  readonly length: number;
  private readonly epochShuffle: EpochShuffle | undefined;

  constructor(options: IndexSamplerOptions) {
    checkOptions(OWNER, options, KEYS, { aliases: ALIASES });
    this.numRecords = requireInteger(OWNER, 'numRecords', options.numRecords, 1);
    this.shardOptions = checkShardOptions(options.shardOptions ?? NO_SHARDING);
    this.shuffle = requireBoolean(OWNER, 'shuffle', options.shuffle, false);
    this.numEpochs = requireEpochs(OWNER, options.numEpochs, Infinity);
    this.seed = requireShuffleSeed(OWNER, this.shuffle, options.seed);
    const { start, end } = evenSplit(this.numRecords, this.shardOptions);
    const { shardIndex, shardCount, dropRemainder } = this.shardOptions;
    if (end === start) {
      throw new InvalidOptionsError(
        `${OWNER}: shard ${shardIndex} of ${shardCount} has no records (numRecords ${this.numRecords})`,
      );
    }
    this.shardStart = start;
    this.shardLength = end - start;
    let globalLength = totalSteps(OWNER, this.numRecords, this.numEpochs);
    if (dropRemainder) {
      globalLength = Math.min(globalLength, totalSteps(OWNER, this.shardLength * shardCount, this.numEpochs));
    }
    this.globalLength = globalLength;
    this.length =
      globalLength === Infinity ? Infinity : Math.max(0, Math.ceil((globalLength - shardIndex) / shardCount));
    this.epochShuffle = this.shuffle ? new EpochShuffle(this.shardLength, this.seed!, 'grain') : undefined;
  }

  /** The k-th record key this process loads. */
  keyAt(step: number): number {
    checkStep(OWNER, step, this.length);
    return this.shardElement(step);
  }

  /** Grain's global index of this process's k-th load: `shardIndex + k * shardCount`. */
  globalIndexAt(step: number): number {
    checkStep(OWNER, step, this.length);
    return this.shardOptions.shardIndex + step * this.shardOptions.shardCount;
  }

  /**
   * Grain's `sampler[globalIndex].record_key`: element `floor(globalIndex / shardCount)` of this shard.
   * @throws InvalidArgumentError / OutOfRangeError for an index outside [0, globalLength).
   */
  recordKeyAt(globalIndex: number): number {
    checkStep(OWNER, globalIndex, this.globalLength);
    return this.shardElement(Math.floor(globalIndex / this.shardOptions.shardCount));
  }

  epochAt(step: number): number {
    checkStep(OWNER, step, this.length);
    return Math.floor(step / this.shardLength);
  }

  epochRange(epoch: number): StepRange {
    return uniformEpochRange(OWNER, epoch, this.shardLength, this.length);
  }

  describe(): SamplerDescription {
    const { shardIndex, shardCount, dropRemainder } = this.shardOptions;
    return {
      kind: OWNER,
      numRecords: this.numRecords,
      shardIndex,
      shardCount,
      dropRemainder,
      shuffle: this.shuffle,
      numEpochs: finiteOrNull(this.numEpochs),
      seed: this.seed ?? null,
    };
  }

  private shardElement(element: number): number {
    const epoch = Math.floor(element / this.shardLength);
    const position = element - epoch * this.shardLength;
    const shuffled = this.epochShuffle === undefined ? position : this.epochShuffle.at(epoch, position);
    return this.shardStart + shuffled;
  }
}
