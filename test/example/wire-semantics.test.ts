// Protobuf rules the parser must follow: packed or not, unknown fields, last map entry wins, message merging, oneof.

import { describe, expect, it } from 'vitest';
import { fixedLen, fixedLenRaw, parseExample, parseExampleBatch, varLen } from '../../src/example/index.js';
import { bytes, delimited, entry, example, feature, float32, tag, varint } from './proto-bytes.js';

const ints = { v: varLen('int64', { as: 'bigint' }) };
const floats = { v: varLen('float32') };

function intsOf(record: Uint8Array): bigint[] {
  return Array.from(parseExample(record, ints).v.values);
}

describe('list encodings', () => {
  it('reads int64 and float lists packed, unpacked, or both mixed', () => {
    expect(intsOf(example(entry('v', feature.int64Unpacked(1, 300, 5))))).toEqual([1n, 300n, 5n]);
    const mixedInts = delimited(3, delimited(1, varint(1), varint(2)), tag(1, 0), varint(3), delimited(1, varint(4)));
    expect(intsOf(example(entry('v', mixedInts)))).toEqual([1n, 2n, 3n, 4n]);
    const unpacked = parseExample(example(entry('v', feature.floatUnpacked(1.5, -2))), floats).v.values;
    expect(Array.from(unpacked)).toEqual([1.5, -2]);
    const mixedFloats = delimited(2, tag(1, 5), float32(1), delimited(1, float32(2), float32(3)));
    expect(Array.from(parseExample(example(entry('v', mixedFloats)), floats).v.values)).toEqual([1, 2, 3]);
  });

  it('bulk-copies long packed float lists exactly', () => {
    const values = Array.from({ length: 100 }, (_, i) => i / 7 - 3);
    const parsed = parseExample(example(entry('v', feature.floatPacked(...values))), floats).v.values;
    expect(parsed).toEqual(new Float32Array(values));
    const parsedFixed = parseExampleBatch([example(entry('v', feature.floatPacked(...values)))], { v: fixedLen([100], 'float32') });
    expect(parsedFixed.v.values).toEqual(new Float32Array(values));
  });

  it('decodes negative and 64-bit int64 values exactly as bigint, float64 and int32', () => {
    const values = [-1n, -(2n ** 31n), 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 0n];
    expect(intsOf(example(entry('v', feature.int64Packed(...values))))).toEqual(values);
    expect(intsOf(example(entry('v', feature.int64Unpacked(...values))))).toEqual(values);
    const record = example(entry('v', feature.int64Packed(-1, -(2 ** 31), 2 ** 53, -(2 ** 53) + 1)));
    expect(Array.from(parseExample(record, { v: varLen('int64', { as: 'float64' }) }).v.values)).toEqual([
      -1,
      -(2 ** 31),
      2 ** 53,
      -(2 ** 53) + 1,
    ]);
    const small = example(entry('v', feature.int64Packed(-1, -(2 ** 31), 127, 128)));
    expect(Array.from(parseExample(small, { v: varLen('int64') }).v.values)).toEqual([-1, -(2 ** 31), 127, 128]);
  });

  it('accepts overlong (zero-padded) varints for lengths and values', () => {
    const padded = example(entry('v', delimited(3, tag(1, 2), [0x83, 0x00], [0x81, 0x80, 0x00])));
    expect(intsOf(padded)).toEqual([1n]);
  });
});

describe('unknown fields', () => {
  it('skips unknown fields of every wire type at every level', () => {
    const unknowns = bytes(
      tag(9, 0),
      varint(2n ** 63n),
      tag(10, 1),
      [1, 2, 3, 4, 5, 6, 7, 8],
      tag(11, 5),
      [1, 2, 3, 4],
      delimited(12, [1, 2, 3]),
      tag(13, 3),
      tag(14, 0),
      varint(1),
      tag(15, 3),
      tag(15, 4),
      tag(13, 4),
    );
    const list = delimited(3, unknowns, delimited(1, varint(7)), unknowns);
    const featureBody = bytes(unknowns, list, unknowns);
    const mapEntry = delimited(1, unknowns, delimited(1, [0x76]), unknowns, delimited(2, featureBody), unknowns);
    const record = bytes(unknowns, delimited(1, unknowns, mapEntry, unknowns), unknowns);
    expect(intsOf(record)).toEqual([7n]);
  });

  it('reads an empty record as an Example without features', () => {
    const parsed = parseExample(new Uint8Array(0), { v: varLen('int64'), w: fixedLen([], 'float32', { defaultValue: 2 }) });
    expect(parsed.v.values.length).toBe(0);
    expect(parsed.w.values[0]).toBe(2);
  });
});

