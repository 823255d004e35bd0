// Parsing the golden tf.Example records (and variations of them) into typed arrays with every feature kind.

import { describe, expect, expectTypeOf, it } from 'vitest';
import { contentRecord } from '../helpers/golden.js';
import {
  ExampleParser,
  SequenceExampleParser,
  bytesFeature,
  decodeExample,
  encodeExample,
  fixedLen,
  fixedLenRaw,
  fixedLenSequence,
  floatFeature,
  int64Feature,
  parseExample,
  parseExampleBatch,
  varLen,
} from '../../src/example/index.js';
import { InvalidArgumentError } from '../../src/format/errors.js';
import { goldenExample } from './golden-examples.js';

const COUNT = 300;
const records = Array.from({ length: COUNT }, (_, i) => goldenExample(i));

const goldenSpec = {
  label: fixedLen([], 'int64'),
  id: fixedLen([], 'int64', { as: 'float64' }),
  image: fixedLenRaw([28, 28, 1]),
  score: fixedLen([2], 'float32'),
  name: fixedLen([], 'bytes', { as: 'string' }),
};

describe('ExampleParser on the golden records', () => {
  const batch = new ExampleParser(goldenSpec).parseBatch(records);

  it('types each result from the spec', () => {
    expectTypeOf(batch.label.values).toEqualTypeOf<Int32Array>();
    expectTypeOf(batch.id.values).toEqualTypeOf<Float64Array>();
    expectTypeOf(batch.image.values).toEqualTypeOf<Uint8Array>();
    expectTypeOf(batch.score.values).toEqualTypeOf<Float32Array>();
    expectTypeOf(batch.name.values).toEqualTypeOf<string[]>();
    const other = parseExampleBatch([], {
      big: fixedLen([], 'int64', { as: 'bigint' }),
      raw: fixedLen([], 'bytes'),
      tags: varLen('int64'),
      padded: varLen('float32', { layout: 'padded' }),
      image: fixedLenRaw([2], { as: 'float32' }),
    });
    expectTypeOf(other.big.values).toEqualTypeOf<BigInt64Array>();
    expectTypeOf(other.raw.values).toEqualTypeOf<Uint8Array[]>();
    expectTypeOf(other.tags.kind).toEqualTypeOf<'ragged'>();
    expectTypeOf(other.tags.rowSplits).toEqualTypeOf<Int32Array>();
    expectTypeOf(other.padded.kind).toEqualTypeOf<'dense'>();
    expectTypeOf(other.image.values).toEqualTypeOf<Float32Array>();
    expectTypeOf(parseExample(records[0]!, { tags: varLen('int64') }).tags.kind).toEqualTypeOf<'dense'>();
  });

  it('returns one typed array per feature with the batch dimension first', () => {
    expect(batch.label.values).toBeInstanceOf(Int32Array);
    expect(batch.label.shape).toEqual([COUNT]);
    expect(batch.id.values).toBeInstanceOf(Float64Array);
    expect(batch.image.values).toBeInstanceOf(Uint8Array);
    expect(batch.image.shape).toEqual([COUNT, 28, 28, 1]);
    expect(batch.score.values).toBeInstanceOf(Float32Array);
    expect(batch.score.shape).toEqual([COUNT, 2]);
    expect(batch.name.shape).toEqual([COUNT]);
    expect(batch.image.values.length).toBe(COUNT * 784);
  });

  it('holds the values of the README rule', () => {
    for (let i = 0; i < COUNT; i++) {
      expect(batch.label.values[i]).toBe(i % 10);
      expect(batch.id.values[i]).toBe(i);
      expect(batch.score.values[2 * i]).toBe(i * 0.5);
      expect(batch.score.values[2 * i + 1]).toBe(-(i * 0.25));
      expect(batch.name.values[i]).toBe(`ex${i}`);
      expect(batch.image.values.subarray(i * 784, (i + 1) * 784)).toEqual(contentRecord(i, 784));
    }
    expect(Object.is(batch.score.values[1], -0)).toBe(true);
  });

  it('widens image bytes straight into float32 or int32', () => {
    const float = parseExampleBatch(records.slice(0, 8), { image: fixedLenRaw([784], { as: 'float32' }) });
    const int = parseExampleBatch(records.slice(0, 8), { image: fixedLenRaw([784], { as: 'int32' }) });
    const parsed = { float: float.image, int: int.image };
    expect(parsed.float.values).toBeInstanceOf(Float32Array);
    expect(parsed.int.values).toBeInstanceOf(Int32Array);
    for (let i = 0; i < 8; i++) {
      const image = contentRecord(i, 784);
      for (let j = 0; j < 784; j += 97) {
        expect(parsed.int.values[i * 784 + j]).toBe(image[j]);
        expect(parsed.float.values[i * 784 + j]).toBe(image[j]);
      }
    }
  });

  it('reads int64 as bigint and bytes as Uint8Array copies', () => {
    const parsed = parseExampleBatch(records.slice(0, 4), {
      id: fixedLen([], 'int64', { as: 'bigint' }),
      image: fixedLen([], 'bytes'),
    });
    expect(parsed.id.values).toEqual(new BigInt64Array([0n, 1n, 2n, 3n]));
    expect(parsed.image.values[3]).toEqual(contentRecord(3, 784));
    expect(parsed.image.values[3]!.buffer).not.toBe(records[3]!.buffer);
  });

  it('parses one record without the batch dimension', () => {
    const single = parseExample(records[42]!, goldenSpec);
    expect(single.label).toEqual({ kind: 'dense', values: new Int32Array([2]), shape: [] });
    expect(single.score.shape).toEqual([2]);
    expect(Array.from(single.score.values)).toEqual([21, -10.5]);
    expect(single.name.values).toEqual(['ex42']);
    expect(single.image.shape).toEqual([28, 28, 1]);
  });

  it('ignores features the spec does not name and parses an empty batch', () => {
    const parsed = parseExampleBatch(records.slice(0, 3), { label: fixedLen([], 'int64') });
    expect(Object.keys(parsed)).toEqual(['label']);
    const empty = parseExampleBatch([], goldenSpec);
    expect(empty.image.shape).toEqual([0, 28, 28, 1]);
    expect(empty.label.values.length).toBe(0);
  });
});

