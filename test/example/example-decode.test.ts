// decodeExample / decodeSequenceExample: the golden records written by Google's tools, the inverse of
// encodeExample on any features, protobufjs's encodings (packed or not), protobuf's merge rules, and
// every malformed input as a ParseError.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ParseError } from '../../src/format/errors.js';
import {
  decodeExample,
  decodeSequenceExample,
  encodeExample,
  encodeSequenceExample,
  type DecodedFeature,
  type FeatureInput,
  type FeaturesInput,
} from '../../src/example/index.js';
import { goldenPath } from '../helpers/golden.js';
import { packedRoot, unpackedRoot } from './example-proto.js';
import { bytes, delimited, entry, example, feature, float32, tag, varint } from './proto-bytes.js';
import { goldenFeatures } from './golden-examples.js';

const utf8 = new TextEncoder();

/** A FeatureInput as decodeExample gives it back: bigints, float32 values, bytes. */
function normalized(input: FeatureInput): DecodedFeature {
  if ('int64List' in input) return { int64List: Array.from(input.int64List, (value) => BigInt(value)) };
  if ('floatList' in input) return { floatList: Array.from(input.floatList, (value) => Math.fround(value)) };
  return { bytesList: Array.from(input.bytesList, (value) => (typeof value === 'string' ? utf8.encode(value) : value)) };
}

function normalizedFeatures(features: FeaturesInput): Record<string, DecodedFeature> {
  return Object.fromEntries(Object.entries(features).map(([key, value]) => [key, normalized(value)]));
}

/** Plain objects and arrays for toEqual (bytes as arrays, and a prototype-free map as a plain one). */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return [...value];
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  return value;
}

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const featureArb: fc.Arbitrary<FeatureInput> = fc.oneof(
  fc.record({ int64List: fc.array(int64, { maxLength: 6 }) }),
  fc.record({ floatList: fc.array(fc.float({ noNaN: true }), { maxLength: 6 }) }),
  fc.record({ bytesList: fc.array(fc.uint8Array({ maxLength: 12 }), { maxLength: 4 }) }),
);
const keyArb = fc.string({ unit: fc.constantFrom('a', 'b', 'z', '_', 'é', '日', '😀'), maxLength: 4 });
const featuresArb = fc.dictionary(keyArb, featureArb, { maxKeys: 6 });

