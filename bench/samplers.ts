// Sampler throughput: record keys per second of each sampler's keyAt, and of Grain's index_shuffle alone.
// Run: npx tsx bench/samplers.ts  (single-threaded; about ten seconds)

import {
  DistributedSampler,
  IndexSampler,
  IndexShuffle,
  SequentialSampler,
  ShuffleSampler,
  WindowShuffleSampler,
  shardOptions,
  type Sampler,
} from '../src/samplers/index.js';

const STEPS = 1_000_000;

interface Result {
  readonly name: string;
  readonly keysPerSecond: number;
}

/** Best of three timed passes over `steps` keys, after one warm-up pass; the checksum keeps the work alive. */
function measure(name: string, steps: number, keyAt: (step: number) => number): Result {
  let checksum = 0;
  for (let step = 0; step < Math.min(steps, 100_000); step++) checksum += keyAt(step);
  let best = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    const started = process.hrtime.bigint();
    for (let step = 0; step < steps; step++) checksum += keyAt(step);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  if (checksum === -1) console.log('unreachable');
  return { name, keysPerSecond: steps / best };
}

function samplerCase(name: string, sampler: Sampler, steps = STEPS): Result {
  return measure(name, steps, (step) => sampler.keyAt(step));
}

const results: Result[] = [
  samplerCase('SequentialSampler (1e6 records)', new SequentialSampler({ numRecords: 1_000_000 })),
  measure('IndexShuffle.applyUnchecked (max 1e9, 32-bit block)', STEPS, ((shuffle) => (i: number) =>
    shuffle.applyUnchecked(i))(new IndexShuffle(999_999_999, 42))),
  samplerCase(
    'IndexSampler shuffled (1e9 records, shard 3 of 8)',
    new IndexSampler({ numRecords: 1e9, shardOptions: shardOptions(3, 8), shuffle: true, seed: 42 }),
  ),
  samplerCase(
    'IndexSampler shuffled (1e6 records, 1 shard)',
    new IndexSampler({ numRecords: 1e6, shuffle: true, seed: 42, numEpochs: 1 }),
  ),
  samplerCase(
    'IndexSampler shuffled (3e12 records, 42-bit block)',
    new IndexSampler({ numRecords: 3e12, shuffle: true, seed: 77 }),
  ),
  samplerCase(
    'IndexSampler sequential (1e6 records, shard 1 of 4)',
    new IndexSampler({ numRecords: 1e6, shardOptions: shardOptions(1, 4) }),
  ),
  samplerCase('ShuffleSampler (1e6 records)', new ShuffleSampler({ numRecords: 1e6, seed: 1 })),
  samplerCase(
    'DistributedSampler torch randperm (1e6 records, 4 ranks; 4 epochs incl. permutation build)',
    new DistributedSampler({ numRecords: 1e6, numReplicas: 4, rank: 1, shuffle: true, seed: 0, numEpochs: 4 }),
  ),
  samplerCase(
    'DistributedSampler feistel (1e6 records, 4 ranks)',
    new DistributedSampler({
      numRecords: 1e6, numReplicas: 4, rank: 1, shuffle: true, seed: 0, numEpochs: 4, permutation: 'feistel',
    }),
  ),
  samplerCase(
    'WindowShuffleSampler (1e6 records, window 4096, shuffled window order)',
    new WindowShuffleSampler({ numRecords: 1e6, windowSize: 4096, seed: 1, shuffleWindowOrder: true }),
  ),
  samplerCase(
    'IndexSampler shuffled, tiny shard (1000 records: 16-bit block, ~65 cipher walks per key)',
    new IndexSampler({ numRecords: 1000, shuffle: true, seed: 1 }),
    100_000,
  ),
];

console.log(`node ${process.version}, ${STEPS} steps per case (best of 3)`);
for (const { name, keysPerSecond } of results) {
  console.log(`${(keysPerSecond / 1e6).toFixed(2).padStart(8)} M keys/s  ${name}`);
}
