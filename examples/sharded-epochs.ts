// Deterministic sharded epochs: what each of 3 ranks reads per epoch, Grain's order, from RANK/WORLD_SIZE.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArrayRecordDataSource, ArrayRecordWriter, IndexSampler, shardOptionsFromEnv } from '../src/index.js';

// A directory of its own (removed at the end), so that runs side by side never share the file.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sharded-epochs-'));
const file = path.join(dir, 'sharded-epochs.array_record');
const writer = new ArrayRecordWriter(file);
for (let i = 0; i < 10; i++) writer.write(`record ${i}`);
writer.close();

{
  // `using` closes the source at the end of this block, before its directory is removed.
  using source = new ArrayRecordDataSource(file);
  const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
  // 10 records over 3 ranks: rank 0's contiguous shard holds 4 records, the others 3. Grain hands out
  // global steps round-robin, so rank 0's second epoch ends one record short; that is Grain's behaviour,
  // kept so a TypeScript job reads what a Python Grain job with the same seed reads.
  for (let rank = 0; rank < 3; rank++) {
    // In a real job each process calls shardOptionsFromEnv() and gets its own rank from RANK / WORLD_SIZE.
    const shard = shardOptionsFromEnv({ RANK: String(rank), WORLD_SIZE: '3' });
    const sampler = new IndexSampler({ numRecords: source.length, shardOptions: shard, shuffle: true, seed: 0, numEpochs: 2 });
    for (let epoch = 0; epoch < 2; epoch++) {
      const { start, end } = sampler.epochRange(epoch);
      const keys = Array.from({ length: end - start }, (_, i) => sampler.keyAt(start + i));
      console.log(`rank ${rank}, epoch ${epoch}: ${(await source.getItemsAsync(keys)).map(text).join(', ')}`);
    }
  }
}
fs.rmSync(dir, { recursive: true, force: true });
