// The tf.data adapter with tfjs's CPU backend: tensors from the golden tf.Examples, and fitDataset epochs.

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ArrayRecordDataSource } from '../../src/source/data-source.js';
import { DataLoader } from '../../src/loader/loader.js';
import { IndexSampler } from '../../src/samplers/index-sampler.js';
import { shardOptions } from '../../src/samplers/shard-options.js';
import { encodeExample, floatFeature } from '../../src/example/example-encode.js';
import { fixedLen, fixedLenRaw, varLen } from '../../src/example/feature-spec.js';
import { exampleDataset, featureTensor, sampleDataset, type TfNamespace } from '../../src/tfjs/index.js';
import { InvalidArgumentError, InvalidOptionsError } from '../../src/format/errors.js';
import { contentRecord, goldenPath } from '../helpers/golden.js';

const spec = { image: fixedLenRaw([784], { as: 'float32' }), label: fixedLen([], 'int64'), score: fixedLen([2], 'float32') };

/** Epoch e: the golden file's 500 examples in batches of 100, rotated by e batches so epochs differ. */
function goldenBatches(source: ArrayRecordDataSource) {
  return async function* (epoch: number): AsyncGenerator<Uint8Array[]> {
    for (let b = 0; b < 5; b++) {
      const start = ((b + epoch) % 5) * 100;
      yield await source.getItemsAsync(Array.from({ length: 100 }, (_, i) => start + i));
    }
  };
}

