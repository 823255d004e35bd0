// Step 1 of the demo: writes the synthetic digits as tf.Examples into sharded ArrayRecord files.

import fs from 'node:fs';
import path from 'node:path';
import { ArrayRecordWriter, bytesFeature, encodeExample, int64Feature } from '../../src/index.js';
import { syntheticDigit } from './synthetic-digits.js';

/** A progress bar on a terminal, a line per quarter elsewhere (CI logs). */
export function progress(label: string, total: number): (done: number) => void {
  let lastQuarter = -1;
  return (done) => {
    if (process.stdout.isTTY) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stdout.write(`\r  ${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`);
      if (done === total) process.stdout.write('\n');
    } else if (Math.floor((done / total) * 4) > lastQuarter) {
      lastQuarter = Math.floor((done / total) * 4);
      console.log(`  ${label}: ${done}/${total}`);
    }
  };
}

/** Shard file names in TFDS style: name.array_record-00000-of-00002. */
export function shardPaths(dir: string, name: string, shards: number): string[] {
  return Array.from({ length: shards }, (_, s) => path.join(dir, `${name}.array_record-${String(s).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}`));
}

/** Writes `count` examples (seeded by `seed`) round-robin into `shards` files and returns their paths. */
export function writeDigitShards(dir: string, name: string, count: number, shards: number, seed: number): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const paths = shardPaths(dir, name, shards);
  const writers = paths.map((file) => new ArrayRecordWriter(file, 'group_size:1,zstd:3', { metadata: { recordTypeName: 'tensorflow.Example', fileComment: `synthetic digits, ${name}` } }));
  const report = progress(`writing ${name}`, count);
  for (let i = 0; i < count; i++) {
    const { label, image } = syntheticDigit(i, seed);
    writers[i % shards]!.write(encodeExample({ image: bytesFeature([image]), label: int64Feature([label]) }));
    if ((i + 1) % 250 === 0 || i + 1 === count) report(i + 1);
  }
  for (const writer of writers) writer.close();
  return paths;
}
