// Results and errors held to TensorFlow's parser for the same bytes and spec; each case cites the TF source of its rule.

import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ParseError } from '../../src/format/errors.js';
import {
  ExampleParser,
  SequenceExampleParser,
  bytesFeature,
  encodeExample,
  encodeSequenceExample,
  fixedLen,
  fixedLenRaw,
  fixedLenSequence,
  floatFeature,
  int64Feature,
  varLen,
} from '../../src/example/index.js';
import { bytes, delimited, entry, example, feature, float32 } from './proto-bytes.js';

/** A zero-byte Feature: TF's fast parser reads it as DT_INVALID (parsed::Feature::ParseDataType). */
const EMPTY = new Uint8Array(0);

/** A SequenceExample from its context entries and feature-list entries (each `entry(key, FeatureList bytes)`). */
function sequenceExample(context: Uint8Array[], lists: Uint8Array[]): Uint8Array {
  return bytes(delimited(1, ...context), delimited(2, ...lists));
}

/** A FeatureList body: one field 1 per step. */
function featureList(...steps: Uint8Array[]): Uint8Array {
  return bytes(...steps.map((step) => delimited(1, step)));
}

function parseErrorOf(run: () => unknown): ParseError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  throw new Error('expected a ParseError');
}

const INT64_EDGES = [0n, -1n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 53n, 2n ** 63n - 1n, -(2n ** 63n)];

describe('duplicate keys in an Example feature map (example_proto_fast_parsing.cc)', () => {
  // FastParseSerializedExample walks the entries last to first; for a dense feature it skips a
  // zero-byte Feature (`if (example_dtype == DT_INVALID) continue;`) before marking the feature
  // seen, so the last entry that holds a list wins.
  const duplicated = example(entry('x', feature.int64Packed(5)), entry('x', EMPTY));
  const reversed = example(entry('x', EMPTY), entry('x', feature.int64Packed(5)));

  it('gives a fixedLen feature the last entry holding a list, not the default', () => {
    const parser = new ExampleParser({ x: fixedLen([], 'int64', { defaultValue: 9 }) });
    expect(Array.from(parser.parseBatch([duplicated, reversed]).x.values)).toEqual([5, 5]);
    expect(Array.from(parser.parse(duplicated).x.values)).toEqual([5]);
  });

  it('does not call such a fixedLen feature missing', () => {
    const parser = new ExampleParser({ x: fixedLen([], 'int64') });
    expect(Array.from(parser.parseBatch([duplicated]).x.values)).toEqual([5]);
  });

  it('keeps an earlier entry for fixedLenRaw and fixedLenSequence features too (both dense in TF)', () => {
    const raw = example(entry('img', feature.bytes([1, 2])), entry('img', EMPTY));
    expect(Array.from(new ExampleParser({ img: fixedLenRaw([2]) }).parseBatch([raw]).img.values)).toEqual([1, 2]);
    const rows = example(entry('p', feature.floatPacked(1, 2)), entry('p', EMPTY));
    const parsed = new ExampleParser({ p: fixedLenSequence([2], 'float32', { allowMissing: true }) }).parseBatch([rows]).p;
    expect(Array.from(parsed.values)).toEqual([1, 2]);
    expect(Array.from(parsed.lengths!)).toEqual([1]);
  });

  it('lets the last entry win for a varLen feature in a batch (sparse: no DT_INVALID skip)', () => {
    // Sparse and ragged features mark the feature seen before looking at the dtype, so a trailing
    // empty Feature is the one parsed: zero values.
    const parsed = new ExampleParser({ x: varLen('int64') }).parseBatch([duplicated, reversed]).x;
    expect(Array.from(parsed.values)).toEqual([5]);
    expect(Array.from(parsed.rowSplits)).toEqual([0, 0, 1]);
  });

  it('skips a trailing empty entry for a varLen feature in a single parse (FastParseSingleExample)', () => {
    // FastParseSingleExample (the kernel of a scalar parse_single_example) skips DT_INVALID
    // Features for every feature kind before marking it seen.
    expect(Array.from(new ExampleParser({ x: varLen('int64') }).parse(duplicated).x.values)).toEqual([5]);
  });

  it('lets a later non-empty entry replace an earlier one, as protobuf does', () => {
    const twice = example(entry('x', feature.int64Packed(1)), entry('x', feature.int64Packed(2)));
    expect(Array.from(new ExampleParser({ x: fixedLen([], 'int64') }).parseBatch([twice]).x.values)).toEqual([2]);
    expect(Array.from(new ExampleParser({ x: varLen('int64') }).parseBatch([twice]).x.values)).toEqual([2]);
  });

  it('applies the rule across concatenated Examples (repeated features messages)', () => {
    const concatenated = bytes(example(entry('x', feature.int64Packed(7))), example(entry('x', EMPTY)));
    expect(Array.from(new ExampleParser({ x: fixedLen([], 'int64', { defaultValue: 0 }) }).parseBatch([concatenated]).x.values)).toEqual([7]);
  });
});

