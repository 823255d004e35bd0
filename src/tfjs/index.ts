// tf.data adapters: parsed tf.Example batches as tfjs tensors, for model.fitDataset and evaluateDataset.
// The only module that touches tfjs, and only through the `tf` namespace the caller passes in, so one
// tfjs-core instance (tfjs-node's in production) serves the model and the data.

/**
 * tf.data adapters: batches of serialized tf.Examples as datasets of tensors for `model.fitDataset`
 * and `model.evaluateDataset`, through the `tf` namespace the caller passes in.
 * @module array-record/tfjs
 */

import type { Tensor, TensorContainerObject } from '@tensorflow/tfjs-core';
import type { Dataset } from '@tensorflow/tfjs-data';
import { InvalidArgumentError, InvalidOptionsError } from '../format/errors.js';
import {
  checkOptions,
  describeFound,
  isCount,
  optionNames,
  requireFunction,
  requireInteger,
  requireSeed,
  suggestOption,
  type OptionAliases,
} from '../format/options-check.js';
import { ShuffleSampler } from '../samplers/shuffle-sampler.js';
import type { ExampleSpec } from '../example/feature-spec.js';
import type { DenseFeature, ParsedBatch, ParsedFeature } from '../example/parsed-feature.js';
import { ExampleParser } from '../example/parse-example.js';
import type { ElementMapping } from './element-mapping.js';

export type { ElementMapping } from './element-mapping.js';

/** The parts of the tfjs namespace the adapters use (`import * as tf from '@tensorflow/tfjs-node'` has them). */
export interface TfNamespace {
  /** `tf.tensor`: a tensor of `values` with `shape`. */
  tensor(values: Float32Array | Int32Array | Uint8Array, shape: number[], dtype: 'float32' | 'int32'): Tensor;
  /** `tf.oneHot`: one-hot rows of `depth` for integer `indices`. */
  oneHot(indices: Tensor, depth: number): Tensor;
  /** `tf.data`. */
  data: {
    /** `tf.data.generator`: a dataset whose every `iterator()` calls `generator` afresh. */
    generator<T extends TensorContainerObject>(generator: () => AsyncIterator<T> | Iterator<T>): Dataset<T>;
  };
}


/** How batches of serialized tf.Examples become a tf.data.Dataset. */
export interface ExampleDatasetOptions<S extends ExampleSpec> {
  /** The serialized records of each batch of epoch `epoch`; called once per `iterator()`, with 0, 1, 2, ... */
  readonly batches: (epoch: number) => AsyncIterable<readonly Uint8Array[]>;
  /** Feature spec for parsing (see ExampleParser). */
  readonly spec: S;
  /** Which features are `xs` and `ys`; or `toElement` for full control. */
  readonly mapping?: ElementMapping<S>;
  /** Builds the dataset element from a parsed batch; its tensors belong to the consumer (fitDataset disposes them). */
  readonly toElement?: (batch: ParsedBatch<S>, tf: TfNamespace) => TensorContainerObject;
  /** Batches per epoch, when known: becomes the dataset's `size`. */
  readonly batchesPerEpoch?: number;
  /** The epoch the first `iterator()` call starts (to continue a run); default 0. */
  readonly firstEpoch?: number;
}

const MAPPING_KEYS = optionNames<ElementMapping<ExampleSpec>>({ xs: true, ys: true, oneHot: true });
const EXAMPLE_DATASET_KEYS = optionNames<ExampleDatasetOptions<ExampleSpec>>({
  batches: true,
  spec: true,
  mapping: true,
  toElement: true,
  batchesPerEpoch: true,
  firstEpoch: true,
});
const SAMPLE_DATASET_KEYS = optionNames<SampleDatasetOptions<ExampleSpec>>({
  source: true,
  count: true,
  seed: true,
  batchSize: true,
  spec: true,
  mapping: true,
  toElement: true,
});
const EXAMPLE_DATASET_ALIASES: OptionAliases = {
  dataset: { option: 'batches', note: 'batches: (epoch) => loader.epoch(epoch)' },
  loader: { option: 'batches', note: 'batches: (epoch) => loader.epoch(epoch)' },
  shuffle: { note: "the order is the batches' own: shuffle with the DataLoader's sampler" },
  batch_size: { note: "batches come made: set batchSize on the DataLoader" },
  epochs: { note: 'model.fitDataset(dataset, { epochs }) sets the epochs; firstEpoch is where the first iterator starts' },
};
const SAMPLE_DATASET_ALIASES: OptionAliases = {
  shuffle: { note: 'the sample is drawn at random already, from seed' },
};

