// Data source benchmark: random batches of 256 through ArrayRecordDataSource over 8 shards, side by side with
// the raw single-file reader on the unsharded file (text workload, group_size:1, zstd:3). Run: npx tsx bench/data-source.ts

import fs from 'node:fs';
import path from 'node:path';
import { ArrayRecordDataSource } from '../src/index.js';
import { ArrayRecordReader } from '../src/index.js';
import { benchDir, randomIndices, workloadRecord, workloadRecords, writeWorkloadFile, WORKLOAD_RECORDS } from './workload.js';

const SHARDS = 8;
const BATCH = 256;
const BATCHES = 256;
const ROUNDS = 5;
/** Google's C++ reader, random batches of 256, readahead_buffer_size:0, same file (bench/WORKLOAD.md). */
const CPP_RANDOM_256 = 125_500;

function randomBatches(seed: number): number[][] {
  return Array.from({ length: BATCHES }, (_, b) => randomIndices(BATCH, seed * 7919 + b));
}

async function recordsPerSecond(read: (batch: number[]) => unknown, inFlight: number, seed: number): Promise<number> {
  const batches = randomBatches(seed);
  const start = process.hrtime.bigint();
  for (let b = 0; b < batches.length; b += inFlight) await Promise.all(batches.slice(b, b + inFlight).map(read));
  return (BATCHES * BATCH) / (Number(process.hrtime.bigint() - start) / 1e9);
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1]!;
}

/** Spot-checks that a reader returns the workload's records, so the figures are of correct reads. */
async function check(name: string, read: (batch: number[]) => Promise<Uint8Array[]>): Promise<void> {
  const batch = [0, WORKLOAD_RECORDS - 1, 12_345, 8191, 8192, 0];
  const records = await read(batch);
  batch.forEach((index, k) => {
    if (!Buffer.from(records[k]!).equals(Buffer.from(workloadRecord(index)))) throw new Error(`${name}: record ${index} differs`);
  });
}

/** Writes the unsharded file and the shards; the workload is dropped on return, before any read is timed. */
function writeFiles(dir: string): { unsharded: string; shards: string[] } {
  const records = workloadRecords();
  const unsharded = path.join(dir, 'text.array_record');
  writeWorkloadFile(unsharded, 'group_size:1', records);
  const perShard = WORKLOAD_RECORDS / SHARDS;
  const shards = Array.from({ length: SHARDS }, (_, k) => path.join(dir, `text.array_record-${String(k).padStart(5, '0')}-of-${String(SHARDS).padStart(5, '0')}`));
  shards.forEach((shard, k) => writeWorkloadFile(shard, 'group_size:1', records.slice(k * perShard, (k + 1) * perShard)));
  return { unsharded, shards };
}

const dir = benchDir();
try {
  const { unsharded, shards } = writeFiles(dir);
  console.log(`text workload: ${WORKLOAD_RECORDS} records, group_size:1 zstd:3; unsharded ${(fs.statSync(unsharded).size / 1e6).toFixed(1)} MB, ${SHARDS} shards`);

  const openStart = process.hrtime.bigint();
  const sharded = await ArrayRecordDataSource.open(shards);
  const openMs = Number(process.hrtime.bigint() - openStart) / 1e6;
  // Many entries (the shards repeated): how fast footers are read to learn every record count.
  const manyEntries = Array.from({ length: 1024 }, (_, k) => shards[k % SHARDS]!);
  const manyAsyncStart = process.hrtime.bigint();
  (await ArrayRecordDataSource.open(manyEntries)).close();
  const manyAsyncMs = Number(process.hrtime.bigint() - manyAsyncStart) / 1e6;
  const manySyncStart = process.hrtime.bigint();
  new ArrayRecordDataSource(manyEntries).close();
  const manySyncMs = Number(process.hrtime.bigint() - manySyncStart) / 1e6;
  const reader = await ArrayRecordReader.open(unsharded);
  const single = new ArrayRecordDataSource(unsharded);

  type Read = (batch: number[]) => Promise<Uint8Array[]> | Uint8Array[];
  const candidates: { name: string; read: Read; sync: boolean }[] = [
    { name: 'reader.readAsync (1 file)', read: (batch) => reader.readAsync(batch), sync: false },
    { name: 'source.getItemsAsync (8 shards)', read: (batch) => sharded.getItemsAsync(batch), sync: false },
    { name: 'source.getItemsAsync (1 file)', read: (batch) => single.getItemsAsync(batch), sync: false },
    { name: 'reader.read, sync (1 file)', read: (batch) => reader.read(batch), sync: true },
    { name: 'source.getItems, sync (8 shards)', read: (batch) => sharded.getItems(batch), sync: true },
  ];
  for (const { name, read } of candidates) {
    await check(name, async (batch) => read(batch));
    await recordsPerSecond(read, 1, 99); // warm-up: JIT, page cache, libuv threads
  }

  const results = new Map<string, number[]>();
  for (const inFlight of [1, 4]) {
    for (let round = 0; round < ROUNDS; round++) {
      // Interleaved rounds, the same index sequences for every candidate: load noise hits all alike.
      for (const { name, read, sync } of candidates) {
        if (inFlight > 1 && sync) continue;
        const key = `${name}, ${inFlight} in flight`;
        results.set(key, [...(results.get(key) ?? []), await recordsPerSecond(read, inFlight, round + 1)]);
      }
    }
  }

  console.log(`open 8 shards (async, footers in parallel): ${openMs.toFixed(1)} ms`);
  console.log(`open 1,024 entries: async open() ${manyAsyncMs.toFixed(0)} ms, sync constructor ${manySyncMs.toFixed(0)} ms`);
  console.log(`random batches of ${BATCH}, ${BATCHES} batches per run, median of ${ROUNDS} runs (records/s):`);
  for (const inFlight of [1, 4]) {
    const baseline = median(results.get(`reader.readAsync (1 file), ${inFlight} in flight`)!);
    for (const [key, values] of results) {
      if (!key.endsWith(`, ${inFlight} in flight`)) continue;
      const value = median(values);
      console.log(
        `  ${key.padEnd(48)} ${Math.round(value).toLocaleString('en-US').padStart(9)}` +
          `   ${(value / baseline).toFixed(2)}x raw readAsync   ${(value / CPP_RANDOM_256).toFixed(2)}x C++`,
      );
    }
  }
  sharded.close();
  single.close();
  reader.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