describe('defaults, varLen and fixedLenSequence', () => {
  const rows = [
    encodeExample({ tags: int64Feature([1, 2, 3]), points: floatFeature([1, 2, 3, 4]), words: bytesFeature(['a']) }),
    encodeExample({ tags: int64Feature([]), words: bytesFeature(['b', 'c']) }),
    encodeExample({ tags: int64Feature([7]), points: floatFeature([5, 6]) }),
  ];

  it('fills a missing fixedLen feature with its default', () => {
    const parsed = parseExampleBatch(rows, {
      weight: fixedLen([2], 'float32', { defaultValue: [0.5, 1.5] }),
      flag: fixedLen([], 'int64', { defaultValue: -1 }),
      word: fixedLen([], 'bytes', { as: 'string', defaultValue: 'none' }),
    });
    expect(Array.from(parsed.weight.values)).toEqual([0.5, 1.5, 0.5, 1.5, 0.5, 1.5]);
    expect(Array.from(parsed.flag.values)).toEqual([-1, -1, -1]);
    expect(parsed.word.values).toEqual(['none', 'none', 'none']);
  });

  it('gives varLen features as values + row splits', () => {
    const parsed = parseExampleBatch(rows, { tags: varLen('int64'), words: varLen('bytes', { as: 'string' }) });
    expect(parsed.tags.kind).toBe('ragged');
    expect(Array.from(parsed.tags.values)).toEqual([1, 2, 3, 7]);
    expect(Array.from(parsed.tags.rowSplits)).toEqual([0, 3, 3, 4]);
    expect(parsed.tags.shape).toEqual([4]);
    expect(parsed.tags.nestedRowSplits).toEqual([parsed.tags.rowSplits]);
    expect(parsed.words.values).toEqual(['a', 'b', 'c']);
    expect(Array.from(parsed.words.rowSplits)).toEqual([0, 1, 3, 3]);
  });

  it('pads varLen features to the longest row on request', () => {
    const parsed = parseExampleBatch(rows, { tags: varLen('int64', { layout: 'padded', padValue: -1 }) });
    expect(parsed.tags.kind).toBe('dense');
    expect(parsed.tags.shape).toEqual([3, 3]);
    expect(Array.from(parsed.tags.values)).toEqual([1, 2, 3, -1, -1, -1, 7, -1, -1]);
    expect(Array.from(parsed.tags.lengths!)).toEqual([3, 0, 1]);
  });

  it('reads fixedLenSequence rows padded with the default, or ragged', () => {
    const padded = parseExampleBatch(rows, {
      points: fixedLenSequence([2], 'float32', { allowMissing: true, defaultValue: 9 }),
    });
    expect(padded.points.shape).toEqual([3, 2, 2]);
    expect(Array.from(padded.points.values)).toEqual([1, 2, 3, 4, 9, 9, 9, 9, 5, 6, 9, 9]);
    expect(Array.from(padded.points.lengths!)).toEqual([2, 0, 1]);
    const ragged = parseExampleBatch(rows, {
      points: fixedLenSequence([2], 'float32', { allowMissing: true, layout: 'ragged' }),
    });
    expect(ragged.points.kind).toBe('ragged');
    expect(ragged.points.shape).toEqual([3, 2]);
    expect(Array.from(ragged.points.rowSplits)).toEqual([0, 2, 2, 3]);
    expect(Array.from(ragged.points.values)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('returns varLen rows of a single record as a dense array', () => {
    const single = parseExample(rows[0]!, {
      tags: varLen('int64'),
      points: fixedLenSequence([2], 'float32', { allowMissing: true }),
    });
    expect(single.tags).toEqual({ kind: 'dense', values: new Int32Array([1, 2, 3]), shape: [3] });
    expect(single.points.shape).toEqual([2, 2]);
  });

  it('accepts a hand-written spec object like a built one', () => {
    const parsed = parseExampleBatch(rows, {
      tags: { kind: 'varLen', dtype: 'int64', valueType: 'float64', layout: 'ragged', padValue: 0 },
    });
    expect(parsed.tags.values).toEqual(new Float64Array([1, 2, 3, 7]));
  });
});

describe('reuseOutputs', () => {
  it('returns views of the same memory batch after batch, sized to each batch', () => {
    const parser = new ExampleParser(goldenSpec, { reuseOutputs: true });
    const first = parser.parseBatch(records.slice(0, 16));
    const firstLabels = first.label.values;
    const second = parser.parseBatch(records.slice(16, 24));
    expect(second.label.values.buffer).toBe(firstLabels.buffer);
    expect(second.label.values.length).toBe(8);
    expect(Array.from(second.label.values)).toEqual([6, 7, 8, 9, 0, 1, 2, 3]);
    expect(firstLabels[0]).toBe(6);
  });

  it('allocates fresh arrays per batch by default', () => {
    const parser = new ExampleParser(goldenSpec);
    const first = parser.parseBatch(records.slice(0, 4));
    const second = parser.parseBatch(records.slice(4, 8));
    expect(second.image.values.buffer).not.toBe(first.image.values.buffer);
    expect(first.label.values[0]).toBe(0);
  });
});

describe('arguments of the wrong kind', () => {
  it('a shape that is not an array is refused by name, not by a TypeError', () => {
    expect(() => fixedLen(3 as never, 'int64')).toThrow(InvalidArgumentError);
    expect(() => fixedLen(3 as never, 'int64')).toThrow("fixedLen(3, 'int64'): shape must be an array of non-negative integers, got 3");
    expect(() => fixedLenRaw('28' as never)).toThrow(InvalidArgumentError);
  });

  it('one record given to parseBatch is pointed to parse(record)', () => {
    const parser = new ExampleParser({ label: fixedLen([], 'int64') });
    expect(() => parser.parseBatch(records[0]! as never)).toThrow(/ExampleParser.parseBatch\(records\) takes an array of serialized records, got .*; to parse one record, use parse\(record\)/);
    expect(() => new SequenceExampleParser({ context: { label: fixedLen([], 'int64') } }).parseBatch('x' as never)).toThrow(InvalidArgumentError);
  });

  it('decodeExample of a string is an InvalidArgumentError, not a ParseError of its characters', () => {
    expect(() => decodeExample('hello' as never)).toThrow(InvalidArgumentError);
    expect(() => decodeExample('hello' as never)).toThrow('a serialized record must be a Uint8Array, got "hello"');
  });
});
