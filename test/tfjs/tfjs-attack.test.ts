// The tfjs adapter attacked as a careless user would: labels oneHot cannot encode row for row, mappings
// naming a feature twice, batches that are not arrays of records, samples from sources that answer
// short, and featureTensor given what a toElement of one's own may pass it.

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { encodeExample, floatFeature, int64Feature, type FeaturesInput } from '../../src/example/example-encode.js';
import { fixedLen, varLen } from '../../src/example/feature-spec.js';
import type { ParsedFeature } from '../../src/example/parsed-feature.js';
import { InvalidArgumentError, InvalidOptionsError } from '../../src/format/errors.js';
import { exampleDataset, featureTensor, sampleDataset, type RandomAccessSource, type TfNamespace } from '../../src/tfjs/index.js';

tf.env().set('PROD', true);

/** Example i: x = [i, i + 0.5], label = i % 3, pair = [i % 3, (i + 1) % 3]. */
function record(i: number, extra: FeaturesInput = {}): Uint8Array {
  return encodeExample({ x: floatFeature([i, i + 0.5]), label: int64Feature([i % 3]), pair: int64Feature([i % 3, (i + 1) % 3]), ...extra });
}

/** A `batches` option yielding `batches` every epoch. */
function batchesOf(batches: readonly (readonly Uint8Array[])[]): () => AsyncGenerator<readonly Uint8Array[]> {
  return async function* () {
    yield* batches;
  };
}

