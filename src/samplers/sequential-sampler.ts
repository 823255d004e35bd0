// SequentialSampler: records 0, 1, ..., n-1, then again for every further epoch.

import { checkOptions, checkStep, finiteOrNull, optionNames, requireEpochs, requireInteger, type OptionAliases } from './checks.js';
import { totalSteps, uniformEpochRange } from './epochs.js';
import type { Sampler, SamplerDescription, StepRange } from './sampler.js';

/** Options of {@link SequentialSampler}. */
export interface SequentialSamplerOptions {
  /** Records in the data source (at least 1). */
  readonly numRecords: number;
  /** Passes over the data: a positive integer or Infinity; default 1. */
  readonly numEpochs?: number;
}

const OWNER = 'SequentialSampler';
const KEYS = optionNames<SequentialSamplerOptions>({ numRecords: true, numEpochs: true });
const ALIASES: OptionAliases = { shuffle: { note: 'SequentialSampler never shuffles; use ShuffleSampler({ numRecords, seed })' } };

/**
 * Visits the records in file order, `numEpochs` times: step s has key `s % numRecords`.
 *
 * @throws InvalidOptionsError for a numRecords below 1, a bad numEpochs, more than 2^53 steps, or an
 *   unknown option (named, with the nearest known one).
 * @example
 * const sampler = new SequentialSampler({ numRecords: 3, numEpochs: 2 });
 * sampler.keyAt(4); // 1
 */
export class SequentialSampler implements Sampler {
  /** Records in the data source. */
  readonly numRecords: number;
  /** Passes over the data (Infinity when unbounded). */
  readonly numEpochs: number;
  readonly length: number;

  constructor(options: SequentialSamplerOptions) {
    checkOptions(OWNER, options, KEYS, { aliases: ALIASES });
    this.numRecords = requireInteger(OWNER, 'numRecords', options.numRecords, 1);
    this.numEpochs = requireEpochs(OWNER, options.numEpochs, 1);
    this.length = totalSteps(OWNER, this.numRecords, this.numEpochs);
  }

  keyAt(step: number): number {
    checkStep(OWNER, step, this.length);
    return step % this.numRecords;
  }

  epochAt(step: number): number {
    checkStep(OWNER, step, this.length);
    return Math.floor(step / this.numRecords);
  }

  epochRange(epoch: number): StepRange {
    return uniformEpochRange(OWNER, epoch, this.numRecords, this.length);
  }

  describe(): SamplerDescription {
    return { kind: OWNER, numRecords: this.numRecords, numEpochs: finiteOrNull(this.numEpochs) };
  }
}
