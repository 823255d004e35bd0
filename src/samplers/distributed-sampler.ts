// PyTorch's DistributedSampler: ranks take strided positions of a (shuffled) list padded or cut to a multiple of the world size.
//
// Facts from torch/utils/data/distributed.py: num_samples = ceil(n / W), or ceil((n - W) / W) with
// drop_last when W does not divide n; total = num_samples * W; the epoch's list is
// randperm(n) with a generator seeded by seed + epoch (or 0..n-1), extended by wrapping around to
// `total` entries (or cut to `total` with drop_last); rank r takes entries r, r + W, r + 2W, ...

import { InvalidArgumentError, InvalidOptionsError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';
import {
  checkOptions,
  checkStep,
  epochSeed,
  finiteOrNull,
  optionNames,
  requireBoolean,
  requireEpochs,
  requireInteger,
  requireEnvironment,
  requireOneOf,
  requireShuffleSeed,
} from './checks.js';
import { resolvePlacement, type Environment } from './env.js';
import { totalSteps, uniformEpochRange } from './epochs.js';
import { DEFAULT_ROUNDS, IndexShuffle } from './index-shuffle.js';
import type { Sampler, SamplerDescription, StepRange } from './sampler.js';
import { TORCH_RANDPERM_LIMIT, fillTorchRandperm } from './torch-randperm.js';

/**
 * How a shuffled epoch is ordered: `'torch'` reproduces `torch.randperm` bit for bit (O(n) memory
 * per epoch, n below {@link TORCH_RANDPERM_LIMIT}); `'feistel'` uses Grain's index_shuffle cipher
 * (block rule 'bijective') with seed (seed + epoch) mod 2^32 (O(1) memory, any n, not PyTorch's order).
 */
export type DistributedPermutation = 'torch' | 'feistel';

/** Options of {@link DistributedSampler}, named as PyTorch's arguments. */
export interface DistributedSamplerOptions {
  /** Records in the data source (at least 1). */
  readonly numRecords: number;
  /** World size; defaults to the launcher's (see placementFromEnv, or 1); needed with `rank`. */
  readonly numReplicas?: number;
  /** This process's rank in [0, numReplicas); defaults to the launcher's rank variable. */
  readonly rank?: number;
  /** Shuffle each epoch; needs `seed` (unlike PyTorch, no default seed and no default shuffle). */
  readonly shuffle?: boolean;
  /** An integer in [0, 2^32); epoch e uses (seed + e) mod 2^32, as PyTorch's generator does. */
  readonly seed?: number;
  /** Cut the tail so every rank gets floor(n / W) records, instead of wrapping around. Default false. */
  readonly dropLast?: boolean;
  /** Epochs this sampler's steps run through, starting at `epoch`; a positive integer or Infinity, default 1. */
  readonly numEpochs?: number;
  /** First epoch (PyTorch's `set_epoch`); default 0. */
  readonly epoch?: number;
  /** Default `'torch'`; see {@link DistributedPermutation}. */
  readonly permutation?: DistributedPermutation;
  /** Where to read the launcher's variables (RANK / WORLD_SIZE, ...) when rank is omitted; default `process.env`. */
  readonly env?: Environment;
}

const OWNER = 'DistributedSampler';
const KEYS = optionNames<DistributedSamplerOptions>({
  numRecords: true,
  numReplicas: true,
  rank: true,
  shuffle: true,
  seed: true,
  dropLast: true,
  numEpochs: true,
  epoch: true,
  permutation: true,
  env: true,
});
const PERMUTATIONS: readonly DistributedPermutation[] = ['torch', 'feistel'];

/**
 * PyTorch's `DistributedSampler(dataset, num_replicas, rank, shuffle, seed, drop_last)` for one rank.
 * Step k of epoch e is that rank's k-th index of PyTorch's `__iter__` after `set_epoch(e)`; steps run
 * on through `numEpochs` epochs from `epoch` (`numSamples` steps each), or call `setEpoch(e)` each epoch
 * like in PyTorch. With `permutation: 'torch'` (default) the order equals PyTorch's exactly; note
 * PyTorch's own defaults are shuffle=True, seed=0, while here a shuffle must be asked for with a seed.
 *
 * @throws InvalidOptionsError for bad counts, rank outside [0, numReplicas), only one of rank and
 *   numReplicas, shuffle without seed, malformed RANK/WORLD_SIZE, `'torch'` with n too large, or an
 *   unknown option (named, with the nearest known one: `drop_last` suggests dropLast).
 * @example
 * const sampler = new DistributedSampler({ numRecords: 10, numReplicas: 3, rank: 1, shuffle: true, seed: 5 });
 * Array.from({ length: sampler.length }, (_, k) => sampler.keyAt(k)); // [4, 3, 2, 1], as PyTorch
 */
export class DistributedSampler implements Sampler {
  /** Records in the data source. */
  readonly numRecords: number;
  /** World size. */
  readonly numReplicas: number;
  /** This process's rank in [0, numReplicas); defaults to the launcher's rank variable. */
  readonly rank: number;
  /** Whether each epoch is shuffled. */
  readonly shuffle: boolean;
  /** The shuffle's seed; undefined without shuffle. */
  readonly seed: number | undefined;
  /** Whether the tail is cut (true) or the list padded by wrapping around (false). */
  readonly dropLast: boolean;
  /** Epochs the steps run through (Infinity when unbounded). */
  readonly numEpochs: number;
  /** The shuffle used: PyTorch's (`torch`) or the O(1)-memory cipher (`feistel`). */
  readonly permutation: DistributedPermutation;
  /** Steps per epoch for this rank (PyTorch's `num_samples`, `len(sampler)`). */
  readonly numSamples: number;
  /** Entries of the padded or cut list (PyTorch's `total_size`). */
  readonly totalSize: number;
  /** Steps over all epochs: `numSamples * numEpochs`. */
  readonly length: number;
  private firstEpoch: number;
  private cachedEpoch = -1;
  private cachedTorchOrder: Uint32Array | undefined;
  private cachedFeistel: IndexShuffle | undefined;

  constructor(options: DistributedSamplerOptions) {
    checkOptions(OWNER, options, KEYS);
    this.numRecords = requireInteger(OWNER, 'numRecords', options.numRecords, 1);
    const { rank, worldSize } = resolvePlacement(
      OWNER,
      options.rank,
      options.numReplicas,
      requireEnvironment(OWNER, options.env),
      'rank',
      'numReplicas',
    );
    this.numReplicas = worldSize;
    this.rank = rank;
    this.shuffle = requireBoolean(OWNER, 'shuffle', options.shuffle, false);
    this.seed = requireShuffleSeed(OWNER, this.shuffle, options.seed);
    this.dropLast = requireBoolean(OWNER, 'dropLast', options.dropLast, false);
    this.numEpochs = requireEpochs(OWNER, options.numEpochs, 1);
    this.firstEpoch = options.epoch === undefined ? 0 : requireInteger(OWNER, 'epoch', options.epoch, 0);
    const permutation = requireOneOf(OWNER, 'permutation', options.permutation, PERMUTATIONS, 'torch');
    if (this.shuffle && permutation === 'torch' && this.numRecords >= TORCH_RANDPERM_LIMIT) {
      throw new InvalidOptionsError(
        `${OWNER}: permutation 'torch' supports numRecords below ${TORCH_RANDPERM_LIMIT} (got ${this.numRecords}); use 'feistel'`,
      );
    }
    this.permutation = permutation;
    const n = this.numRecords;
    const w = this.numReplicas;
    // PyTorch's ceil((n - W) / W) with drop_last is floor(n / W) when W does not divide n.
    this.numSamples = this.dropLast ? Math.floor(n / w) : Math.ceil(n / w);
    this.totalSize = this.numSamples * w;
    this.length = totalSteps(OWNER, this.numSamples, this.numEpochs);
  }

  /** The first epoch (the one step 0 belongs to). */
  get epoch(): number {
    return this.firstEpoch;
  }

  /**
   * Makes step 0 the start of `epoch`, as PyTorch's `set_epoch`.
   * @throws InvalidArgumentError if `epoch` is not a non-negative safe integer.
   */
  setEpoch(epoch: number): void {
    if (!Number.isSafeInteger(epoch) || epoch < 0) {
      throw new InvalidArgumentError(`${OWNER}: epoch must be a non-negative integer (got ${describeFound(epoch)})`);
    }
    this.firstEpoch = epoch;
  }

  keyAt(step: number): number {
    checkStep(OWNER, step, this.length);
    const epochOffset = Math.floor(step / this.numSamples);
    const position = this.rank + (step - epochOffset * this.numSamples) * this.numReplicas;
    // Wrapping around pads the list with its own beginning; with dropLast, position < totalSize <= n.
    return this.orderAt(this.firstEpoch + epochOffset, position % this.numRecords);
  }

  epochAt(step: number): number {
    checkStep(OWNER, step, this.length);
    return this.firstEpoch + Math.floor(step / this.numSamples);
  }

  epochRange(epoch: number): StepRange {
    return uniformEpochRange(OWNER, epoch, this.numSamples, this.length, this.firstEpoch);
  }

  describe(): SamplerDescription {
    return {
      kind: OWNER,
      numRecords: this.numRecords,
      numReplicas: this.numReplicas,
      rank: this.rank,
      shuffle: this.shuffle,
      seed: this.seed ?? null,
      dropLast: this.dropLast,
      numEpochs: finiteOrNull(this.numEpochs),
      epoch: this.firstEpoch,
      permutation: this.permutation,
    };
  }

  private orderAt(epoch: number, index: number): number {
    if (!this.shuffle) return index;
    const seed = epochSeed(this.seed!, epoch);
    if (this.permutation === 'feistel') {
      if (this.cachedEpoch !== epoch || this.cachedFeistel === undefined) {
        this.cachedFeistel = new IndexShuffle(this.numRecords - 1, seed, DEFAULT_ROUNDS, 'bijective');
        this.cachedEpoch = epoch;
      }
      return this.cachedFeistel.applyUnchecked(index);
    }
    if (this.cachedEpoch !== epoch || this.cachedTorchOrder === undefined) {
      this.cachedTorchOrder = fillTorchRandperm(
        this.cachedTorchOrder ?? new Uint32Array(this.numRecords),
        this.numRecords,
        seed,
      );
      this.cachedEpoch = epoch;
    }
    return this.cachedTorchOrder[index]!;
  }
}
