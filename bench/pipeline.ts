// Benchmark: the whole training input pipeline on the demo's data, stage by stage in one run:
// shuffled sharded reads through the DataLoader, then tf.Example parsing, then the tf.data adapter's
// tensors (float32 images, one-hot labels) as model.fitDataset pulls and disposes them.
// Run: npx tsx bench/pipeline.ts [--records N]

import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { ArrayRecordDataSource, DataLoader, ExampleParser, IndexSampler, fixedLen, fixedLenRaw } from '../src/index.js';
import { exampleDataset } from '../src/tfjs/index.js';
import { writeDigitShards } from '../examples/demo/build-dataset.js';
import { benchDir } from './workload.js';

const BATCH = 256;
const SHARDS = 8;
const at = process.argv.indexOf('--records');
const RECORDS = at < 0 ? 65_536 : Number(process.argv[at + 1]);

const spec = { image: fixedLenRaw([784], { as: 'float32' }), label: fixedLen([], 'int64') };

/** One shuffled epoch over the source in batches of serialized records (a fresh loader per run). */
function loaderFor(source: ArrayRecordDataSource, seed: number): DataLoader<Uint8Array[]> {
  const sampler = new IndexSampler({ numRecords: source.length, shuffle: true, seed, numEpochs: 1 });
  return new DataLoader<Uint8Array[]>({ source, sampler, batchSize: BATCH, dropRemainder: true });
}

/** Examples per second of `run`, which consumes one epoch and returns how many examples it saw. */
async function rate(run: () => Promise<number>): Promise<number> {
  const start = process.hrtime.bigint();
  const examples = await run();
  return examples / (Number(process.hrtime.bigint() - start) / 1e9);
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1]!;
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const dir = benchDir();
  try {
    const log = console.log;
    console.log = () => {}; // the dataset builder's progress lines
    const paths = writeDigitShards(dir, 'digits', RECORDS, SHARDS, 1);
    console.log = log;
    const source = await ArrayRecordDataSource.open(paths);
    const parser = new ExampleParser(spec);
    const stages: [string, (seed: number) => Promise<number>][] = [
      [
        'loader: shuffled reads over 8 shards, batches of 256',
        async (seed) => {
          let examples = 0;
          for await (const batch of loaderFor(source, seed)) examples += batch.length;
          return examples;
        },
      ],
      [
        '+ parsing into Float32Array images and Int32Array labels',
        async (seed) => {
          let examples = 0;
          for await (const batch of loaderFor(source, seed)) examples += parser.parseBatch(batch).label.values.length;
          return examples;
        },
      ],
      [
        '+ tensors through exampleDataset (one-hot labels), disposed',
        async (seed) => {
          const dataset = exampleDataset(tf, {
            batches: () => loaderFor(source, seed),
            spec,
            mapping: { xs: 'image', ys: 'label', oneHot: 10 },
          });
          const iterator = await dataset.iterator();
          let examples = 0;
          for (let step = await iterator.next(); step.done !== true; step = await iterator.next()) {
            const { xs, ys } = step.value as { xs: tf.Tensor; ys: tf.Tensor };
            examples += xs.shape[0]!;
            xs.dispose();
            ys.dispose();
          }
          return examples;
        },
      ],
    ];
    await rate(() => stages[2]![1](0)); // warm-up: read workers, JIT, file cache
    const rates = stages.map(() => [] as number[]);
    for (let round = 1; round <= 3; round++) {
      for (let s = 0; s < stages.length; s++) rates[s]!.push(await rate(() => stages[s]![1](round)));
    }
    source.close();
    const size = paths.reduce((total, file) => total + fs.statSync(file).size, 0);
    console.log(`input pipeline: ${RECORDS} demo digits (784-byte image + label) in ${SHARDS} shards, ${(size / 1e6).toFixed(1)} MB zstd; median of 3 epochs`);
    for (let s = 0; s < stages.length; s++) {
      const value = median(rates[s]!);
      console.log(`  ${stages[s]![0].padEnd(60)} ${Math.round(value).toLocaleString('en-US').padStart(9)} examples/s`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
