// The static types of DataLoader: its output type follows from its options. Records (Uint8Array) go
// through each transform step (a tuple of Transform<I, O>) to the element type, then batches are
// element[] (with batchSize) or whatever `collate` returns. An explicit type argument is checked
// against the options instead. Type-level only: nothing here exists at run time.

import type { DataLoader } from './loader.js';
import type { LoaderOptionFields } from './loader-options.js';
import type { Transform } from './transforms.js';

/**
 * What every source returns for a record, and so the input of the first transform step.
 * @example const decode = map((record: LoaderRecord) => new TextDecoder().decode(record));
 */
export type LoaderRecord = Uint8Array;

/**
 * The options that do not decide the output type.
 * @example const common: DataLoaderBaseOptions = { source, sampler, prefetch: 8, seed: 1 };
 */
export type DataLoaderBaseOptions = Omit<LoaderOptionFields, 'transforms' | 'batchSize' | 'collate' | 'transformModule'>;

type StepInput<S> = S extends Transform<infer I, unknown> ? I : never;
type StepOutput<S> = S extends Transform<never, infer O> ? O : never;

/**
 * Shown in the compiler's message when a step of an inline transform list does not take what the
 * step before it returns (or, for step 0, a record): annotate that step's parameter with the type
 * the step before returns.
 * @example
 * // error: ... TransformChainBreak<1, string, number> ... (step 1 takes string, receives number)
 * new DataLoader({ source, sampler, transforms: [map((r) => r.length), map((s: string) => s)] });
 */
export interface TransformChainBreak<Step extends number, Takes, Receives> {
  /** The index of the step that breaks the chain. */
  readonly step: Step;
  /** What that step takes. */
  readonly takes: Takes;
  /** What it receives: the previous step's output (a record for step 0). */
  readonly receives: Receives;
}

type Chain<In, Steps, Seen extends readonly unknown[] = []> = Steps extends readonly []
  ? { readonly ok: true; readonly element: In }
  : Steps extends readonly [infer Step, ...infer Rest]
    ? [In] extends [StepInput<Step>]
      ? Chain<StepOutput<Step>, Rest, [...Seen, Step]>
      : { readonly ok: false; readonly error: TransformChainBreak<Seen['length'], StepInput<Step>, In> }
    : // A list that is not a tuple (an array variable): its order is unknown to the compiler.
      { readonly ok: true; readonly element: unknown };

/**
 * The element type after a transform list: Uint8Array when there is none, unknown when the list is
 * not a tuple or the steps run on workers without the list being given (`transformModule` alone).
 * @example
 * const steps = [map((r: Uint8Array) => r.length), map((n: number) => n > 3)] as const;
 * type Element = ElementOf<typeof steps>; // boolean
 */
export type ElementOf<Steps, Module = undefined> = unknown extends Steps
  ? [Module] extends [undefined]
    ? LoaderRecord
    : unknown
  : Chain<LoaderRecord, Steps> extends {
        /** The steps chain. */
        readonly ok: true;
        /** The last step's output. */
        readonly element: infer E;
      }
    ? E
    : never;

/** `unknown` (no constraint) for a list whose steps chain; an impossible type naming the break otherwise. */
type ChainCheck<Steps> = unknown extends Steps
  ? unknown
  : Chain<LoaderRecord, Steps> extends { readonly ok: false; readonly error: infer Break }
    ? readonly Break[] & { readonly 'a transform step does not take what the step before returns': Break }
    : unknown;

/**
 * Gives step 0 of an inline list its parameter type (a record); the later steps are checked by
 * ChainCheck. An object type, not a tuple, so that lists held in array variables fit too.
 */
interface StepListShape {
  readonly 0?: Transform<LoaderRecord, unknown>;
}

/**
 * What a loader yields for an element type, a batchSize type (undefined: not given) and a collate type
 * (unknown: not given).
 * @example
 * type Batches = LoaderOutput<string, number, unknown>; // string[]
 * type Joined = LoaderOutput<string, number, (items: string[]) => string>; // string
 */
export type LoaderOutput<Element, BatchSize, Collate> = [BatchSize] extends [number]
  ? Batch<Element, Collate>
  : [BatchSize] extends [undefined]
    ? Element
    : Element | Batch<Element, Collate>;

type Batch<Element, Collate> = unknown extends Collate
  ? Element[]
  : Collate extends (items: Element[]) => infer Collated
    ? Collated
    : never;

