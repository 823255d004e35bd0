// Reads a serialized tf.Example or tf.SequenceExample into plain objects, every feature whatever its
// key or kind, with no spec: the inverse of encodeExample, for inspecting records (and `array-record
// cat --as example`). Training input goes through ExampleParser, which writes straight into typed arrays.

import { InvalidArgumentError, ParseError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';
import { DecodeFailure, WIRE_FIXED32, WIRE_LENGTH_DELIMITED, WIRE_VARINT, WireReader } from './wire.js';

/**
 * A tf.train.Feature as read: the list it holds, in the shape encodeExample takes (int64 values as
 * bigint, exactly; floats as the float32 values they are; bytes as views into the record), or `{}`
 * for a Feature that sets no list.
 */
export type DecodedFeature =
  | {
      /** The int64 values, exactly, as bigints. */
      readonly int64List: bigint[];
    }
  | {
      /** The float values as stored (float32). */
      readonly floatList: number[];
    }
  | {
      /** The bytes values, as views into the record. */
      readonly bytesList: Uint8Array[];
    }
  | { readonly [noList: string]: never };

/** The features of an Example or a SequenceExample context, by key. */
export type DecodedFeatures = Record<string, DecodedFeature>;

/** A SequenceExample: its context and its feature lists (one Feature per step). */
export interface DecodedSequenceExample {
  /** The context features, by key. */
  readonly context: DecodedFeatures;
  /** The feature lists, by key: one Feature per step. */
  readonly featureLists: Record<string, DecodedFeature[]>;
}

// ignoreBOM keeps a leading U+FEFF: it is part of the key, not a byte order mark to drop.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Field numbers of the Feature oneof, and the kinds they give. */
const BYTES_LIST = 1;
const FLOAT_LIST = 2;
const INT64_LIST = 3;

/** A map from keys found in data: no prototype, so a feature named `__proto__` is just a key. */
function keyedRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * Reads a serialized tf.Example: every feature, by key. Repeated fields merge as protobuf merges them
 * (a later entry for a key replaces the earlier one; a list read twice is one list).
 * @throws ParseError naming the byte offset when the bytes are not an Example.
 * @example
 * decodeExample(encodeExample({ label: int64Feature([7]) })); // { label: { int64List: [7n] } }
 */
export function decodeExample(record: Uint8Array): DecodedFeatures {
  return decoding('Example', () => {
    const reader = readerOver(record);
    const features = keyedRecord<DecodedFeature>();
    while (reader.pos < reader.end) {
      const tag = reader.readTag();
      if (tag === delimited(1)) readFeaturesInto(reader, reader.readPayloadEnd(), features);
      else reader.skipField(tag);
    }
    return features;
  });
}

/**
 * Reads a serialized tf.SequenceExample: its context features and its feature lists.
 * @throws ParseError naming the byte offset when the bytes are not a SequenceExample.
 */
export function decodeSequenceExample(record: Uint8Array): DecodedSequenceExample {
  return decoding('SequenceExample', () => {
    const reader = readerOver(record);
    const context = keyedRecord<DecodedFeature>();
    const featureLists = keyedRecord<DecodedFeature[]>();
    while (reader.pos < reader.end) {
      const tag = reader.readTag();
      if (tag === delimited(1)) readFeaturesInto(reader, reader.readPayloadEnd(), context);
      else if (tag === delimited(2)) readFeatureListsInto(reader, reader.readPayloadEnd(), featureLists);
      else reader.skipField(tag);
    }
    return { context, featureLists };
  });
}

function decoding<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (!(error instanceof DecodeFailure)) throw error;
    throw new ParseError(`not a serialized ${what}: ${error.reason}`, { offset: error.offset });
  }
}

/** @throws InvalidArgumentError when `record` is not bytes (a string, say): it would read as garbage. */
function readerOver(record: Uint8Array): WireReader {
  if (!(record instanceof Uint8Array)) throw new InvalidArgumentError(`a serialized record must be a Uint8Array, got ${describeFound(record)}`);
  const reader = new WireReader();
  reader.reset(record, 0, record.length);
  return reader;
}

function delimited(fieldNumber: number): number {
  return (fieldNumber << 3) | WIRE_LENGTH_DELIMITED;
}

/**
 * Reads a nested message that ends at `end` with the reader bounded there, so no field of it can
 * reach past it (a length or varint that would is an error, as in protobuf's own parsers).
 */
function within<T>(reader: WireReader, end: number, read: () => T): T {
  const outer = reader.end;
  reader.end = end;
  const result = read();
  reader.end = outer;
  return result;
}

/** Where the value fields of one map entry lie, in order. */
type ValueRanges = readonly (readonly [start: number, end: number])[];

/** Reads a Features message ending at `end`: map<string, Feature> feature = 1. */
function readFeaturesInto(reader: WireReader, end: number, features: Record<string, DecodedFeature>): void {
  readMapEntries(reader, end, (key, values) => {
    // The entry's value fields merge into one Feature; that Feature replaces any earlier entry's.
    let feature: DecodedFeature = {};
    for (const [start, valueEnd] of values) {
      reader.pos = start;
      feature = readFeature(reader, valueEnd, feature);
    }
    features[key] = feature;
  });
}

