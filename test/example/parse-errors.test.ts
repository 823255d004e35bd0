// Every way a record or a spec can be wrong: TensorFlow-worded ParseErrors with record index and key, InvalidArgumentErrors for specs.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ParseError } from '../../src/format/errors.js';
import {
  ExampleParser,
  fixedLen,
  fixedLenRaw,
  fixedLenSequence,
  parseExampleBatch,
  varLen,
  type ExampleSpec,
} from '../../src/example/index.js';
import { goldenExample } from './golden-examples.js';
import { bytes, delimited, entry, example, feature, tag, varint } from './proto-bytes.js';

/** Runs a parse and returns the ParseError it throws. */
function parseErrorOf(records: Uint8Array[], spec: ExampleSpec, names?: string[]): ParseError {
  try {
    new ExampleParser(spec).parseBatch(records, names);
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  throw new Error('expected a ParseError');
}

const good = example(entry('label', feature.int64Packed(1)));

/** Concatenates large byte arrays (proto-bytes spreads its parts into arguments, too many for these). */
function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A length-delimited field around a large body. */
function lengthDelimited(field: number, body: Uint8Array): Uint8Array {
  return join(bytes(tag(field, 2), varint(body.length)), body);
}

describe('missing features', () => {
  it('names a missing required feature with its dtype and the record index', () => {
    const error = parseErrorOf([good, example()], { score: fixedLen([2], 'float32'), label: fixedLen([], 'int64') });
    expect(error.message).toBe(
      'Name: <unknown>, Feature: score (data type: float) is required but could not be found. (index 0)',
    );
    expect(error.index).toBe(0);
    expect(error.code).toBe('ERR_PARSE');
  });

  it('uses the caller-supplied record names', () => {
    const error = parseErrorOf([good, example()], { label: fixedLen([], 'int64') }, ['a.rec:0', 'a.rec:1']);
    expect(error.message).toMatch(/^Name: a\.rec:1, Feature: label \(data type: int64\) is required/);
    expect(error.index).toBe(1);
  });

  it('treats a Feature with no list set as missing, as TensorFlow does', () => {
    const empty = example(entry('label', new Uint8Array(0)));
    expect(parseErrorOf([empty], { label: fixedLen([], 'int64') }).message).toContain('is required but could not be found');
    const parsed = parseExampleBatch([empty], { label: fixedLen([], 'int64', { defaultValue: 5 }), tags: varLen('int64') });
    expect(parsed.label.values[0]).toBe(5);
  });

  it('requires a raw bytes feature unless it has a default', () => {
    expect(parseErrorOf([good], { image: fixedLenRaw([4]) }).message).toBe(
      'Name: <unknown>, Feature: image (data type: string) is required but could not be found. (index 0)',
    );
    const parsed = parseExampleBatch([good], { image: fixedLenRaw([2], { defaultValue: [7, 8] }) });
    expect(Array.from(parsed.image.values)).toEqual([7, 8]);
  });
});

describe('wrong types', () => {
  const floats = example(entry('label', feature.floatPacked(1.5)));

  it('reports a fixedLen type mismatch with both dtypes', () => {
    const error = parseErrorOf([good, floats], { label: fixedLen([], 'int64') });
    expect(error.message).toBe(
      "Name: <unknown>, Key: label, Index: 1.  Data types don't match. Data type: float but expected type: int64 (index 1)",
    );
  });

  it('reports a varLen type mismatch with expected and actual types', () => {
    const error = parseErrorOf([floats], { label: varLen('bytes') });
    expect(error.message).toContain("Data types don't match. Expected type: string, Actual type: float");
  });

  it('reports a fixedLenSequence type mismatch', () => {
    const error = parseErrorOf([floats], { label: fixedLenSequence([1], 'int64', { allowMissing: true }) });
    expect(error.message).toContain("Data types don't match. Data type: float but expected type: int64");
  });

  it('reports a raw feature that is not bytes', () => {
    expect(parseErrorOf([good], { label: fixedLenRaw([1]) }).message).toContain(
      "Data types don't match. Data type: int64 but expected type: string",
    );
  });
});

describe('wrong value counts', () => {
  it('reports too many and too few values with the output shape', () => {
    const three = example(entry('score', feature.floatPacked(1, 2, 3)));
    expect(parseErrorOf([three], { score: fixedLen([2], 'float32') }).message).toBe(
      'Name: <unknown>, Key: score, Index: 0.  Number of float values != expected.  Values size: 3 but output shape: [2] (index 0)',
    );
    const one = example(entry('score', feature.int64Packed(1)));
    expect(parseErrorOf([one], { score: fixedLen([2, 2], 'int64') }).message).toContain(
      'Number of int64 values != expected.  Values size: 1 but output shape: [2,2]',
    );
    const words = example(entry('name', feature.bytes('a', 'b')));
    expect(parseErrorOf([words], { name: fixedLen([], 'bytes') }).message).toContain(
      'Number of bytes values != expected.  Values size: 2 but output shape: []',
    );
  });

  it('reports a fixedLenSequence count that is not a whole number of rows', () => {
    const three = example(entry('points', feature.floatPacked(1, 2, 3)));
    expect(parseErrorOf([three], { points: fixedLenSequence([2], 'float32', { allowMissing: true }) }).message).toContain(
      'Number of float values is not a multiple of stride length. Saw 3 values but output shape is: [?,2]',
    );
  });

  it('reports a raw feature with two values or the wrong byte length', () => {
    const two = example(entry('image', feature.bytes([1, 2], [3, 4])));
    expect(parseErrorOf([two], { image: fixedLenRaw([2]) }).message).toContain(
      'Number of bytes values != expected.  Values size: 2 but output shape: []',
    );
    const short = example(entry('image', feature.bytes([1, 2, 3])));
    expect(parseErrorOf([short], { image: fixedLenRaw([2, 2]) }).message).toContain(
      'Number of raw bytes != expected.  Byte length: 3 but output shape [2,2] of uint8 needs 4',
    );
    expect(parseErrorOf([short], { image: fixedLenRaw([1], { rawType: 'float32' }) }).message).toContain(
      'Byte length: 3 but output shape [1] of float32 needs 4',
    );
  });
});

describe('values that do not fit the output', () => {
  it('accepts the int32 range and rejects int64 values beyond it', () => {
    const edges = example(entry('v', feature.int64Packed(2 ** 31 - 1, -(2 ** 31))));
    expect(Array.from(parseExampleBatch([edges], { v: fixedLen([2], 'int64') }).v.values)).toEqual([2 ** 31 - 1, -(2 ** 31)]);
    for (const value of [2 ** 31, -(2 ** 31) - 1, 2n ** 63n - 1n, -(2n ** 63n)]) {
      const record = example(entry('v', feature.int64Packed(value)));
      const error = parseErrorOf([good, record], { v: varLen('int64') });
      expect(error.message).toContain(`Key: v, Index: 1.  Value ${value} of int64 feature does not fit in int32`);
      expect(error.message).toContain("as: 'float64'");
      expect(error.index).toBe(1);
    }
  });

  it('rejects bytes that are not UTF-8 when strings are asked for', () => {
    const record = example(entry('name', feature.bytes([0x61, 0xff, 0x62])));
    expect(parseErrorOf([record], { name: fixedLen([], 'bytes', { as: 'string' }) }).message).toContain(
      'Key: name, Index: 0.  Bytes value 0 is not valid UTF-8',
    );
    expect(parseExampleBatch([record], { name: fixedLen([], 'bytes') }).name.values[0]).toEqual(Uint8Array.of(0x61, 0xff, 0x62));
  });
});

describe('malformed records', () => {
  const spec = { label: fixedLen([], 'int64'), image: fixedLenRaw([784]), name: varLen('bytes', { as: 'string' }) };

  it('throws a ParseError for every truncation of a golden record', () => {
    const record = goldenExample(7);
    for (let length = 0; length < record.length; length++) {
      const error = parseErrorOf([goldenExample(1), record.subarray(0, length)], spec);
      expect(error.index).toBe(1);
    }
  });

  it('throws only ParseErrors (or parses) when bytes are corrupted anywhere', () => {
    const record = goldenExample(3);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(record.length - 1), fc.nat(255)), { minLength: 1, maxLength: 4 }), (edits) => {
        const corrupt = record.slice();
        for (const [at, value] of edits) corrupt[at] = value;
        try {
          new ExampleParser(spec).parseBatch([corrupt]);
        } catch (error) {
          expect(error).toBeInstanceOf(ParseError);
          expect((error as ParseError).index).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('words structural errors as TensorFlow does, with the byte offset', () => {
    const badWireType = bytes(tag(5, 7), 0);
    const error = parseErrorOf([badWireType], spec);
    expect(error.message).toMatch(/^Name: <unknown>, Index: 0\. {2}Could not parse example input: unexpected wire type 7/);
    expect(error.offset).toBe(1);
    const overlong = bytes(delimited(1), tag(2, 0), Array(11).fill(0xff), 1);
    expect(parseErrorOf([overlong], spec).message).toContain('varint longer than 10 bytes');
    expect(parseErrorOf([bytes(0)], spec).message).toContain('invalid tag 0');
  });

  it('names the malformed record of a batch whichever scan path met it', () => {
    const good = example(entry('label', feature.int64Packed(1)));
    // A canonical features field whose second entry claims more bytes than the map holds.
    const badEntry = example(entry('label', feature.int64Packed(1)), bytes(0x0a, 0x05, 0x0a, 0x01));
    const error = parseErrorOf([good, good, badEntry], { label: fixedLen([], 'int64') });
    expect(error.index).toBe(2);
    expect(error.message).toMatch(/^Name: <unknown>, Index: 2\. {2}Could not parse example input/);
    const badOuter = bytes(delimited(7, [1]), tag(1, 2), 0x7f);
    expect(parseErrorOf([good, badOuter], { label: fixedLen([], 'int64') }).index).toBe(1);
  });

  it("reports a malformed list inside a feature as Can't parse serialized Example", () => {
    const oddFloats = example(entry('score', delimited(2, delimited(1, [1, 2, 3, 4, 5]))));
    const error = parseErrorOf([oddFloats], { score: varLen('float32') });
    expect(error.message).toMatch(
      /^Name: <unknown>, Key: score, Index: 0\. {2}Can't parse serialized Example: packed float list of 5 bytes/,
    );
    const truncatedVarint = example(entry('v', delimited(3, delimited(1, [0x80]))));
    expect(parseErrorOf([truncatedVarint], { v: varLen('int64') }).message).toContain('truncated varint');
    expect(parseErrorOf([truncatedVarint], { v: fixedLen([1], 'int64') }).message).toContain('truncated varint');
  });

  it('refuses groups nested past protobuf\'s limit of 100 with a ParseError, not a stack overflow', () => {
    const groups = (depth: number) => bytes(Array<number[]>(depth).fill(tag(5, 3)).flat(), Array<number[]>(depth).fill(tag(5, 4)).flat());
    expect(() => parseExampleBatch([groups(100)], { v: varLen('int64') })).not.toThrow();
    expect(parseErrorOf([groups(101)], { v: varLen('int64') }).message).toContain('groups nested deeper than 100');
    // Deep enough to overflow the stack of a recursive skip.
    const startGroups = (fieldNumber: number) => new Uint8Array(100_000).fill((fieldNumber << 3) | 3);
    expect(parseErrorOf([startGroups(1)], { v: varLen('int64') }).message).toContain('groups nested deeper than 100');
    const mapEntry = lengthDelimited(1, join(delimited(1, [0x76]), lengthDelimited(2, startGroups(4))));
    expect(parseErrorOf([lengthDelimited(1, mapEntry)], { v: varLen('int64') }).message).toMatch(
      /Key: v, Index: 0\. {2}Can't parse serialized Example: groups nested deeper than 100/,
    );
  });

  it('rejects records that are not Uint8Arrays', () => {
    const parser = new ExampleParser(spec);
    expect(() => parser.parseBatch([good, 'text' as unknown as Uint8Array])).toThrow(InvalidArgumentError);
    expect(() => parser.parseBatch([null as unknown as Uint8Array])).toThrow(/record 0 is null, expected a Uint8Array/);
  });
});

describe('invalid specs', () => {
  it('rejects bad builder arguments with InvalidArgumentError', () => {
    const cases: (() => unknown)[] = [
      () => fixedLen([-1], 'int64'),
      () => fixedLen([1.5], 'float32'),
      () => fixedLen([], 'double' as 'float32'),
      () => fixedLen([], 'float32', { as: 'bigint' as 'float32' }),
      () => fixedLen([], 'int64', { as: 'string' as 'int32' }),
      () => fixedLen([2], 'float32', { defaultValue: [1, 2, 3] }),
      () => fixedLen([], 'int64', { defaultValue: 2 ** 40 }),
      () => fixedLen([], 'int64', { defaultValue: 1.5 }),
      () => fixedLen([], 'bytes', { defaultValue: 3 }),
      () => fixedLen([], 'bytes', { as: 'string', defaultValue: Uint8Array.of(0xff) }),
      () => fixedLenRaw([4], { rawType: 'float32', as: 'uint8' }),
      () => fixedLenRaw([4], { rawType: 'int16' as 'uint8' }),
      () => fixedLenRaw([4], { rawType: 'int32', as: 'uint8' }),
      () => fixedLenRaw([4], { defaultValue: [256, 0, 0, 0] }),
      () => varLen('int64', { layout: 'dense' as 'ragged' }),
      () => varLen('int64', { as: 'bigint', padValue: 'x' }),
      () => fixedLenSequence([0], 'int64'),
      () => fixedLenSequence([2], 'int64', { allowMissing: 'yes' as unknown as boolean }),
      () => new ExampleParser({ points: fixedLenSequence([2], 'float32') }),
      () => new ExampleParser({ x: { kind: 'sparse' } as unknown as ExampleSpec[string] }),
      () => new ExampleParser({ x: 3 as unknown as ExampleSpec[string] }),
      () => new ExampleParser(null as unknown as ExampleSpec),
    ];
    for (const make of cases) expect(make).toThrow(InvalidArgumentError);
    // A list of one is not repeated as a bare value is: the message says which forms are accepted.
    expect(() => fixedLen([2], 'int64', { defaultValue: [1] })).toThrow(/expected one value \(repeated\) or a list of 2 values, got a list of 1/);
  });

  it('names the key of an invalid hand-written feature', () => {
    expect(
      () => new ExampleParser({ weights: { kind: 'fixedLen', dtype: 'float32', valueType: 'float32', shape: [-2] } as never }),
    ).toThrow(/feature 'weights': .*shape must be an array of non-negative integers/);
    expect(() => new ExampleParser({ s: fixedLenSequence([2], 'int64') })).toThrow(/feature 's'.*allowMissing: true/);
  });

  it('accepts defaults given as one value, nested arrays or typed arrays', () => {
    expect(fixedLen([2, 2], 'float32', { defaultValue: [[1, 2], [3, 4]] }).defaultValue).toEqual(new Float32Array([1, 2, 3, 4]));
    expect(fixedLen([3], 'int64', { defaultValue: 7 }).defaultValue).toEqual(new Int32Array([7, 7, 7]));
    expect(fixedLen([1], 'int64', { as: 'bigint', defaultValue: [2n ** 62n] }).defaultValue).toEqual(new BigInt64Array([2n ** 62n]));
    expect(fixedLenRaw([2], { defaultValue: Uint8Array.of(1, 2) }).defaultValue).toEqual(Uint8Array.of(1, 2));
    expect(varLen('int64', { as: 'bigint', padValue: 3 }).padValue).toBe(3n);
    expect(fixedLen([], 'bytes', { defaultValue: 'hi' }).defaultValue).toEqual([new TextEncoder().encode('hi')]);
    expect(varint(1)).toEqual([1]);
  });
});