/** `mapping`, checked against the spec's feature names. */
function checkMapping<S extends ExampleSpec>(owner: string, mapping: unknown, spec: S): ElementMapping<S> {
  const checked = checkOptions(owner, mapping, MAPPING_KEYS, { name: 'mapping' });
  const features = Object.keys(spec);
  const feature = (name: string, value: unknown): void => {
    if (typeof value !== 'string') {
      throw new InvalidOptionsError(`${owner}: mapping.${name} must be a feature name (got ${describeFound(value)})`);
    }
    if (!features.includes(value)) {
      const meant = suggestOption(value, features)?.option;
      throw new InvalidOptionsError(
        `${owner}: mapping.${name} names feature ${value}, which the spec lacks${meant === undefined ? `; features: ${features.join(', ')}` : `; did you mean ${meant}?`}`,
      );
    }
  };
  const { xs, ys, oneHot } = checked;
  if (Array.isArray(xs)) {
    if (xs.length === 0) throw new InvalidOptionsError(`${owner}: mapping.xs must name at least one feature`);
    xs.forEach((name: unknown, k) => feature(`xs[${k}]`, name));
    checkDistinct(owner, xs as readonly string[]);
  } else {
    feature('xs', xs);
  }
  if (ys !== undefined) feature('ys', ys);
  if (oneHot !== undefined) {
    if (ys === undefined) throw new InvalidOptionsError(`${owner}: mapping.oneHot needs ys, the labels to one-hot`);
    requireInteger(owner, 'mapping.oneHot', oneHot, 1);
  }
  return mapping as ElementMapping<S>;
}

/**
 * Refuses a feature named twice in mapping.xs: xs is an object keyed by name, which holds one of the
 * two tensors made, leaving the other to nobody (a tensor leaked per batch) and the model one input short.
 */
function checkDistinct(owner: string, names: readonly string[]): void {
  names.forEach((name, k) => {
    const first = names.indexOf(name);
    if (first !== k) throw new InvalidOptionsError(`${owner}: mapping.xs names feature ${name} twice (xs[${first}] and xs[${k}])`);
  });
}

/**
 * A dense feature as a tensor: bytes and int columns become int32, everything else float32 (int64
 * parsed as float64 included: tfjs has no wider float, so those are exact only up to 2^24).
 * @throws InvalidArgumentError naming `name`: for something that is not a dense parsed feature (a
 *   ragged one included), a shape that is not non-negative integers or that `values` does not fill, and
 *   values tfjs tensors cannot hold (bytes, strings, bigint, typed arrays other than the parser's).
 */
export function featureTensor(tf: TfNamespace, feature: ParsedFeature, name: string): Tensor {
  const { values, shape } = denseFeature(feature, name);
  const size = shape.reduce((product, dimension) => product * dimension, 1);
  const tensorValues = tensorValuesOf(values, name);
  if (values.length !== size) {
    throw new InvalidArgumentError(`feature "${name}" has shape [${shape.join(', ')}], which takes ${size} values; it holds ${values.length}`);
  }
  return tf.tensor(tensorValues, shape, tensorValues instanceof Float32Array ? 'float32' : 'int32');
}

/**
 * `feature` checked to be dense with a shape of non-negative integers: a toElement of one's own may
 * pass anything (a misspelled key's undefined), which would otherwise fail as a TypeError inside.
 */
