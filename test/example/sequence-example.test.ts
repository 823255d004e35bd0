// SequenceExample parsing: context features, fixed and variable feature lists, padding, ragged splits and errors.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ParseError } from '../../src/format/errors.js';
import {
  SequenceExampleParser,
  bytesFeature,
  encodeSequenceExample,
  fixedLen,
  fixedLenSequence,
  floatFeature,
  int64Feature,
  parseSequenceExample,
  varLen,
  type FeatureListsSpec,
} from '../../src/example/index.js';
import { packedRoot } from './example-proto.js';
import { bytes, delimited, entry, feature, tag, varint } from './proto-bytes.js';

const records = [
  encodeSequenceExample({
    context: { label: int64Feature([1]), title: bytesFeature(['first']) },
    featureLists: {
      frames: [floatFeature([1, 2]), floatFeature([3, 4]), floatFeature([5, 6])],
      tokens: [int64Feature([10, 11]), int64Feature([]), int64Feature([12])],
    },
  }),
  encodeSequenceExample({
    context: { label: int64Feature([2]), title: bytesFeature(['second']) },
    featureLists: { frames: [floatFeature([7, 8])], tokens: [int64Feature([13, 14, 15])] },
  }),
  encodeSequenceExample({ context: { label: int64Feature([3]), title: bytesFeature(['third']) }, featureLists: { frames: [] } }),
];

const spec = {
  context: { label: fixedLen([], 'int64'), title: fixedLen([], 'bytes', { as: 'string' }) },
  featureLists: { frames: fixedLenSequence([2], 'float32', { defaultValue: -1 }), tokens: varLen('int64') },
};

describe('SequenceExampleParser', () => {
  const batch = new SequenceExampleParser(spec).parseBatch(records);

  it('parses context features like an Example', () => {
    expect(Array.from(batch.context.label.values)).toEqual([1, 2, 3]);
    expect(batch.context.title.values).toEqual(['first', 'second', 'third']);
  });

  it('pads fixed-shape feature lists to the longest list and reports lengths', () => {
    const frames = batch.featureLists.frames;
    expect(frames.kind).toBe('dense');
    expect(frames.shape).toEqual([3, 3, 2]);
    expect(Array.from(frames.values)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1]);
    expect(Array.from(frames.lengths!)).toEqual([3, 1, 0]);
  });

  it('gives varLen feature lists ragged twice: examples -> steps -> values', () => {
    const tokens = batch.featureLists.tokens;
    expect(tokens.kind).toBe('ragged');
    expect(Array.from(tokens.values)).toEqual([10, 11, 12, 13, 14, 15]);
    expect(tokens.shape).toEqual([6]);
    expect(Array.from(tokens.rowSplits)).toEqual([0, 3, 4, 4]);
    expect(tokens.nestedRowSplits.map((splits) => Array.from(splits))).toEqual([
      [0, 3, 4, 4],
      [0, 2, 2, 3, 6],
    ]);
  });

  it('gives fixed-shape feature lists ragged by steps on request', () => {
    const ragged = new SequenceExampleParser({ featureLists: { frames: fixedLenSequence([2], 'float32', { layout: 'ragged' }) } }).parseBatch(
      records,
    );
    expect(ragged.featureLists.frames.shape).toEqual([4, 2]);
    expect(Array.from(ragged.featureLists.frames.rowSplits)).toEqual([0, 3, 4, 4]);
    expect(Array.from(ragged.featureLists.frames.values)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Object.keys(ragged.context)).toEqual([]);
  });

  it('parses a single record without the batch dimension', () => {
    const single = parseSequenceExample(records[0]!, spec);
    expect(single.context.label.values).toEqual(new Int32Array([1]));
    expect(single.context.label.shape).toEqual([]);
    expect(single.featureLists.frames.shape).toEqual([3, 2]);
    expect(single.featureLists.tokens.kind).toBe('ragged');
    expect(Array.from(single.featureLists.tokens.rowSplits)).toEqual([0, 2, 2, 3]);
  });

  it('reuses its arrays across batches on request', () => {
    const parser = new SequenceExampleParser(spec, { reuseOutputs: true });
    const first = parser.parseBatch(records);
    const second = parser.parseBatch(records.slice(1));
    expect(second.featureLists.tokens.values.buffer).toBe(first.featureLists.tokens.values.buffer);
    expect(Array.from(second.featureLists.tokens.values)).toEqual([13, 14, 15]);
  });
});

