// The values of encoded features — images and Tensors stored as raw (or zlib-compressed) bytes — turned
// into typed arrays, one element at a time.

import { inflateSync } from 'node:zlib';
import { ParseError, UnsupportedError } from '../format/errors.js';
import type { Int64As } from '../example/feature-spec.js';
import type { FeatureValues } from '../example/parsed-feature.js';
import type { FeatureLeaf } from './feature-leaves.js';
import type { TfdsDtype } from './features.js';
import { decodeImageOfShape } from './image-decode.js';

/** One decoded element: its values and its own shape. */
export interface DecodedElement {
  readonly values: Uint8Array | Int32Array | Float32Array | Float64Array | BigInt64Array;
  readonly shape: readonly number[];
}

/** Bytes per value of each dtype as numpy stores it. */
const BYTES_PER_VALUE: Readonly<Record<TfdsDtype, number>> = {
  bool: 1,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  float16: 2,
  bfloat16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  int64: 8,
  uint64: 8,
  float64: 8,
  string: 0,
};

/**
 * Decodes one element of an encoded leaf: an image into its pixels (uint8, or uint16 as Int32Array), a
 * Tensor's raw little-endian bytes (inflated first for zlib) into its values.
 * @param maxImagePixels the most pixels an image of unknown size may have (undefined: decodeImage's default).
 * @throws ParseError (with `where` in the message) for bytes that do not decode or do not fit the feature's
 *   shape (an image's size is checked from its header, before it is decoded).
 */
export function decodeElement(leaf: FeatureLeaf, bytes: Uint8Array, int64As: Int64As, where: string, maxImagePixels?: number): DecodedElement {
  const { feature } = leaf;
  if (feature.kind === 'image') {
    let image;
    try {
      image = decodeImageOfShape(bytes, feature.shape, { depth: feature.dtype === 'uint16' ? 16 : 8, maxPixels: maxImagePixels });
    } catch (error) {
      if (error instanceof ParseError) throw new ParseError(`${where}.  ${error.message}`);
      if (error instanceof UnsupportedError) throw new UnsupportedError(`${where}.  ${error.message}`);
      throw error;
    }
    const values = image.data instanceof Uint16Array ? Int32Array.from(image.data) : image.data;
    return { values, shape: [image.height, image.width, image.channels] };
  }
  if (feature.kind !== 'tensor') throw new ParseError(`${where}.  not an encoded feature`);
  let raw = bytes;
  if (feature.encoding === 'zlib') {
    try {
      raw = inflateSync(bytes);
    } catch (error) {
      throw new ParseError(`${where}.  zlib data does not inflate: ${(error as Error).message}`);
    }
  }
  const shape = feature.shape as number[];
  const count = shape.reduce((size, dim) => size * dim, 1);
  const expected = count * BYTES_PER_VALUE[feature.dtype];
  if (raw.length !== expected) {
    throw new ParseError(`${where}.  ${raw.length} bytes do not hold the ${count} ${feature.dtype} values of shape [${shape.join(', ')}] (${expected} bytes)`);
  }
  return { values: rawValues(raw, feature.dtype, count, int64As, where), shape };
}

/** Little-endian values of `dtype` as the typed array the parser returns for it. */
function rawValues(raw: Uint8Array, dtype: TfdsDtype, count: number, int64As: Int64As, where: string): DecodedElement['values'] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case 'bool':
    case 'uint8':
      return raw.slice();
    case 'int8':
      return Int32Array.from(new Int8Array(raw.buffer, raw.byteOffset, count));
    case 'int16':
      return Int32Array.from({ length: count }, (_, i) => view.getInt16(2 * i, true));
    case 'uint16':
      return Int32Array.from({ length: count }, (_, i) => view.getUint16(2 * i, true));
    case 'int32':
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true));
    case 'float16':
      return Float32Array.from({ length: count }, (_, i) => halfToFloat(view.getUint16(2 * i, true)));
    case 'bfloat16':
      return Float32Array.from({ length: count }, (_, i) => new Float32Array(new Uint32Array([view.getUint16(2 * i, true) << 16]).buffer)[0]!);
    case 'float32':
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
    case 'float64':
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, true));
    default: {
      // uint32, int64, uint64: as the parser's int64As says.
      const wide = (i: number): bigint =>
        dtype === 'uint32' ? BigInt(view.getUint32(4 * i, true)) : dtype === 'uint64' ? view.getBigUint64(8 * i, true) : view.getBigInt64(8 * i, true);
      if (int64As === 'bigint') return BigInt64Array.from({ length: count }, (_, i) => BigInt.asIntN(64, wide(i)));
      if (int64As === 'float64') return Float64Array.from({ length: count }, (_, i) => Number(wide(i)));
      return Int32Array.from({ length: count }, (_, i) => {
        const value = wide(i);
        if (value < -0x8000_0000n || value > 0x7fff_ffffn) {
          throw new ParseError(`${where}.  value ${value} does not fit int32; read ${dtype} with int64As: 'float64' or 'bigint'`);
        }
        return Number(value);
      });
    }
  }
}

/** An IEEE 754 half-precision value. */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Concatenates element values of one typed-array type into one array of that type. */
export function concatValues(parts: readonly DecodedElement['values'][], empty: () => DecodedElement['values']): FeatureValues {
  if (parts.length === 0) return empty();
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new (parts[0]!.constructor as new (length: number) => DecodedElement['values'])(total);
  let at = 0;
  for (const part of parts) {
    (out as Uint8Array).set(part as Uint8Array, at);
    at += part.length;
  }
  return out;
}
