// Picks, once per feature, the FeatureCursor method that writes its value type, and fills rows with defaults.

import type { FeatureCursor } from './feature-cursor.js';
import type { ScalarOf, ValueType } from './feature-spec.js';
import type { FeatureValues } from './parsed-feature.js';

/** Writes at most `limit` values of the open Feature at `offset`; returns the full count. */
export type ValueReader = (cursor: FeatureCursor, out: FeatureValues, offset: number, limit: number) => number;

/** Value types of list features; uint8 only comes from raw bytes features. */
export type ListValueType = Exclude<ValueType, 'uint8'>;

const READERS: Readonly<Record<ListValueType, ValueReader>> = {
  int32: (cursor, out, offset, limit) => cursor.readInt32(out as Int32Array, offset, limit),
  float64: (cursor, out, offset, limit) => cursor.readFloat64(out as Float64Array, offset, limit),
  bigint: (cursor, out, offset, limit) => cursor.readBigInt64(out as BigInt64Array, offset, limit),
  float32: (cursor, out, offset, limit) => cursor.readFloat32(out as Float32Array, offset, limit),
  bytes: (cursor, out, offset, limit) => cursor.readBytes(out as Uint8Array[], offset, limit),
  string: (cursor, out, offset, limit) => cursor.readStrings(out as string[], offset, limit),
};

/** The reader for a value type of a list feature. */
export function valueReader(valueType: ListValueType): ValueReader {
  return READERS[valueType];
}

/** Copies `row` into `values` at `offset`. */
export function copyRow(values: FeatureValues, offset: number, row: FeatureValues): void {
  if (Array.isArray(values)) {
    for (let index = 0; index < row.length; index++) values[offset + index] = row[index] as never;
  } else {
    (values as Int32Array).set(row as Int32Array, offset);
  }
}

/** Fills `values[start, end)` with one value. */
export function fillValues(values: FeatureValues, value: ScalarOf<ValueType>, start: number, end: number): void {
  (values as unknown as { fill(value: unknown, start: number, end: number): void }).fill(value, start, end);
}
