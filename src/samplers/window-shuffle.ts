// WindowShuffleSampler: shuffles within consecutive windows of records, so reads stay close together on disk.

import { InvalidOptionsError } from '../format/errors.js';
import {
  SEED_MODULUS,
  checkOptions,
  checkStep,
  finiteOrNull,
  optionNames,
  requireBoolean,
  requireEpochs,
  requireInteger,
  requireSeed,
  type OptionAliases,
} from './checks.js';
import { totalSteps, uniformEpochRange } from './epochs.js';
import { DEFAULT_ROUNDS, IndexShuffle } from './index-shuffle.js';
import type { Sampler, SamplerDescription, StepRange } from './sampler.js';
import { seedSeqGenerate } from './seed-seq.js';
import { NO_SHARDING, checkShardOptions, evenSplit, type ShardOptions } from './shard-options.js';
import { TORCH_RANDPERM_LIMIT, fillTorchRandperm } from './torch-randperm.js';

/** Options of {@link WindowShuffleSampler}. */
export interface WindowShuffleSamplerOptions {
  /** Records in the data source (at least 1). */
  readonly numRecords: number;
  /** Records per window (at least 1): a multiple of the files' group size keeps each chunk in one window. */
  readonly windowSize: number;
  /** Required: an integer in [0, 2^32). */
  readonly seed: number;
  /** Passes over the data: a positive integer or Infinity; default 1. */
  readonly numEpochs?: number;
  /** Also visit the full windows in a seeded random order each epoch (the last, partial one stays last). Default false. */
  readonly shuffleWindowOrder?: boolean;
  /** Restrict to one contiguous shard of the records (Grain's even split); default all records. */
  readonly shardOptions?: ShardOptions;
}

const OWNER = 'WindowShuffleSampler';
const KEYS = optionNames<WindowShuffleSamplerOptions>({
  numRecords: true,
  windowSize: true,
  seed: true,
  numEpochs: true,
  shuffleWindowOrder: true,
  shardOptions: true,
});
const ALIASES: OptionAliases = {
  shuffle: { option: 'shuffleWindowOrder', note: 'records are always shuffled within their window; shuffleWindowOrder also shuffles the windows' },
  window: { option: 'windowSize' },
};

/**
 * Splits the shard's records into consecutive windows of `windowSize` (the last may be shorter) and
 * visits each window's records in a random order that changes every epoch; optionally the windows
 * themselves are visited in random order. Only one window is ever "open", so a reader touches each
 * group of records once per epoch: sequential-friendly access for files with large group sizes.
 *
 * The order is a pure function of the options: window w (records `w*W ..`) of epoch e is permuted by
 * PyTorch's randperm algorithm (MT19937) seeded with `seed_seq{seed, e, firstRecord}`; the window order
 * uses Grain's index_shuffle seeded with `seed_seq{seed, e}` (64-bit values as two u32 words).
 * Memory: one window permutation (4 bytes per record of a window).
 *
 * @throws InvalidOptionsError for bad counts, a windowSize at or above 2^32 / 20, a missing seed,
 *   bad shard options, an empty shard, or an unknown option (named, with the nearest known one).
 * @example
 * const sampler = new WindowShuffleSampler({ numRecords: 10, windowSize: 4, seed: 1 });
 * sampler.keyAt(0) < 4; // true: steps 0..3 are records 0..3 in some order
 */
export class WindowShuffleSampler implements Sampler {
  /** Records in the data source. */
  readonly numRecords: number;
  /** Records per window. */
  readonly windowSize: number;
  /** The shuffle's seed. */
  readonly seed: number;
  /** Passes over the data (Infinity when unbounded). */
  readonly numEpochs: number;
  /** Whether the full windows are also visited in a seeded random order. */
  readonly shuffleWindowOrder: boolean;
  /** The shard of the records sampled. */
  readonly shardOptions: ShardOptions;
  /** First record of the shard. */
  readonly shardStart: number;
  /** Records in the shard: steps per epoch. */
  readonly shardLength: number;
  readonly length: number;
  private readonly fullWindows: number;
  private readonly window: Uint32Array;
  private openEpoch = -1;
  private openSlot = -1;
  private openWindow = -1;
  private orderEpoch = -1;
  private order: IndexShuffle | undefined;

