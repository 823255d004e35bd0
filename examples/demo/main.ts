// The demo: build a sharded tf.Example dataset, train a tfjs model on two simulated ranks with
// deterministic shuffled epochs, evaluate on a random sample of held-out data, and resume mid-epoch.
// Run with `npm run demo`; `-- --small` runs a reduced version (used by the tests), `-- --dir D` writes
// the data set to D instead of the system's temporary directory.

import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  ArrayRecordDataSource,
  BatchSampler,
  IndexSampler,
  fixedLen,
  fixedLenRaw,
  restoreSamplerState,
  saveSamplerState,
  shardOptions,
  type Sampler,
} from '../../src/index.js';
import { exampleDataset, sampleDataset } from '../../src/data/tf/tfjs.js';
import { writeDigitShards } from './build-dataset.js';

const small = process.argv.includes('--small');
const dirFlag = process.argv.indexOf('--dir');
const DATA_DIR = dirFlag > 0 && process.argv[dirFlag + 1] !== undefined ? process.argv[dirFlag + 1]! : path.join(os.tmpdir(), 'array-record-demo');
const TRAIN_EXAMPLES = small ? 2400 : 6000;
const TEST_EXAMPLES = small ? 400 : 1000;
const EPOCHS = small ? 5 : 5;
const WORLD_SIZE = 2;
const BATCH_PER_RANK = 32;
const SEED = 2026;

const spec = { image: fixedLenRaw([784], { as: 'float32' }), label: fixedLen([], 'int64') };
const mapping = { xs: 'image', ys: 'label', oneHot: 10 } as const;

function rankSampler(numRecords: number, rank: number): IndexSampler {
  return new IndexSampler({ numRecords, shardOptions: shardOptions(rank, WORLD_SIZE, true), shuffle: true, seed: SEED, numEpochs: EPOCHS });
}

/**
 * Epoch e of synchronous data parallelism, simulated in one process: each step takes one batch from
 * every rank's shard and trains on their union, which is what averaging the ranks' gradients gives.
 */
function dataParallelBatches(source: ArrayRecordDataSource, ranks: readonly Sampler[]) {
  return async function* (epoch: number): AsyncGenerator<Uint8Array[]> {
    const perRank = ranks.map((sampler) => {
      const { start, end } = sampler.epochRange(epoch);
      return { start, steps: end - start };
    });
    const steps = Math.min(...perRank.map((rank) => Math.floor(rank.steps / BATCH_PER_RANK)));
    for (let step = 0; step < steps; step++) {
      const keys = ranks.flatMap((sampler, r) => Array.from({ length: BATCH_PER_RANK }, (_, i) => sampler.keyAt(perRank[r]!.start + step * BATCH_PER_RANK + i)));
      yield await source.getItemsAsync(keys);
    }
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const dir = DATA_DIR;
  console.log(`1. Building the sample dataset in ${dir}: ${TRAIN_EXAMPLES} training and ${TEST_EXAMPLES} held-out 28x28 digits,`);
  console.log('   drawn procedurally (seeded), stored as tf.Examples in sharded ArrayRecord files.');
  const trainPaths = writeDigitShards(dir, 'digits-train', TRAIN_EXAMPLES, 4, 1);
  const testPaths = writeDigitShards(dir, 'digits-test', TEST_EXAMPLES, 1, 2);

  const train = await ArrayRecordDataSource.open(trainPaths);
  const test = await ArrayRecordDataSource.open(testPaths);
  const ranks = [0, 1].map((rank) => rankSampler(train.length, rank));
  console.log(`\n2. Training on ${WORLD_SIZE} simulated ranks: rank r reads shard r of ${WORLD_SIZE} (${ranks[0]!.epochRange(0).end} records each),`);
  console.log(`   reshuffled every epoch with seed ${SEED} + epoch, as Grain's IndexSampler does; ${BATCH_PER_RANK} records per rank per step.`);
  const rank0Epoch0 = Array.from({ length: 5 }, (_, i) => ranks[0]!.keyAt(i));
  const rank1Epoch0 = Array.from({ length: 5 }, (_, i) => ranks[1]!.keyAt(i));
  console.log(`   first records of epoch 0: rank 0 -> [${rank0Epoch0.join(', ')}, ...], rank 1 -> [${rank1Epoch0.join(', ')}, ...]`);

  const model = tf.sequential({
    layers: [
      // Pixels arrive as 0..255 floats; the model scales them, so the stored data stays as it is.
      tf.layers.rescaling({ scale: 1 / 255, inputShape: [784] }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.002), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const trainSet = exampleDataset(tf, { batches: dataParallelBatches(train, ranks), spec, mapping });
  await model.fitDataset(trainSet, {
    epochs: EPOCHS,
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        console.log(`   epoch ${epoch + 1}/${EPOCHS}: loss ${logs!['loss']!.toFixed(3)}, accuracy ${(logs!['acc']! * 100).toFixed(1)}%`);
      },
    },
  });

  console.log(`\n3. Evaluating on a random sample of the held-out shard (${Math.min(1000, test.length)} records read by index, no full pass):`);
  const sample = sampleDataset(tf, { source: test, count: Math.min(1000, test.length), seed: 7, batchSize: 250, spec, mapping });
  const [loss, accuracy] = (await model.evaluateDataset(sample, {})) as tf.Scalar[];
  const heldOutAccuracy = (await accuracy!.data())[0]!;
  console.log(`   held-out loss ${(await loss!.data())[0]!.toFixed(3)}, accuracy ${(heldOutAccuracy * 100).toFixed(1)}%`);

  console.log('\n4. Saving the position mid-epoch and resuming from it:');
  const batches = new BatchSampler(ranks[0]!, { batchSize: BATCH_PER_RANK });
  const midEpoch = Math.floor(batches.length / (2 * EPOCHS));
  const saved = JSON.stringify(saveSamplerState(batches, midEpoch));
  console.log(`   saved after ${midEpoch} batches of rank 0: ${saved.length} bytes of JSON`);
  const restarted = new BatchSampler(rankSampler(train.length, 0), { batchSize: BATCH_PER_RANK });
  const resumedAt = restoreSamplerState(restarted, JSON.parse(saved));
  const expected = batches.keysAt(midEpoch);
  const resumed = restarted.keysAt(resumedAt);
  const same = expected.length === resumed.length && expected.every((key, i) => key === resumed[i]);
  console.log(`   a fresh sampler restored from it continues with batch ${resumedAt}: [${resumed.slice(0, 6).join(', ')}, ...] — ${same ? 'the same records as an uninterrupted run' : 'DIFFERENT records'}`);

  train.close();
  test.close();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\nDone in ${seconds} s. Held-out accuracy ${(heldOutAccuracy * 100).toFixed(1)}% ${heldOutAccuracy > 0.9 ? '(learned)' : '(below the 90% the demo expects)'}.`);
  if (!same || heldOutAccuracy <= 0.9) process.exitCode = 1;
}

await main();