/** What `promise` rejects with (undefined when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
}

const xSpec = { x: fixedLen([2], 'float32'), label: fixedLen([], 'int64') };

describe('mapping.oneHot and labels of other than one value per example', () => {
  it('refuses a label of two values per example, which gave ys twice the rows of xs', async () => {
    const spec = { x: fixedLen([2], 'float32'), pair: fixedLen([2], 'int64') };
    const dataset = exampleDataset(tf, { batches: batchesOf([[0, 1, 2, 3].map((i) => record(i))]), spec, mapping: { xs: 'x', ys: 'pair', oneHot: 3 } });
    const before = tf.memory().numTensors;
    // Before: { xs: [4, 2], ys: [8, 3] }, the rows of ys no longer the examples of xs.
    const error = await rejection(dataset.toArray());
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/label feature "pair" has shape \[4, 2\]: 2 values per example, where oneHot needs exactly one/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a padded label with an example lacking it, whose padding became a one-hot class 0', async () => {
    const spec = { x: fixedLen([2], 'float32'), tag: varLen('int64', { layout: 'padded' }) };
    // Example 1 has no tag: padded to [n, 1] with 0, it was one-hot encoded as class 0.
    const records = [record(0, { tag: int64Feature([2]) }), record(1), record(2, { tag: int64Feature([1]) })];
    const dataset = exampleDataset(tf, { batches: batchesOf([records]), spec, mapping: { xs: 'x', ys: 'tag', oneHot: 3 } });
    const error = await rejection(dataset.toArray());
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/label feature "tag" has 0 values at position 1 of the batch, where oneHot needs exactly one/);
  });

  it('still one-hots a padded label that every example has once', async () => {
    const spec = { x: fixedLen([2], 'float32'), tag: varLen('int64', { layout: 'padded' }) };
    const records = [record(0, { tag: int64Feature([2]) }), record(1, { tag: int64Feature([0]) })];
    const dataset = exampleDataset(tf, { batches: batchesOf([records, [record(2)]]), spec, mapping: { xs: 'x', ys: 'tag', oneHot: 3 } });
    const iterator = await dataset.iterator();
    const first = (await iterator.next()).value as { ys: tf.Tensor };
    expect(first.ys.shape).toEqual([2, 3]);
    expect(Array.from(await first.ys.data())).toEqual([0, 0, 1, 1, 0, 0]);
    tf.dispose(first);
    // The next batch's one example lacks it (padded to width 0): refused, not class 0.
    await expect(iterator.next()).rejects.toThrow(/label feature "tag" has shape \[1, 0\]: 0 values per example/);
  });
});

describe('mapping.xs naming a feature twice', () => {
  it('is refused: xs kept one of the two tensors and leaked the other, one per batch', async () => {
    const make = (): unknown => exampleDataset(tf, { batches: batchesOf([[record(0)]]), spec: xSpec, mapping: { xs: ['x', 'label', 'x'] } });
    expect(make).toThrow(InvalidOptionsError);
    expect(make).toThrow(/exampleDataset: mapping\.xs names feature x twice \(xs\[0\] and xs\[2\]\)/);
    const sample = (): unknown =>
      sampleDataset(tf, { source: { length: 1, getItemsAsync: async () => [record(0)] }, count: 1, seed: 1, batchSize: 1, spec: xSpec, mapping: { xs: ['x', 'x'] } });
    expect(sample).toThrow(/sampleDataset: mapping\.xs names feature x twice/);
  });
});

describe('batches that are not arrays of serialized records', () => {
  it('names the batch and the likely cause: a DataLoader without batchSize yields single records', async () => {
    const single = async function* (): AsyncGenerator<Uint8Array> {
      yield record(0);
    };
    const dataset = exampleDataset(tf, { batches: single as never, spec: xSpec, mapping: { xs: 'x' }, firstEpoch: 2 });
    const error = await rejection(dataset.toArray());
    expect(error).toBeInstanceOf(InvalidArgumentError);
    // Before: "ExampleParser.parseBatch(records) takes an array ...; to parse one record, use parse(record)".
    expect((error as Error).message).toMatch(
      /exampleDataset: batch 0 of batches\(2\) is a Uint8Array, not an array of serialized records \(a DataLoader without batchSize yields single records: give it a batchSize\)/,
    );
  });
});

describe('sampleDataset over sources that misbehave', () => {
  it('refuses a source that answers with fewer records than asked, which gave short batches silently', async () => {
    const records = [0, 1, 2, 3, 4, 5].map((i) => record(i));
    const short: RandomAccessSource = { length: 6, getItemsAsync: async (indices) => Array.from(indices, (i) => records[i]!).slice(1) };
    const dataset = sampleDataset(tf, { source: short, count: 4, seed: 1, batchSize: 4, spec: xSpec, mapping: { xs: 'x' } });
    const error = await rejection(dataset.toArray());
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/sampleDataset: source\.getItemsAsync\(indices\) gave 3 records for 4 indices/);
  });

  it('names a bad count or source length for what it is', () => {
    const source = { length: 10, getItemsAsync: async () => [] };
    // Before: "sample count 5 outside [0, 10]" for the string "5".
    expect(() => sampleDataset(tf, { source, count: '5' as never, seed: 1, batchSize: 2, spec: xSpec, mapping: { xs: 'x' } })).toThrow(
      /sampleDataset: count must be an integer in \[0, 10\] \(got "5"\)/,
    );
    expect(() => sampleDataset(tf, { source, count: 2.5, seed: 1, batchSize: 2, spec: xSpec, mapping: { xs: 'x' } })).toThrow(
      /sampleDataset: count must be an integer in \[0, 10\] \(got 2\.5\)/,
    );
    // Before: "ShuffleSampler: numRecords must be an integer >= 1 (got NaN)", a class the caller never made.
    const broken = { length: NaN, getItemsAsync: source.getItemsAsync };
    expect(() => sampleDataset(tf, { source: broken, count: 2, seed: 1, batchSize: 2, spec: xSpec, mapping: { xs: 'x' } })).toThrow(
      /sampleDataset: source\.length must be a count of records \(got NaN\)/,
    );
  });
});

describe('featureTensor given what a toElement of its own may pass', () => {
  const ns = tf as unknown as TfNamespace;
  const attempt = (feature: unknown): unknown => {
    try {
      featureTensor(ns, feature as ParsedFeature, 'f').dispose();
      return undefined;
    } catch (error) {
      return error;
    }
  };

  it('refuses a missing feature or one without a shape with a typed error, not a TypeError', () => {
    for (const [feature, message] of [
      [undefined, /feature "f" must be a parsed feature \{ kind: 'dense', values, shape \} \(got undefined\)/],
      [null, /feature "f" must be a parsed feature .* \(got null\)/],
      [{ kind: 'dense', values: new Float32Array(2) }, /feature "f" has shape undefined; a shape is an array of non-negative integers/],
      [{ kind: 'dense', values: new Float32Array(0), shape: [0, -1] }, /feature "f" has shape \[0, -1\]; a shape is an array of non-negative integers/],
      [{ kind: 'dense', shape: [2] }, /feature "f" holds undefined, which tfjs tensors cannot hold/],
    ] as const) {
      const error = attempt(feature);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('names the array it cannot take, instead of calling every one "int64 as bigint"', () => {
    const error = attempt({ kind: 'dense', values: new Int16Array(2), shape: [2] });
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/feature "f" holds a Int16Array, which tfjs tensors cannot hold \(they take Float32Array, Int32Array, Uint8Array and Float64Array\)/);
    expect((attempt({ kind: 'dense', values: new BigInt64Array(2), shape: [2] }) as Error).message).toMatch(/holds int64 as bigint/);
  });
});