describe('maps and merging', () => {
  it('lets the last entry of a key win, even over an entry of another type', () => {
    const record = example(entry('v', feature.floatPacked(1)), entry('other', feature.int64Packed(9)), entry('v', feature.int64Packed(2)));
    expect(intsOf(record)).toEqual([2n]);
  });

  it('merges repeated Features messages, the last entry of a key still winning', () => {
    const record = bytes(example(entry('v', feature.int64Packed(1)), entry('w', feature.int64Packed(5))), example(entry('v', feature.int64Packed(3))));
    const parsed = parseExample(record, { v: varLen('int64'), w: varLen('int64') });
    expect(Array.from(parsed.v.values)).toEqual([3]);
    expect(Array.from(parsed.w.values)).toEqual([5]);
  });

  it('merges a value field repeated inside one entry, and takes its last key', () => {
    const twice = delimited(1, delimited(1, [0x78]), delimited(2, feature.int64Packed(1)), delimited(1, [0x76]), delimited(2, feature.int64Packed(2, 3)));
    expect(intsOf(example(twice))).toEqual([1n, 2n, 3n]);
    const reversed = delimited(1, delimited(2, feature.int64Packed(4)), delimited(1, [0x76]));
    expect(intsOf(example(reversed))).toEqual([4n]);
  });

  it('tells apart keys that share a length or a prefix', () => {
    const keys = ['abcdX', 'abcdY', 'abcd', 'abc', 'ab', 'b', '', 'é日', 'image/encoded', 'image/shape/a', 'image/shape/b'];
    const others = ['abcdZ', 'abcX', 'é', 'image/xncoded', 'image/shbpe/a', 'image/encodec'];
    const record = example(...[...keys, ...others].map((key, i) => entry(key, feature.int64Packed(i))));
    const spec = Object.fromEntries(keys.map((key) => [key, fixedLen([], 'int64')]));
    const parsed = parseExample(record, spec);
    keys.forEach((key, i) => expect(parsed[key]!.values[0]).toBe(i));
  });

  it('reads an entry without a key as the empty key and one without a value as an empty Feature', () => {
    const noKey = delimited(1, delimited(2, feature.int64Packed(6)));
    expect(Array.from(parseExample(example(noKey), { '': varLen('int64') })[''].values)).toEqual([6]);
    const noValue = delimited(1, delimited(1, [0x76]));
    expect(intsOf(example(noValue))).toEqual([]);
  });

  it('follows the oneof rule: the last list kind wins, repeats of one kind merge', () => {
    const switched = bytes(feature.floatPacked(1), feature.int64Packed(2));
    expect(intsOf(example(entry('v', switched)))).toEqual([2n]);
    const back = bytes(feature.floatPacked(1), feature.int64Packed(2), feature.floatPacked(3, 4));
    expect(Array.from(parseExample(example(entry('v', back)), floats).v.values)).toEqual([3, 4]);
    const repeated = bytes(feature.int64Packed(1), delimited(9, [1]), feature.int64Packed(2));
    expect(intsOf(example(entry('v', repeated)))).toEqual([1n, 2n]);
    const words = bytes(feature.bytes('a'), feature.bytes('b', 'c'));
    expect(parseExample(example(entry('v', words)), { v: varLen('bytes', { as: 'string' }) }).v.values).toEqual(['a', 'b', 'c']);
  });
});

