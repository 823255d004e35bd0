// Serializes tf.Example and tf.SequenceExample deterministically: map entries sorted by key bytes, numeric lists packed.

import { InvalidArgumentError } from '../format/errors.js';
import { checkOptions } from '../format/options-check.js';
import { WireWriter, delimitedTag, varint32Size, varint64Size } from './wire.js';

/** A tf.train.Feature to write: exactly one of an int64, float or bytes list. */
export type FeatureInput =
  | {
      /** int64 values: safe integers or bigints, negative ones included. */
      readonly int64List: ArrayLike<number | bigint>;
    }
  | {
      /** float values, rounded to float32 when written. */
      readonly floatList: ArrayLike<number>;
    }
  | {
      /** bytes values: Uint8Arrays, or strings written as UTF-8. */
      readonly bytesList: ArrayLike<Uint8Array | string>;
    };

/** The features of an Example (or a SequenceExample context): key -> Feature. */
export type FeaturesInput = Readonly<Record<string, FeatureInput>>;

/** The feature lists of a SequenceExample: key -> one Feature per step. */
export type FeatureListsInput = Readonly<Record<string, readonly FeatureInput[]>>;

/** An int64_list Feature (safe integers or bigints). */
export function int64Feature(values: ArrayLike<number | bigint>): FeatureInput {
  return { int64List: values };
}

/** A float_list Feature (values are rounded to float32). */
export function floatFeature(values: ArrayLike<number>): FeatureInput {
  return { floatList: values };
}

/** A bytes_list Feature (strings are written as UTF-8). */
export function bytesFeature(values: ArrayLike<Uint8Array | string>): FeatureInput {
  return { bytesList: values };
}

const encoder = new TextEncoder();
const TWO_32 = 0x1_0000_0000;
const KIND_BYTES = 1;
const KIND_FLOAT = 2;
const KIND_INT64 = 3;

/** A Feature checked and converted for writing, with its sizes computed. */
interface PreparedFeature {
  readonly kind: number;
  /** Size of the list message (BytesList / FloatList / Int64List). */
  readonly listSize: number;
  /** Size of the Feature message. */
  readonly size: number;
  readonly lows?: Int32Array;
  readonly highs?: Int32Array;
  readonly packedSize?: number;
  readonly floats?: Float32Array;
  readonly bytes?: readonly Uint8Array[];
}

/** A map entry (key + value message) ready to write. */
interface PreparedEntry {
  readonly key: Uint8Array;
  readonly valueSize: number;
  readonly size: number;
  readonly write: (writer: WireWriter) => void;
}

/**
 * Serializes a tf.Example the way TensorFlow's deterministic serialization does: entries sorted
 * by key (UTF-8 bytes), int64 and float lists packed, empty lists written as empty messages.
 * Records built from the same features are byte for byte the same.
 * @throws InvalidArgumentError for a feature that is not exactly one list of valid values.
 * @example
 * const record = encodeExample({ label: int64Feature([7]), name: bytesFeature(['ex7']) });
 */
export function encodeExample(features: FeaturesInput): Uint8Array {
  const entries = prepareFeatureEntries(features, 'example');
  const featuresSize = mapSize(entries);
  const writer = new WireWriter(1 + varint32Size(featuresSize) + featuresSize);
  writer.writeVarint32(delimitedTag(1));
  writer.writeVarint32(featuresSize);
  writeMap(writer, entries);
  return writer.bytes;
}

/**
 * Serializes a tf.SequenceExample deterministically: `context` (written when given) and
 * `featureLists` (written when given), each map sorted by key.
 * @throws InvalidArgumentError for an invalid feature or a feature list that is not an array;
 *   InvalidOptionsError for a key other than context and featureLists (named, with the nearest one).
 * @example
 * const record = encodeSequenceExample({
 *   context: { length: int64Feature([2]) },
 *   featureLists: { tokens: [int64Feature([1, 2]), int64Feature([3])] },
 * });
 */
