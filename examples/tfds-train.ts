// Trains a TensorFlow.js model on a TensorFlow Datasets directory: the program first writes a small one
// itself, as TFDS prepares datasets (dataset_info.json, features.json, label.labels.txt and ArrayRecord
// shards of tf.Examples holding PNG images), then opens it with TfdsDataset, selects splits with TFDS's
// syntax, decodes the images on a worker thread of the DataLoader and fits a model on (image, label) from
// the supervised keys. Run with `npx tsx examples/tfds-train.ts`.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import * as tfjs from '@tensorflow/tfjs';
import { ArrayRecordWriter, DataLoader, IndexSampler, bytesFeature, encodeExample, int64Feature } from 'array-record';
import { exampleDataset, sampleDataset } from 'array-record/tfjs';
import { TfdsDataset } from 'array-record/tfds';

// 1. The backend: tfjs-node when installed, else the WebAssembly backend, else tfjs's CPU backend.
async function loadTensorFlow(): Promise<typeof tfjs> {
  try {
    const name = '@tensorflow/tfjs-node'; // optional: its install downloads libtensorflow
    return (await import(name)) as typeof tfjs;
  } catch {
    tfjs.env().set('PROD', true);
    try {
      const handlers = process.listeners('uncaughtException');
      const wasm = '@tensorflow/tfjs-backend-wasm'; // optional: a name, so that the program compiles without it
      await import(wasm);
      for (const handler of process.listeners('uncaughtException')) if (!handlers.includes(handler)) process.off('uncaughtException', handler);
      if (await tfjs.setBackend('wasm')) return tfjs;
    } catch {
      // not installed: the CPU backend below
    }
    await tfjs.setBackend('cpu');
    return tfjs;
  }
}
const tf = await loadTensorFlow();
await tf.ready();
console.log(`backend: ${tf.getBackend()}`);

// 2. A TFDS dataset directory, <data_dir>/shapes/1.0.0/: 28x28 gray images of four kinds of shapes.
const LABELS = ['horizontal', 'vertical', 'diagonal', 'box'];
let seed = 7;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const int = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));

/** A shape drawn at a random place and size, with noise; and its caption. */
function drawShape(label: number): { pixels: Uint8Array; caption: string } {
  const pixels = Uint8Array.from({ length: 28 * 28 }, () => (random() < 0.05 ? int(0, 120) : 0));
  const set = (x: number, y: number) => x >= 0 && x < 28 && y >= 0 && y < 28 && (pixels[y * 28 + x] = int(180, 255));
  const [x0, y0, size] = [int(2, 10), int(2, 10), int(12, 16)];
  const middle = Math.floor(size / 2);
  for (let t = 0; t < size; t++) {
    for (let w = 0; w < 3; w++) {
      if (label === 0) set(x0 + t, y0 + middle + w);
      if (label === 1) set(x0 + middle + w, y0 + t);
      if (label === 2) set(x0 + t + w, y0 + t);
      if (label === 3) {
        set(x0 + t, y0 + w);
        set(x0 + t, y0 + size - w);
        set(x0 + w, y0 + t);
        set(x0 + size - w, y0 + t);
      }
    }
  }
  return { pixels, caption: `a ${LABELS[label]} shape of size ${size} at (${x0}, ${y0})` };
}

