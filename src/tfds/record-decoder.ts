// Decoded records: a TFDS record whose images (and encoded Tensors) are appended again as raw pixels
// (values), so that a plain tf.Example spec — fixedLenRaw for them — parses it into tensors-ready columns.
// This is what runs on the loader's workers, leaving only a copy to the main thread's parser.

import { UnsupportedError } from '../format/errors.js';
import { concatBytes } from '../format/io/concat-bytes.js';
import { checkOptions, optionNames, requireOneOf } from '../format/options-check.js';
import { bytesFeature, encodeExample, type FeatureInput } from '../example/example-encode.js';
import { fixedLenRaw, type ExampleFeature, type ExampleSpec, type Int64As, type RawType } from '../example/feature-spec.js';
import { ExampleParser } from '../example/parse-example.js';
import { decodeElement } from './encoded-values.js';
import { describeDims, featureLeaves, isEncoded, leafSpec, type FeatureLeaf } from './feature-leaves.js';
import type { TfdsFeaturesDict, TfdsDtype } from './features.js';

/** Options of a decoded-record spec. */
export interface DecodedSpecOptions {
  /** The features to include, by key (a leaf, or a dict or sequence key for everything under it); default all. */
  readonly features?: readonly string[];
  /** Pixel values in the parsed columns: 'uint8' (default; uint16 images give int32), 'int32' or 'float32' (for tfjs tensors). */
  readonly imagesAs?: RawType;
  /** How int64, uint32 and uint64 Tensors come back: 'int32' (default, checked), 'float64' or 'bigint'. */
  readonly int64As?: Int64As;
}

const SPEC_KEYS = optionNames<DecodedSpecOptions>({ features: true, imagesAs: true, int64As: true });
const RAW_TYPES: readonly RawType[] = ['uint8', 'int32', 'float32'];
const INT64_AS: readonly Int64As[] = ['int32', 'float64', 'bigint'];
/** Encoded Tensor dtypes whose stored bytes already are fixedLenRaw values. */
const RAW_AS_STORED: ReadonlySet<TfdsDtype> = new Set(['uint8', 'bool', 'int32', 'float32']);

/** The raw element type a decoded leaf is stored as. */
function rawTypeOf(leaf: FeatureLeaf): RawType {
  const { feature } = leaf;
  if (feature.kind === 'image') return feature.dtype === 'uint16' ? 'int32' : 'uint8';
  const dtype = (feature as { dtype: TfdsDtype }).dtype;
  if (dtype === 'uint8' || dtype === 'bool') return 'uint8';
  return dtype.startsWith('float') || dtype === 'bfloat16' ? 'float32' : 'int32';
}

/** The fixed shape of a decoded leaf, or undefined when it varies (image size, sequence length). */
function fixedShape(leaf: FeatureLeaf): number[] | undefined {
  const { feature } = leaf;
  const own = feature.kind === 'image' || feature.kind === 'tensor' ? feature.shape : [];
  const shape = leaf.sequence === undefined ? own : [leaf.sequence.length, ...own];
  return shape.includes(null) ? undefined : (shape as number[]);
}

/** True when the decoded record appends this leaf again (decoded): images, and encoded Tensors not raw as stored. */
function rewrites(leaf: FeatureLeaf): boolean {
  if (!isEncoded(leaf) || fixedShape(leaf) === undefined) return false;
  const { feature } = leaf;
  return feature.kind === 'image' || (feature.kind === 'tensor' && (feature.encoding === 'zlib' || !RAW_AS_STORED.has(feature.dtype)));
}

/**
 * The tf.Example spec of decoded records (see TfdsRecordDecoder): images and encoded Tensors as
 * fixedLenRaw of their shape, class labels int32, text strings, other Tensors as stored; sequences of any
 * length padded (with `lengths`), so that every feature can become a tensor.
 * @throws UnsupportedError for an included image whose size varies or a sequence of encoded values of
 *   any length (they have no fixed shape: leave them out with `features`), or a feature not read here;
 *   InvalidOptionsError for an unknown option.
 * @example
 * const spec = decodedSpec(dataset.featuresDict, { imagesAs: 'float32', features: ['image', 'label'] });
 * // { image: fixedLenRaw([28, 28, 1], { as: 'float32' }), label: fixedLen([], 'int64') }
 */
