// BatchSampler: groups consecutive steps of any sampler into batches of record keys.

import { InvalidArgumentError } from '../format/errors.js';
import { checkOptions, checkStep, optionNames, requireBoolean, requireInteger, requireSampler } from './checks.js';
import { checkKeyBuffer, keysInto, type KeyBuffer } from './iterate.js';
import type { Sampler, SamplerDescription, StepRange } from './sampler.js';

/** Options of {@link BatchSampler}. */
export interface BatchSamplerOptions {
  /** Keys per batch (at least 1). */
  readonly batchSize: number;
  /** Drop a last batch shorter than batchSize instead of returning it. Default false. */
  readonly dropRemainder?: boolean;
}

const OWNER = 'BatchSampler';
const KEYS = optionNames<BatchSamplerOptions>({ batchSize: true, dropRemainder: true });

/**
 * Batch b holds the keys of steps `[b * batchSize, (b + 1) * batchSize)` of the inner sampler. Batches
 * run across epoch boundaries, as in Grain; for batches that never mix epochs, batch one epoch at a
 * time (`new BatchSampler(new SliceSampler(inner, inner.epochRange(e)), ...)`). A loader's position is
 * the next batch number.
 *
 * @throws InvalidOptionsError for a batchSize below 1, a non-boolean dropRemainder, a sampler that is
 *   not a Sampler, or an unknown option (named, with the nearest known one: `drop_last` suggests dropRemainder).
 * @example
 * const batches = new BatchSampler(new SequentialSampler({ numRecords: 5 }), { batchSize: 2 });
 * batches.length; // 3
 * batches.keysAt(2); // [4]
 */
export class BatchSampler {
  /** The sampler whose steps are batched. */
  readonly sampler: Sampler;
  /** Keys per batch. */
  readonly batchSize: number;
  /** Whether a last batch shorter than `batchSize` is dropped. */
  readonly dropRemainder: boolean;
  /** Number of batches (Infinity over an unbounded sampler). */
  readonly length: number;

  constructor(sampler: Sampler, options: BatchSamplerOptions) {
    this.sampler = requireSampler(OWNER, 'sampler', sampler);
    checkOptions(OWNER, options, KEYS);
    this.batchSize = requireInteger(OWNER, 'batchSize', options.batchSize, 1);
    this.dropRemainder = requireBoolean(OWNER, 'dropRemainder', options.dropRemainder, false);
    const batches = sampler.length / this.batchSize;
    this.length = this.dropRemainder ? Math.floor(batches) : Math.ceil(batches);
  }

  /**
   * The inner sampler's steps in batch `batch`.
   * @throws InvalidArgumentError / OutOfRangeError for a batch number that is not in [0, length).
   */
  stepRange(batch: number): StepRange {
    checkStep(OWNER, batch, this.length);
    const start = batch * this.batchSize;
    return { start, end: Math.min(start + this.batchSize, this.sampler.length) };
  }

  /** The record keys of batch `batch` (errors as stepRange). */
  keysAt(batch: number): number[] {
    const { start, end } = this.stepRange(batch);
    const keys = new Array<number>(end - start);
    keysInto(this.sampler, start, keys);
    return keys;
  }

  /**
   * Writes the keys of batch `batch` into `out` and returns how many (errors as stepRange).
   * @throws InvalidArgumentError if `out` is not a writable array or typed array, or is shorter than the batch.
   */
  keysInto(batch: number, out: KeyBuffer): number {
    const { start, end } = this.stepRange(batch);
    checkKeyBuffer(out);
    if (out.length < end - start) {
      throw new InvalidArgumentError(`${OWNER}: buffer of ${out.length} is too small for batch ${batch} of ${end - start} keys`);
    }
    for (let step = start; step < end; step++) out[step - start] = this.sampler.keyAt(step);
    return end - start;
  }

  /** Plain JSON of the arguments that decide the batches, the inner sampler's description included. */
  describe(): SamplerDescription {
    return {
      kind: OWNER,
      batchSize: this.batchSize,
      dropRemainder: this.dropRemainder,
      sampler: this.sampler.describe(),
    };
  }
}
