// A TFDS dataset through the DataLoader (decoding on worker threads) and the tf.data adapter: decoded
// records parse with the decoded spec into the columns the TFDS parser gives, and become xs/ys tensors
// mapped from the supervised keys.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataLoader, ExampleParser, SequentialSampler } from '../../src/index.js';
import { exampleDataset, sampleDataset } from '../../src/tfjs/index.js';
import { TfdsDataset } from '../../src/tfds/index.js';
import { richExamples, writeRichDataset } from './tfds-fixtures.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-tfds-loader-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let dataset: TfdsDataset;
const train = richExamples('train', 12);
const FEATURES = ['image', 'photo', 'label', 'embedding', 'meta'];

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  dataset = await TfdsDataset.open(await writeRichDataset(root, 'rich', { features: 'proto', fileFormat: 'array_record', splits: { train: [5, 7] } }));
});

describe('decoding in the DataLoader', () => {
  it('on worker threads gives the records the main thread decodes', async () => {
    const source = await dataset.source('train');
    const options = dataset.loaderTransforms({ workers: 1 });
    expect(options.workers).toBe(1);
    expect(options.transformModule!.searchParams.get('dir')).toBe(dataset.dir);
    const loader = new DataLoader<Uint8Array[]>({ source, sampler: new SequentialSampler({ numRecords: source.length }), batchSize: 5, ...options });
    const parser = new ExampleParser(dataset.decodedSpec({ features: FEATURES }));
    const tfdsParser = dataset.createParser({ features: FEATURES });
    let seen = 0;
    for await (const batch of loader.epoch(0)) {
      const decoded = parser.parseBatch(batch);
      const expected = tfdsParser.parseBatch(await source.getItemsAsync(Array.from({ length: batch.length }, (_, i) => seen + i)));
      for (const key of ['image', 'photo', 'label', 'embedding', 'meta/id']) expect(decoded[key], key).toEqual(expected[key]);
      seen += batch.length;
    }
    expect(seen).toBe(12);
    await loader.close();
    source.close();
  });

  it('on the loader thread with workers: 0', () => {
    const options = dataset.loaderTransforms();
    expect(options).toEqual({ transforms: [expect.objectContaining({ kind: 'map', name: 'decodeTfdsRecord' })] });
    expect(() => dataset.loaderTransforms({ worker: 2 } as never)).toThrow(/unknown option worker; did you mean workers\?/);
  });
});

describe('tfjs', () => {
  it('exampleDataset: decoded images as float32 xs, one-hot labels as ys, from the supervised keys', async () => {
    const source = await dataset.source('train[:8]');
    const loader = new DataLoader<Uint8Array[]>({ source, sampler: new SequentialSampler({ numRecords: source.length }), batchSize: 4, transforms: dataset.decodeTransforms() });
    const data = exampleDataset(tf, {
      batches: (epoch) => loader.epoch(epoch),
      spec: dataset.decodedSpec({ imagesAs: 'float32', features: ['image', 'label'] }),
      mapping: dataset.asSupervised({ oneHot: true }),
      batchesPerEpoch: loader.batchesPerEpoch,
    });
    const [first] = (await data.take(1).toArray()) as Array<{ xs: tf.Tensor; ys: tf.Tensor }>;
    expect(first!.xs.shape).toEqual([4, 8, 6, 3]);
    expect(first!.xs.dtype).toBe('float32');
    expect(Array.from((await first!.xs.data()) as Float32Array).slice(0, 8 * 6 * 3)).toEqual(Array.from(train[0]!.image));
    expect(first!.ys.shape).toEqual([4, 3]);
    expect(Array.from((await first!.ys.argMax(1).data()) as Int32Array)).toEqual(train.slice(0, 4).map((e) => e.label));
    tf.dispose(first);
    await loader.close();
    source.close();
  });

  it('sampleDataset over decodedSource: a seeded sample of decoded records', async () => {
    const source = await dataset.source('train');
    const sample = sampleDataset(tf, {
      source: dataset.decodedSource(source),
      count: 6,
      seed: 3,
      batchSize: 3,
      spec: dataset.decodedSpec({ imagesAs: 'float32', features: ['image', 'label'] }),
      mapping: dataset.asSupervised(),
    });
    const elements = (await sample.toArray()) as Array<{ xs: tf.Tensor; ys: tf.Tensor }>;
    expect(elements.map((element) => element.xs.shape)).toEqual([[3, 8, 6, 3], [3, 8, 6, 3]]);
    expect(elements[0]!.ys.dtype).toBe('int32');
    tf.dispose(elements);
    source.close();
  });
});
