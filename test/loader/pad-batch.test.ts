// padBatch: padded batches of typed arrays, plain arrays and parsed tf.Example features (varLen, fixedLenSequence),
// to the longest row or a fixed length, with lengths and masks; laid out exactly as the parser's padded layout.

import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  bytesFeature,
  DataLoader,
  encodeExample,
  fixedLen,
  fixedLenSequence,
  floatFeature,
  int64Feature,
  map,
  padBatch,
  parseExample,
  parseExampleBatch,
  varLen,
  type PaddedValues,
  type RecordSource,
} from '../../src/index.js';
import { InvalidArgumentError, InvalidOptionsError, UnsupportedError } from '../../src/format/errors.js';
import { SequentialSampler } from '../../src/samplers/index.js';
import { drain } from './loader-helpers.js';

describe('padBatch over sequences', () => {
  it('pads typed arrays to the longest row, keeping their type, with lengths and a mask', () => {
    const padded = padBatch({ mask: true })([new Float32Array([1, 2, 3]), new Float32Array([4]), new Float32Array([])]);
    expect(padded.values).toEqual(new Float32Array([1, 2, 3, 4, 0, 0, 0, 0, 0]));
    expect(padded.shape).toEqual([3, 3]);
    expect(padded.lengths).toEqual(new Int32Array([3, 1, 0]));
    expect(padded.mask).toEqual(new Uint8Array([1, 1, 1, 1, 0, 0, 0, 0, 0]));
    expectTypeOf(padded).toEqualTypeOf<PaddedValues<Float32Array<ArrayBuffer>>>();
  });

  it('pads to a fixed length (truncating only when asked) and rounds up to a multiple', () => {
    const rows = [new Int32Array([1, 2, 3, 4, 5]), new Int32Array([6])];
    expect(() => padBatch({ length: 4 })(rows)).toThrow(InvalidArgumentError);
    expect(() => padBatch({ length: 4 })(rows)).toThrow(/element 0 has 5 rows, more than length 4; pass truncate: true/);
    const cut = padBatch({ length: 4, truncate: true, value: -1 })(rows);
    expect([...cut.values]).toEqual([1, 2, 3, 4, 6, -1, -1, -1]);
    expect([...cut.lengths]).toEqual([4, 1]);
    const rounded = padBatch({ multipleOf: 4 })(rows);
    expect(rounded.shape).toEqual([2, 8]);
    expect(padBatch({ length: 6 })(rows).shape).toEqual([2, 6]);
    expect([...padBatch({ value: 7n })([new BigInt64Array([1n]), new BigInt64Array([])]).values]).toEqual([1n, 7n]);
  });

  it('pads plain arrays with a value of their kind', () => {
    const numbers = padBatch()([[1, 2], [3]]);
    expect(numbers).toEqual({ kind: 'dense', values: [1, 2, 3, 0], shape: [2, 2], lengths: new Int32Array([2, 1]) });
    expectTypeOf(numbers).toEqualTypeOf<PaddedValues<number[]>>();
    expect(padBatch()([['a'], ['b', 'c']]).values).toEqual(['a', '', 'b', 'c']);
    expect(padBatch({ value: '<pad>' })([['a'], []]).values).toEqual(['a', '<pad>']);
    expect(padBatch({ value: '<pad>', length: 2 })([['a'], []]).values).toEqual(['a', '<pad>', '<pad>', '<pad>']);
  });

  it('pads the chosen fields of object elements and stacks the others', () => {
    const collate = padBatch({ fields: { tokens: { mask: true }, chars: { length: 3, truncate: true } } });
    const batch = collate([
      { tokens: new Int32Array([5, 6]), chars: ['a', 'b', 'c', 'd'], label: 1 },
      { tokens: new Int32Array([7]), chars: ['e'], label: 0 },
    ]);
    expect([...batch.tokens.values]).toEqual([5, 6, 7, 0]);
    expect([...batch.tokens.mask!]).toEqual([1, 1, 1, 0]);
    expect(batch.chars).toEqual({ kind: 'dense', values: ['a', 'b', 'c', 'e', '', ''], shape: [2, 3], lengths: new Int32Array([3, 1]) });
    expect(batch.label).toEqual([1, 0]);
    expectTypeOf(batch).toEqualTypeOf<{ tokens: PaddedValues<Int32Array<ArrayBuffer>>; chars: PaddedValues<string[]>; label: number[] }>();
  });

  it('refuses what it cannot pad, and bad options', () => {
    expect(() => padBatch()([new Float32Array(1), [1]] as never)).toThrow(/element 1 is a Array, element 0 a Float32Array/);
    expect(() => padBatch()([5] as never)).toThrow(/element of element 0 is not a sequence \(got 5\)/);
    expect(() => padBatch({ fields: ['x'] })([{ x: [1] }, { y: [2] }] as never)).toThrow(/element 1 of the batch has no field 'x'/);
    const ragged = { kind: 'ragged', values: new Int32Array(3), shape: [3], rowSplits: new Int32Array([0, 1, 3]), nestedRowSplits: [] };
    expect(() => padBatch()([ragged] as never)).toThrow(UnsupportedError);
    expect(() => padBatch({ lenght: 4 } as never)).toThrow(/unknown option lenght; did you mean length\?/);
    expect(() => padBatch({ fields: { x: { maks: true } } } as never)).toThrow(InvalidOptionsError);
    expect(() => padBatch({ multipleOf: 0 })).toThrow(/multipleOf must be an integer >= 1/);
  });
});