describe('exampleDataset', () => {
  it('turns golden tf.Examples into xs/ys tensors with the right shapes, dtypes and values', async () => {
    using source = new ArrayRecordDataSource(goldenPath('tfex_zstd3_g1.array_record'));
    const dataset = exampleDataset(tf, { batches: goldenBatches(source), spec, mapping: { xs: 'image', ys: 'label', oneHot: 10 }, batchesPerEpoch: 5 });
    expect(dataset.size).toBe(5);
    const elements = (await dataset.take(2).toArray()) as Array<{ xs: tf.Tensor; ys: tf.Tensor }>;
    expect(elements[0]!.xs.shape).toEqual([100, 784]);
    expect(elements[0]!.xs.dtype).toBe('float32');
    expect(elements[0]!.ys.shape).toEqual([100, 10]);
    const image7 = (await elements[0]!.xs.slice([7, 0], [1, 784]).data()) as Float32Array;
    expect(Array.from(image7)).toEqual(Array.from(contentRecord(7, 784)));
    expect(Array.from((await elements[1]!.ys.argMax(1).data()) as Int32Array).slice(0, 12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    tf.dispose(elements);
  });

  it('gives several inputs as named tensors, or whatever toElement builds', async () => {
    using source = new ArrayRecordDataSource(goldenPath('tfex_zstd3_g1.array_record'));
    const named = exampleDataset(tf, { batches: goldenBatches(source), spec, mapping: { xs: ['image', 'score'], ys: 'label' } });
    const [first] = (await named.take(1).toArray()) as Array<{ xs: Record<string, tf.Tensor>; ys: tf.Tensor }>;
    expect(Object.keys(first!.xs)).toEqual(['image', 'score']);
    expect(Array.from((await first!.xs['score']!.slice([3, 0], [1, 2]).data()) as Float32Array)).toEqual([1.5, -0.75]);
    expect(first!.ys.dtype).toBe('int32');
    tf.dispose(first);
    const custom = exampleDataset(tf, {
      batches: goldenBatches(source),
      spec,
      toElement: (batch, ns) => ({ xs: ns.tensor(batch.score.values, [...batch.score.shape], 'float32') }),
    });
    const [element] = (await custom.take(1).toArray()) as Array<{ xs: tf.Tensor }>;
    expect(element!.xs.shape).toEqual([100, 2]);
    tf.dispose(element);
  });

  it('runs model.fitDataset for several epochs, one iterator per epoch', async () => {
    using source = new ArrayRecordDataSource(goldenPath('tfex_zstd3_g1.array_record'));
    const epochsSeen: number[] = [];
    const batches = goldenBatches(source);
    const dataset = exampleDataset(tf, {
      batches: (epoch) => {
        epochsSeen.push(epoch);
        return batches(epoch);
      },
      spec,
      mapping: { xs: 'image', ys: 'label', oneHot: 10 },
    });
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: 'softmax' })] });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    let batchesRun = 0;
    const history = await model.fitDataset(dataset, { epochs: 3, verbose: 0, callbacks: { onBatchEnd: async () => void batchesRun++ } });
    expect(history.history['loss']).toHaveLength(3);
    expect(batchesRun).toBe(15);
    expect(epochsSeen).toEqual([0, 1, 2]);
    model.dispose();
  });

  it('refuses features tensors cannot hold, and a missing mapping', async () => {
    using source = new ArrayRecordDataSource(goldenPath('tfex_zstd3_g1.array_record'));
    expect(() => exampleDataset(tf, { batches: goldenBatches(source), spec })).toThrow(InvalidArgumentError);
    const ragged = exampleDataset(tf, { batches: goldenBatches(source), spec: { score: varLen('float32') }, mapping: { xs: 'score' } });
    await expect(ragged.take(1).toArray()).rejects.toThrow(/feature "score" is ragged/);
    const names = exampleDataset(tf, { batches: goldenBatches(source), spec: { name: fixedLen([], 'bytes') }, mapping: { xs: 'name' } });
    await expect(names.take(1).toArray()).rejects.toThrow(/bytes or strings/);
  });

  it('refuses both a mapping and toElement (one would be ignored), and batches that are not async iterables', async () => {
    using source = new ArrayRecordDataSource(goldenPath('tfex_zstd3_g1.array_record'));
    const toElement = (batch: { score: { values: unknown } }, ns: TfNamespace) => ({ xs: ns.tensor(batch.score.values as Float32Array, [100, 2], 'float32') });
    for (const make of [
      () => exampleDataset(tf, { batches: goldenBatches(source), spec, mapping: { xs: 'image' }, toElement }),
      () => sampleDataset(tf, { source, count: 5, seed: 1, batchSize: 5, spec, mapping: { xs: 'image' }, toElement }),
    ]) {
      expect(make).toThrow(InvalidOptionsError);
      expect(make).toThrow(/give mapping or toElement, not both/);
    }
    const arrays = exampleDataset(tf, { batches: (() => [[contentRecord(0, 1)]]) as never, spec, mapping: { xs: 'image' } });
    await expect(arrays.take(1).toArray()).rejects.toThrow(InvalidArgumentError);
    await expect(arrays.take(1).toArray()).rejects.toThrow(/batches\(1\) must return an async iterable of batches, such as loader\.epoch\(1\) \(got an array\)/);
  });

  it('refuses labels oneHot cannot encode, where tf.oneHot would give a row of zeros', async () => {
    using source = new ArrayRecordDataSource(goldenPath('tfex_zstd3_g1.array_record'));
    // The golden labels are 0..9: a depth of 9 leaves label 9 without a row.
    const tooShallow = exampleDataset(tf, { batches: goldenBatches(source), spec, mapping: { xs: 'image', ys: 'label', oneHot: 9 } });
    const error = await tooShallow
      .take(1)
      .toArray()
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/label feature "label" holds 9 at position 9 of the batch, outside \[0, 9\)/);
    const before = tf.memory().numTensors;
    await expect(tooShallow.take(1).toArray()).rejects.toThrow(InvalidArgumentError);
    // The batch's tensors made before the check are disposed.
    expect(tf.memory().numTensors).toBe(before);
  });

  it('one-hots integral labels whatever type the spec parses them as, and refuses the others without leaking tensors', async () => {
    using source = new ArrayRecordDataSource(goldenPath('tfex_zstd3_g1.array_record'));
    for (const label of [fixedLen([], 'int64', { as: 'float64' }), fixedLen([], 'int64', { as: 'bigint' }), fixedLen([1], 'int64')]) {
      const dataset = exampleDataset(tf, { batches: goldenBatches(source), spec: { ...spec, label }, mapping: { xs: 'image', ys: 'label', oneHot: 10 } });
      const [element] = (await dataset.take(1).toArray()) as Array<{ ys: tf.Tensor }>;
      expect(element!.ys.shape).toEqual([100, 10]);
      expect(Array.from((await element!.ys.argMax(1).data()) as Int32Array).slice(0, 12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
      tf.dispose(element);
    }
    const before = tf.memory().numTensors;
    // score holds two values per example: one-hot rows of them would not be the batch's examples.
    const notLabels = exampleDataset(tf, { batches: goldenBatches(source), spec: { ...spec, label: fixedLen([], 'int64', { as: 'float64' }) }, mapping: { xs: ['image', 'score'], ys: 'score', oneHot: 10 } });
    await expect(notLabels.take(1).toArray()).rejects.toThrow(/label feature "score" has shape \[100, 2\]: 2 values per example/);
    expect(tf.memory().numTensors).toBe(before);
    const fractional = [encodeExample({ x: floatFeature([0]), y: floatFeature([1]) }), encodeExample({ x: floatFeature([0]), y: floatFeature([0.5]) })];
    const notIntegral = exampleDataset(tf, {
      batches: async function* () {
        yield fractional;
      },
      spec: { x: fixedLen([1], 'float32'), y: fixedLen([], 'float32') },
      mapping: { xs: 'x', ys: 'y', oneHot: 10 },
    });
    await expect(notIntegral.toArray()).rejects.toThrow(/label feature "y" holds 0\.5 at position 1 of the batch/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a dense feature whose values do not fill its shape', () => {
    const feature = { kind: 'dense' as const, values: new Float32Array(3), shape: [2, 2] };
    expect(() => featureTensor(tf as unknown as TfNamespace, feature, 'x')).toThrow(InvalidArgumentError);
    expect(() => featureTensor(tf as unknown as TfNamespace, feature, 'x')).toThrow(/shape \[2, 2\], which takes 4 values; it holds 3/);
  });
});

describe('sampleDataset', () => {
  it('draws the same seeded sample of distinct records each time, batched', async () => {
    using source = new ArrayRecordDataSource(goldenPath('tfex_zstd3_g1.array_record'));
    const idSpec = { id: fixedLen([], 'int64') };
    const dataset = sampleDataset(tf, { source, count: 120, seed: 3, batchSize: 50, spec: idSpec, mapping: { xs: 'id' } });
    expect(dataset.size).toBe(3);
    const ids = async (): Promise<number[]> => {
      const elements = (await dataset.toArray()) as Array<{ xs: tf.Tensor }>;
      expect(elements.map((element) => element.xs.shape[0])).toEqual([50, 50, 20]);
      const values = (await Promise.all(elements.map((element) => element.xs.data()))).flatMap((data) => Array.from(data));
      tf.dispose(elements);
      return values;
    };
    const first = await ids();
    expect(new Set(first).size).toBe(120);
    expect(first.every((id) => id >= 0 && id < 500)).toBe(true);
    expect(await ids()).toEqual(first);
    const other = sampleDataset(tf, { source, count: 120, seed: 4, batchSize: 50, spec: idSpec, mapping: { xs: 'id' } });
    const otherIds = (await other.take(1).toArray()) as Array<{ xs: tf.Tensor }>;
    expect(Array.from(await otherIds[0]!.xs.data())).not.toEqual(first.slice(0, 50));
    tf.dispose(otherIds);
  });

  it('feeds model.evaluateDataset', async () => {
    using source = new ArrayRecordDataSource(goldenPath('tfex_zstd3_g1.array_record'));
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: 'softmax' })] });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const sample = sampleDataset(tf, { source, count: 200, seed: 1, batchSize: 64, spec, mapping: { xs: 'image', ys: 'label', oneHot: 10 } });
    const result = (await model.evaluateDataset(sample, {})) as tf.Scalar[];
    expect(result).toHaveLength(2);
    tf.dispose(result);
    model.dispose();
  });

  it('refuses impossible samples', () => {
    using source = new ArrayRecordDataSource(goldenPath('tfex_zstd3_g1.array_record'));
    expect(() => sampleDataset(tf, { source, count: 501, seed: 1, batchSize: 10, spec, mapping: { xs: 'image' } })).toThrow(/sample count 501 outside \[0, 500\]/);
    expect(() => sampleDataset(tf, { source, count: 5, seed: 1, batchSize: 0, spec, mapping: { xs: 'image' } })).toThrow(/batch size/);
  });
});