describe('SequenceExample context (ParseContextDenseFeatures)', () => {
  // A context feature counts as missing only when no map entry names it (`!protos_present[e]`);
  // a present zero-byte Feature parses to 0 values, which fail "Unexpected number of elements".
  const record = sequenceExample([entry('c', EMPTY)], []);

  it('refuses a present empty Feature for a fixedLen context feature instead of using the default', () => {
    const parser = new SequenceExampleParser({ context: { c: fixedLen([], 'int64', { defaultValue: 3 }) } });
    const error = parseErrorOf(() => parser.parseBatch([sequenceExample([], []), record]));
    expect(error.message).toBe(
      'Name: <unknown>, Key: c, Index: 1.  Number of int64 values != expected.  Values size: 0 but output shape: [] (index 1)',
    );
    expect(error.index).toBe(1);
  });

  it('refuses it for a required fixedLen / fixedLenRaw context feature with a count error, not "required"', () => {
    expect(parseErrorOf(() => new SequenceExampleParser({ context: { c: fixedLen([2], 'float32') } }).parseBatch([record])).message).toMatch(
      /Key: c, Index: 0\. {2}Number of float values != expected\. {2}Values size: 0 but output shape: \[2\]/,
    );
    expect(parseErrorOf(() => new SequenceExampleParser({ context: { c: fixedLenRaw([2]) } }).parseBatch([record])).message).toMatch(
      /Key: c, Index: 0\. {2}Number of bytes values != expected\. {2}Values size: 0 but output shape: \[\]/,
    );
  });

  it('still uses the default when the context lacks the key', () => {
    const parser = new SequenceExampleParser({ context: { c: fixedLen([], 'int64', { defaultValue: 3 }) } });
    expect(Array.from(parser.parseBatch([sequenceExample([], [])]).context.c.values)).toEqual([3]);
  });

  it('reads a present empty Feature as no values for a varLen context feature', () => {
    const parsed = new SequenceExampleParser({ context: { c: varLen('int64') } }).parseBatch([record]).context.c;
    expect(Array.from(parsed.rowSplits)).toEqual([0, 0]);
  });

  it('keeps context and feature lists apart when they share a key', () => {
    const both = encodeSequenceExample({ context: { k: int64Feature([1]) }, featureLists: { k: [int64Feature([2]), int64Feature([3])] } });
    const parsed = new SequenceExampleParser({
      context: { k: fixedLen([], 'int64') },
      featureLists: { k: fixedLenSequence([], 'int64') },
    }).parseBatch([both]);
    expect(Array.from(parsed.context.k.values)).toEqual([1]);
    expect(Array.from(parsed.featureLists.k.values)).toEqual([2, 3]);
  });

  it('lets the last context entry win even when it is empty (ExtractFeaturesFromSequenceExamples overwrites)', () => {
    const twice = sequenceExample([entry('c', feature.int64Packed(4)), entry('c', EMPTY)], []);
    const parsed = new SequenceExampleParser({ context: { c: varLen('int64') } }).parseBatch([twice]).context.c;
    expect(Array.from(parsed.values)).toEqual([]);
  });
});