describe('decodeExample', () => {
  it.each(['tfex_zstd3_g1.array_record', 'tfex_transpose_zstd3_g100.array_record'])('reads the golden records of %s', (name) => {
    using reader = new ArrayRecordReader(goldenPath(name));
    const records = reader.readAll();
    expect(records.length).toBeGreaterThan(0);
    records.forEach((record, i) => expect(plain(decodeExample(record))).toEqual(plain(normalizedFeatures(goldenFeatures(i)))));
  });

  it('is the inverse of encodeExample', () => {
    fc.assert(
      fc.property(featuresArb, (features) => {
        expect(plain(decodeExample(encodeExample(features)))).toEqual(plain(normalizedFeatures(features)));
      }),
    );
  });

  it('reads what protobufjs writes, numeric lists packed or one field per value', () => {
    fc.assert(
      fc.property(featuresArb, fc.boolean(), (features, packed) => {
        const root = packed ? packedRoot : unpackedRoot;
        const Example = root.lookupType('Example');
        const asProtobufjs = Object.fromEntries(
          Object.entries(features).map(([key, value]) => {
            if ('int64List' in value) return [key, { int64List: { value: Array.from(value.int64List, (v) => v.toString()) } }];
            if ('floatList' in value) return [key, { floatList: { value: Array.from(value.floatList) } }];
            return [key, { bytesList: { value: Array.from(value.bytesList) } }];
          }),
        );
        const record = Example.encode(Example.fromObject({ features: { feature: asProtobufjs } })).finish();
        expect(plain(decodeExample(record))).toEqual(plain(normalizedFeatures(features)));
      }),
    );
  });

  it('follows protobuf: unknown fields skipped, value before key, a later entry for a key wins, a list read twice is one list', () => {
    const unknownField = bytes(tag(9, 0), varint(5));
    const valueFirst = delimited(1, delimited(2, feature.int64Packed(1)), delimited(1, [...utf8.encode('v')]));
    const record = bytes(
      unknownField,
      example(entry('a', feature.floatPacked(1.5)), entry('a', feature.int64Unpacked(3, -4)), valueFirst),
      // A second Features message merges into the first.
      example(entry('b', bytes(feature.bytes('x'), feature.bytes('y')))),
    );
    expect(plain(decodeExample(record))).toEqual({ a: { int64List: [3n, -4n] }, v: { int64List: [1n] }, b: { bytesList: [[120], [121]] } });
  });

  it('lets a later entry for a key replace an earlier one of the same kind, and merges the value fields of one entry', () => {
    const key = (name: string) => delimited(1, [...utf8.encode(name)]);
    const twoValues = delimited(1, delimited(2, feature.int64Packed(3)), key('b'), delimited(2, feature.int64Packed(4)));
    const record = example(entry('a', feature.int64Packed(1)), entry('a', feature.int64Packed(2)), twoValues, entry('\uFEFFc', feature.bytes('x')));
    expect(plain(decodeExample(record))).toEqual({ a: { int64List: [2n] }, b: { int64List: [3n, 4n] }, '\uFEFFc': { bytesList: [[120]] } });
    const steps = (...values: number[]) => bytes(...values.map((value) => delimited(1, feature.int64Packed(value))));
    const lists = bytes(delimited(2, entry('s', steps(1)), entry('s', steps(2)), delimited(1, key('t'), delimited(2, steps(3)), delimited(2, steps(4, 5)))));
    expect(plain(decodeSequenceExample(lists).featureLists)).toEqual({
      s: [{ int64List: [2n] }],
      t: [{ int64List: [3n] }, { int64List: [4n] }, { int64List: [5n] }],
    });
  });

  it('gives {} for a Feature that sets no list or a map entry without a value, and keeps a __proto__ key as a key', () => {
    const record = example(entry('empty', new Uint8Array(0)), delimited(1, delimited(1, [...utf8.encode('novalue')])), entry('__proto__', feature.int64Packed(1)));
    const decoded = decodeExample(record);
    expect(decoded.empty).toEqual({});
    expect(decoded.novalue).toEqual({});
    expect(Object.keys(decoded)).toEqual(['empty', 'novalue', '__proto__']);
    expect(plain(decoded['__proto__'])).toEqual({ int64List: [1n] });
  });

  it.each([
    ['a truncated record', bytes(delimited(1, entry('k', feature.int64Packed(1)))).subarray(0, 9), /not a serialized Example/],
    ['a length past the end', bytes(tag(1, 2), varint(50), 1, 2), /exceeds the 2 remaining bytes/],
    [
      'a list reaching past its Feature into the next entry',
      example(delimited(1, delimited(1, [...utf8.encode('k')]), bytes(tag(2, 2), varint(2), tag(3, 2), varint(5))), entry('next', feature.bytes('padding'))),
      /exceeds the 0 remaining bytes/,
    ],
    ['packed floats that are not whole', example(entry('f', delimited(2, delimited(1, 0, 0, 0)))), /not a multiple of 4/],
    ['a key that is not UTF-8', example(delimited(1, delimited(1, [0xff, 0xfe]), delimited(2, feature.int64Packed(1)))), /not valid UTF-8/],
    ['a varint running past its packed list', example(entry('i', delimited(3, delimited(1, 0x80)))), /truncated varint/],
    ['an invalid wire type', bytes(tag(5, 7)), /unexpected wire type 7/],
  ])('rejects %s with a ParseError and its byte offset', (_, record, message) => {
    const error = (() => {
      try {
        decodeExample(record);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toMatch(message);
    expect((error as ParseError).offset).toEqual(expect.any(Number));
  });

  it('reads floats written one fixed32 field per value', () => {
    const record = example(entry('f', delimited(2, bytes(tag(1, 5), float32(0.25), tag(1, 5), float32(-2)))));
    expect(decodeExample(record)).toEqual({ f: { floatList: [0.25, -2] } });
  });
});

describe('decodeSequenceExample', () => {
  it('is the inverse of encodeSequenceExample', () => {
    fc.assert(
      fc.property(featuresArb, fc.dictionary(keyArb, fc.array(featureArb, { maxLength: 4 }), { maxKeys: 4 }), (context, featureLists) => {
        const decoded = decodeSequenceExample(encodeSequenceExample({ context, featureLists }));
        expect(plain(decoded.context)).toEqual(plain(normalizedFeatures(context)));
        expect(plain(decoded.featureLists)).toEqual(
          plain(Object.fromEntries(Object.entries(featureLists).map(([key, steps]) => [key, steps.map(normalized)]))),
        );
      }),
    );
  });

  it('names SequenceExample in its errors', () => {
    expect(() => decodeSequenceExample(bytes(tag(2, 2), varint(9)))).toThrow(/not a serialized SequenceExample/);
  });
});
