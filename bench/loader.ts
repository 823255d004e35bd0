// DataLoader benchmark: records/s of the loader (shuffled epoch, batches of 256) against the raw batched reads
// it is built on, in the same run, over the text workload (group_size:1, zstd:3). Also transform workers.
// Run: npx tsx bench/loader.ts [--quick]

import fs from 'node:fs';
import path from 'node:path';
import { ArrayRecordDataSource, DataLoader } from '../src/index.js';
import { ShuffleSampler } from '../src/samplers/index.js';
import { identity, wordCount } from './fixtures/loader-transforms.js';
import { benchDir, workloadRecords, writeWorkloadFile, WORKLOAD_RECORDS } from './workload.js';

const BATCH = 256;
const PREFETCH = 4;
const ROUNDS = process.argv.includes('--quick') ? 1 : 5;
const TRANSFORMS = new URL('./fixtures/loader-transforms.ts', import.meta.url);

/** Records per second, and CPU time per record summed over all threads of the process (read and transform workers too). */
interface Measure {
  readonly rate: number;
  readonly cpuMicros: number;
}

function measure(start: bigint, cpu: NodeJS.CpuUsage): Measure {
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { rate: WORKLOAD_RECORDS / seconds, cpuMicros: (used.user + used.system) / WORKLOAD_RECORDS };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1]!;
}

/** The raw rate: the sampler's batches read with getItemsAsync, `inFlight` at a time (a sliding window). */
async function rawRate(source: ArrayRecordDataSource, sampler: ShuffleSampler, inFlight: number): Promise<Measure> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let next = 0;
  let records = 0;
  const lane = async (): Promise<void> => {
    while (next < WORKLOAD_RECORDS) {
      const from = next;
      next += BATCH;
      const keys = new Float64Array(Math.min(BATCH, WORKLOAD_RECORDS - from));
      for (let k = 0; k < keys.length; k++) keys[k] = sampler.keyAt(from + k);
      const read = await source.getItemsAsync(keys);
      records += read.length;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  if (records !== WORKLOAD_RECORDS) throw new Error(`raw reads returned ${records} records`);
  return measure(start, cpu);
}

/** One epoch through a loader; checks the element count (and the word counts when it counts words). */
async function loaderRate(loader: DataLoader<unknown[]>, countsWords: boolean): Promise<Measure> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let records = 0;
  for await (const batch of loader.epoch(0)) {
    records += batch.length;
    if (countsWords && batch[0] !== 200) throw new Error(`word count ${String(batch[0])}, expected 200`);
  }
  if (records !== WORKLOAD_RECORDS) throw new Error(`the loader yielded ${records} records`);
  return measure(start, cpu);
}

const dir = benchDir();
try {
  const file = path.join(dir, 'text.array_record');
  writeWorkloadFile(file, 'group_size:1', workloadRecords());
  const source = await ArrayRecordDataSource.open(file);
  console.log(`text workload: ${WORKLOAD_RECORDS} records, group_size:1 zstd:3, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB; batches of ${BATCH}, prefetch ${PREFETCH}`);

  const loaders = new Map<string, { countsWords: boolean; make: (sampler: ShuffleSampler) => DataLoader<unknown[]> }>([
    ['loader, no-op map', { countsWords: false, make: (sampler) => new DataLoader({ source, sampler, batchSize: BATCH, prefetch: PREFETCH, transforms: identity }) }],
    ['loader, word count, this thread', { countsWords: true, make: (sampler) => new DataLoader({ source, sampler, batchSize: BATCH, prefetch: PREFETCH, transforms: wordCount }) }],
    [
      'loader, word count, 2 workers',
      {
        countsWords: true,
        make: (sampler) =>
          new DataLoader({ source, sampler, batchSize: BATCH, prefetch: PREFETCH, transforms: wordCount, workers: 2, transformModule: TRANSFORMS, transformExport: 'wordCount' }),
      },
    ],
  ]);
  const results = new Map<string, Measure[]>();
  const record = (name: string, value: Measure): void => void results.set(name, [...(results.get(name) ?? []), value]);
  // Warm-up: JIT, page cache, read workers, transform workers' module loading.
  const warm = new ShuffleSampler({ numRecords: WORKLOAD_RECORDS, seed: 1000 });
  await rawRate(source, warm, PREFETCH);
  const made = new Map([...loaders].map(([name, { make }]) => [name, make(warm)]));
  for (const [name, loader] of made) await loaderRate(loader, loaders.get(name)!.countsWords);
  for (const loader of made.values()) await loader.close();

  for (let round = 0; round < ROUNDS; round++) {
    // Interleaved rounds over the same shuffled order: load noise hits all candidates alike.
    const sampler = new ShuffleSampler({ numRecords: WORKLOAD_RECORDS, seed: round });
    record(`raw getItemsAsync, ${PREFETCH} in flight`, await rawRate(source, sampler, PREFETCH));
    record('raw getItemsAsync, 1 in flight', await rawRate(source, sampler, 1));
    for (const [name, { countsWords, make }] of loaders) {
      const loader = make(sampler);
      // Start-up (worker threads loading their module) outside the timing: one batch, then back to the start.
      const start = loader.getState();
      for await (const _ of loader) break;
      loader.setState(start);
      record(name, await loaderRate(loader, countsWords));
      await loader.close();
    }
  }
  const raw = median(results.get(`raw getItemsAsync, ${PREFETCH} in flight`)!.map(({ rate }) => rate));
  console.log(`median of ${ROUNDS} runs, one shuffled epoch each: records/s, and CPU µs per record over all threads`);
  for (const [name, values] of results) {
    const rate = median(values.map((value) => value.rate));
    const cpu = median(values.map((value) => value.cpuMicros));
    console.log(
      `  ${name.padEnd(40)} ${Math.round(rate).toLocaleString('en-US').padStart(9)}   ${(rate / raw).toFixed(2)}x raw (${PREFETCH} in flight)   ${cpu.toFixed(1)} µs CPU`,
    );
  }
  source.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