function denseFeature(feature: unknown, name: string): { values: ParsedFeature['values']; shape: number[] } {
  if (typeof feature !== 'object' || feature === null) {
    throw new InvalidArgumentError(`feature "${name}" must be a parsed feature { kind: 'dense', values, shape } (got ${describeFound(feature)})`);
  }
  const { kind, values, shape } = feature as Partial<ParsedFeature>;
  if (kind === 'ragged') {
    throw new InvalidArgumentError(`feature "${name}" is ragged; give it a padded layout or a toElement that handles row splits`);
  }
  if (kind !== 'dense') {
    throw new InvalidArgumentError(`feature "${name}" must be a parsed feature { kind: 'dense', values, shape } (got kind ${describeFound(kind)})`);
  }
  if (!Array.isArray(shape) || !shape.every((dimension: unknown) => isCount(dimension))) {
    const found = Array.isArray(shape) ? `[${shape.map((dimension: unknown) => describeFound(dimension)).join(', ')}]` : describeFound(shape);
    throw new InvalidArgumentError(`feature "${name}" has shape ${found}; a shape is an array of non-negative integers`);
  }
  return { values: values!, shape: [...(shape as readonly number[])] };
}

/** `values` as an array tf.tensor takes: Float32Array or Int32Array, converted exactly where needed. */
function tensorValuesOf(values: unknown, name: string): Float32Array | Int32Array | Uint8Array {
  if (values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array) return values;
  if (values instanceof Float64Array) return Float32Array.from(values);
  let what: string;
  if (Array.isArray(values)) what = 'bytes or strings';
  else if (values instanceof BigInt64Array) what = "int64 as bigint (as: 'bigint')";
  else what = describeFound(values);
  throw new InvalidArgumentError(
    `feature "${name}" holds ${what}, which tfjs tensors cannot hold (they take Float32Array, Int32Array, Uint8Array and Float64Array)`,
  );
}

/**
 * The labels of `feature` as the int32 indices tf.oneHot takes, each an integer in [0, depth) whatever
 * type the spec parsed it as (int32, float, bigint): tf.oneHot turns any other value into a row of
 * zeros, a wrong training target with no error (a depth one too small, labels counted from 1).
 * @throws InvalidArgumentError naming the value and its position in the batch; for a ragged feature,
 *   or one of bytes or strings.
 */
function oneHotIndices(feature: ParsedFeature, depth: number, name: string): Int32Array {
  if (feature.kind !== 'dense') throw new InvalidArgumentError(`label feature "${name}" is ragged; oneHot needs one label per example`);
  const { values } = feature;
  if (Array.isArray(values)) throw new InvalidArgumentError(`label feature "${name}" holds bytes or strings, which oneHot cannot encode`);
  checkOneLabelEach(feature, name);
  const indices = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = Number(values[i]!);
    if (!Number.isInteger(value) || value < 0 || value >= depth) {
      throw new InvalidArgumentError(`label feature "${name}" holds ${String(values[i])} at position ${i} of the batch, outside [0, ${depth}) that mapping.oneHot: ${depth} can encode`);
    }
    indices[i] = value;
  }
  return indices;
}

/**
 * Checks that every example of the batch has exactly one label. tf.oneHot makes a row per value: two
 * values per example gave ys twice the rows of xs, and a padded label's padding (an example without
 * the label) became a one-hot class of its own, a wrong target with no error either way.
 * @throws InvalidArgumentError naming the feature and its shape, or the example and its count of values.
 */
function checkOneLabelEach(feature: DenseFeature, name: string): void {
  const perExample = feature.shape.slice(1).reduce((product, dimension) => product * dimension, 1);
  if (perExample !== 1) {
    throw new InvalidArgumentError(
      `label feature "${name}" has shape [${feature.shape.join(', ')}]: ${perExample} values per example, where oneHot needs exactly one (a label of shape [] or [1]); one-hot other labels in a toElement of your own`,
    );
  }
  // Only padded layouts have lengths; fixedLen labels hold one value per example by their shape.
  const at = feature.lengths?.findIndex((length) => length !== 1) ?? -1;
  if (at >= 0) {
    throw new InvalidArgumentError(
      `label feature "${name}" has ${feature.lengths![at]} values at position ${at} of the batch, where oneHot needs exactly one (its padding would be taken for a label)`,
    );
  }
}

