// Record transforms of the loader: map and filter steps (sync or async) with their element types, and the
// per-record context they receive. apply-transforms.ts runs them over blocks of records.

import { InvalidOptionsError } from '../format/errors.js';
import { checkOptions, describeFound, optionNames, requireInteger, type OptionAliases } from '../format/options-check.js';
import type { RecordRng } from './record-rng.js';

/**
 * What a transform learns about the element it is given. Valid until the element's last step returns
 * (an async step may keep it across its awaits: each element in flight has its own).
 */
export interface TransformContext {
  /** The loader epoch the element belongs to. */
  readonly epoch: number;
  /** Which source it was read from: 0 for a single source, the component's place for a mix. */
  readonly source: number;
  /** Its record key (index) in that source. */
  readonly key: number;
  /**
   * This element's own generator, seeded from the loader's `seed`, the epoch, the source and the key:
   * the same numbers on any thread, worker count, world size, async concurrency or resume. Shared by
   * the element's steps.
   * @throws InvalidOptionsError when the loader was given no `seed`.
   */
  readonly rng: RecordRng;
}

/**
 * A map step: returns the new value of the element, or a promise of it (an async step).
 * @example const parse: MapFunction<Uint8Array, unknown> = (record) => JSON.parse(new TextDecoder().decode(record));
 */
export type MapFunction<I, O> = (value: I, context: TransformContext) => O | PromiseLike<O>;
/**
 * A filter step: returns (or resolves to) a falsy value to drop the element.
 * @example const nonEmpty: FilterFunction<Uint8Array> = (record) => record.length > 0;
 */
export type FilterFunction<I> = (value: I, context: TransformContext) => boolean | PromiseLike<boolean>;

/**
 * Options of {@link map} and {@link filter}: give a string for the name alone.
 * @example const fetched = map(async (url: string) => (await fetch(url)).text(), { name: 'fetch', concurrency: 8 });
 */
export interface TransformOptions {
  /** Name in errors and in the shape compared with workers' lists; default the function's name. */
  readonly name?: string;
  /**
   * For a step that returns promises: calls of it left unsettled at once, at most, per thread (each
   * transform worker has its own bound). Default 16. Elements still come out in order.
   */
  readonly concurrency?: number;
}

/** Type-level only: no transform object has this key. It carries a step's output type. */
declare const stepOutput: unique symbol;

/**
 * One step of a loader's transform list, from elements of type `I` to elements of type `O`; build it
 * with {@link map} or {@link filter}. The DataLoader follows these types from the records (Uint8Array)
 * through its list to its element type. `Transform` without type arguments is an untyped step.
 * @example const decode: Transform<Uint8Array, string> = map((record: Uint8Array) => new TextDecoder().decode(record));
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an untyped step fits any list, as before steps had types
export interface Transform<I = any, O = any> {
  /** `map` (a new value) or `filter` (keep or drop). */
  readonly kind: 'map' | 'filter';
  /** The step's name, in errors and in the shape compared with the workers' lists. */
  readonly name: string;
  /** See {@link TransformOptions.concurrency}. */
  readonly concurrency: number;
  /** The step's function: a map's new value, or a filter's keep flag (either may be a promise). */
  fn(value: I, context: TransformContext): unknown;
  /** Never present at run time: the type of the element after this step. */
  readonly [stepOutput]?: O;
}

const OPTION_NAMES = optionNames<TransformOptions>({ name: true, concurrency: true });
const OPTION_ALIASES: OptionAliases = {
  num_parallel_calls: { option: 'concurrency', note: "tf.data's map parallelism; elements still come in sampler order" },
  deterministic: { note: 'elements always come in sampler order; leave it out' },
};
const DEFAULT_CONCURRENCY = 16;

function makeStep<I, O>(kind: 'map' | 'filter', fn: unknown, options: string | TransformOptions | undefined): Transform<I, O> {
  if (typeof fn !== 'function') throw new InvalidOptionsError(`${kind} takes a function, got ${typeof fn}`);
  const settings = options === undefined ? {} : typeof options === 'string' ? { name: options } : options;
  if (typeof settings !== 'object' || settings === null) {
    throw new InvalidOptionsError(`${kind}: the second argument is a name or { name, concurrency } (got ${describeFound(settings)})`);
  }
  checkOptions(kind, settings, OPTION_NAMES, { aliases: OPTION_ALIASES });
  if (settings.name !== undefined && typeof settings.name !== 'string') {
    throw new InvalidOptionsError(`${kind}: name must be a string (got ${describeFound(settings.name)})`);
  }
  const name = settings.name ?? fn.name;
  const concurrency = requireInteger(kind, 'concurrency', settings.concurrency ?? DEFAULT_CONCURRENCY, 1);
  return { kind, name, concurrency, fn: fn as Transform<I, O>['fn'] };
}

/**
 * A step that replaces each element by `fn(element, context)`. `context.rng` makes it a random map
 * (Grain's RandomMapTransform) that stays reproducible. `fn` may be async (return a promise): the
 * loader then runs up to `concurrency` calls at once and still yields elements in sampler order.
 * @param options the step's name, or `{ name, concurrency }`.
 * @throws InvalidOptionsError for a non-function, an unknown option or a concurrency below 1.
 * @example
 * const decode = map((record: Uint8Array) => JSON.parse(new TextDecoder().decode(record)));
 * const jitter = map((x: number[], { rng }) => x.map((v) => v + rng.normal(0, 0.01)));
 * const fetched = map(async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer()), { concurrency: 8 });
 */
export function map<I, O>(fn: MapFunction<I, O>, options?: string | TransformOptions): Transform<I, O> {
  return makeStep<I, O>('map', fn, options);
}

/**
 * A step that keeps only the elements for which `fn(element, context)` is true (or resolves to true).
 * A type guard narrows the element type for the steps after it.
 * @param options the step's name, or `{ name, concurrency }`.
 * @throws InvalidOptionsError for a non-function, an unknown option or a concurrency below 1.
 * @example
 * const labelled = filter((example: { label: number }) => example.label >= 0);
 * const texts = filter((value: string | null): value is string => value !== null);
 */
export function filter<I, O extends I>(fn: (value: I, context: TransformContext) => value is O, options?: string | TransformOptions): Transform<I, O>;
export function filter<I>(fn: FilterFunction<I>, options?: string | TransformOptions): Transform<I, I>;
export function filter<I>(fn: FilterFunction<I>, options?: string | TransformOptions): Transform<I, I> {
  return makeStep<I, I>('filter', fn, options);
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