export function encodeSequenceExample(input: {
  readonly context?: FeaturesInput;
  readonly featureLists?: FeatureListsInput;
}): Uint8Array {
  checkOptions('encodeSequenceExample', input, ['context', 'featureLists'], { name: 'input' });
  const context = input.context === undefined ? undefined : prepareFeatureEntries(input.context, 'context');
  const lists = input.featureLists === undefined ? undefined : prepareListEntries(input.featureLists);
  const contextSize = context === undefined ? 0 : mapSize(context);
  const listsSize = lists === undefined ? 0 : mapSize(lists);
  let size = 0;
  if (context !== undefined) size += 1 + varint32Size(contextSize) + contextSize;
  if (lists !== undefined) size += 1 + varint32Size(listsSize) + listsSize;
  const writer = new WireWriter(size);
  if (context !== undefined) {
    writer.writeVarint32(delimitedTag(1));
    writer.writeVarint32(contextSize);
    writeMap(writer, context);
  }
  if (lists !== undefined) {
    writer.writeVarint32(delimitedTag(2));
    writer.writeVarint32(listsSize);
    writeMap(writer, lists);
  }
  return writer.bytes;
}

function prepareFeatureEntries(features: FeaturesInput, what: string): PreparedEntry[] {
  if (typeof features !== 'object' || features === null) {
    throw new InvalidArgumentError(`${what} features must be an object of key -> Feature`);
  }
  return sortedEntries(
    Object.keys(features).map((key) => {
      const feature = prepareFeature(features[key], `feature '${key}'`);
      return entry(key, feature.size, (writer) => writeFeature(writer, feature));
    }),
  );
}

function prepareListEntries(lists: FeatureListsInput): PreparedEntry[] {
  if (typeof lists !== 'object' || lists === null) {
    throw new InvalidArgumentError('featureLists must be an object of key -> Feature[]');
  }
  return sortedEntries(
    Object.keys(lists).map((key) => {
      const steps = lists[key];
      if (!Array.isArray(steps)) throw new InvalidArgumentError(`feature list '${key}' must be an array of Features`);
      const prepared = steps.map((step: FeatureInput, index) => prepareFeature(step, `feature list '${key}' step ${index}`));
      let size = 0;
      for (const step of prepared) size += 1 + varint32Size(step.size) + step.size;
      return entry(key, size, (writer) => {
        for (const step of prepared) {
          writer.writeVarint32(delimitedTag(1));
          writer.writeVarint32(step.size);
          writeFeature(writer, step);
        }
      });
    }),
  );
}

function entry(key: string, valueSize: number, write: (writer: WireWriter) => void): PreparedEntry {
  const keyBytes = encoder.encode(key);
  const size = 1 + varint32Size(keyBytes.length) + keyBytes.length + 1 + varint32Size(valueSize) + valueSize;
  return { key: keyBytes, valueSize, size, write };
}

function sortedEntries(entries: PreparedEntry[]): PreparedEntry[] {
  return entries.sort((a, b) => compareBytes(a.key, b.key));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    if (a[index] !== b[index]) return a[index]! - b[index]!;
  }
  return a.length - b.length;
}

function mapSize(entries: readonly PreparedEntry[]): number {
  let size = 0;
  for (const item of entries) size += 1 + varint32Size(item.size) + item.size;
  return size;
}

function writeMap(writer: WireWriter, entries: readonly PreparedEntry[]): void {
  for (const item of entries) {
    writer.writeVarint32(delimitedTag(1));
    writer.writeVarint32(item.size);
    writer.writeVarint32(delimitedTag(1));
    writer.writeVarint32(item.key.length);
    writer.writeBytes(item.key);
    writer.writeVarint32(delimitedTag(2));
    writer.writeVarint32(item.valueSize);
    item.write(writer);
  }
}

function prepareFeature(feature: FeatureInput | undefined, what: string): PreparedFeature {
  if (typeof feature !== 'object' || feature === null) {
    throw new InvalidArgumentError(`${what}: expected { int64List }, { floatList } or { bytesList }`);
  }
  const lists = Object.keys(feature).filter((name) => name === 'int64List' || name === 'floatList' || name === 'bytesList');
  if (lists.length !== 1) {
    throw new InvalidArgumentError(
      `${what}: expected exactly one of int64List, floatList, bytesList, got ${lists.length === 0 ? 'none' : lists.join(', ')}`,
    );
  }
  if ('int64List' in feature) return prepareInt64(feature.int64List, what);
  if ('floatList' in feature) return prepareFloat(feature.floatList, what);
  return prepareBytes(feature.bytesList, what);
}

