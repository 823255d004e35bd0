// StridedShardSampler: rank r of W takes steps r, r + W, r + 2W, ... of a global order.

import { OutOfRangeError } from '../format/errors.js';
import { checkOptions, checkStep, optionNames, requireEnvironment, requireSampler } from './checks.js';
import { resolvePlacement, type Environment } from './env.js';
import type { Sampler, SamplerDescription, StepRange } from './sampler.js';

/** Options of {@link StridedShardSampler}. */
export interface StridedShardOptions {
  /** This process's rank; defaults to the launcher's rank variable (see placementFromEnv). */
  readonly rank?: number;
  /** The number of ranks; defaults to the launcher's (see placementFromEnv); needed with `rank`. */
  readonly worldSize?: number;
  /** Where to read the launcher's variables (RANK / WORLD_SIZE, ...) when rank is omitted; default `process.env`. */
  readonly env?: Environment;
}

const OWNER = 'StridedShardSampler';
const KEYS = optionNames<StridedShardOptions>({ rank: true, worldSize: true, env: true });

/**
 * Splits a global order between ranks the way PyTorch's DistributedSampler does (without padding):
 * step k of rank r is step `r + k * worldSize` of the base sampler, so all ranks together visit each
 * base step exactly once, and ranks differ in length by at most one. Over a ShuffleSampler this is a
 * global shuffle shared by all ranks; over a SliceSampler or RemainingOrder it resumes a job.
 *
 * @throws InvalidOptionsError for rank outside [0, worldSize), only one of them given, bad RANK/WORLD_SIZE,
 *   a base that is not a Sampler, or an unknown option (named, with the nearest known one).
 * @example
 * const global = new ShuffleSampler({ numRecords: 1000, seed: 7 });
 * const mine = new StridedShardSampler(global, { rank: 1, worldSize: 4 }); // 250 steps
 */
export class StridedShardSampler implements Sampler {
  /** The global order split between the ranks. */
  readonly base: Sampler;
  /** This process's rank: it takes base steps rank, rank + worldSize, ... */
  readonly rank: number;
  /** The number of ranks. */
  readonly worldSize: number;
  readonly length: number;

  constructor(base: Sampler, options: StridedShardOptions = {}) {
    this.base = requireSampler(OWNER, 'base', base);
    checkOptions(OWNER, options, KEYS);
    const { rank, worldSize } = resolvePlacement(OWNER, options.rank, options.worldSize, requireEnvironment(OWNER, options.env));
    this.rank = rank;
    this.worldSize = worldSize;
    this.length = base.length === Infinity ? Infinity : Math.max(0, Math.ceil((base.length - this.rank) / this.worldSize));
  }

  /** The base sampler's step for this rank's step `step`. */
  baseStep(step: number): number {
    checkStep(OWNER, step, this.length);
    return this.rank + step * this.worldSize;
  }

  keyAt(step: number): number {
    return this.base.keyAt(this.baseStep(step));
  }

  epochAt(step: number): number {
    return this.base.epochAt(this.baseStep(step));
  }

  epochRange(epoch: number): StepRange {
    const range = this.base.epochRange(epoch);
    const start = this.firstStepAtOrAfter(range.start);
    const end = this.firstStepAtOrAfter(range.end);
    if (end <= start) {
      throw new OutOfRangeError(`${OWNER}: rank ${this.rank} has no steps in epoch ${epoch}`, { index: epoch });
    }
    return { start, end };
  }

  describe(): SamplerDescription {
    return { kind: OWNER, rank: this.rank, worldSize: this.worldSize, sampler: this.base.describe() };
  }

  private firstStepAtOrAfter(baseStep: number): number {
    if (baseStep === Infinity) return this.length;
    return Math.min(this.length, Math.max(0, Math.ceil((baseStep - this.rank) / this.worldSize)));
  }
}