  constructor(options: WindowShuffleSamplerOptions) {
    checkOptions(OWNER, options, KEYS, { aliases: ALIASES });
    this.numRecords = requireInteger(OWNER, 'numRecords', options.numRecords, 1);
    this.windowSize = requireInteger(OWNER, 'windowSize', options.windowSize, 1);
    if (this.windowSize >= TORCH_RANDPERM_LIMIT) {
      throw new InvalidOptionsError(`${OWNER}: windowSize must be below ${TORCH_RANDPERM_LIMIT} (got ${this.windowSize})`);
    }
    this.seed = requireSeed(OWNER, options.seed);
    this.numEpochs = requireEpochs(OWNER, options.numEpochs, 1);
    this.shuffleWindowOrder = requireBoolean(OWNER, 'shuffleWindowOrder', options.shuffleWindowOrder, false);
    this.shardOptions = checkShardOptions(options.shardOptions ?? NO_SHARDING);
    const { start, end } = evenSplit(this.numRecords, this.shardOptions);
    if (end === start) {
      const { shardIndex, shardCount } = this.shardOptions;
      throw new InvalidOptionsError(`${OWNER}: shard ${shardIndex} of ${shardCount} has no records (numRecords ${this.numRecords})`);
    }
    this.shardStart = start;
    this.shardLength = end - start;
    this.length = totalSteps(OWNER, this.shardLength, this.numEpochs);
    this.fullWindows = Math.floor(this.shardLength / this.windowSize);
    this.window = new Uint32Array(Math.min(this.windowSize, this.shardLength));
  }

  keyAt(step: number): number {
    checkStep(OWNER, step, this.length);
    const epoch = Math.floor(step / this.shardLength);
    const position = step - epoch * this.shardLength;
    const slot = Math.floor(position / this.windowSize);
    const offset = position - slot * this.windowSize;
    if (epoch !== this.openEpoch || slot !== this.openSlot) this.open(epoch, slot);
    return this.shardStart + this.openWindow * this.windowSize + this.window[offset]!;
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
      windowSize: this.windowSize,
      seed: this.seed,
      numEpochs: finiteOrNull(this.numEpochs),
      shuffleWindowOrder: this.shuffleWindowOrder,
      shardIndex,
      shardCount,
      dropRemainder,
    };
  }

  /** Computes the permutation of the window visited at `slot` of `epoch` (keyAt reuses it for the whole window). */
  private open(epoch: number, slot: number): void {
    let window = slot;
    if (slot < this.fullWindows && this.shuffleWindowOrder) {
      if (this.orderEpoch !== epoch || this.order === undefined) {
        this.order = new IndexShuffle(this.fullWindows - 1, mixSeed([this.seed, ...words(epoch)]), DEFAULT_ROUNDS, 'bijective');
        this.orderEpoch = epoch;
      }
      window = this.order.applyUnchecked(slot);
    }
    const firstRecord = this.shardStart + window * this.windowSize;
    const size = Math.min(this.windowSize, this.shardLength - window * this.windowSize);
    fillTorchRandperm(this.window, size, mixSeed([this.seed, ...words(epoch), ...words(firstRecord)]));
    this.openEpoch = epoch;
    this.openSlot = slot;
    this.openWindow = window;
  }
}

/** A number below 2^53 as its low and high u32 words. */
function words(value: number): [number, number] {
  return [value % SEED_MODULUS, Math.floor(value / SEED_MODULUS)];
}

/** One u32 from std::seed_seq over `values`: a well-mixed seed derived from several numbers. */
function mixSeed(values: number[]): number {
  return seedSeqGenerate(values, new Uint32Array(1))[0]!;
}
