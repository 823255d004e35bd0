// Trains a TensorFlow.js model on tf.Examples stored in ArrayRecord shards, fed by the DataLoader:
// the README's training program, run by the tests (`npx tsx examples/train-tfjs.ts`). The backend is
// @tensorflow/tfjs-node when installed, else @tensorflow/tfjs-backend-wasm, else tfjs's CPU backend.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import {
  ArrayRecordDataSource,
  ArrayRecordWriter,
  DataLoader,
  IndexSampler,
  encodeExample,
  fixedLen,
  floatFeature,
  int64Feature,
  shardOptionsFromEnv,
} from 'array-record';
import { exampleDataset, sampleDataset } from 'array-record/tfjs';

// 1. The backend: tfjs-node brings its own tf namespace; the others register with @tensorflow/tfjs.
async function loadTensorFlow(): Promise<typeof tfjs> {
  try {
    const name = '@tensorflow/tfjs-node'; // optional: its install downloads libtensorflow
    return (await import(name)) as typeof tfjs;
  } catch {
    tfjs.env().set('PROD', true); // no "install tfjs-node" banner from the CPU backend
    try {
      const handlers = process.listeners('uncaughtException');
      const wasm = '@tensorflow/tfjs-backend-wasm'; // optional: a name, so that the program compiles without it
      await import(wasm);
      // Its Emscripten loader rethrows uncaught errors with its whole minified source: let Node report them.
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

// 2. A data set: 4,000 tf.Examples of 8 features, labelled by which of 4 sums is largest, in 4 shards.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'train-tfjs-'));
const shards = [0, 1, 2, 3].map((s) => path.join(dir, `train.array_record-0000${s}-of-00004`));
const writers = shards.map((file) => new ArrayRecordWriter(file, 'group_size:1'));
let seed = 1;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
for (let i = 0; i < 4000; i++) {
  const x = Array.from({ length: 8 }, random);
  const sums = [0, 1, 2, 3].map((k) => x[2 * k]! + x[2 * k + 1]!);
  writers[i % 4]!.write(encodeExample({ x: floatFeature(x), label: int64Feature([sums.indexOf(Math.max(...sums))]) }));
}
for (const writer of writers) writer.close();

// 3. The loader: this rank's shard of the records (RANK and WORLD_SIZE from the environment, one rank
//    by default), reshuffled every epoch with a fixed seed, in batches of 64 serialized examples.
const source = await ArrayRecordDataSource.open(shards);
const EPOCHS = 4;
const sampler = new IndexSampler({ numRecords: source.length, shardOptions: shardOptionsFromEnv(), shuffle: true, seed: 42, numEpochs: EPOCHS });
const loader = new DataLoader<Uint8Array[]>({ source, sampler, batchSize: 64 });

// 4. tf.data: each epoch's batches parsed into tensors, xs the features and ys the one-hot label.
const spec = { x: fixedLen([8], 'float32'), label: fixedLen([], 'int64') };
const mapping = { xs: 'x', ys: 'label', oneHot: 4 } as const;
const dataset = exampleDataset(tf, { batches: (epoch) => loader.epoch(epoch), batchesPerEpoch: loader.batchesPerEpoch, spec, mapping });

const model = tf.sequential({
  layers: [tf.layers.dense({ units: 32, activation: 'relu', inputShape: [8] }), tf.layers.dense({ units: 4, activation: 'softmax' })],
});
model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fitDataset(dataset, {
  epochs: EPOCHS,
  verbose: 0,
  callbacks: { onEpochEnd: async (epoch, logs) => console.log(`epoch ${epoch + 1}: loss ${logs!['loss']!.toFixed(3)}`) },
});

// 5. Evaluation on 500 records drawn at random (seeded), read by index.
const sample = sampleDataset(tf, { source, count: 500, seed: 7, batchSize: 250, spec, mapping });
const [, accuracy] = (await model.evaluateDataset(sample, {})) as tfjs.Scalar[];
console.log(`accuracy on 500 random records: ${((await accuracy!.data())[0]! * 100).toFixed(1)}%`);
await loader.close();
source.close();
fs.rmSync(dir, { recursive: true });
