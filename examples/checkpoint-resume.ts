// Checkpoint and resume: save a DataLoader's state mid-epoch as JSON, then continue in a fresh loader
// (as after a restart) with exactly the next batch.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArrayRecordDataSource, ArrayRecordWriter, DataLoader, ShuffleSampler, map } from '../src/index.js';

// A directory of its own (removed at the end), so that runs side by side never share the file.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoint-resume-'));
const file = path.join(dir, 'checkpoint-resume.array_record');
const writer = new ArrayRecordWriter(file);
for (let i = 0; i < 20; i++) writer.write(String(i));
writer.close();

const source = new ArrayRecordDataSource(file);
const makeLoader = (): DataLoader<number[]> =>
  new DataLoader<number[]>({
    source,
    sampler: new ShuffleSampler({ numRecords: source.length, seed: 3, numEpochs: 2 }),
    transforms: [map((record: Uint8Array) => Number(new TextDecoder().decode(record)), 'decode')],
    batchSize: 4,
  });

const first = makeLoader();
let checkpoint = '';
let received = 0;
for await (const batch of first) {
  console.log(`batch ${received}: ${batch.join(' ')}`);
  if (++received === 3) {
    checkpoint = JSON.stringify(first.getState()); // what the consumer received, not what was prefetched
    break;
  }
}
await first.close();
console.log(`checkpoint: ${checkpoint}`.slice(0, 100) + '...');

const resumed = makeLoader();
resumed.setState(JSON.parse(checkpoint));
const afterResume: string[] = [];
for await (const batch of resumed) {
  afterResume.push(batch.join(' '));
  console.log(`batch ${received++} (resumed): ${batch.join(' ')}`);
}
await resumed.close();

const uninterrupted: string[] = [];
for await (const batch of makeLoader()) uninterrupted.push(batch.join(' '));
console.log(`resumed batches equal the uninterrupted run's: ${afterResume.join('|') === uninterrupted.slice(3).join('|')}`);
source.close();
fs.rmSync(dir, { recursive: true, force: true });
