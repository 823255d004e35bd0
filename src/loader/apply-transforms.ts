// Applies a transform list to a block of records, on the main thread or in a transform worker. Steps run
// synchronously until one returns a promise; that element then continues on its own (with its own
// context, so its generator is its own) while the next elements start, each async step bounded by its
// `concurrency` per thread. Results are put back in element order, so the order, the kept positions
// and the first failure are those of a sequential run.

import { InvalidOptionsError } from '../format/errors.js';
import { RecordRng } from './record-rng.js';
import type { TransformTiming } from './transform-timing.js';
import type { Transform, TransformContext } from './transforms.js';

/** The context of one element, moved from element to element until an element keeps it (async). */
class ElementContext implements TransformContext {
  epoch = 0;
  source = 0;
  key = 0;
  private seeded = false;
  private readonly generator = new RecordRng(0, 0, 0, 0);

  constructor(private readonly seed: number | undefined) {}

  get rng(): RecordRng {
    if (!this.seeded) {
      if (this.seed === undefined) {
        throw new InvalidOptionsError('a transform used context.rng, but the loader was given no seed; pass seed: <0..2^32-1>');
      }
      this.generator.reseed(this.seed, this.epoch, this.source, this.key);
      this.seeded = true;
    }
    return this.generator;
  }

  moveTo(epoch: number, source: number, key: number): void {
    this.epoch = epoch;
    this.source = source;
    this.key = key;
    this.seeded = false;
  }
}

/**
 * Bounds the unsettled promises of one step in this thread. A step is gated once it has returned a
 * promise: each call then takes a slot first (waiting in FIFO order when none is free) and gives it
 * back when its result settles (at once for a plain value).
 */
class StepGate {
  /** True once the step has returned a promise. */
  async = false;
  private taken = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** Takes a slot if one is free. */
  tryEnter(): boolean {
    if (this.taken >= this.limit) return false;
    this.taken++;
    return true;
  }

