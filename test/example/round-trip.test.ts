// Property tests: encodeExample -> parse gives the values back, and protobufjs agrees with both directions.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ExampleParser,
  encodeExample,
  fixedLen,
  varLen,
  type ExampleSpec,
  type FeatureInput,
} from '../../src/example/index.js';
import { packedRoot, toObjectOptions, unpackedRoot } from './example-proto.js';

type Values = { kind: 'int64'; values: bigint[] } | { kind: 'float'; values: number[] } | { kind: 'bytes'; values: Uint8Array[] };

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const valuesArb: fc.Arbitrary<Values> = fc.oneof(
  fc.record({ kind: fc.constant('int64' as const), values: fc.array(fc.oneof(int64, fc.bigInt({ min: -300n, max: 300n })), { maxLength: 6 }) }),
  fc.record({ kind: fc.constant('float' as const), values: fc.array(fc.float(), { maxLength: 6 }) }),
  fc.record({ kind: fc.constant('bytes' as const), values: fc.array(fc.uint8Array({ maxLength: 12 }), { maxLength: 4 }) }),
);
const keyArb = fc.string({ unit: fc.constantFrom('a', 'b', 'z', '1', '_', 'é', '日', '😀'), maxLength: 4 });
const featuresArb = fc.dictionary(keyArb, valuesArb, { maxKeys: 6 });

function toInput(values: Values): FeatureInput {
  if (values.kind === 'int64') return { int64List: values.values };
  if (values.kind === 'float') return { floatList: values.values };
  return { bytesList: values.values };
}

function specFor(features: Record<string, Values>): ExampleSpec {
  const spec: Record<string, ExampleSpec[string]> = {};
  for (const [key, { kind }] of Object.entries(features)) {
    spec[key] = kind === 'int64' ? varLen('int64', { as: 'bigint' }) : kind === 'float' ? varLen('float32') : varLen('bytes');
  }
  return spec;
}

function expectParsed(parsed: Record<string, { values: unknown }>, features: Record<string, Values>): void {
  for (const [key, expected] of Object.entries(features)) {
    const values = parsed[key]!.values;
    if (expected.kind === 'float') expect(values).toEqual(new Float32Array(expected.values));
    else if (expected.kind === 'int64') expect(values).toEqual(BigInt64Array.from(expected.values));
    else expect(values).toEqual(expected.values);
  }
}

/** The features as protobufjs objects (int64 as decimal strings). */
function toProtobufjs(features: Record<string, Values>): object {
  const feature: Record<string, object> = {};
  for (const [key, values] of Object.entries(features)) {
    if (values.kind === 'int64') feature[key] = { int64List: { value: values.values.map(String) } };
    else if (values.kind === 'float') feature[key] = { floatList: { value: values.values } };
    else feature[key] = { bytesList: { value: values.values } };
  }
  return { features: { feature } };
}

describe('encodeExample and the parser agree', () => {
  it('parses back what it encodes, one record and a batch', () => {
    fc.assert(
      fc.property(fc.array(featuresArb, { minLength: 1, maxLength: 4 }), (examples) => {
        for (const features of examples) {
          const record = encodeExample(Object.fromEntries(Object.entries(features).map(([k, v]) => [k, toInput(v)])));
          const parser = new ExampleParser(specFor(features));
          expectParsed(parser.parse(record) as Record<string, { values: unknown }>, features);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('parses fixed-shape batches back, rows in record order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.float(), fc.float()), { maxLength: 20 }), (rows) => {
        const records = rows.map(([label, x, y]) => encodeExample({ label: { int64List: [label] }, xy: { floatList: [x, y] } }));
        const batch = new ExampleParser({ label: fixedLen([], 'int64'), xy: fixedLen([2], 'float32') }).parseBatch(records);
        expect(batch.label.values).toEqual(Int32Array.from(rows.map(([label]) => label)));
        expect(batch.xy.values).toEqual(Float32Array.from(rows.flatMap(([, x, y]) => [x, y])));
      }),
      { numRuns: 100 },
    );
  });

  it('is deterministic: key order of the input does not matter', () => {
    fc.assert(
      fc.property(featuresArb, (features) => {
        const entries = Object.entries(features).map(([k, v]) => [k, toInput(v)] as const);
        const forward = encodeExample(Object.fromEntries(entries));
        const backward = encodeExample(Object.fromEntries([...entries].reverse()));
        expect(backward).toEqual(forward);
      }),
    );
  });
});

describe('protobufjs as an independent implementation', () => {
  const packedExample = packedRoot.lookupType('Example');
  const unpackedExample = unpackedRoot.lookupType('Example');

  it('decodes our records to the same values', () => {
    fc.assert(
      fc.property(featuresArb, (features) => {
        const record = encodeExample(Object.fromEntries(Object.entries(features).map(([k, v]) => [k, toInput(v)])));
        const decoded = packedExample.toObject(packedExample.decode(record), toObjectOptions) as {
          features?: { feature?: Record<string, Record<string, { value?: unknown[] }>> };
        };
        const feature = decoded.features?.feature ?? {};
        expect(Object.keys(feature).sort()).toEqual(Object.keys(features).sort());
        for (const [key, values] of Object.entries(features)) {
          const list = values.kind === 'int64' ? 'int64List' : values.kind === 'float' ? 'floatList' : 'bytesList';
          const got = feature[key]![list]!.value ?? [];
          if (values.kind === 'int64') expect(got.map((v) => BigInt(v as string))).toEqual(values.values);
          else if (values.kind === 'float') expect(got).toEqual(values.values);
          else expect(got).toEqual(values.values.map((v) => Array.from(v)));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('writes the same bytes as protobufjs when entries are in sorted order', () => {
    fc.assert(
      fc.property(featuresArb, (features) => {
        const record = encodeExample(Object.fromEntries(Object.entries(features).map(([k, v]) => [k, toInput(v)])));
        const sortedKeys = Object.keys(features).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        if (sortedKeys.some((key) => /^\d+$/.test(key))) return; // JS objects list integer-like keys first
        const sorted = Object.fromEntries(sortedKeys.map((key) => [key, features[key]!]));
        const theirs = packedExample.encode(packedExample.fromObject(toProtobufjs(sorted))).finish();
        expect(record).toEqual(new Uint8Array(theirs));
      }),
      { numRuns: 200 },
    );
  });

  it('parses records protobufjs writes, packed or unpacked', () => {
    fc.assert(
      fc.property(featuresArb, fc.boolean(), (features, packed) => {
        const type = packed ? packedExample : unpackedExample;
        const record = type.encode(type.fromObject(toProtobufjs(features))).finish();
        const parser = new ExampleParser(specFor(features));
        expectParsed(parser.parse(record) as Record<string, { values: unknown }>, features);
      }),
      { numRuns: 200 },
    );
  });
});
