// Times the transforms of a block, on the loader's thread or in a transform worker: the whole block, and
// on one block in 32, each step's calls, for the loader's statistics. The timed blocks run stand-ins of
// the steps that time their calls; the others run the steps themselves, so the common path stays as it
// is (timing code in applyTransforms' loop, or stand-ins on every block, slowed every element down).

import { applyTransforms, shareGate, type TransformedBlock } from './apply-transforms.js';
import type { Transform, TransformContext } from './transforms.js';

/** One block in this many has its steps timed. */
const SAMPLE_EVERY = 32;

/**
 * How long a block's transforms took, in milliseconds: the whole block (from its first step to its
 * last element's result), and on the sampled blocks, per step, the synchronous time of its calls.
 * @example const { timing } = await timeTransforms(new TimedSteps(steps), records, 0, sources, keys, seed); // timing?.ms
 */
export interface TransformTiming {
  readonly ms: number;
  /** Per step, in ms; undefined for a block that was not sampled. */
  readonly sampled: Float64Array<ArrayBuffer> | undefined;
}

function isThenable(value: unknown): boolean {
  const type = typeof value;
  return (type === 'object' || type === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/**
 * A transform list and timed stand-ins of its steps, for one run (or worker). A stand-in times an
 * element's calls from its first step until the element is dropped, fails, goes async (its later steps
 * run after an await, among other elements' steps) or passes the last step. The stand-ins share the
 * steps' concurrency gates.
 * @example
 * const timed = new TimedSteps(transforms);
 * const sampled = timed.nextBlock(); // where this block's step times go, if it is timed
 * await applyTransforms(timed.stepsFor(sampled), records, epoch, sources, keys, seed);
 */
export class TimedSteps {
  private readonly timed: readonly Transform[];
  private blocks = 0;
  /** The sampled block running its synchronous part, and the element being timed (by its context). */
  private sampled: Float64Array<ArrayBuffer> | undefined;
  private element: TransformContext | undefined;
  private last = 0;

  constructor(private readonly transforms: readonly Transform[]) {
    const lastStep = transforms.length - 1;
    this.timed = transforms.map((step, index) => {
      const timed: Transform = { ...step, fn: (value: unknown, context: TransformContext) => this.call(step, index, index === lastStep, value, context) };
      shareGate(timed, step);
      return timed;
    });
  }

  /** Whether the next block is timed (one in 32, from the first): the array its step times go to, if so. */
  nextBlock(): Float64Array<ArrayBuffer> | undefined {
    return this.blocks++ % SAMPLE_EVERY === 0 ? new Float64Array(this.transforms.length) : undefined;
  }

  /** The steps to run a block with: the timed stand-ins for a timed block. */
  stepsFor(sampled: Float64Array<ArrayBuffer> | undefined): readonly Transform[] {
    return sampled === undefined ? this.transforms : this.timed;
  }

  /**
   * Runs `block` (applyTransforms over the given steps) with `sampled` receiving the step times.
   * @throws what `block` throws.
   */
  during<T>(sampled: Float64Array<ArrayBuffer> | undefined, block: () => T): T {
    this.sampled = sampled;
    try {
      return block();
    } finally {
      this.sampled = this.element = undefined;
    }
  }

  private call(step: Transform, index: number, last: boolean, value: unknown, context: TransformContext): unknown {
    const sampled = this.sampled;
    if (index === 0 && sampled !== undefined) {
      this.element = context;
      this.last = performance.now();
    }
    if (sampled === undefined || this.element !== context) return step.fn(value, context);
    let result: unknown;
    try {
      result = step.fn(value, context);
    } catch (error) {
      this.element = undefined;
      throw error;
    }
    const now = performance.now();
    sampled[index]! += now - this.last;
    this.last = now;
    if (last || isThenable(result) || (step.kind === 'filter' && !result)) this.element = undefined;
    return result;
  }
}

/**
 * applyTransforms, timed (see TransformTiming).
 * @param started when the block's transforms started (performance.now()), if the caller has read the clock already.
 * @throws (or rejects with) what applyTransforms throws.
 * @example
 * const block = await timeTransforms(new TimedSteps([map((r: Uint8Array) => r.length)]), [new Uint8Array(3)], 0, [0], [7], undefined);
 * block.timing?.ms; // milliseconds the block took
 */
export function timeTransforms(
  timed: TimedSteps,
  records: ArrayLike<unknown>,
  epoch: number,
  sources: ArrayLike<number>,
  keys: ArrayLike<number>,
  seed: number | undefined,
  started = performance.now(),
): TransformedBlock | Promise<TransformedBlock> {
  const sampled = timed.nextBlock();
  const steps = timed.stepsFor(sampled);
  const result = sampled === undefined ? applyTransforms(steps, records, epoch, sources, keys, seed) : timed.during(sampled, () => applyTransforms(steps, records, epoch, sources, keys, seed));
  if (!(result instanceof Promise)) return { values: result.values, kept: result.kept, timing: { ms: performance.now() - started, sampled } };
  return result.then(({ values, kept }) => ({ values, kept, timing: { ms: performance.now() - started, sampled } }));
}
