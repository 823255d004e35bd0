// The tf.Example features a TFDS FeaturesDict is stored as: one per leaf, under its `parent/child` key,
// a Sequence adding a first dimension (TFDS's serialized TensorInfo), and the parsing spec of each.

import { InvalidArgumentError, UnsupportedError } from '../format/errors.js';
import { fixedLen, fixedLenSequence, type ExampleFeature, type Int64As } from '../example/feature-spec.js';
import type { Dim, TfdsClassLabel, TfdsDtype, TfdsFeature, TfdsFeaturesDict, TfdsImage, TfdsTensor, TfdsText } from './features.js';

/** A feature stored as one tf.Example key. */
export interface FeatureLeaf {
  /** The tf.Example key, and the key of the parsed output: `image`, `objects/label`. */
  readonly key: string;
  readonly feature: TfdsTensor | TfdsClassLabel | TfdsText | TfdsImage;
  /** Undefined outside a Sequence; else its length (null: any number of elements). */
  readonly sequence: { readonly length: number | null } | undefined;
}

/**
 * The leaves of a FeaturesDict in dict order, limited to `selected` keys (a leaf key, or a dict or
 * sequence key selecting everything under it) when given.
 * @param skipUnsupported leave out features that are not read here instead of throwing.
 * @throws InvalidArgumentError for a selected key the dataset lacks; UnsupportedError for a selected
 *   feature this package does not read (naming its TFDS class) and for a Sequence inside a Sequence.
 */
export function featureLeaves(features: TfdsFeaturesDict, selected?: readonly string[], skipUnsupported = false): FeatureLeaf[] {
  const all: { key: string; feature: TfdsFeature; sequence: FeatureLeaf['sequence']; nested: boolean }[] = [];
  const visit = (feature: TfdsFeature, key: string, sequence: FeatureLeaf['sequence'], nested: boolean): void => {
    if (feature.kind === 'dict') {
      for (const [child, sub] of Object.entries(feature.features)) visit(sub, `${key}/${child}`, sequence, nested);
    } else if (feature.kind === 'sequence') {
      visit(feature.feature, key, { length: feature.length }, nested || sequence !== undefined);
    } else {
      all.push({ key, feature, sequence, nested });
    }
  };
  for (const [key, feature] of Object.entries(features.features)) visit(feature, key, undefined, false);
  if (selected !== undefined) {
    if (!Array.isArray(selected) || selected.some((key) => typeof key !== 'string')) {
      throw new InvalidArgumentError('features must be a list of feature keys');
    }
    const missing = selected.filter((key) => !all.some((leaf) => leaf.key === key || leaf.key.startsWith(`${key}/`)));
    if (missing.length > 0) {
      throw new InvalidArgumentError(`the dataset has no feature ${missing.map((key) => JSON.stringify(key)).join(', ')}; its features: ${all.map((leaf) => leaf.key).join(', ')}`);
    }
  }
  let chosen = selected === undefined ? all : all.filter((leaf) => selected.some((key) => leaf.key === key || leaf.key.startsWith(`${key}/`)));
  if (skipUnsupported) chosen = chosen.filter((leaf) => leaf.feature.kind !== 'unsupported' && !leaf.nested);
  return chosen.map(({ key, feature, sequence, nested }) => {
    if (feature.kind === 'unsupported') {
      throw new UnsupportedError(`feature '${key}' is ${feature.reason}, which is not read here (Tensor, Scalar, ClassLabel, Text, Image, Sequence and FeaturesDict are); leave it out with the features option`);
    }
    if (nested) throw new UnsupportedError(`feature '${key}' is a Sequence inside a Sequence (stored ragged), which is not read here; leave it out with the features option`);
    return { key, feature: feature as FeatureLeaf['feature'], sequence };
  });
}

/** The shape a leaf has in one example: the sequence dimension first, then the feature's own. */
export function leafShape(leaf: FeatureLeaf): Dim[] {
  const own = leaf.feature.kind === 'tensor' || leaf.feature.kind === 'image' ? [...leaf.feature.shape] : [];
  return leaf.sequence === undefined ? own : [leaf.sequence.length, ...own];
}

/** True when the leaf's values are stored as encoded bytes (images; Tensors with encoding bytes or zlib). */
export function isEncoded(leaf: FeatureLeaf): boolean {
  return leaf.feature.kind === 'image' || (leaf.feature.kind === 'tensor' && leaf.feature.encoding !== 'none');
}

/** Whether a dtype is stored as an int64 list (integers and bools), a float list, or bytes. */
export function storedDtype(dtype: TfdsDtype): 'int64' | 'float32' | 'bytes' {
  if (dtype === 'string') return 'bytes';
  if (dtype.startsWith('float') || dtype === 'bfloat16') return 'float32';
  return 'int64';
}

/** int64 list dtypes whose values always fit an int32 (read as Int32Array whatever `int64As` says). */
const SMALL_INTS: ReadonlySet<TfdsDtype> = new Set(['bool', 'int8', 'int16', 'int32', 'uint8', 'uint16']);

/**
 * The tf.Example spec a leaf is parsed with, as TFDS's example_parser builds it from the serialized
 * TensorInfo: all dimensions known -> fixedLen; only the first unknown -> fixedLenSequence (allowMissing);
 * encoded values (images, encoded Tensors) as their bytes, one per element.
 * @param layout how a sequence of any length comes back: ragged (the parser) or padded (tensors).
 * @throws UnsupportedError for a shape with an unknown dimension past the first.
 */
export function leafSpec(leaf: FeatureLeaf, options: { readonly int64As: Int64As; readonly layout: 'ragged' | 'padded' }): ExampleFeature {
  const { feature } = leaf;
  let shape: Dim[];
  let dtype: 'int64' | 'float32' | 'bytes';
  let as: string | undefined;
  if (isEncoded(leaf)) {
    // One bytes value per element: the image or the raw tensor; only a sequence adds a dimension.
    shape = leaf.sequence === undefined ? [] : [leaf.sequence.length];
    dtype = 'bytes';
    if (feature.kind === 'tensor' && feature.shape.includes(null)) {
      throw new UnsupportedError(`feature '${leaf.key}' is an encoded Tensor of shape [${describeDims(feature.shape)}]: encoded Tensors are read with a known shape`);
    }
  } else if (feature.kind === 'classLabel') {
    shape = leafShape(leaf);
    dtype = 'int64';
    as = 'int32';
  } else if (feature.kind === 'text') {
    shape = leafShape(leaf);
    dtype = 'bytes';
    as = 'string';
  } else {
    const tensor = feature as TfdsTensor;
    shape = leafShape(leaf);
    dtype = storedDtype(tensor.dtype);
    if (dtype === 'int64') as = SMALL_INTS.has(tensor.dtype) ? 'int32' : options.int64As;
  }
  const unknown = shape.filter((dim) => dim === null).length;
  if (unknown === 0) return fixedLen(shape as number[], dtype, as === undefined ? undefined : ({ as } as never));
  if (unknown === 1 && shape[0] === null) {
    return fixedLenSequence(shape.slice(1) as number[], dtype, { allowMissing: true, layout: options.layout, ...(as === undefined ? {} : { as }) } as never);
  }
  throw new UnsupportedError(`feature '${leaf.key}' has shape [${describeDims(shape)}]: TFDS stores unknown dimensions past the first only in encoded Tensors`);
}

export function describeDims(shape: readonly Dim[]): string {
  return shape.map((dim) => (dim === null ? 'None' : String(dim))).join(', ');
}