/** A gray 8-bit PNG (TFDS's default image encoding): one IDAT chunk of unfiltered rows. */
function encodePng(pixels: Uint8Array, width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth; color type 0 (gray)
  const rows = Buffer.concat(Array.from({ length: height }, (_, y) => Buffer.concat([Buffer.of(0), pixels.subarray(y * width, (y + 1) * width)])));
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfds-train-'));
const dir = path.join(dataDir, 'shapes', '1.0.0');
fs.mkdirSync(dir, { recursive: true });
const SPLITS = { train: [400, 400], test: [200] };
const TEMPLATE = '{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}';
for (const [split, shards] of Object.entries(SPLITS)) {
  shards.forEach((count, shard) => {
    const file = TEMPLATE.replace('{DATASET}', 'shapes').replace('{SPLIT}', split).replace('{FILEFORMAT}', 'array_record')
      .replace('{SHARD_X_OF_Y}', `${String(shard).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}`);
    const writer = new ArrayRecordWriter(path.join(dir, file), 'group_size:1');
    for (let i = 0; i < count; i++) {
      const label = int(0, 3);
      const { pixels, caption } = drawShape(label);
      writer.write(encodeExample({ image: bytesFeature([encodePng(pixels, 28, 28)]), label: int64Feature([label]), caption: bytesFeature([caption]) }));
    }
    writer.close();
  });
}
const F = 'tensorflow_datasets.core.features.';
fs.writeFileSync(path.join(dir, 'features.json'), JSON.stringify({
  pythonClassName: `${F}features_dict.FeaturesDict`,
  featuresDict: {
    features: {
      image: { pythonClassName: `${F}image_feature.Image`, image: { shape: { dimensions: ['28', '28', '1'] }, dtype: 'uint8', encodingFormat: 'png' } },
      label: { pythonClassName: `${F}class_label_feature.ClassLabel`, classLabel: { numClasses: String(LABELS.length) } },
      caption: { pythonClassName: `${F}text_feature.Text`, text: {} },
    },
  },
}, null, 2));
fs.writeFileSync(path.join(dir, 'label.labels.txt'), `${LABELS.join('\n')}\n`);
fs.writeFileSync(path.join(dir, 'dataset_info.json'), JSON.stringify({
  name: 'shapes',
  version: '1.0.0',
  description: 'Bars, diagonals and boxes drawn at random.',
  fileFormat: 'array_record',
  splits: Object.entries(SPLITS).map(([name, shards]) => ({ name, filepathTemplate: TEMPLATE, numBytes: '0', shardLengths: shards.map(String) })),
  supervisedKeys: { tuple: { items: [{ featureKey: 'image' }, { featureKey: 'label' }] } },
}, null, 2));

// 3. Open it as TFDS would, and select splits with TFDS's syntax.
const shapes = await TfdsDataset.open(dir);
const label = shapes.feature('label');
console.log(`${shapes.info.name} ${shapes.info.version}: ${Object.values(shapes.splits).map((s) => `${s.name} ${s.numExamples} in ${s.numShards} shards`).join(', ')}`);
console.log(`label: ${label.kind === 'classLabel' ? label.names.join(', ') : ''}; supervised keys ${JSON.stringify(shapes.asSupervised())}`);
const train = await shapes.source('train[:90%]');
const validation = await shapes.source('train[90%:]');
const test = await shapes.source('test');
console.log(`train[:90%]: ${train.length} records, train[90%:]: ${validation.length}`);

// 4. The loader: shuffled epochs of 64 records, each decoded on a worker thread into a record holding
//    its raw pixels; tf.data parses those into float32 images and one-hot labels.
const EPOCHS = 3;
const sampler = new IndexSampler({ numRecords: train.length, shuffle: true, seed: 42, numEpochs: EPOCHS });
const loader = new DataLoader<Uint8Array[]>({ source: train, sampler, batchSize: 64, ...shapes.loaderTransforms({ workers: 1 }) });
const spec = shapes.decodedSpec({ features: ['image', 'label'], imagesAs: 'float32' });
const mapping = shapes.asSupervised({ oneHot: true });
const dataset = exampleDataset(tf, { batches: (epoch) => loader.epoch(epoch), batchesPerEpoch: loader.batchesPerEpoch, spec, mapping });

const model = tf.sequential({
  layers: [
    tf.layers.rescaling({ scale: 1 / 255, inputShape: [28, 28, 1] }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 64, activation: 'relu' }),
    tf.layers.dense({ units: LABELS.length, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.003), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fitDataset(dataset, {
  epochs: EPOCHS,
  verbose: 0,
  callbacks: { onEpochEnd: async (epoch, logs) => console.log(`epoch ${epoch + 1}: loss ${logs!['loss']!.toFixed(3)}`) },
});

// 5. Evaluation on 100 test records drawn at random, decoded on this thread; one record parsed whole.
const sample = sampleDataset(tf, { source: shapes.decodedSource(test), count: 100, seed: 1, batchSize: 50, spec, mapping });
const [, accuracy] = (await model.evaluateDataset(sample, {})) as tfjs.Scalar[];
console.log(`accuracy on 100 random test records: ${((await accuracy!.data())[0]! * 100).toFixed(1)}%`);
const first = shapes.parser.parse((await test.getItemsAsync([0]))[0]!);
console.log(`test[0]: ${LABELS[first.label!.values[0] as number]} (${(first.caption!.values as string[])[0]}), image ${first.image!.shape.join('x')}`);

await loader.close();
for (const source of [train, validation, test]) source.close();
fs.rmSync(dataDir, { recursive: true });