function withSizes(kind: number, listSize: number, rest: Omit<PreparedFeature, 'kind' | 'listSize' | 'size'>): PreparedFeature {
  return { kind, listSize, size: 1 + varint32Size(listSize) + listSize, ...rest };
}

function checkList(values: unknown, what: string, list: string): ArrayLike<unknown> {
  if (typeof values !== 'object' || values === null || typeof (values as ArrayLike<unknown>).length !== 'number') {
    throw new InvalidArgumentError(`${what}: ${list} must be an array or typed array`);
  }
  return values as ArrayLike<unknown>;
}

function prepareInt64(input: ArrayLike<number | bigint>, what: string): PreparedFeature {
  const values = checkList(input, what, 'int64List');
  const lows = new Int32Array(values.length);
  const highs = new Int32Array(values.length);
  let packedSize = 0;
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (typeof value === 'bigint') {
      if (BigInt.asIntN(64, value) !== value) {
        throw new InvalidArgumentError(`${what}: int64List[${index}] = ${value} is outside the int64 range`);
      }
      lows[index] = Number(BigInt.asIntN(32, value));
      highs[index] = Number(BigInt.asIntN(32, value >> 32n));
    } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
      lows[index] = value | 0;
      highs[index] = Math.floor(value / TWO_32) | 0;
    } else {
      throw new InvalidArgumentError(
        `${what}: int64List[${index}] = ${String(value)} is not a safe integer or bigint (use a bigint beyond 2^53)`,
      );
    }
    packedSize += varint64Size(lows[index]!, highs[index]!);
  }
  const listSize = values.length === 0 ? 0 : 1 + varint32Size(packedSize) + packedSize;
  return withSizes(KIND_INT64, listSize, { lows, highs, packedSize });
}

function prepareFloat(input: ArrayLike<number>, what: string): PreparedFeature {
  const values = checkList(input, what, 'floatList');
  const floats = new Float32Array(values.length);
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (typeof value !== 'number') {
      throw new InvalidArgumentError(`${what}: floatList[${index}] = ${String(value)} is not a number`);
    }
    floats[index] = value;
  }
  const packedSize = floats.length * 4;
  const listSize = floats.length === 0 ? 0 : 1 + varint32Size(packedSize) + packedSize;
  return withSizes(KIND_FLOAT, listSize, { floats, packedSize });
}

function prepareBytes(input: ArrayLike<Uint8Array | string>, what: string): PreparedFeature {
  const values = checkList(input, what, 'bytesList');
  const bytes: Uint8Array[] = [];
  let listSize = 0;
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    let item: Uint8Array;
    if (typeof value === 'string') item = encoder.encode(value);
    else if (value instanceof Uint8Array) item = value;
    else throw new InvalidArgumentError(`${what}: bytesList[${index}] is not a Uint8Array or string`);
    bytes.push(item);
    listSize += 1 + varint32Size(item.length) + item.length;
  }
  return withSizes(KIND_BYTES, listSize, { bytes });
}

function writeFeature(writer: WireWriter, feature: PreparedFeature): void {
  writer.writeVarint32(delimitedTag(feature.kind));
  writer.writeVarint32(feature.listSize);
  if (feature.kind === KIND_BYTES) {
    for (const item of feature.bytes!) {
      writer.writeVarint32(delimitedTag(1));
      writer.writeVarint32(item.length);
      writer.writeBytes(item);
    }
    return;
  }
  if (feature.listSize === 0) return;
  writer.writeVarint32(delimitedTag(1));
  writer.writeVarint32(feature.packedSize!);
  if (feature.kind === KIND_FLOAT) {
    for (const value of feature.floats!) writer.writeFloat32(value);
  } else {
    const { lows, highs } = feature;
    for (let index = 0; index < lows!.length; index++) writer.writeVarint64(lows![index]!, highs![index]!);
  }
}