function mappedElement<S extends ExampleSpec>(batch: ParsedBatch<S>, tf: TfNamespace, mapping: ElementMapping<S>): TensorContainerObject {
  const tensorOf = (name: keyof S & string): Tensor => featureTensor(tf, batch[name] as ParsedFeature, name);
  const names = typeof mapping.xs === 'string' ? [mapping.xs] : (mapping.xs as readonly (keyof S & string)[]);
  const made: Tensor[] = [];
  try {
    const inputs = names.map((name) => {
      const tensor = tensorOf(name);
      made.push(tensor);
      return tensor;
    });
    const xs = typeof mapping.xs === 'string' ? inputs[0]! : Object.fromEntries(names.map((name, k) => [name, inputs[k]!]));
    if (mapping.ys === undefined) return { xs };
    if (mapping.oneHot === undefined) return { xs, ys: tensorOf(mapping.ys) };
    // Flat, as tf.oneHot wants: a label of shape [1] per example gives one row per example.
    const labels = oneHotIndices(batch[mapping.ys] as ParsedFeature, mapping.oneHot, mapping.ys);
    const indices = tf.tensor(labels, [labels.length], 'int32');
    made.push(indices);
    const ys = tf.oneHot(indices, mapping.oneHot);
    indices.dispose();
    return { xs, ys };
  } catch (error) {
    // The batch's tensors made before the failure would otherwise be left for nobody to dispose.
    for (const tensor of made) tensor.dispose();
    throw error;
  }
}

/**
 * A tf.data.Dataset of parsed tf.Example batches. Every `iterator()` call (model.fitDataset makes one
 * per epoch) runs the next epoch of `batches`; each element's tensors are fresh, for the consumer to
 * dispose.
 * @throws InvalidArgumentError when neither `mapping` nor `toElement` is given; InvalidOptionsError for
 *   an unknown option (named, with the nearest known one: `steps_per_epoch` suggests batchesPerEpoch),
 *   a value of the wrong type, or a mapping naming a feature the spec lacks.
 * @example
 * const dataset = exampleDataset(tf, {
 *   batches: (epoch) => loader.epoch(epoch),
 *   spec: { image: fixedLenRaw([784], { as: 'float32' }), label: fixedLen([], 'int64') },
 *   mapping: { xs: 'image', ys: 'label', oneHot: 10 },
 * });
 * await model.fitDataset(dataset, { epochs: 5 });
 */
export function exampleDataset<S extends ExampleSpec>(tf: TfNamespace, options: ExampleDatasetOptions<S>): Dataset<TensorContainerObject> {
  checkOptions('exampleDataset', options, EXAMPLE_DATASET_KEYS, { aliases: EXAMPLE_DATASET_ALIASES });
  return datasetOf('exampleDataset', tf, options);
}

