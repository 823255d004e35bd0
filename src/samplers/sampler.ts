// The contract every sampler fulfils: a pure function from a step number to a record key, with epochs and a description.

/** A plain JSON value; sampler descriptions are made only of these so they survive `JSON.stringify`. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * Plain JSON naming a sampler and every argument that decides its order (`kind` is the class name).
 * Two samplers with equal descriptions give the same key for every step, so a saved position is
 * only valid for a sampler with the same description. Unbounded counts are written as `null`.
 */
export interface SamplerDescription {
  /** The sampler's class, such as `ShuffleSampler`. */
  readonly kind: string;
  readonly [argument: string]: JsonValue;
}

/** A half-open range of steps `[start, end)`. */
export interface StepRange {
  /** The first step. */
  readonly start: number;
  /** One past the last step. */
  readonly end: number;
}

/**
 * An index sampler: step `s` (0, 1, 2, ...) maps to the record key the consumer loads at that step.
 * Samplers hold no cursor, so a consumer's position is just the next step number, and any step can
 * be asked for in any order (prefetching, restarts, elastic resume).
 */
export interface Sampler {
  /** Number of steps; `Infinity` for an unbounded (repeat forever) sampler. */
  readonly length: number;
  /**
   * The record key at `step`.
   * @throws InvalidArgumentError if `step` is not a non-negative safe integer.
   * @throws OutOfRangeError if `step >= length`.
   */
  keyAt(step: number): number;
  /** The epoch `step` belongs to (same errors as `keyAt`). */
  epochAt(step: number): number;
  /**
   * The steps of `epoch`, clipped to this sampler (an epoch cut short by the end of the sampler is shorter).
   * @throws OutOfRangeError if the sampler has no step in that epoch.
   */
  epochRange(epoch: number): StepRange;
  /** Plain JSON of the arguments that decide the order; see {@link SamplerDescription}. */
  describe(): SamplerDescription;
}
