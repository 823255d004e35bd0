// Result types of tf.Example parsing: dense and ragged typed-array features, typed from the spec.

import type {
  ExampleFeature,
  FixedLenFeature,
  FixedLenRawFeature,
  FixedLenSequenceFeature,
  SequenceFeature,
  ValueType,
  ValuesOf,
  VarLenFeature,
} from './feature-spec.js';

/** Any values array: a typed array for numbers, an array of Uint8Array or string for bytes. */
export type FeatureValues = Int32Array | Float64Array | BigInt64Array | Float32Array | Uint8Array | Uint8Array[] | string[];

/**
 * A feature as a dense tensor: `values` in row-major order with `shape` (the batch dimension
 * first when parsed as a batch).
 */
export interface DenseFeature<V extends FeatureValues = FeatureValues> {
  /** Discriminates dense from ragged results. */
  readonly kind: 'dense';
  /** The values in row-major order. */
  readonly values: V;
  /** The shape of `values`: the batch dimension first when parsed as a batch. */
  readonly shape: readonly number[];
  /**
   * Padded layouts only: the length of each row before padding (values for varLen, rows for
   * fixedLenSequence, steps for feature lists).
   */
  readonly lengths?: Int32Array;
}

/**
 * A feature as a ragged tensor (tf.RaggedTensor.from_nested_row_splits): `values` with `shape`
 * (its first dimension is the total count) split into rows by `nestedRowSplits`, outermost first.
 */
export interface RaggedFeature<V extends FeatureValues = FeatureValues> {
  /** Discriminates dense from ragged results. */
  readonly kind: 'ragged';
  /** Every value of every row, flattened: `shape[0]` is the total count. */
  readonly values: V;
  /** The shape of `values` (its first dimension is the total count). */
  readonly shape: readonly number[];
  /** The outermost row splits, `nestedRowSplits[0]`: row i is values[rowSplits[i], rowSplits[i+1]). */
  readonly rowSplits: Int32Array;
  /** Every level of row splits, outermost first (two levels for a varLen feature list: examples -> steps -> values). */
  readonly nestedRowSplits: readonly Int32Array[];
}

/** Any parsed feature. */
export type ParsedFeature<V extends FeatureValues = FeatureValues> = DenseFeature<V> | RaggedFeature<V>;

type LayoutResult<T extends ValueType, L> = L extends 'padded' ? DenseFeature<ValuesOf<T>> : RaggedFeature<ValuesOf<T>>;

/** What a batch parse returns for one feature of an Example (or SequenceExample context). */
export type BatchFeatureOf<F> =
  F extends FixedLenFeature<infer T>
    ? DenseFeature<ValuesOf<T>>
    : F extends FixedLenRawFeature<infer T>
      ? DenseFeature<ValuesOf<T>>
      : F extends VarLenFeature<infer T, infer L>
        ? LayoutResult<T, L>
        : F extends FixedLenSequenceFeature<infer T, infer L>
          ? LayoutResult<T, L>
          : ParsedFeature;

/** What a single-record parse returns for one feature: no batch dimension, so always dense. */
export type SingleFeatureOf<F> = F extends ExampleFeature ? DenseFeature<ValuesOf<F['valueType']>> : never;

/** A parsed batch of Examples: one feature per spec key. */
export type ParsedBatch<S> = { readonly [K in keyof S]: BatchFeatureOf<S[K]> };

/** One parsed Example: one feature per spec key, without the batch dimension. */
export type ParsedExample<S> = { readonly [K in keyof S]: SingleFeatureOf<S[K]> };

/**
 * What a batch parse returns for a SequenceExample feature list: fixedLenSequence is
 * [batch, steps, ...shape] (padded, with `lengths` = steps) or ragged by steps; varLen is ragged
 * twice (example -> steps -> values).
 */
export type SequenceBatchFeatureOf<F> =
  F extends FixedLenSequenceFeature<infer T, infer L>
    ? LayoutResult<T, L>
    : F extends VarLenFeature<infer T>
      ? RaggedFeature<ValuesOf<T>>
      : ParsedFeature;

/** What a single-record parse returns for a feature list: dense steps, or ragged steps for varLen. */
export type SequenceSingleFeatureOf<F> =
  F extends FixedLenSequenceFeature<infer T>
    ? DenseFeature<ValuesOf<T>>
    : F extends VarLenFeature<infer T>
      ? RaggedFeature<ValuesOf<T>>
      : F extends SequenceFeature
        ? ParsedFeature
        : never;
