// Parses the serialized tf.Examples of a TFDS dataset into the columns ExampleParser returns, with TFDS's
// decoding on top: images to pixels, encoded Tensors to their values, class labels to int32, text to strings.

import { InvalidArgumentError } from '../format/errors.js';
import { checkOptions, optionNames, requireInteger, requireOneOf } from '../format/options-check.js';
import type { ExampleSpec, Int64As } from '../example/feature-spec.js';
import type { DenseFeature, FeatureValues, ParsedFeature, RaggedFeature } from '../example/parsed-feature.js';
import { ExampleParser } from '../example/parse-example.js';
import { MAX_PIXELS_LIMIT } from './image-decode.js';
import { concatValues, decodeElement, type DecodedElement } from './encoded-values.js';
import { describeDims, featureLeaves, isEncoded, leafSpec, type FeatureLeaf } from './feature-leaves.js';
import type { TfdsFeaturesDict } from './features.js';

/** Options of TfdsParser. */
export interface TfdsParserOptions {
  /**
   * The features to parse, by key: a leaf (`label`, `objects/bbox`) or a dict or sequence key selecting
   * everything under it (`objects`). Default: every feature.
   */
  readonly features?: readonly string[];
  /** How int64, uint32 and uint64 Tensors come back: 'int32' (default, checked), 'float64' or 'bigint'. Smaller integers are always int32. */
  readonly int64As?: Int64As;
  /**
   * The most pixels an image may have (checked from its header, before decoding): default
   * DEFAULT_MAX_PIXELS (2^27), at most 2^29 - 1. Images of a declared height and width are held to it too.
   */
  readonly maxImagePixels?: number;
}

/** Parsed features by tf.Example key (`image`, `label`, `objects/bbox`). */
export type TfdsParsedFeatures = Readonly<Record<string, ParsedFeature>>;

const OWNER = 'TfdsParser';
const KEYS = optionNames<TfdsParserOptions>({ features: true, int64As: true, maxImagePixels: true });
const INT64_AS: readonly Int64As[] = ['int32', 'float64', 'bigint'];

/**
 * Parses records of a TFDS dataset (serialized tf.Examples, as the shards hold them) into one column per
 * feature, keyed by its tf.Example key (`parent/child` for nested dicts), with the batch dimension
 * first — the `{ kind, values, shape }` features of ExampleParser, decoded as TFDS decodes them:
 * - Image: pixels decoded from PNG or JPEG, `Uint8Array` (uint16 images: `Int32Array`) of
 *   `[batch, height, width, channels]`; images whose size varies come back ragged, `[batch, (height),
 *   (width), channels]` (values `[pixels, channels]`, nestedRowSplits by image rows then by pixels).
 * - ClassLabel: `Int32Array` of class ids (names in the feature's `names`).
 * - Text: strings. Tensor: its shape, int64 lists as `int64As` says, floats as `Float32Array`,
 *   string Tensors as bytes; encoded Tensors (encoding bytes or zlib) decoded to their dtype.
 * - Sequence: a first dimension per example; ragged (`rowSplits`) unless its length is fixed.
 * @throws UnsupportedError from the constructor for a selected feature that is not read here (naming its
 *   TFDS class); InvalidArgumentError for an unknown feature key; InvalidOptionsError for an unknown option.
 * @example
 * const parser = new TfdsParser(dataset.featuresDict);
 * const batch = parser.parseBatch(await source.getItemsAsync([0, 1, 2]));
 * batch.image.values; // Uint8Array of 3 * 28 * 28 * 1 pixels, batch.image.shape [3, 28, 28, 1]
 * batch.label.values; // Int32Array [5, 0, 4]
 */
export class TfdsParser {
  /** The keys of the parsed features, in dict order. */
  readonly keys: readonly string[];
  /** The tf.Example spec of the stored records (encoded values as bytes). */
  readonly spec: ExampleSpec;
  private readonly leaves: readonly FeatureLeaf[];
  private readonly parser: ExampleParser<ExampleSpec>;
  private readonly int64As: Int64As;
  private readonly maxImagePixels: number | undefined;

