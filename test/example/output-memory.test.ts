// Every value of a parsed batch is written by the parser, whatever the output memory held before: a
// parser that reuses its arrays (reuseOutputs) after a batch of other values gives exactly what a
// parser with fresh arrays gives. The fresh arrays are not zeroed either, so this is what keeps both
// from ever showing stale bytes.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ExampleParser,
  SequenceExampleParser,
  encodeExample,
  encodeSequenceExample,
  fixedLen,
  fixedLenRaw,
  fixedLenSequence,
  varLen,
  type ExampleSpec,
  type FeatureInput,
  type FeatureListsSpec,
} from '../../src/example/index.js';

/** One kind of feature a spec may hold, with the values a record may carry for it. */
interface Kind {
  readonly feature: ExampleSpec[string];
  /** Values this kind accepts or refuses (wrong counts are errors both parsers must report alike). */
  readonly values: fc.Arbitrary<FeatureInput>;
  /** A valid value, as large as the kind takes, of non-zero values: the stale contents of reused arrays. */
  readonly poison: FeatureInput;
}

const ints = (max: number): fc.Arbitrary<FeatureInput> => fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: max }).map((values) => ({ int64List: values }));
const floats = (max: number): fc.Arbitrary<FeatureInput> =>
  fc.array(fc.float({ noNaN: true, min: -1000, max: 1000 }), { maxLength: max }).map((values) => ({ floatList: values }));
const byteStrings = (max: number, length?: number): fc.Arbitrary<FeatureInput> =>
  fc.array(fc.uint8Array(length === undefined ? { maxLength: 6 } : { minLength: length, maxLength: length }), { maxLength: max }).map((values) => ({ bytesList: values }));

const KINDS: readonly Kind[] = [
  { feature: fixedLen([], 'int64', { defaultValue: 5 }), values: ints(2), poison: { int64List: [77] } },
  { feature: fixedLen([2], 'float32', { defaultValue: [1.5, -2] }), values: floats(3), poison: { floatList: [9, 9] } },
  { feature: fixedLen([3], 'int64', { as: 'float64' }), values: ints(4), poison: { int64List: [55, 55, 55] } },
  { feature: fixedLen([2], 'int64', { as: 'bigint', defaultValue: [3, 4] }), values: ints(2), poison: { int64List: [66, 66] } },
  { feature: varLen('int64', { layout: 'padded', padValue: -1 }), values: ints(4), poison: { int64List: [44, 44, 44, 44, 44, 44] } },
  { feature: varLen('float32'), values: floats(4), poison: { floatList: [33, 33, 33, 33, 33, 33] } },
  { feature: varLen('float32', { layout: 'padded' }), values: floats(4), poison: { floatList: [22, 22, 22, 22, 22, 22] } },
  { feature: fixedLenSequence([2], 'int64', { allowMissing: true }), values: ints(6), poison: { int64List: [11, 11, 11, 11, 11, 11] } },
  { feature: fixedLenSequence([2], 'float32', { allowMissing: true, layout: 'ragged' }), values: floats(6), poison: { floatList: [12, 12, 12, 12, 12, 12] } },
  { feature: fixedLenRaw([4]), values: byteStrings(1, 4), poison: { bytesList: [Uint8Array.of(200, 200, 200, 200)] } },
  { feature: fixedLenRaw([1], { rawType: 'int32' }), values: byteStrings(1, 4), poison: { bytesList: [Uint8Array.of(250, 250, 250, 250)] } },
  { feature: varLen('bytes'), values: byteStrings(3), poison: { bytesList: [Uint8Array.of(1, 2, 3)] } },
];
const KEYS = ['a', 'b', 'c'] as const;

/** What a parse gave, as plain data: every feature's kind, shape, values and splits, or the error. */
function outcome(parse: () => Record<string, object>): unknown {
  let parsed: Record<string, object>;
  try {
    parsed = parse();
  } catch (error) {
    return { error: (error as Error).message };
  }
  const plain: Record<string, unknown> = {};
  for (const [key, feature] of Object.entries(parsed)) {
    plain[key] = Object.fromEntries(Object.entries(feature).map(([name, value]) => [name, ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<unknown>) : value]));
  }
  return plain;
}

describe('parsed values never depend on what the output memory held before', () => {
  it('tf.Example batches: a reusing parser after a poisoning batch gives what a fresh one gives', () => {
    const specArb = fc.tuple(...KEYS.map(() => fc.integer({ min: 0, max: KINDS.length - 1 })));
    fc.assert(
      fc.property(
        specArb.chain((chosen) => {
          const kinds = chosen.map((k) => KINDS[k]!);
          const record = fc.tuple(...kinds.map((kind) => fc.option(kind.values, { nil: undefined })));
          return fc.tuple(fc.constant(kinds), fc.array(record, { minLength: 1, maxLength: 6 }));
        }),
        ([kinds, rows]) => {
          const spec: ExampleSpec = Object.fromEntries(KEYS.map((key, i) => [key, kinds[i]!.feature]));
          const encode = (values: readonly (FeatureInput | undefined)[]): Uint8Array =>
            encodeExample(Object.fromEntries(KEYS.flatMap((key, i) => (values[i] === undefined ? [] : [[key, values[i]!]]))));
          const records = rows.map(encode);
          const poison = Array.from({ length: 8 }, () => encode(kinds.map((kind) => kind.poison)));
          const reusing = new ExampleParser(spec, { reuseOutputs: true });
          reusing.parseBatch(poison);
          expect(outcome(() => reusing.parseBatch(records))).toEqual(outcome(() => new ExampleParser(spec).parseBatch(records)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('SequenceExample batches: feature lists padded or ragged, steps missing or not', () => {
    const lists: FeatureListsSpec = {
      padded: fixedLenSequence([2], 'int64', { allowMissing: true }),
      ragged: fixedLenSequence([1], 'float32', { allowMissing: true, layout: 'ragged' }),
    };
    const steps = (values: fc.Arbitrary<FeatureInput>): fc.Arbitrary<FeatureInput[] | undefined> => fc.option(fc.array(values, { maxLength: 4 }), { nil: undefined });
    const pair = fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 2, maxLength: 2 }).map((values): FeatureInput => ({ int64List: values }));
    const single = fc.float({ noNaN: true, min: -50, max: 50 }).map((value): FeatureInput => ({ floatList: [value] }));
    const encode = (padded: FeatureInput[] | undefined, ragged: FeatureInput[] | undefined): Uint8Array =>
      encodeSequenceExample({ featureLists: { ...(padded === undefined ? {} : { padded }), ...(ragged === undefined ? {} : { ragged }) } });
    fc.assert(
      fc.property(fc.array(fc.tuple(steps(pair), steps(single)), { minLength: 1, maxLength: 5 }), (rows) => {
        const records = rows.map(([padded, ragged]) => encode(padded, ragged));
        const poison = Array.from({ length: 6 }, () => encode(Array(6).fill({ int64List: [99, 99] }), Array(6).fill({ floatList: [98] })));
        const reusing = new SequenceExampleParser({ featureLists: lists }, { reuseOutputs: true });
        reusing.parseBatch(poison);
        const fresh = new SequenceExampleParser({ featureLists: lists });
        expect(outcome(() => reusing.parseBatch(records).featureLists)).toEqual(outcome(() => fresh.parseBatch(records).featureLists));
      }),
      { numRuns: 200 },
    );
  });
});