/** The dataset of checked-for-unknown-keys options; checks their values, naming `owner`. */
function datasetOf<S extends ExampleSpec>(owner: string, tf: TfNamespace, options: ExampleDatasetOptions<S>): Dataset<TensorContainerObject> {
  const { spec, mapping, toElement } = options;
  if (typeof (tf as Partial<TfNamespace> | undefined)?.data?.generator !== 'function') {
    throw new InvalidArgumentError(`${owner}: the first argument must be the tfjs namespace (import * as tf from '@tensorflow/tfjs-node')`);
  }
  const batches = requireFunction<ExampleDatasetOptions<S>['batches']>(owner, 'batches', options.batches, 'a function of the epoch returning batches of records');
  if (mapping === undefined && toElement === undefined) {
    throw new InvalidArgumentError(`${owner} needs a mapping ({ xs, ys }) or a toElement function`);
  }
  if (toElement !== undefined) requireFunction(owner, 'toElement', toElement, 'a function of a parsed batch and tf');
  // toElement builds the element the mapping describes: with both, the mapping would be silently ignored.
  if (mapping !== undefined && toElement !== undefined) {
    throw new InvalidOptionsError(`${owner}: give mapping or toElement, not both (toElement builds the whole element)`);
  }
  const parser = new ExampleParser(spec);
  const checkedMapping = mapping === undefined ? undefined : checkMapping(owner, mapping, parser.spec);
  const batchesPerEpoch = options.batchesPerEpoch === undefined ? undefined : requireInteger(owner, 'batchesPerEpoch', options.batchesPerEpoch, 0);
  const build = toElement ?? ((batch: ParsedBatch<S>) => mappedElement(batch, tf, checkedMapping!));
  let epoch = options.firstEpoch === undefined ? 0 : requireInteger(owner, 'firstEpoch', options.firstEpoch, 0);
  const dataset = tf.data.generator(() => {
    // The epoch is claimed on the first pull, not when the iterator is made: fitDataset makes one more
    // iterator than it has epochs (before the first, never pulled), which must not use up an epoch
    // number (or start any reads).
    let records: AsyncIterator<readonly Uint8Array[]> | undefined;
    let iteratorEpoch = 0;
    let position = 0;
    return {
      async next(): Promise<IteratorResult<TensorContainerObject>> {
        if (records === undefined) {
          iteratorEpoch = epoch++;
          records = batchIterator(owner, batches, iteratorEpoch);
        }
        const next = await records.next();
        if (next.done === true) return { done: true, value: undefined };
        checkBatch(owner, next.value, position++, iteratorEpoch);
        return { done: false, value: build(parser.parseBatch(next.value), tf) };
      },
    };
  });
  if (batchesPerEpoch !== undefined) Object.defineProperty(dataset, 'size', { value: batchesPerEpoch });
  return dataset;
}

/**
 * The iterator of `batches(epoch)`.
 * @throws InvalidArgumentError, naming what it returned, when that is not an async iterable.
 */
function batchIterator(owner: string, batches: (epoch: number) => AsyncIterable<readonly Uint8Array[]>, epoch: number): AsyncIterator<readonly Uint8Array[]> {
  const iterable = batches(epoch) as Partial<AsyncIterable<readonly Uint8Array[]>> | null | undefined;
  const iterate = iterable?.[Symbol.asyncIterator];
  if (typeof iterate !== 'function') {
    throw new InvalidArgumentError(
      `${owner}: batches(${epoch}) must return an async iterable of batches, such as loader.epoch(${epoch}) (got ${describeFound(iterable)})`,
    );
  }
  return iterate.call(iterable);
}

/**
 * Refuses a batch that is not an array of records before the parser does, naming where it came from:
 * the parser's own message (use parse(record) for one record) points at code the user never wrote.
 */
function checkBatch(owner: string, batch: unknown, position: number, epoch: number): void {
  if (Array.isArray(batch)) return;
  const cause = batch instanceof Uint8Array ? ' (a DataLoader without batchSize yields single records: give it a batchSize)' : '';
  throw new InvalidArgumentError(`${owner}: batch ${position} of batches(${epoch}) is ${describeFound(batch)}, not an array of serialized records${cause}`);
}

/** What `sampleDataset` draws from: any record source with random access (an ArrayRecordDataSource). */
export interface RandomAccessSource {
  /** Records in the source. */
  readonly length: number;
  /** The records at `indices`, in request order. */
  getItemsAsync(indices: ArrayLike<number>): Promise<Uint8Array[]>;
}

/**
 * The records a source gave for `asked` indices, when it gave that many: a short answer would make a
 * short batch, the sample silently smaller than its count.
 */
