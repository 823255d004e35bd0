// The demo: build a sharded tf.Example dataset, train a tfjs model on two simulated ranks with
// deterministic shuffled epochs, evaluate on a random sample of held-out data, and resume mid-epoch.
// Run with `npm run demo`; `-- --small` runs a reduced version (used by the tests), `-- --dir D` writes
// the data set to D instead of the system's temporary directory.

import os from 'node:os';
import path from 'node:path';
import type { Scalar } from '@tensorflow/tfjs';
import { ArrayRecordDataSource, DataLoader, IndexSampler, fixedLen, fixedLenRaw, formatLoaderStats, shardOptions } from '../../src/index.js';
import { exampleDataset, sampleDataset } from '../../src/tfjs/index.js';
import { writeDigitShards } from './build-dataset.js';
import { loadTensorFlow } from './tfjs-backend.js';

// tfjs-node when installed, else the WebAssembly backend, else the CPU one (TFJS_BACKEND=... picks).
const { tf, backend, note } = await loadTensorFlow();

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

/** Rank `rank`'s loader: its shard of the records, shuffled per epoch, in batches of serialized tf.Examples. */
function rankLoader(source: ArrayRecordDataSource, rank: number): DataLoader<Uint8Array[]> {
  return new DataLoader<Uint8Array[]>({ source, sampler: rankSampler(source.length, rank), batchSize: BATCH_PER_RANK, dropRemainder: true });
}

/**
 * Epoch e of synchronous data parallelism, simulated in one process: each step takes one batch from
 * every rank's loader and trains on their union, which is what averaging the ranks' gradients gives.
 */
function dataParallelBatches(loaders: readonly DataLoader<Uint8Array[]>[]) {
  return async function* (epoch: number): AsyncGenerator<Uint8Array[]> {
    const iterators = loaders.map((loader) => loader.epoch(epoch)[Symbol.asyncIterator]());
    try {
      for (;;) {
        const steps = await Promise.all(iterators.map((iterator) => iterator.next()));
        if (steps.some((step) => step.done === true)) return;
        yield steps.flatMap((step) => step.value as Uint8Array[]);
      }
    } finally {
      await Promise.all(iterators.map((iterator) => iterator.return?.()));
    }
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const dir = DATA_DIR;
  console.log(`TensorFlow.js backend: ${backend} (${note}).\n`);
  console.log(`1. Building the sample dataset in ${dir}: ${TRAIN_EXAMPLES} training and ${TEST_EXAMPLES} held-out 28x28 digits,`);
  console.log('   drawn procedurally (seeded), stored as tf.Examples in sharded ArrayRecord files.');
  const trainPaths = writeDigitShards(dir, 'digits-train', TRAIN_EXAMPLES, 4, 1);
  const testPaths = writeDigitShards(dir, 'digits-test', TEST_EXAMPLES, 1, 2);

  const train = await ArrayRecordDataSource.open(trainPaths);
  const test = await ArrayRecordDataSource.open(testPaths);
  const ranks = [0, 1].map((rank) => rankSampler(train.length, rank));
  const loaders = [0, 1].map((rank) => rankLoader(train, rank));
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
  const trainSet = exampleDataset(tf, { batches: dataParallelBatches(loaders), spec, mapping, batchesPerEpoch: loaders[0]!.batchesPerEpoch });
  // Each epoch's time, and the CPU time of the process (every thread), which a busy machine inflates less.
  let epochStarted = performance.now();
  let epochCpu = process.cpuUsage();
  await model.fitDataset(trainSet, {
    epochs: EPOCHS,
    verbose: 0,
    callbacks: {
      onEpochBegin: async () => {
        epochStarted = performance.now();
        epochCpu = process.cpuUsage();
      },
      onEpochEnd: async (epoch, logs) => {
        const seconds = ((performance.now() - epochStarted) / 1000).toFixed(2);
        const cpu = process.cpuUsage(epochCpu);
        console.log(
          `   epoch ${epoch + 1}/${EPOCHS}: loss ${logs!['loss']!.toFixed(3)}, accuracy ${(logs!['acc']! * 100).toFixed(1)}% (${seconds} s, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU)`,
        );
        // The loader's own view of the epoch: is the input keeping up with training?
        const input = loaders[0]!.stats().epoch;
        if (input !== undefined) console.log(`     rank 0 loader: ${formatLoaderStats(input)}`);
      },
    },
  });

  console.log(`\n3. Evaluating on a random sample of the held-out shard (${Math.min(1000, test.length)} records read by index, no full pass):`);
  const sample = sampleDataset(tf, { source: test, count: Math.min(1000, test.length), seed: 7, batchSize: 250, spec, mapping });
  const [loss, accuracy] = (await model.evaluateDataset(sample, {})) as Scalar[];
  const heldOutAccuracy = (await accuracy!.data())[0]!;
  console.log(`   held-out loss ${(await loss!.data())[0]!.toFixed(3)}, accuracy ${(heldOutAccuracy * 100).toFixed(1)}%`);

  console.log('\n4. Saving the loader state mid-epoch and resuming from it:');
  const loader = rankLoader(train, 0);
  const midEpoch = Math.floor((loader.batchesPerEpoch ?? 0) / 2);
  const uninterrupted: Uint8Array[][] = [];
  let saved = '';
  for await (const batch of loader.epoch(0)) {
    uninterrupted.push(batch);
    // The state describes what this loop has received so far, whatever the loader has prefetched.
    if (uninterrupted.length === midEpoch) saved = JSON.stringify(loader.getState());
    if (uninterrupted.length === midEpoch + 3) break;
  }
  const state = JSON.parse(saved) as { epoch: number; offset: number };
  console.log(`   rank 0 saved its state after ${midEpoch} batches: epoch ${state.epoch}, position ${state.offset} (${saved.length} bytes of JSON,`);
  console.log('   with the sampler and the files it was written for, so it cannot be restored into another setup)');
  const restarted = rankLoader(train, 0);
  restarted.setState(state);
  const resumed: Uint8Array[][] = [];
  for await (const batch of restarted.epoch(0)) {
    resumed.push(batch);
    if (resumed.length === 3) break;
  }
  const same = resumed.every((batch, b) => batch.every((record, i) => Buffer.from(record).equals(Buffer.from(uninterrupted[midEpoch + b]![i]!))));
  console.log(`   a fresh loader restored from it yields the next 3 batches: ${same ? 'the same records as the uninterrupted run' : 'DIFFERENT records'}`);
  await Promise.all([loader, restarted, ...loaders].map((each) => each.close()));

  train.close();
  test.close();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\nDone in ${seconds} s. Held-out accuracy ${(heldOutAccuracy * 100).toFixed(1)}% ${heldOutAccuracy > 0.9 ? '(learned)' : '(below the 90% the demo expects)'}.`);
  if (!same || heldOutAccuracy <= 0.9) process.exitCode = 1;
}

await main();