export function decodedSpec(features: TfdsFeaturesDict, options: DecodedSpecOptions = {}): ExampleSpec {
  checkOptions('decodedSpec', options, SPEC_KEYS, { aliases: { images_as: { option: 'imagesAs' }, keys: { option: 'features' } } });
  const imagesAs = requireOneOf('decodedSpec', 'imagesAs', options.imagesAs, RAW_TYPES, 'uint8');
  const int64As = requireOneOf('decodedSpec', 'int64As', options.int64As, INT64_AS, 'int32');
  const spec: Record<string, ExampleFeature> = {};
  for (const leaf of featureLeaves(features, options.features)) {
    if (!isEncoded(leaf)) {
      spec[leaf.key] = leafSpec(leaf, { int64As, layout: 'padded' });
      continue;
    }
    const shape = fixedShape(leaf);
    if (shape === undefined) {
      const what = leaf.feature.kind === 'image' ? 'images' : 'encoded Tensor values';
      throw new UnsupportedError(
        `feature '${leaf.key}' holds ${what} of shape [${describeDims(leaf.sequence === undefined ? (leaf.feature as { shape: readonly (number | null)[] }).shape : [leaf.sequence.length, ...(leaf.feature as { shape: readonly (number | null)[] }).shape])}], ` +
          'which varies from example to example: decoded records hold values of a fixed shape; leave it out with the features option',
      );
    }
    const rawType = rawTypeOf(leaf);
    const as = leaf.feature.kind === 'image' ? (rawType === 'int32' && imagesAs === 'uint8' ? 'int32' : imagesAs) : rawType;
    spec[leaf.key] = fixedLenRaw(shape, { rawType, as });
  }
  return Object.freeze(spec);
}

/**
 * Turns a TFDS record into a decoded record: the same serialized tf.Example with its images (and encoded
 * Tensors whose stored bytes are not already raw int32, float32 or uint8 values) appended again under
 * the same key as one bytes value of raw little-endian values. A tf.Example map keeps the last entry
 * of a key, so parsers read the decoded values; everything else is the record's own bytes. Records
 * without such features are returned as they are.
 * @example
 * const decoder = new TfdsRecordDecoder(dataset.featuresDict);
 * const decoded = decoder.decode(record);
 * parseExample(decoded, decodedSpec(dataset.featuresDict)).image; // { kind: 'dense', values: Uint8Array(784), shape: [28, 28, 1] }
 */
export class TfdsRecordDecoder {
  private readonly leaves: readonly FeatureLeaf[];
  private readonly parser: ExampleParser<ExampleSpec> | undefined;

  constructor(features: TfdsFeaturesDict) {
    // Features not read here are left as they are, as is everything that cannot have a fixed shape.
    this.leaves = featureLeaves(features, undefined, true).filter(rewrites);
    const spec: Record<string, ExampleFeature> = {};
    for (const leaf of this.leaves) spec[leaf.key] = leafSpec(leaf, { int64As: 'int32', layout: 'ragged' });
    this.parser = this.leaves.length === 0 ? undefined : new ExampleParser(spec);
  }

  /**
   * The decoded record of `record`.
   * @example const decoded = decoder.decode(record); // record's bytes, then the raw pixels
   * @throws ParseError for a record that is not a tf.Example of the dataset's features, or an image or
   *   encoded value that does not decode or does not have the feature's shape.
   */
  decode(record: Uint8Array): Uint8Array {
    if (this.parser === undefined) return record;
    const parsed = this.parser.parse(record) as Record<string, { values: Uint8Array[] }>;
    const appended: Record<string, FeatureInput> = {};
    for (const leaf of this.leaves) {
      const parts = parsed[leaf.key]!.values.map((bytes) => {
        const { values } = decodeElement(leaf, bytes, 'int32', `Name: <unknown>, Key: ${leaf.key}, Index: 0`);
        const raw = values instanceof Float64Array ? Float32Array.from(values) : values;
        return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
      });
      appended[leaf.key] = bytesFeature([parts.length === 1 ? parts[0]! : concatBytes(parts)]);
    }
    const tail = encodeExample(appended);
    const out = new Uint8Array(record.length + tail.length);
    out.set(record, 0);
    out.set(tail, record.length);
    return out;
  }
}
