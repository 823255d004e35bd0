// Format benchmark: write, read-all, sequential and random reads of the text workload, side by side with
// Google's C++ figures on this machine kind and with the physical limits measured in the same run.

import fs from 'node:fs';
import path from 'node:path';
import zstd from 'zstd-napi/binding.js';
import { ArrayRecordReader } from '../src/index.js';
import { benchDir, randomIndices, WORKLOAD_RECORDS, workloadRecords, writeWorkloadFile } from './workload.js';

/** Records/s of Google's C++ array_record (bench/WORKLOAD.md): write, readAll, sequential, random 256, random 1. */
const CPP: Record<string, readonly [number, number, number, number, number]> = {
  'group_size:1': [39_883, 265_706, 186_279, 125_500, 5_000],
  'group_size:256': [205_596, 491_594, 449_244, 3_928, 1_369],
  'group_size:1,snappy': [94_507, 370_206, 242_779, 53_463, 5_072],
  'group_size:1,uncompressed': [118_370, 869_806, 423_913, 281_000, 5_669],
  'group_size:1,brotli:3': [36_878, 172_504, 150_128, 46_908, 3_559],
};

const quick = process.argv.includes('--quick');
const configs = quick ? ['group_size:1', 'group_size:256'] : Object.keys(CPP);
const RANDOM_BATCHES = quick ? 40 : 100;
const SINGLE_READS = quick ? 2000 : 5000;

const REPEATS = [1, 2, 3];

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1]!;
}

function seconds(action: () => void): number {
  const start = process.hrtime.bigint();
  action();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function secondsAsync(action: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function row(name: string, ours: number, reference: number | undefined): string {
  const ratio = reference === undefined ? '' : `${(ours / reference).toFixed(2)}x`;
  return `  ${name.padEnd(30)} ${Math.round(ours).toLocaleString('en-US').padStart(11)} rec/s   C++ ${reference === undefined ? '-' : reference.toLocaleString('en-US')}   ${ratio}`;
}

/** The decompression limit: decoding each record's own zstd frame, in memory, with no framing at all. */
function zstdLimit(records: readonly Uint8Array[]): number {
  const cctx = new zstd.CCtx();
  const dctx = new zstd.DCtx();
  const frames = records.map((record) => {
    const out = Buffer.alloc(zstd.compressBound(record.length));
    return out.subarray(0, cctx.compress(out, record, 3));
  });
  const output = Buffer.alloc(4096);
  const elapsed = seconds(() => {
    for (const frame of frames) dctx.decompress(output, frame);
  });
  return frames.length / elapsed;
}

/**
 * Writes every file of the run and measures the decompression limit while the workload is in memory.
 * Reads are timed after this returns: a process that holds the 87 MB workload as 65,536 buffers
 * spends more time in garbage collection than a reader of its own, and read figures would show it.
 */
function writeFiles(dir: string): { files: Map<string, { path: string; writeRate: number }>; zstdRate: number } {
  const records = workloadRecords();
  console.log(`text workload: ${records.length} records, ${records.reduce((sum, r) => sum + r.length, 0)} bytes`);
  const files = new Map<string, { path: string; writeRate: number }>();
  for (const options of configs) {
    const file = path.join(dir, `${options.replace(/[:,]/g, '_')}.array_record`);
    files.set(options, { path: file, writeRate: records.length / writeWorkloadFile(file, options, records) });
  }
  return { files, zstdRate: zstdLimit(records) };
}

const dir = benchDir();
try {
  const { files, zstdRate } = writeFiles(dir);
  for (const options of configs) {
    const cpp = CPP[options]!;
    const { path: file, writeRate } = files.get(options)!;
    const size = fs.statSync(file).size;
    console.log(`${options} (${(size / 1e6).toFixed(1)} MB)`);
    console.log(row('write', writeRate, cpp[0]));

    const reader = new ArrayRecordReader(file);
    // Start the read workers and warm the JIT before timing, as the C++ figures exclude pool start-up.
    await reader.readAsync(randomIndices(2048, 7));
    reader.read(randomIndices(2048, 8));
    // Whole-file passes take the median of three, as the C++ figures do.
    const readAllSync = median(REPEATS.map(() => seconds(() => void reader.readAll())));
    console.log(row('readAll (sync)', WORKLOAD_RECORDS / readAllSync, cpp[1]));
    const readAllAsync: number[] = [];
    for (const _ of REPEATS) readAllAsync.push(await secondsAsync(async () => void (await reader.readAllAsync())));
    console.log(row('readAllAsync', WORKLOAD_RECORDS / median(readAllAsync), cpp[1]));

    const sequential = median(
      REPEATS.map(() =>
        seconds(() => {
          reader.seek(0);
          for (let i = 0; i < WORKLOAD_RECORDS; i++) reader.read();
        }),
      ),
    );
    console.log(row('sequential read()', WORKLOAD_RECORDS / sequential, cpp[2]));

    const batches = Array.from({ length: RANDOM_BATCHES }, (_, b) => randomIndices(256, b + 1));
    const randomSync = seconds(() => {
      for (const batch of batches) reader.read(batch);
    });
    console.log(row('random 256 (sync)', (RANDOM_BATCHES * 256) / randomSync, cpp[3]));
    const randomAsync = await secondsAsync(async () => {
      for (const batch of batches) await reader.readAsync(batch);
    });
    console.log(row('random 256 (async)', (RANDOM_BATCHES * 256) / randomAsync, cpp[3]));
    const randomConcurrent = await secondsAsync(async () => {
      for (let b = 0; b < batches.length; b += 4) await Promise.all(batches.slice(b, b + 4).map((batch) => reader.readAsync(batch)));
    });
    console.log(row('random 256 (async, 4 at once)', (RANDOM_BATCHES * 256) / randomConcurrent, cpp[3]));

    const singles = randomIndices(SINGLE_READS, 99);
    const oneAtATime = seconds(() => {
      for (const index of singles) reader.read([index]);
    });
    console.log(row('random one at a time', SINGLE_READS / oneAtATime, cpp[4]));
    reader.close();
  }
  const raw = path.join(dir, 'group_size_1.array_record');
  const rawSeconds = seconds(() => void fs.readFileSync(raw));
  console.log(`physical limits: file read from page cache ${(fs.statSync(raw).size / rawSeconds / 1e9).toFixed(2)} GB/s;`
    + ` zstd decode of each record's frame in memory ${Math.round(zstdRate).toLocaleString('en-US')} rec/s (one core)`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