describe('the scan-time fast paths agree with the general decoder', () => {
  const spec = {
    n: fixedLen([3], 'int64'),
    raw: fixedLenRaw([2], { rawType: 'int32' }),
    rawFloat: fixedLenRaw([2], { rawType: 'int32', as: 'float32' }),
    f32: fixedLenRaw([1], { rawType: 'float32' }),
    image: fixedLenRaw([3], { as: 'int32' }),
  };
  const words = [1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff];
  const values = [0, 2 ** 28 + 5, 2 ** 31 - 1];

  function check(record: Uint8Array): void {
    const parsed = parseExample(record, spec);
    expect(Array.from(parsed.n.values)).toEqual(values);
    expect(Array.from(parsed.raw.values)).toEqual([0x04030201, -1]);
    expect(Array.from(parsed.rawFloat.values)).toEqual([Math.fround(0x04030201), -1]);
    expect(Array.from(parsed.f32.values)).toEqual([1.5]);
    expect(Array.from(parsed.image.values)).toEqual([7, 8, 255]);
  }

  it('decodes canonical and non-canonical layouts to the same values', () => {
    const canonical = example(
      entry('n', feature.int64Packed(...values)),
      entry('raw', feature.bytes(words)),
      entry('rawFloat', feature.bytes(words)),
      entry('f32', feature.bytes(float32(1.5))),
      entry('image', feature.bytes([7, 8, 255])),
    );
    check(canonical);
    const padded = (body: Uint8Array) => bytes(delimited(9, [1]), body);
    const unusual = example(
      entry('n', padded(feature.int64Unpacked(...values))),
      entry('raw', padded(feature.bytes(words))),
      entry('rawFloat', padded(feature.bytes(words))),
      entry('f32', padded(feature.bytes(float32(1.5)))),
      entry('image', padded(feature.bytes([7, 8, 255]))),
    );
    check(unusual);
  });

  it('decodes each record of a batch on its own path and counts a repeated key once', () => {
    const good = (value: number) => entry('n', feature.int64Packed(value, 0, 0));
    // An entry with an unknown field sends the rest of its record to the general scan.
    const unusual = (value: number) => bytes(delimited(1, delimited(3, [1]), delimited(1, [0x6e]), delimited(2, feature.int64Packed(value, 0, 0))));
    const records = [
      example(good(1), good(2)), // decoded twice during the scan: one row, last wins
      example(unusual(3)), // left to the column decoder
      example(good(4), unusual(5)), // decoded, then replaced by a later entry
      bytes(delimited(7, [1]), example(good(6))), // not just the features field
      example(unusual(7), good(8)),
    ];
    const parsed = parseExampleBatch(records, { n: fixedLen([3], 'int64') });
    expect(Array.from(parsed.n.values)).toEqual([2, 0, 0, 3, 0, 0, 5, 0, 0, 6, 0, 0, 8, 0, 0]);
    // Two decodes in one record must not pass for a fully decoded batch of two.
    const pair = parseExampleBatch([records[0]!, records[1]!], { n: fixedLen([3], 'int64') });
    expect(Array.from(pair.n.values)).toEqual([2, 0, 0, 3, 0, 0]);
  });

  it('keeps the last entry of a key whichever path decoded the earlier one', () => {
    const good = entry('n', feature.int64Packed(...values));
    const wrongType = entry('n', feature.floatPacked(1, 2, 3));
    expect(() => parseExample(example(good, wrongType), { n: fixedLen([3], 'int64') })).toThrow(/Data types don't match/);
    expect(Array.from(parseExample(example(wrongType, good), { n: fixedLen([3], 'int64') }).n.values)).toEqual(values);
    const other = entry('n', feature.int64Packed(-1, 2, 3));
    expect(Array.from(parseExample(example(good, other), { n: fixedLen([3], 'int64') }).n.values)).toEqual([-1, 2, 3]);
    const image = (value: number) => entry('image', feature.bytes([value, value, value]));
    expect(Array.from(parseExample(example(image(1), image(2)), { image: fixedLenRaw([3]) }).image.values)).toEqual([2, 2, 2]);
  });
});

describe('valid encodings that are easy to get wrong', () => {
  it('reads an empty packed run of an int64 list as no values, whatever the output type', () => {
    const record = example(entry('v', delimited(3, delimited(1), tag(1, 0), varint(5), delimited(1))));
    expect(intsOf(record)).toEqual([5n]);
    expect(Array.from(parseExample(record, { v: varLen('int64') }).v.values)).toEqual([5]);
    expect(Array.from(parseExample(record, { v: varLen('int64', { as: 'float64' }) }).v.values)).toEqual([5]);
  });

  it('keeps every bit of a float, signalling NaNs included, in short and long lists', () => {
    const bits = [0x7f800001, 0xffa00005, 0x7fc00000, 0x80000000];
    for (const length of [bits.length, 20]) {
      const words = Uint32Array.from({ length }, (_, i) => bits[i % bits.length]!);
      const raw = new Uint8Array(words.buffer);
      const packed = delimited(2, delimited(1, raw));
      const unpacked = delimited(2, ...Array.from(words, (_, i) => bytes(tag(1, 5), raw.subarray(4 * i, 4 * i + 4))));
      for (const body of [packed, unpacked]) {
        const parsed = parseExample(example(entry('v', body)), floats).v.values;
        expect(new Uint32Array(parsed.buffer, parsed.byteOffset, parsed.length)).toEqual(words);
      }
    }
  });

  it('keeps a leading U+FEFF in keys, string values and string defaults: it is no byte order mark there', () => {
    const record = example(entry('\uFEFFk', feature.bytes('\uFEFFv')));
    const parsed = parseExample(record, { '\uFEFFk': varLen('bytes', { as: 'string' }), k: varLen('bytes') });
    expect(parsed['\uFEFFk'].values).toEqual(['\uFEFFv']);
    expect(parsed.k.values).toEqual([]);
    expect(fixedLen([], 'bytes', { as: 'string', defaultValue: new TextEncoder().encode('\uFEFFd') }).defaultValue).toEqual(['\uFEFFd']);
  });
});