  constructor(features: TfdsFeaturesDict, options: TfdsParserOptions = {}) {
    checkOptions(OWNER, options, KEYS, { aliases: { int64_as: { option: 'int64As' }, keys: { option: 'features' } } });
    this.int64As = requireOneOf(OWNER, 'int64As', options.int64As, INT64_AS, 'int32');
    this.maxImagePixels = options.maxImagePixels === undefined ? undefined : requireInteger(OWNER, 'maxImagePixels', options.maxImagePixels, 1, MAX_PIXELS_LIMIT);
    this.leaves = featureLeaves(features, options.features);
    const spec: Record<string, ReturnType<typeof leafSpec>> = {};
    for (const leaf of this.leaves) {
      if (leaf.feature.kind === 'image' && leaf.sequence !== undefined && !hasSize(leaf)) {
        throw new InvalidArgumentError(
          `feature '${leaf.key}' is a Sequence of images of shape [${describeDims(leaf.feature.shape)}]: a sequence of images is read with a known image size`,
        );
      }
      spec[leaf.key] = leafSpec(leaf, { int64As: this.int64As, layout: 'ragged' });
    }
    this.spec = Object.freeze(spec);
    this.parser = new ExampleParser(this.spec);
    this.keys = Object.freeze(this.leaves.map((leaf) => leaf.key));
  }

  /**
   * Parses a batch of records: each feature becomes one array with the batch dimension first.
   * @param names optional record names for error messages, else `<unknown>`.
   * @throws ParseError for a record that is not a tf.Example of these features, or an image or encoded
   *   value that does not decode or does not have the feature's shape (naming the record and key).
   * @example parser.parseBatch(records).image.shape // [records.length, 28, 28, 1]
   */
  parseBatch(records: readonly Uint8Array[], names?: readonly string[]): TfdsParsedFeatures {
    const parsed = this.parser.parseBatch(records, names) as Record<string, ParsedFeature>;
    const out: Record<string, ParsedFeature> = {};
    for (const leaf of this.leaves) {
      const column = parsed[leaf.key]!;
      out[leaf.key] = isEncoded(leaf) ? this.decodeColumn(leaf, column, names) : column;
    }
    return out;
  }

  /**
   * Parses one record: no batch dimension, and sequences and varying images come back dense with their
   * own size.
   * @throws ParseError as parseBatch.
   * @example parser.parse(record).image // { kind: 'dense', values: Uint8Array(784), shape: [28, 28, 1] }
   */
  parse(record: Uint8Array, name?: string): Readonly<Record<string, DenseFeature>> {
    const batch = this.parseBatch([record], name === undefined ? undefined : [name]);
    const out: Record<string, DenseFeature> = {};
    for (const key of this.keys) out[key] = single(batch[key]!);
    return out;
  }

  /** Decodes the bytes values of an encoded leaf's column (one per element) and lays them out. */
  private decodeColumn(leaf: FeatureLeaf, column: ParsedFeature, names: readonly string[] | undefined): ParsedFeature {
    const values = column.values as Uint8Array[];
    const perRecord = column.kind === 'dense' ? column.shape.slice(1).reduce((size, dim) => size * dim, 1) : 0;
    const recordOf = (element: number): number => (column.kind === 'dense' ? Math.floor(element / Math.max(1, perRecord)) : rowOf(column.rowSplits, element));
    const elements: DecodedElement[] = values.map((bytes, element) => {
      const index = recordOf(element);
      return decodeElement(leaf, bytes, this.int64As, `Name: ${names?.[index] ?? '<unknown>'}, Key: ${leaf.key}, Index: ${index}`, this.maxImagePixels);
    });
    const parts = elements.map((element) => element.values);
    const empty = (): DecodedElement['values'] => emptyValues(leaf, this.int64As);
    const merged = concatValues(parts, empty);
    const knownShape = leaf.feature.kind === 'tensor' || hasSize(leaf);
    if (knownShape) {
      const inner = leaf.feature.kind === 'tensor' ? (leaf.feature.shape as number[]) : elementShape(leaf, elements);
      if (column.kind === 'dense') return { kind: 'dense', values: merged, shape: [...column.shape, ...inner] };
      return { kind: 'ragged', values: merged, shape: [values.length, ...inner], rowSplits: column.rowSplits, nestedRowSplits: column.nestedRowSplits };
    }
    return raggedImages(leaf, elements, merged);
  }
}