describe('SequenceExample rules and errors', () => {
  const errorOf = (record: Uint8Array, lists: FeatureListsSpec, first: Uint8Array = new Uint8Array(0)): ParseError => {
    try {
      new SequenceExampleParser({ featureLists: lists }).parseBatch([first, record]);
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).index).toBe(1);
      return error as ParseError;
    }
    throw new Error('expected a ParseError');
  };

  it('requires fixed-shape feature lists unless allowMissing', () => {
    const withList = encodeSequenceExample({ featureLists: { missing: [int64Feature([1])] } });
    expect(errorOf(records[1]!, { tokens: varLen('int64'), missing: fixedLenSequence([1], 'int64') }, withList).message).toMatch(
      /^Name: <unknown>, Feature list 'missing' is required but could not be found\./,
    );
    const parsed = new SequenceExampleParser({
      featureLists: { missing: fixedLenSequence([1], 'int64', { allowMissing: true }), other: varLen('bytes') },
    }).parseBatch(records);
    expect(parsed.featureLists.missing.shape).toEqual([3, 0, 1]);
    expect(Array.from(parsed.featureLists.other.nestedRowSplits[0]!)).toEqual([0, 0, 0, 0]);
  });

  it('reports a step of the wrong type or count with the step index', () => {
    expect(errorOf(records[1]!, { frames: fixedLenSequence([2], 'int64', { allowMissing: true }) }).message).toBe(
      "Name: <unknown>, Feature list: frames, Index: 0.  Data types don't match. Expected type: int64, Actual type: float (index 1)",
    );
    expect(errorOf(records[1]!, { tokens: fixedLenSequence([2], 'int64', { allowMissing: true }) }).message).toBe(
      'Name: <unknown>, Key: tokens, Index: 0.  Number of values != expected.  values size: 3 but output shape: [2] (index 1)',
    );
    expect(errorOf(records[1]!, { tokens: varLen('float32') }).message).toContain("Data types don't match. Expected type: float");
  });

  it('reads a step with no list as zero values', () => {
    const record = bytes(delimited(2, entry('t', bytes(delimited(1), delimited(1, feature.int64Packed(4))))));
    const parsed = new SequenceExampleParser({ featureLists: { t: varLen('int64') } }).parse(record);
    expect(Array.from(parsed.featureLists.t.rowSplits)).toEqual([0, 0, 1]);
    expect(errorOf(record, { t: fixedLenSequence([1], 'int64', { allowMissing: true }) }).message).toContain('values size: 0 but output shape: [1]');
  });

  it('skips unknown fields, merges repeated parts and keeps the last entry of a key', () => {
    const list = (value: number) => entry('t', bytes(tag(7, 0), varint(1), delimited(1, feature.int64Packed(value))));
    const record = bytes(tag(9, 5), [0, 0, 0, 0], delimited(2, list(1)), delimited(1, entry('c', feature.int64Packed(5))), delimited(2, list(2)));
    const parsed = new SequenceExampleParser({ context: { c: fixedLen([], 'int64') }, featureLists: { t: varLen('int64') } }).parse(record);
    expect(Array.from(parsed.featureLists.t.values)).toEqual([2]);
    expect(Array.from(parsed.context.c.values)).toEqual([5]);
  });

  it('refuses short steps before sizing the output from the step count', () => {
    // 40,000 empty steps (2 bytes each) of rows of 100,000 values: sized first, that is 4e9 values.
    const record = bytes(delimited(2, entry('t', bytes(...Array.from({ length: 40_000 }, () => delimited(1))))));
    for (const layout of ['padded', 'ragged'] as const) {
      const error = errorOf(record, { t: fixedLenSequence([100_000], 'float32', { layout, allowMissing: true }) });
      expect(error.message).toBe('Name: <unknown>, Key: t, Index: 0.  Number of values != expected.  values size: 0 but output shape: [100000] (index 1)');
    }
    // The first bad step is the one reported, as when the output is filled.
    const floatsFirst = bytes(delimited(2, entry('t', bytes(delimited(1, feature.floatPacked(1)), ...Array.from({ length: 40_000 }, () => delimited(1))))));
    expect(errorOf(floatsFirst, { t: fixedLenSequence([100_000], 'int64', { allowMissing: true }) }).message).toBe(
      "Name: <unknown>, Feature list: t, Index: 0.  Data types don't match. Expected type: int64, Actual type: float (index 1)",
    );
  });

  it('reports malformed records and malformed feature lists', () => {
    expect(errorOf(bytes(tag(1, 2), [5, 1]), { tokens: varLen('int64') }).message).toMatch(
      /^Name: <unknown>, Index: 1\. {2}Could not parse sequence example input: length 5 exceeds/,
    );
    const badList = bytes(delimited(2, entry('t', bytes(tag(1, 2), [9]))));
    expect(errorOf(badList, { t: varLen('int64') }).message).toMatch(
      /Feature list: t, Index: 0\. {2}Can't parse serialized SequenceExample: length 9 exceeds/,
    );
  });

  it('rejects specs that TensorFlow rejects', () => {
    const make = (input: unknown) => () => new SequenceExampleParser(input as never);
    expect(make({ context: { x: fixedLenSequence([1], 'int64', { allowMissing: true }) } })).toThrow(InvalidArgumentError);
    expect(make({ featureLists: { x: fixedLen([1], 'int64') } })).toThrow(/kind fixedLen is not one of/);
    expect(make({ featureLists: { x: varLen('int64', { layout: 'padded' }) } })).toThrow(/layout 'padded' is not supported/);
    expect(make(null)).toThrow(InvalidArgumentError);
  });
});

describe('protobufjs-written SequenceExamples', () => {
  const type = packedRoot.lookupType('SequenceExample');

  it('parse to the values that were written', () => {
    const steps = fc.array(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 4 }), { maxLength: 5 });
    fc.assert(
      fc.property(fc.array(steps, { minLength: 1, maxLength: 4 }), (examples) => {
        const encoded = examples.map((list) =>
          type
            .encode(
              type.fromObject({
                context: { feature: { n: { int64List: { value: [list.length] } } } },
                featureLists: { featureList: { v: { feature: list.map((values) => ({ int64List: { value: values } })) } } },
              }),
            )
            .finish(),
        );
        const parsed = new SequenceExampleParser({ context: { n: fixedLen([], 'int64') }, featureLists: { v: varLen('int64') } }).parseBatch(
          encoded,
        );
        expect(Array.from(parsed.context.n.values)).toEqual(examples.map((list) => list.length));
        expect(Array.from(parsed.featureLists.v.values)).toEqual(examples.flat(2));
        const stepLengths = examples.flat().map((values) => values.length);
        const inner = parsed.featureLists.v.nestedRowSplits[1]!;
        expect(Array.from(inner.subarray(1)).map((end, i) => end - inner[i]!)).toEqual(stepLengths);
      }),
      { numRuns: 100 },
    );
  });
});
