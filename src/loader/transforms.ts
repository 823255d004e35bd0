// Record transforms of the loader: map and filter steps, the per-record context they receive, and the loop
// that applies them to a block of records (the same loop runs on the main thread and in transform workers).

import { InvalidOptionsError } from '../format/errors.js';
import { RecordRng } from './record-rng.js';

/** What a transform learns about the element it is given. Valid only during the call. */
export interface TransformContext {
  /** The loader epoch the element belongs to. */
  readonly epoch: number;
  /** Which source it was read from: 0 for a single source, the component's place for a mix. */
  readonly source: number;
  /** Its record key (index) in that source. */
  readonly key: number;
  /**
   * This element's own generator, seeded from the loader's `seed`, the epoch, the source and the key:
   * the same numbers on any thread, worker count, world size or resume. Shared by the element's steps.
   * @throws InvalidOptionsError when the loader was given no `seed`.
   */
  readonly rng: RecordRng;
}

/** A map step: returns the new value of the element. Must be synchronous. */
export type MapFunction<I, O> = (value: I, context: TransformContext) => O;
/** A filter step: returns a falsy value to drop the element. Must be synchronous. */
export type FilterFunction<I> = (value: I, context: TransformContext) => boolean;

/** One step of a loader's transform list; build it with {@link map} or {@link filter}. */
export type Transform =
  | { readonly kind: 'map'; readonly name: string; readonly fn: MapFunction<unknown, unknown> }
  | { readonly kind: 'filter'; readonly name: string; readonly fn: FilterFunction<unknown> };

/**
 * A step that replaces each element by `fn(element, context)`. `context.rng` makes it a random map
 * (Grain's RandomMapTransform) that stays reproducible.
 * @example
 * const decode = map((record: Uint8Array) => JSON.parse(new TextDecoder().decode(record)));
 * const jitter = map((x: number[], { rng }) => x.map((v) => v + rng.normal(0, 0.01)));
 */
export function map<I, O>(fn: MapFunction<I, O>, name = fn.name): Transform {
  if (typeof fn !== 'function') throw new InvalidOptionsError(`map takes a function, got ${typeof fn}`);
  return { kind: 'map', name, fn: fn as unknown as MapFunction<unknown, unknown> };
}

/**
 * A step that keeps only the elements for which `fn(element, context)` is true.
 * @example const labelled = filter((example: { label: number }) => example.label >= 0);
 */
export function filter<I>(fn: FilterFunction<I>, name = fn.name): Transform {
  if (typeof fn !== 'function') throw new InvalidOptionsError(`filter takes a function, got ${typeof fn}`);
  return { kind: 'filter', name, fn: fn as unknown as FilterFunction<unknown> };
}

/**
 * Checks a transform list (from options or from a worker's module).
 * @throws InvalidOptionsError naming the first bad entry and `where` it came from.
 */
export function checkTransforms(transforms: unknown, where: string): readonly Transform[] {
  if (!Array.isArray(transforms)) {
    throw new InvalidOptionsError(`${where} must be an array of map(...) / filter(...) steps, got ${typeof transforms}`);
  }
  transforms.forEach((step: unknown, k) => {
    const candidate = step as Partial<Transform> | null;
    if (
      typeof candidate !== 'object' ||
      candidate === null ||
      (candidate.kind !== 'map' && candidate.kind !== 'filter') ||
      typeof candidate.fn !== 'function'
    ) {
      throw new InvalidOptionsError(`${where}[${k}] is not a map(...) or filter(...) step`);
    }
  });
  return transforms as readonly Transform[];
}

/** The shape of a transform list, to compare the lists of two threads: e.g. `map decode, filter`. */
export function describeTransforms(transforms: readonly Transform[]): string {
  return transforms.map((step) => `${step.kind}${step.name === '' ? '' : ` ${step.name}`}`).join(', ');
}

/** The one context object of a transform loop, moved from element to element. */
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

/** The elements of a block that survived the transforms. */
export interface TransformedBlock {
  /** Kept values, in order. */
  readonly values: unknown[];
  /** For each kept value, its element's place in the block. */
  readonly kept: Int32Array<ArrayBuffer>;
}

/**
 * A transform threw: which element of the block, which step (and its name), what it threw, and the
 * block's elements before it (so that the consumer still receives them, in order, before the error).
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
 * Runs every element of a block through the steps, in order.
 * @param records the block's elements (records as read).
 * @param sources / keys per element, for the context.
 * @throws TransformFailure for the first element a step throws on, with the kept values before it.
 */
export function applyTransforms(
  transforms: readonly Transform[],
  records: ArrayLike<unknown>,
  epoch: number,
  sources: ArrayLike<number>,
  keys: ArrayLike<number>,
  seed: number | undefined,
): TransformedBlock {
  const count = records.length;
  const values: unknown[] = [];
  const kept = new Int32Array(count);
  if (transforms.length === 0) {
    for (let element = 0; element < count; element++) {
      values.push(records[element]);
      kept[element] = element;
    }
    return { values, kept };
  }
  const context = new ElementContext(seed);
  let keptCount = 0;
  for (let element = 0; element < count; element++) {
    context.moveTo(epoch, sources[element]!, keys[element]!);
    let value = records[element];
    let keep = true;
    for (let step = 0; step < transforms.length && keep; step++) {
      const transform = transforms[step]!;
      try {
        if (transform.kind === 'map') value = transform.fn(value, context);
        else keep = Boolean(transform.fn(value, context));
      } catch (error) {
        throw new TransformFailure(element, step, transform.name, error, { values, kept: kept.slice(0, keptCount) });
      }
    }
    if (keep) {
      values.push(value);
      kept[keptCount++] = element;
    }
  }
  return { values, kept: kept.slice(0, keptCount) };
}