describe('exampleDataset over DataLoaders of two ranks', () => {
  it('fitDataset runs each shard of a rank: the expected batches per epoch and per rank', async () => {
    using source = new ArrayRecordDataSource(goldenPath('tfex_zstd3_g1.array_record'));
    for (const rank of [0, 1]) {
      const sampler = new IndexSampler({ numRecords: source.length, shardOptions: shardOptions(rank, 2), shuffle: true, seed: 9, numEpochs: 2 });
      const loader = new DataLoader<Uint8Array[]>({ source, sampler, batchSize: 50 });
      expect(loader.batchesPerEpoch).toBe(5);
      const dataset = exampleDataset(tf, { batches: (epoch) => loader.epoch(epoch), spec, mapping: { xs: 'image', ys: 'label', oneHot: 10 }, batchesPerEpoch: loader.batchesPerEpoch });
      const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: 'softmax' })] });
      model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
      const batchesPerEpoch: number[] = [0, 0];
      let epochNow = 0;
      await model.fitDataset(dataset, {
        epochs: 2,
        verbose: 0,
        callbacks: { onEpochBegin: async (epoch) => void (epochNow = epoch), onBatchEnd: async () => void batchesPerEpoch[epochNow]!++ },
      });
      expect(batchesPerEpoch).toEqual([5, 5]);
      await loader.close();
      model.dispose();
    }
  });
});