/** Reads a FeatureLists message ending at `end`: map<string, FeatureList> feature_list = 1. */
function readFeatureListsInto(reader: WireReader, end: number, lists: Record<string, DecodedFeature[]>): void {
  readMapEntries(reader, end, (key, values) => {
    // The entry's value fields merge (their steps add up); the list replaces any earlier entry's.
    const steps: DecodedFeature[] = [];
    for (const [start, valueEnd] of values) {
      reader.pos = start;
      // FeatureList: repeated Feature feature = 1.
      within(reader, valueEnd, () => {
        while (reader.pos < valueEnd) {
          const tag = reader.readTag();
          if (tag === delimited(1)) steps.push(readFeature(reader, reader.readPayloadEnd(), {}));
          else reader.skipField(tag);
        }
      });
    }
    lists[key] = steps;
  });
}

/**
 * Walks the entries (field 1) of a map message ending at `end`; for each one, calls `entry` with its
 * key (the last key field) and where its value fields lie (none when it has no value). A map entry may
 * carry its value before its key, so the values are read once the key is known.
 */
function readMapEntries(reader: WireReader, end: number, entry: (key: string, values: ValueRanges) => void): void {
  within(reader, end, () => readEntries(reader, end, entry));
}

function readEntries(reader: WireReader, end: number, entry: (key: string, values: ValueRanges) => void): void {
  const scout = new WireReader();
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag !== delimited(1)) {
      reader.skipField(tag);
      continue;
    }
    const entryEnd = reader.readPayloadEnd();
    let key = '';
    const values: [number, number][] = [];
    scout.reset(reader.bytes, reader.pos, entryEnd);
    while (scout.pos < entryEnd) {
      const field = scout.readTag();
      if (field === delimited(1)) {
        const keyEnd = scout.readPayloadEnd();
        key = readKey(scout, keyEnd);
        scout.pos = keyEnd;
      } else if (field === delimited(2)) {
        const valueEnd = scout.readPayloadEnd();
        values.push([scout.pos, valueEnd]);
        scout.pos = valueEnd;
      } else scout.skipField(field);
    }
    entry(key, values);
    reader.pos = entryEnd;
  }
}

function readKey(reader: WireReader, end: number): string {
  try {
    return utf8.decode(reader.bytes.subarray(reader.pos, end));
  } catch {
    return reader.fail('feature key that is not valid UTF-8');
  }
}

/**
 * Reads a Feature message ending at `end`. Its list merges into `earlier` when that holds the same
 * kind (protobuf merges a message field read twice); another kind replaces it (the oneof's last wins).
 */
function readFeature(reader: WireReader, end: number, earlier: DecodedFeature): DecodedFeature {
  return within(reader, end, () => readFeatureFields(reader, end, earlier));
}

function readFeatureFields(reader: WireReader, end: number, earlier: DecodedFeature): DecodedFeature {
  let feature = earlier;
  while (reader.pos < end) {
    const tag = reader.readTag();
    const listEnd = (tag & 7) === WIRE_LENGTH_DELIMITED ? reader.readPayloadEnd() : -1;
    switch (listEnd < 0 ? 0 : tag >>> 3) {
      case BYTES_LIST:
        feature = { bytesList: [...('bytesList' in feature ? feature.bytesList : []), ...within(reader, listEnd, () => readBytesList(reader, listEnd))] };
        break;
      case FLOAT_LIST:
        feature = { floatList: [...('floatList' in feature ? feature.floatList : []), ...within(reader, listEnd, () => readFloatList(reader, listEnd))] };
        break;
      case INT64_LIST:
        feature = { int64List: [...('int64List' in feature ? feature.int64List : []), ...within(reader, listEnd, () => readInt64List(reader, listEnd))] };
        break;
      default:
        if (listEnd < 0) reader.skipField(tag);
        else reader.pos = listEnd;
    }
  }
  return feature;
}

/** BytesList: repeated bytes value = 1. */
function readBytesList(reader: WireReader, end: number): Uint8Array[] {
  const values: Uint8Array[] = [];
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === delimited(1)) {
      const valueEnd = reader.readPayloadEnd();
      values.push(reader.bytes.subarray(reader.pos, valueEnd));
      reader.pos = valueEnd;
    } else reader.skipField(tag);
  }
  return values;
}

/** FloatList: repeated float value = 1, packed or one fixed32 field per value. */
function readFloatList(reader: WireReader, end: number): number[] {
  const values: number[] = [];
  const view = new DataView(reader.bytes.buffer, reader.bytes.byteOffset, reader.bytes.byteLength);
  const readFloats = (until: number): void => {
    if ((until - reader.pos) % 4 !== 0) reader.fail(`packed floats of ${until - reader.pos} bytes, not a multiple of 4`);
    for (; reader.pos < until; reader.pos += 4) values.push(view.getFloat32(reader.pos, true));
  };
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === delimited(1)) readFloats(reader.readPayloadEnd());
    else if (tag === ((1 << 3) | WIRE_FIXED32)) {
      if (end - reader.pos < 4) reader.fail('truncated float');
      readFloats(reader.pos + 4);
    } else reader.skipField(tag);
  }
  return values;
}

/** Int64List: repeated int64 value = 1, packed or one varint field per value. */
function readInt64List(reader: WireReader, end: number): bigint[] {
  const values: bigint[] = [];
  const readOne = (): void => {
    const low = reader.readVarint64();
    values.push(BigInt.asIntN(64, (BigInt(reader.high >>> 0) << 32n) | BigInt(low >>> 0)));
  };
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === delimited(1)) {
      const packedEnd = reader.readPayloadEnd();
      // Varints of a packed run must end inside it.
      within(reader, packedEnd, () => {
        while (reader.pos < packedEnd) readOne();
      });
    } else if (tag === ((1 << 3) | WIRE_VARINT)) readOne();
    else reader.skipField(tag);
  }
  return values;
}