function checkedItems(items: unknown, asked: number): Uint8Array[] {
  if (!Array.isArray(items) || items.length !== asked) {
    const found = Array.isArray(items) ? `${items.length} records` : describeFound(items);
    throw new InvalidArgumentError(`sampleDataset: source.getItemsAsync(indices) gave ${found} for ${asked} indices`);
  }
  return items as Uint8Array[];
}

/** A seeded random sample of a source for evaluation. */
export interface SampleDatasetOptions<S extends ExampleSpec> {
  /** Where the records are drawn from, by index (an ArrayRecordDataSource). */
  readonly source: RandomAccessSource;
  /** How many distinct records to draw (at most the source's length). */
  readonly count: number;
  /** Seed of the draw (an integer in [0, 2^32)): the same seed draws the same records. */
  readonly seed: number;
  /** Records per dataset element (the last one may be short). */
  readonly batchSize: number;
  /** Feature spec for parsing (see ExampleParser). */
  readonly spec: S;
  /** Which features are `xs` and `ys`; or `toElement` for full control. */
  readonly mapping?: ElementMapping<S>;
  /** Builds the dataset element from a parsed batch; its tensors belong to the consumer. */
  readonly toElement?: (batch: ParsedBatch<S>, tf: TfNamespace) => TensorContainerObject;
}

/**
 * A tf.data.Dataset of `count` distinct records drawn at random (seeded) from a source through
 * random access, without a pass over the source: for model.evaluateDataset on a large held-out set.
 * Every iterator() yields the same sample.
 * @throws InvalidArgumentError for a count beyond the source or a batch size below 1; InvalidOptionsError
 *   for an unknown option (named, with the nearest known one: `num_samples` suggests count), a bad
 *   seed, a source without getItemsAsync, or the errors of exampleDataset.
 * @example
 * const sample = sampleDataset(tf, { source, count: 1000, seed: 1, batchSize: 250, spec, mapping: { xs: 'image', ys: 'label', oneHot: 10 } });
 * const [loss, accuracy] = await model.evaluateDataset(sample, {}) as tf.Scalar[];
 */
export function sampleDataset<S extends ExampleSpec>(tf: TfNamespace, options: SampleDatasetOptions<S>): Dataset<TensorContainerObject> {
  checkOptions('sampleDataset', options, SAMPLE_DATASET_KEYS, { aliases: SAMPLE_DATASET_ALIASES });
  const { source, count, batchSize } = options;
  if (typeof source !== 'object' || source === null || typeof source.getItemsAsync !== 'function' || typeof source.length !== 'number') {
    throw new InvalidOptionsError(`sampleDataset: source must have length and getItemsAsync(indices) (an ArrayRecordDataSource), got ${describeFound(source)}`);
  }
  const seed = requireSeed('sampleDataset', options.seed);
  if (!isCount(source.length)) throw new InvalidArgumentError(`sampleDataset: source.length must be a count of records (got ${describeFound(source.length)})`);
  if (!isCount(count)) throw new InvalidArgumentError(`sampleDataset: count must be an integer in [0, ${source.length}] (got ${describeFound(count)})`);
  if (count > source.length) throw new InvalidArgumentError(`sampleDataset: sample count ${count} outside [0, ${source.length}]`);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`sampleDataset: batch size must be a positive integer, got ${describeFound(batchSize)}`);
  // The first `count` steps of a seeded shuffle are `count` distinct records, chosen in O(1) memory.
  const order = count === 0 ? undefined : new ShuffleSampler({ numRecords: source.length, seed });
  async function* batches(): AsyncGenerator<Uint8Array[]> {
    for (let start = 0; start < count; start += batchSize) {
      const keys = Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => order!.keyAt(start + i));
      yield checkedItems(await source.getItemsAsync(keys), keys.length);
    }
  }
  const { spec, mapping, toElement } = options;
  return datasetOf('sampleDataset', tf, { batches, batchesPerEpoch: Math.ceil(count / batchSize), spec, mapping, toElement });
}