declare const typeArgumentNeeded: unique symbol;
/**
 * The output type of a DataLoader whose options gave nothing to infer it from (never matches): the
 * constructor then asks for a type argument.
 * @example const loader = new DataLoader<Batch>({ source, sampler, workers: 2, transformModule, batchSize: 8 });
 */
export interface TypeArgumentNeeded {
  /** A brand no value has. */
  readonly [typeArgumentNeeded]: true;
}

/** Transform lists ending in `E`: inline tuples (first step from records), or any list whose every step yields `E`. */
type StepsTo<E, Tuple extends boolean> = Tuple extends true
  ? readonly [Transform<LoaderRecord, E>] | readonly [Transform<LoaderRecord, unknown>, ...Transform<unknown, unknown>[], Transform<never, E>]
  : readonly Transform<never, E>[];

/** `transforms` for element type `E`: optional only when records already are `E`s. */
type TransformsTo<E, Tuple extends boolean> = LoaderRecord extends E
  ? { readonly transforms?: StepsTo<E, Tuple> }
  : { readonly transforms: StepsTo<E, Tuple> };

type ArrayElement<Out> = Out extends readonly (infer E)[] ? E : never;

type OutputOptions<Out, Tuple extends boolean> =
  // Elements one by one.
  | (TransformsTo<Out, Tuple> & { readonly batchSize?: undefined; readonly collate?: undefined; readonly transformModule?: string | URL })
  // Batches as arrays.
  | (TransformsTo<ArrayElement<Out>, Tuple> & { readonly batchSize: number; readonly collate?: undefined; readonly transformModule?: string | URL })
  // Batches made by collate.
  | {
      readonly transforms?: readonly Transform[];
      readonly batchSize: number;
      readonly collate: (items: never[]) => Out;
      readonly transformModule?: string | URL;
    }
  // Transforms that only the workers know: the output type is the caller's word.
  | {
      readonly transforms?: undefined;
      readonly transformModule: string | URL;
      readonly batchSize?: number;
      readonly collate?: (items: never[]) => unknown;
    };

/**
 * The options of `new DataLoader<Out>(...)` with an explicit output type, checked against it: the
 * transform list must end in the element type (`Out`, or its element with `batchSize`) or `collate`
 * must return `Out`. With `transformModule` and no `transforms`, `Out` is taken on trust. Without a
 * type argument the loader infers `Out` from the options instead (see DataLoader).
 * @example
 * const options: DataLoaderOptions<string[]> = { source, sampler, transforms: [map((r: Uint8Array) => r.join())], batchSize: 8 };
 */
export type DataLoaderOptions<Out = unknown, Tuple extends boolean = true> = [Out] extends [TypeArgumentNeeded]
  ? never
  : unknown extends Out
    ? LoaderOptionFields
    : DataLoaderBaseOptions & OutputOptions<Out, Tuple>;

/**
 * The constructor of DataLoader. Without a type argument the output type is inferred: records go
 * through the transform list (an inline list or a tuple: `[...] as const`) to the element type, and
 * batches are element[] or collate's result. With a type argument, the options are checked against it.
 * @example
 * const makeLoader: DataLoaderConstructor = DataLoader;
 * const loader = new makeLoader({ source, sampler, batchSize: 4 }); // DataLoader<Uint8Array[]>
 */
export interface DataLoaderConstructor {
  /** Output type inferred from `transforms`, `batchSize` and `collate`. */
  new <const Steps, Collate, Module extends string | URL | undefined = undefined, BatchSize extends number | undefined = undefined>(
    options: DataLoaderBaseOptions & {
      readonly transforms?: Steps & StepListShape & ChainCheck<Steps>;
      readonly batchSize?: BatchSize;
      readonly collate?: Collate & ((items: ElementOf<Steps, Module>[]) => unknown);
      readonly transformModule?: Module;
    },
  ): DataLoader<LoaderOutput<ElementOf<Steps, Module>, BatchSize, Collate>>;
  /** Explicit output type, with an inline list (checked: the list ends in the element type). */
  new <Out = TypeArgumentNeeded>(options: DataLoaderOptions<NoInfer<Out>>): DataLoader<Out>;
  /** Explicit output type, with a list held in a variable (every step must yield the element type). */
  new <Out = TypeArgumentNeeded>(options: DataLoaderOptions<NoInfer<Out>, false>): DataLoader<Out>;
  /** `DataLoader.prototype`. */
  readonly prototype: DataLoader;
}