describe('SequenceExample feature lists (ParseSequenceDenseFeatures, GetSequenceFeatureLengths)', () => {
  it('reads a missing list as 0 steps with allowMissing, padded, and refuses it without', () => {
    const records = [encodeSequenceExample({ featureLists: { f: [floatFeature([1, 2])] } }), encodeSequenceExample({})];
    const padded = new SequenceExampleParser({ featureLists: { f: fixedLenSequence([2], 'float32', { allowMissing: true }) } }).parseBatch(records).featureLists.f;
    expect(Array.from(padded.values)).toEqual([1, 2, 0, 0]);
    expect(Array.from(padded.lengths!)).toEqual([1, 0]);
    const error = parseErrorOf(() => new SequenceExampleParser({ featureLists: { f: fixedLenSequence([2], 'float32') } }).parseBatch(records));
    expect(error.message).toMatch(/^Name: <unknown>, Feature list 'f' is required but could not be found\./);
    expect(error.index).toBe(1);
  });

  it('reads a present list of no steps as 0 steps even without allowMissing (protos_present)', () => {
    const record = sequenceExample([], [entry('f', EMPTY)]);
    const parsed = new SequenceExampleParser({ featureLists: { f: fixedLenSequence([2], 'float32') } }).parseBatch([record]).featureLists.f;
    expect(parsed.shape).toEqual([1, 0, 2]);
    expect(Array.from(parsed.lengths!)).toEqual([0]);
  });

  it('refuses empty Feature steps of a fixed-shape list, naming record and step', () => {
    const record = sequenceExample([], [entry('f', featureList(feature.floatPacked(1, 2), EMPTY))]);
    const error = parseErrorOf(() => new SequenceExampleParser({ featureLists: { f: fixedLenSequence([2], 'float32') } }).parseBatch([record]));
    expect(error.message).toBe(
      'Name: <unknown>, Key: f, Index: 1.  Number of values != expected.  values size: 0 but output shape: [2] (index 0)',
    );
  });

  it('counts empty Feature steps of a varLen list as steps with no values', () => {
    const record = sequenceExample([], [entry('f', featureList(EMPTY, feature.int64Packed(1), EMPTY))]);
    const parsed = new SequenceExampleParser({ featureLists: { f: varLen('int64') } }).parseBatch([record]).featureLists.f;
    expect(parsed.nestedRowSplits.map((splits) => Array.from(splits))).toEqual([[0, 3], [0, 0, 1, 1]]);
  });

  it('refuses a step of another dtype, empty or not', () => {
    for (const step of [feature.floatPacked(1), delimited(2)]) {
      const record = sequenceExample([], [entry('f', featureList(feature.int64Packed(1), step))]);
      const error = parseErrorOf(() => new SequenceExampleParser({ featureLists: { f: varLen('int64') } }).parseBatch([record]));
      expect(error.message).toMatch(/^Name: <unknown>, Feature list: f, Index: 1\. {2}Data types don't match\. Expected type: int64/);
    }
  });

  it('pads a fixed-shape list with 0 / empty bytes when no defaultValue is given', () => {
    const records = [
      encodeSequenceExample({ featureLists: { s: [bytesFeature(['a'])], n: [int64Feature([1]), int64Feature([2])] } }),
      encodeSequenceExample({ featureLists: { s: [bytesFeature(['b']), bytesFeature([''])], n: [int64Feature([3])] } }),
    ];
    const parsed = new SequenceExampleParser({
      featureLists: { s: fixedLenSequence([], 'bytes', { as: 'string' }), n: fixedLenSequence([], 'int64', { as: 'bigint' }) },
    }).parseBatch(records).featureLists;
    expect(parsed.s.values).toEqual(['a', '', 'b', '']);
    expect(Array.from(parsed.n.values)).toEqual([1n, 2n, 3n, 0n]);
  });

  it('DIFFERS (documented): pads a fixed-shape list with its defaultValue, which TF refuses there', () => {
    // parsing_ops.py _parse_sequence_example_raw: "Value feature_list.dense_defaults[%s] must be None";
    // ParseSequenceDenseFeatures pads with PadFloatFeature / PadInt64Feature (zeros).
    const records = [encodeSequenceExample({ featureLists: { f: [floatFeature([1]), floatFeature([2])] } }), encodeSequenceExample({ featureLists: { f: [] } })];
    const parsed = new SequenceExampleParser({ featureLists: { f: fixedLenSequence([], 'float32', { defaultValue: -1 }) } }).parseBatch(records);
    expect(Array.from(parsed.featureLists.f.values)).toEqual([1, 2, -1, -1]);
  });

  it('names the step and says "does not fit" (not "can\'t parse") for an int32 overflow in a list', () => {
    const record = encodeSequenceExample({ featureLists: { f: [int64Feature([1]), int64Feature([2n ** 40n])] } });
    const error = parseErrorOf(() => new SequenceExampleParser({ featureLists: { f: fixedLenSequence([], 'int64') } }).parseBatch([record]));
    expect(error.message).toBe(
      "Name: <unknown>, Feature list: f, Index: 1.  Value 1099511627776 of int64 feature does not fit in int32; parse it with as: 'float64' or as: 'bigint' (index 0)",
    );
  });
});

describe('defaults (parsing_config.py _make_dense_default, FastParseSerializedExample)', () => {
  it('DIFFERS (documented): a fixedLen feature of no values with a default may be missing', () => {
    // TF calls a dense feature required when its default holds no values
    // (FastParseSerializedExample: `default_value.NumElements() == 0`), which a shape of no values
    // always is; here the given default makes it optional. docs/tf-example.md says so.
    expect(new ExampleParser({ x: fixedLen([0], 'int64', { defaultValue: [] }) }).parseBatch([example()]).x.shape).toEqual([1, 0]);
    const error = parseErrorOf(() => new ExampleParser({ x: fixedLen([0], 'int64') }).parseBatch([example()]));
    expect(error.message).toBe('Name: <unknown>, Feature: x (data type: int64) is required but could not be found. (index 0)');
    const present = example(entry('x', delimited(3)));
    expect(new ExampleParser({ x: fixedLen([0], 'int64') }).parseBatch([present]).x.shape).toEqual([1, 0]);
  });

  it('refuses an int64 default or pad value outside the int64 range instead of wrapping it', () => {
    // ops.convert_to_tensor(2**64 + 5, dtype=int64) raises; BigInt.asIntN made it 5.
    expect(() => fixedLen([], 'int64', { as: 'bigint', defaultValue: 2n ** 64n + 5n })).toThrow(InvalidArgumentError);
    expect(() => fixedLen([], 'int64', { as: 'bigint', defaultValue: 2n ** 63n })).toThrow(/an int64/);
    expect(() => varLen('int64', { as: 'bigint', padValue: -(2n ** 63n) - 1n })).toThrow(InvalidArgumentError);
    expect(fixedLen([2], 'int64', { as: 'bigint', defaultValue: [2n ** 63n - 1n, -(2n ** 63n)] }).defaultValue).toEqual(
      new BigInt64Array([2n ** 63n - 1n, -(2n ** 63n)]),
    );
  });

  it('refuses a non-integer default or pad value for an int64 feature read as float64', () => {
    // ops.convert_to_tensor(1.5, dtype=int64) raises TypeError.
    expect(() => fixedLen([], 'int64', { as: 'float64', defaultValue: 1.5 })).toThrow(/an int64 integer/);
    expect(() => fixedLen([], 'int64', { as: 'float64', defaultValue: Number.NaN })).toThrow(InvalidArgumentError);
    expect(() => varLen('int64', { as: 'float64', layout: 'padded', padValue: 0.5 })).toThrow(InvalidArgumentError);
    expect(() => fixedLen([], 'int64', { as: 'float64', defaultValue: 2 ** 63 })).toThrow(InvalidArgumentError);
    expect(fixedLen([2], 'int64', { as: 'float64', defaultValue: [-(2 ** 63), 2 ** 53] }).defaultValue).toEqual(new Float64Array([-(2 ** 63), 2 ** 53]));
  });

  it('pads a fixedLenSequence Example feature with its default (FillAndCopyVarLen: default_value(0))', () => {
    const records = [example(entry('p', feature.floatPacked(1, 2, 3, 4))), example()];
    const parsed = new ExampleParser({ p: fixedLenSequence([2], 'float32', { allowMissing: true, defaultValue: -1 }) }).parseBatch(records).p;
    expect(Array.from(parsed.values)).toEqual([1, 2, 3, 4, -1, -1, -1, -1]);
  });

  it('reads an empty Feature of an Example as missing (DT_INVALID): the default for fixedLen, no values for varLen', () => {
    const record = example(entry('x', EMPTY), entry('v', EMPTY));
    const parsed = new ExampleParser({ x: fixedLen([2], 'float32', { defaultValue: [1, 2] }), v: varLen('float32') }).parseBatch([record]);
    expect(Array.from(parsed.x.values)).toEqual([1, 2]);
    expect(Array.from(parsed.v.rowSplits)).toEqual([0, 0]);
  });
});

describe('values at the edges, as TF copies them', () => {
  it('reads int64 edge values exactly as bigint, rounded as float64, in fixedLen, varLen and feature lists', () => {
    const record = encodeExample({ x: int64Feature(INT64_EDGES) });
    const size = INT64_EDGES.length;
    const asBigint = new ExampleParser({ f: fixedLen([size], 'int64', { as: 'bigint' }), v: varLen('int64', { as: 'bigint' }) });
    const spec = { x: fixedLen([size], 'int64', { as: 'bigint' }) };
    expect(Array.from(new ExampleParser(spec).parseBatch([record]).x.values)).toEqual(INT64_EDGES);
    const renamed = encodeExample({ f: int64Feature(INT64_EDGES), v: int64Feature(INT64_EDGES) });
    const both = asBigint.parseBatch([renamed]);
    expect(Array.from(both.f.values)).toEqual(INT64_EDGES);
    expect(Array.from(both.v.values)).toEqual(INT64_EDGES);
    const floats = new ExampleParser({ x: fixedLen([size], 'int64', { as: 'float64' }) }).parseBatch([record]).x.values;
    expect(Array.from(floats)).toEqual(INT64_EDGES.map((value) => Number(value)));
    const list = encodeSequenceExample({ featureLists: { s: INT64_EDGES.map((value) => int64Feature([value])) } });
    const steps = new SequenceExampleParser({ featureLists: { s: fixedLenSequence([], 'int64', { as: 'bigint' }) } }).parseBatch([list]);
    expect(Array.from(steps.featureLists.s.values)).toEqual(INT64_EDGES);
  });

  it('reads int32-range edges as int32 and refuses one past them, naming key, record and value', () => {
    const fits = encodeExample({ x: int64Feature([2 ** 31 - 1, -(2 ** 31), -1]) });
    expect(Array.from(new ExampleParser({ x: fixedLen([3], 'int64') }).parseBatch([fits]).x.values)).toEqual([2 ** 31 - 1, -(2 ** 31), -1]);
    for (const value of [2n ** 31n, -(2n ** 31n) - 1n, 2n ** 63n - 1n, -(2n ** 63n)]) {
      const record = encodeExample({ x: int64Feature([value]) });
      const error = parseErrorOf(() => new ExampleParser({ x: fixedLen([], 'int64') }).parseBatch([encodeExample({ x: int64Feature([0]) }), record]));
      expect(error.message).toContain(`Key: x, Index: 1.  Value ${value} of int64 feature does not fit in int32`);
    }
  });

  it('keeps NaN payloads, -0 and denormals bit for bit in every float layout', () => {
    const bits = [0x7fc00001, 0x7f800001, 0x80000000, 0x00000001, 0x807fffff, 0xff800000];
    const words = new Uint32Array(bits);
    const raw = Array.from(new Uint8Array(words.buffer));
    const packed = delimited(2, delimited(1, raw));
    const unpacked = delimited(2, ...bits.map((_, i) => bytes(0x0d, raw.slice(i * 4, i * 4 + 4))));
    for (const body of [packed, unpacked]) {
      const parsed = new ExampleParser({ f: fixedLen([bits.length], 'float32'), v: varLen('float32') }).parseBatch([example(entry('f', body), entry('v', body))]);
      expect(Array.from(new Uint32Array(parsed.f.values.buffer, parsed.f.values.byteOffset, bits.length))).toEqual(bits);
      expect(Array.from(new Uint32Array(parsed.v.values.buffer, parsed.v.values.byteOffset, bits.length))).toEqual(bits);
      const list = sequenceExample([], [entry('s', featureList(body))]);
      const steps = new SequenceExampleParser({ featureLists: { s: fixedLenSequence([bits.length], 'float32') } }).parseBatch([list]).featureLists.s.values;
      expect(Array.from(new Uint32Array(steps.buffer, steps.byteOffset, bits.length))).toEqual(bits);
    }
    expect(float32(-0)).toEqual([0, 0, 0, 0x80]);
  });

  it('keeps empty bytes values as values, in order', () => {
    const record = encodeExample({ b: bytesFeature(['', 'x', '']) });
    const parsed = new ExampleParser({ b: fixedLen([3], 'bytes', { as: 'string' }), v: varLen('bytes') }).parseBatch([record, encodeExample({ v: bytesFeature(['']) , b: bytesFeature(['', '', '']) })]);
    expect(parsed.b.values).toEqual(['', 'x', '', '', '', '']);
    expect(parsed.v.values).toEqual([new Uint8Array(0)]);
    expect(Array.from(parsed.v.rowSplits)).toEqual([0, 0, 1]);
  });

  it('keeps varLen values in record order across a batch, missing records as empty rows', () => {
    const records = [encodeExample({ v: int64Feature([3, 1]) }), encodeExample({}), encodeExample({ v: int64Feature([2]) })];
    const parsed = new ExampleParser({ v: varLen('int64') }).parseBatch(records).v;
    expect(Array.from(parsed.values)).toEqual([3, 1, 2]);
    expect(Array.from(parsed.rowSplits)).toEqual([0, 2, 2, 3]);
  });
});

describe('a feature of the wrong kind (TF error wording)', () => {
  const record = encodeExample({ x: int64Feature([1]) });

  it('refuses it for every feature kind, naming key and record', () => {
    const floatRecord = encodeExample({ x: floatFeature([0]) });
    const bytesRecord = encodeExample({ x: bytesFeature([Uint8Array.of(0)]) });
    const cases: [object, Uint8Array, string][] = [
      [{ x: fixedLen([], 'float32') }, floatRecord, "Name: <unknown>, Key: x, Index: 1.  Data types don't match. Data type: int64 but expected type: float (index 1)"],
      [{ x: varLen('float32') }, floatRecord, "Name: <unknown>, Key: x, Index: 1.  Data types don't match. Expected type: float, Actual type: int64 (index 1)"],
      [{ x: fixedLenRaw([1]) }, bytesRecord, "Name: <unknown>, Key: x, Index: 1.  Data types don't match. Data type: int64 but expected type: string (index 1)"],
      [
        { x: fixedLenSequence([], 'bytes', { allowMissing: true }) },
        bytesRecord,
        "Name: <unknown>, Key: x, Index: 1.  Data types don't match. Data type: int64 but expected type: string (index 1)",
      ],
    ];
    for (const [spec, first, message] of cases) {
      expect(parseErrorOf(() => new ExampleParser(spec as never).parseBatch([first, record])).message).toBe(message);
    }
  });

  it('refuses an empty list of the wrong kind too (its dtype is set)', () => {
    const emptyFloats = example(entry('x', delimited(2)));
    expect(parseErrorOf(() => new ExampleParser({ x: varLen('int64') }).parseBatch([emptyFloats])).message).toMatch(/Expected type: int64, Actual type: float/);
    expect(parseErrorOf(() => new ExampleParser({ x: fixedLen([], 'int64', { defaultValue: 0 }) }).parseBatch([emptyFloats])).message).toMatch(
      /Data type: float but expected type: int64/,
    );
  });
});
