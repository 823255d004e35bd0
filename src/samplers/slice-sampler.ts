// SliceSampler: the steps [start, end) of another sampler, renumbered from 0.

import { InvalidOptionsError, OutOfRangeError } from '../format/errors.js';
import { checkOptions, checkStep, finiteOrNull, optionNames, requireInteger, requireSampler } from './checks.js';
import type { Sampler, SamplerDescription, StepRange } from './sampler.js';

/** Options of {@link SliceSampler}. */
export interface SliceOptions {
  /** First step of the base sampler to keep; default 0. */
  readonly start?: number;
  /** Step after the last one kept; default the base sampler's length. */
  readonly end?: number;
}

const OWNER = 'SliceSampler';
const KEYS = optionNames<SliceOptions>({ start: true, end: true });

/**
 * A contiguous piece of another sampler: step k is the base's step `start + k`. Use it to resume
 * after `start` consumed steps, or to take one epoch (`base.epochRange(e)`) of a multi-epoch order.
 *
 * @throws InvalidOptionsError unless 0 <= start <= end <= base.length; for a base that is not a
 *   Sampler, or an unknown option (named, with the nearest known one: `stop` suggests end).
 * @example
 * const rest = new SliceSampler(new SequentialSampler({ numRecords: 10 }), { start: 7 });
 * rest.keyAt(0); // 7
 */
export class SliceSampler implements Sampler {
  /** The sampler sliced. */
  readonly base: Sampler;
  /** The first base step kept. */
  readonly start: number;
  /** The base step after the last one kept. */
  readonly end: number;
  readonly length: number;

  constructor(base: Sampler, options: SliceOptions = {}) {
    this.base = requireSampler(OWNER, 'base', base);
    checkOptions(OWNER, options, KEYS);
    this.start = options.start === undefined ? 0 : requireInteger(OWNER, 'start', options.start, 0);
    const end = options.end ?? base.length;
    if (end !== Infinity) requireInteger(OWNER, 'end', end, this.start);
    if (end > base.length || this.start > base.length) {
      throw new InvalidOptionsError(
        `${OWNER}: [${this.start}, ${end}) is not within the base sampler's ${base.length} steps`,
      );
    }
    this.end = end;
    this.length = end - this.start;
  }

  keyAt(step: number): number {
    checkStep(OWNER, step, this.length);
    return this.base.keyAt(this.start + step);
  }

  epochAt(step: number): number {
    checkStep(OWNER, step, this.length);
    return this.base.epochAt(this.start + step);
  }

  epochRange(epoch: number): StepRange {
    const range = this.base.epochRange(epoch);
    const start = Math.max(range.start, this.start) - this.start;
    const end = Math.min(range.end, this.end) - this.start;
    if (end <= start) {
      throw new OutOfRangeError(`${OWNER}: epoch ${epoch} has no steps in [${this.start}, ${this.end})`, { index: epoch });
    }
    return { start, end };
  }

  describe(): SamplerDescription {
    return { kind: OWNER, start: this.start, end: finiteOrNull(this.end), sampler: this.base.describe() };
  }
}