/** True when a leaf's images have a fixed height and width. */
function hasSize(leaf: FeatureLeaf): boolean {
  return leaf.feature.kind === 'image' && leaf.feature.shape[0] !== null && leaf.feature.shape[1] !== null;
}

/** The shape of one element of a leaf whose image size is fixed (the channels may be the file's own). */
function elementShape(leaf: FeatureLeaf, elements: readonly DecodedElement[]): number[] {
  const shape = (leaf.feature as { shape: readonly (number | null)[] }).shape;
  const channels = shape[2] ?? elements[0]?.shape[2] ?? 0;
  if (elements.some((element) => element.shape[2] !== channels)) {
    throw new InvalidArgumentError(`feature '${leaf.key}': the images of the batch have different channel counts; give the feature a channel count`);
  }
  return [shape[0]!, shape[1]!, channels];
}

/** Images of varying size as a ragged [batch, (height), (width), channels] feature. */
function raggedImages(leaf: FeatureLeaf, elements: readonly DecodedElement[], values: FeatureValues): RaggedFeature {
  const heights = new Int32Array(elements.length + 1);
  let rows = 0;
  elements.forEach((element, i) => {
    rows += element.shape[0]!;
    heights[i + 1] = rows;
  });
  const widths = new Int32Array(rows + 1);
  let row = 0;
  let pixels = 0;
  for (const element of elements) {
    for (let r = 0; r < element.shape[0]!; r++) {
      pixels += element.shape[1]!;
      widths[++row] = pixels;
    }
  }
  const channels = elements[0]?.shape[2] ?? (leaf.feature as { shape: readonly (number | null)[] }).shape[2] ?? 0;
  if (elements.some((element) => element.shape[2] !== channels)) {
    throw new InvalidArgumentError(`feature '${leaf.key}': the images of the batch have different channel counts; give the feature a channel count`);
  }
  return { kind: 'ragged', values, shape: [pixels, channels], rowSplits: heights, nestedRowSplits: [heights, widths] };
}

/** The typed array an encoded leaf's values come in, empty. */
function emptyValues(leaf: FeatureLeaf, int64As: Int64As): DecodedElement['values'] {
  const { feature } = leaf;
  if (feature.kind === 'image') return feature.dtype === 'uint16' ? new Int32Array(0) : new Uint8Array(0);
  switch ((feature as { dtype: string }).dtype) {
    case 'bool':
    case 'uint8':
      return new Uint8Array(0);
    case 'float16':
    case 'bfloat16':
    case 'float32':
      return new Float32Array(0);
    case 'float64':
      return new Float64Array(0);
    case 'uint32':
    case 'int64':
    case 'uint64':
      return int64As === 'bigint' ? new BigInt64Array(0) : int64As === 'float64' ? new Float64Array(0) : new Int32Array(0);
    default:
      return new Int32Array(0);
  }
}

/** The row of `element` given row splits (the last row whose start is <= element). */
function rowOf(splits: Int32Array, element: number): number {
  let low = 0;
  let high = splits.length - 2;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (splits[middle]! <= element) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** A one-record batch feature without its batch dimension, dense with the record's own sizes. */
function single(feature: ParsedFeature): DenseFeature {
  if (feature.kind === 'dense') return { kind: 'dense', values: feature.values, shape: feature.shape.slice(1) };
  const dims: number[] = [];
  let start = 0;
  let end = 1;
  for (const splits of feature.nestedRowSplits) {
    const first = splits[start]!;
    const last = splits[end]!;
    const rows = end - start;
    // Every row of this level has the same length within one record (one image's rows, one sequence).
    dims.push(rows === 0 ? 0 : (last - first) / rows);
    start = first;
    end = last;
  }
  return { kind: 'dense', values: feature.values, shape: [...dims, ...feature.shape.slice(1)] };
}
