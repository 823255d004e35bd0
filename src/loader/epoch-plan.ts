// The loader's element order, epoch by epoch: which source and record key sits at each position of an
// epoch. One sampler gives it directly; a mix (mix.ts) interleaves several; an elastic resume replaces
// one epoch by what an interrupted job left of it.

import { OutOfRangeError } from '../format/errors.js';
import type { Sampler, SamplerDescription } from '../samplers/sampler.js';

/** Where the loader is: the next position of an epoch, and for a mix how many elements each component gave. */
export interface PlanPosition {
  readonly epoch: number;
  /** Positions of the epoch already consumed (filtered-out elements included). */
  readonly offset: number;
  /** Mix only: elements taken from each component in this epoch before `offset`. */
  readonly counts?: readonly number[] | undefined;
}

/** Walks one epoch from a position, a block at a time. */
export interface PlanCursor {
  /** Writes the next elements' sources and keys (at most `keys.length`) and returns how many; 0 at the end. */
  fill(sources: Int32Array, keys: Float64Array): number;
  /** True when the epoch has no element left. */
  ended(): boolean;
  /** Mix only: elements taken from each component so far in this epoch (a copy). */
  counts(): Float64Array | undefined;
}

/** The order of elements over all epochs. */
export interface ElementPlan {
  /** Number of epochs; Infinity when unbounded. Epochs below `firstEpoch` are empty. */
  readonly numEpochs: number;
  /** The first epoch with elements (a sampler may start later, e.g. DistributedSampler's `epoch`). */
  readonly firstEpoch: number;
  /** Elements of `epoch`, or undefined when known only by walking it (a mix that stops on an empty component). */
  epochLength(epoch: number): number | undefined;
  /**
   * A cursor at `position`.
   * @throws OutOfRangeError when the offset is past the end of the epoch, or counts do not fit the plan.
   */
  cursor(position: PlanPosition): PlanCursor;
  /** Plain JSON deciding the order (a sampler's, or a mix's with all its samplers). */
  describe(): SamplerDescription;
}

/** The steps of one epoch of a sampler: `length` steps from `start`. */
export interface EpochSpan {
  readonly sampler: Sampler;
  readonly start: number;
  readonly length: number;
}

/** Epochs of a sampler, counted from its steps: 0 for an empty sampler, Infinity for an unbounded one. */
export function samplerEpochs(sampler: Sampler): number {
  if (sampler.length === Infinity) return Infinity;
  return sampler.length === 0 ? 0 : sampler.epochAt(sampler.length - 1) + 1;
}

/** The steps of `epoch` of a sampler; an epoch in which this sampler has no step is empty. */
export function epochSpan(sampler: Sampler, epoch: number): EpochSpan {
  if (epoch >= samplerEpochs(sampler)) return { sampler, start: 0, length: 0 };
  try {
    const { start, end } = sampler.epochRange(epoch);
    return { sampler, start, length: end - start };
  } catch (error) {
    if (error instanceof OutOfRangeError) return { sampler, start: 0, length: 0 };
    throw error;
  }
}

/**
 * The order of a single sampler: epoch e is `sampler.epochRange(e)`. `replaced` swaps one epoch for
 * another sampler's steps (what an elastic resume leaves of that epoch for this rank).
 */
export class SamplerPlan implements ElementPlan {
  readonly numEpochs: number;
  readonly firstEpoch: number;

  constructor(
    readonly sampler: Sampler,
    private readonly replaced?: { readonly epoch: number; readonly sampler: Sampler },
  ) {
    this.numEpochs = samplerEpochs(sampler);
    this.firstEpoch = sampler.length === 0 ? 0 : sampler.epochAt(0);
  }

  /** The steps of `epoch`, taking the replaced epoch into account. */
  span(epoch: number): EpochSpan {
    if (this.replaced !== undefined && epoch === this.replaced.epoch) {
      return { sampler: this.replaced.sampler, start: 0, length: this.replaced.sampler.length };
    }
    return epochSpan(this.sampler, epoch);
  }

  epochLength(epoch: number): number {
    return this.span(epoch).length;
  }

  cursor(position: PlanPosition): PlanCursor {
    const span = this.span(position.epoch);
    if (position.offset > span.length) {
      throw new OutOfRangeError(
        `position ${position.offset} is past the end of epoch ${position.epoch}, which has ${span.length} elements`,
        { index: position.offset },
      );
    }
    return new SpanCursor(span, position.offset);
  }

  describe(): SamplerDescription {
    return this.sampler.describe();
  }
}

class SpanCursor implements PlanCursor {
  constructor(
    private readonly span: EpochSpan,
    private offset: number,
  ) {}

  fill(sources: Int32Array, keys: Float64Array): number {
    const count = Math.min(keys.length, this.span.length - this.offset);
    const first = this.span.start + this.offset;
    for (let k = 0; k < count; k++) {
      keys[k] = this.span.sampler.keyAt(first + k);
      sources[k] = 0;
    }
    this.offset += count;
    return count;
  }

  ended(): boolean {
    return this.offset >= this.span.length;
  }

  counts(): undefined {
    return undefined;
  }
}
