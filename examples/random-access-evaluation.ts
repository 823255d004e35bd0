// Random-access evaluation: score 100 records drawn at random (seeded) from a 5,000-record file,
// reading only those records, never the whole file.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ArrayRecordDataSource, ArrayRecordWriter, encodeExample, fixedLen, floatFeature, int64Feature } from '../src/index.js';
import { sampleDataset } from '../src/tfjs/index.js';

// A directory of its own (removed at the end), so that runs side by side never share the file.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evaluation-'));
const file = path.join(dir, 'evaluation.array_record');
const writer = new ArrayRecordWriter(file, 'group_size:1');
for (let i = 0; i < 5000; i++) {
  const x = (i % 100) / 100;
  writer.write(encodeExample({ x: floatFeature([x]), label: int64Feature([x > 0.5 ? 1 : 0]) }));
}
writer.close();

{
  // `using` closes the source at the end of this block, before its directory is removed.
  using source = new ArrayRecordDataSource(file);
  // A "model" that predicts label 1 when x > 0.5: it should score 100%.
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1, activation: 'sigmoid', weights: [tf.tensor2d([[1000]]), tf.tensor1d([-500])] })] });
  model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });

  const spec = { x: fixedLen([1], 'float32'), label: fixedLen([1], 'int64') };
  const sample = sampleDataset(tf, { source, count: 100, seed: 42, batchSize: 25, spec, mapping: { xs: 'x', ys: 'label' } });
  const [, accuracy] = (await model.evaluateDataset(sample, {})) as tf.Scalar[];
  console.log(`accuracy on 100 random records of ${source.length}: ${((await accuracy!.data())[0]! * 100).toFixed(0)}%`);
}
fs.rmSync(dir, { recursive: true, force: true });