  /** Resolves once a slot is handed over. */
  enter(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Counts a call that was not gated but turned out async (the step's first promise). */
  force(): void {
    this.taken++;
  }

  leave(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.taken--;
    else next();
  }
}

const gates = new WeakMap<Transform, StepGate>();
/** Steps that use another step's gate: the timed stand-ins of transform-timing.ts. */
const gateOwners = new WeakMap<Transform, Transform>();

/**
 * Makes `step` use the concurrency gate of `owner`, so that a stand-in for a step (calling its
 * function) shares its bound.
 * @example shareGate(timedStep, step);
 */
export function shareGate(step: Transform, owner: Transform): void {
  gateOwners.set(step, owner);
}

function gateOf(transform: Transform): StepGate {
  const step = gateOwners.get(transform) ?? transform;
  let gate = gates.get(step);
  if (gate === undefined) {
    const limit = Number.isSafeInteger(step.concurrency) && step.concurrency >= 1 ? step.concurrency : 16;
    gates.set(step, (gate = new StepGate(limit)));
  }
  return gate;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  const type = typeof value;
  return (type === 'object' || type === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** A step threw (or its promise rejected) on the element. */
class StepError {
  constructor(
    readonly step: number,
    readonly cause: unknown,
  ) {}
}

/** What became of an element a filter dropped. (Values are never native promises: every promise a step returns is awaited.) */
const DROPPED: unique symbol = Symbol('dropped by a filter');

/** What became of an element: its final value, or DROPPED. */
type Outcome = unknown;

/**
 * Runs steps `from`.. on one element: synchronously while they return plain values.
 * @throws StepError (or rejects with it) for the step that failed.
 */
function advance(transforms: readonly Transform[], gates: readonly StepGate[], from: number, start: unknown, context: TransformContext): Outcome | Promise<Outcome> {
  let value = start;
  for (let step = from; step < transforms.length; step++) {
    const transform = transforms[step]!;
    const gate = gates[step]!;
    let entered = false;
    if (gate.async) {
      if (!gate.tryEnter()) {
        const input = value;
        return gate.enter().then(() => call(transforms, gates, step, input, context));
      }
      entered = true;
    }
    let result: unknown;
    try {
      result = transform.fn(value, context);
    } catch (error) {
      if (entered) gate.leave();
      throw new StepError(step, error);
    }
    if (isThenable(result)) {
      if (!entered) {
        gate.async = true;
        gate.force();
      }
      return settleStep(transforms, gates, step, value, result, context);
    }
    if (entered) gate.leave();
    if (transform.kind === 'map') value = result;
    else if (!result) return DROPPED;
  }
  return value;
}

/** Calls step `step` once a slot of its gate was handed over, then continues with the next steps. */
function call(transforms: readonly Transform[], gates: readonly StepGate[], step: number, value: unknown, context: TransformContext): Outcome | Promise<Outcome> {
  const gate = gates[step]!;
  let result: unknown;
  try {
    result = transforms[step]!.fn(value, context);
  } catch (error) {
    gate.leave();
    throw new StepError(step, error);
  }
  if (isThenable(result)) return settleStep(transforms, gates, step, value, result, context);
  gate.leave();
  return continueAfter(transforms, gates, step, value, result, context);
}

/** Waits for a step's promise, gives its slot back, and continues with the next steps. */
async function settleStep(
  transforms: readonly Transform[],
  gates: readonly StepGate[],
  step: number,
  value: unknown,
  pending: PromiseLike<unknown>,
  context: TransformContext,
): Promise<Outcome> {
  const gate = gates[step]!;
  let result: unknown;
  try {
    result = await pending;
  } catch (error) {
    throw new StepError(step, error);
  } finally {
    gate.leave();
  }
  return continueAfter(transforms, gates, step, value, result, context);
}

/** Continues with the steps after `step`, given the value it was called with and its result. */
function continueAfter(
  transforms: readonly Transform[],
  gates: readonly StepGate[],
  step: number,
  value: unknown,
  result: unknown,
  context: TransformContext,
): Outcome | Promise<Outcome> {
  if (transforms[step]!.kind === 'map') return advance(transforms, gates, step + 1, result, context);
  return result ? advance(transforms, gates, step + 1, value, context) : DROPPED;
}

/**
 * The elements of a block that survived the transforms.
 * @example const { values, kept } = await applyTransforms(steps, records, 0, sources, keys, seed); // kept[i]: element of values[i]
 */
export interface TransformedBlock {
  /** Kept values, in order. */
  readonly values: unknown[];
  /** For each kept value, its element's place in the block. */
  readonly kept: Int32Array<ArrayBuffer>;
  /** How long the transforms took (from timeTransforms; sent by the workers too). */
  readonly timing?: TransformTiming;
}

/**
 * A transform threw: which element of the block, which step (and its name), what it threw, and the
 * block's elements before it (so that the consumer still receives them, in order, before the error).
 * @example
 * try { await applyTransforms(steps, records, epoch, sources, keys, seed); }
 * catch (error) { if (error instanceof TransformFailure) console.error(error.element, error.stepName, error.cause); }
 */
export class TransformFailure {
  constructor(
    readonly element: number,
    readonly step: number,
    readonly stepName: string,
    readonly cause: unknown,
    readonly before: TransformedBlock,
  ) {}
}

/**
 * Runs every element of a block through the steps. Returns at once when no step returned a promise;
 * otherwise a promise settled once every started element has settled.
 * @param records the block's elements (records as read).
 * @param sources / keys per element, for the context.
 * @throws (or rejects with) TransformFailure for the first element in block order a step failed on,
 *   with the kept values before it; elements after it are not started.
 * @example
 * const block = await applyTransforms([map((r: Uint8Array) => r.length)], [new Uint8Array(3)], 0, [0], [7], undefined);
 * block.values; // [3]
 */
export function applyTransforms(
  transforms: readonly Transform[],
  records: ArrayLike<unknown>,
  epoch: number,
  sources: ArrayLike<number>,
  keys: ArrayLike<number>,
  seed: number | undefined,
): TransformedBlock | Promise<TransformedBlock> {
  const count = records.length;
  const values: unknown[] = [];
  const kept = new Int32Array(count);
  let keptCount = 0;
  if (transforms.length === 0) {
    for (let element = 0; element < count; element++) {
      values.push(records[element]);
      kept[element] = element;
    }
    return { values, kept };
  }
  const gates = transforms.map(gateOf);
  // False while no step has returned a promise: the loop then skips the gates.
  let gated = gates.some((gate) => gate.async);
  let context = new ElementContext(seed);
  // From the first element that went async on: what became of each element, settled or not.
  let first = -1;
  const later: (Outcome | StepError | Promise<Outcome>)[] = [];
  const steps = transforms.length;
  for (let element = 0; element < count; element++) {
    context.moveTo(epoch, sources[element]!, keys[element]!);
    // The steps run inline while they return plain values (the common, synchronous case); from an async
    // step on, advance() and settleStep() take the element over.
    let value: unknown = records[element];
    let step = 0;
    let pending: Promise<Outcome> | undefined;
    let failed: StepError | undefined;
    try {
      for (; step < steps; step++) {
        if (gated && gates[step]!.async) {
          const outcome = advance(transforms, gates, step, value, context);
          if (outcome instanceof Promise) pending = outcome;
          else value = outcome;
          break;
        }
        const transform = transforms[step]!;
        const result = transform.fn(value, context);
        if (typeof result === 'object' || typeof result === 'function' ? isThenable(result) : false) {
          const gate = gates[step]!;
          gate.async = gated = true;
          gate.force();
          pending = settleStep(transforms, gates, step, value, result as PromiseLike<unknown>, context);
          break;
        }
        if (transform.kind === 'map') value = result;
        else if (!result) {
          value = DROPPED;
          break;
        }
      }
    } catch (error) {
      failed = error instanceof StepError ? error : new StepError(step, error);
    }
    if (first < 0 && pending === undefined) {
      if (failed !== undefined) throw failure(transforms, element, failed, values, kept, keptCount);
      if (value !== DROPPED) {
        values.push(value);
        kept[keptCount++] = element;
      }
      continue;
    }
    if (first < 0) first = element;
    later.push(failed ?? pending ?? value);
    if (failed !== undefined) break;
    // The element keeps its context across its awaits; the next elements get a new one.
    if (pending !== undefined) context = new ElementContext(seed);
  }
  if (first < 0) return { values, kept: kept.slice(0, keptCount) };
  return Promise.all(
    later.map((outcome) => (outcome instanceof Promise ? outcome.catch((error: unknown) => (error instanceof StepError ? error : new StepError(-1, error))) : outcome)),
  ).then((settled) => {
    for (let k = 0; k < settled.length; k++) {
      const outcome = settled[k];
      const element = first + k;
      if (outcome instanceof StepError) throw failure(transforms, element, outcome, values, kept, keptCount);
      if (outcome !== DROPPED) {
        values.push(outcome);
        kept[keptCount++] = element;
      }
    }
    return { values, kept: kept.slice(0, keptCount) };
  });
}

/** The TransformFailure of `element`, with the values kept before it. */
function failure(transforms: readonly Transform[], element: number, error: StepError, values: unknown[], kept: Int32Array<ArrayBuffer>, keptCount: number): TransformFailure {
  const name = error.step >= 0 ? transforms[error.step]!.name : '';
  return new TransformFailure(element, error.step, name, error.cause, { values, kept: kept.slice(0, keptCount) });
}