describe('padBatch over parsed tf.Examples', () => {
  const spec = {
    tokens: varLen('int64'),
    weights: varLen('float32'),
    words: varLen('bytes', { as: 'string' }),
    points: fixedLenSequence([2], 'float32', { allowMissing: true }),
    label: fixedLen([], 'int64'),
  };
  const paddedSpec = {
    tokens: varLen('int64', { layout: 'padded' }),
    weights: varLen('float32', { layout: 'padded' }),
    words: varLen('bytes', { as: 'string', layout: 'padded' }),
    points: fixedLenSequence([2], 'float32', { allowMissing: true, layout: 'padded' }),
    label: fixedLen([], 'int64'),
  };
  const lengthOf = (key: number): number => (key * 5) % 7;
  const records = Array.from({ length: 10 }, (_, key) =>
    encodeExample({
      tokens: int64Feature(Array.from({ length: lengthOf(key) }, (_, k) => key * 10 + k)),
      weights: floatFeature(Array.from({ length: (key * 3) % 4 }, (_, k) => k / 2)),
      words: bytesFeature(Array.from({ length: key % 3 }, (_, k) => `w${key}.${k}`)),
      points: floatFeature(Array.from({ length: 2 * (key % 4) }, (_, k) => key + k / 4)),
      label: int64Feature([key % 2]),
    }),
  );
  const source: RecordSource = {
    length: records.length,
    getItemsAsync: async (indices) => Array.from(indices, (index) => records[index]!),
    describe: () => ({ kind: 'examples' }),
  };

  it("gives what parseExampleBatch's padded layout gives, batch after batch, through the DataLoader", async () => {
    const loader = new DataLoader({
      source,
      sampler: new SequentialSampler({ numRecords: records.length }),
      transforms: [map((record) => parseExample(record, spec))],
      batchSize: 4,
      collate: padBatch({ fields: ['tokens', 'weights', 'words', 'points'], mask: true }),
    });
    const batches = await drain(loader);
    expect(batches).toHaveLength(3);
    for (const [index, batch] of batches.entries()) {
      const expected = parseExampleBatch(records.slice(index * 4, index * 4 + 4), paddedSpec);
      for (const key of ['tokens', 'weights', 'words', 'points'] as const) {
        expect(batch[key].values, key).toEqual(expected[key].values);
        expect(batch[key].shape, key).toEqual(expected[key].shape);
        expect(batch[key].lengths, key).toEqual(expected[key].lengths);
        const [rows, longest] = batch[key].shape as [number, number];
        const mask = Array.from({ length: rows * longest }, (_, at) => Number(at % longest < batch[key].lengths[Math.floor(at / longest)]!));
        expect([...batch[key].mask!], key).toEqual(mask);
      }
      expect(batch.label).toEqual({ kind: 'dense', values: expected.label.values, shape: expected.label.shape });
    }
    expectTypeOf(batches[0]!.tokens).toEqualTypeOf<PaddedValues<Int32Array>>();
    expectTypeOf(batches[0]!.words).toEqualTypeOf<PaddedValues<string[]>>();
    expect(batches[2]!.tokens.lengths).toEqual(new Int32Array([lengthOf(8), lengthOf(9)]));
  });

  it('pads a feature to a fixed length with its own value', () => {
    const parsed = records.slice(0, 4).map((record) => parseExample(record, spec));
    const batch = padBatch({ fields: { tokens: { length: 8, value: -1 }, weights: true, words: true, points: true } })(parsed);
    expect(batch.tokens.shape).toEqual([4, 8]);
    expect([...batch.tokens.values.subarray(8, 16)]).toEqual([10, 11, 12, 13, 14, -1, -1, -1]);
    expect(batch.points.shape).toEqual([4, 3, 2]);
    expect(() => padBatch({ fields: ['tokens', 'weights', 'words', 'points', 'label'] })(parsed)).toThrow(/field 'label' of element 0 is a scalar feature/);
    expect(() => padBatch({ fields: ['tokens', 'weights', 'words'] })(parsed)).toThrow(
      /field 'points' has shape \[1, 2\] in element 1 and \[0, 2\] in element 0; list it in fields/,
    );
  });
});
