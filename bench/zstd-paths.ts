// zstd on each path this Node has (zstd-napi, node:zlib from Node 22.15, wasm), forced with
// ARRAY_RECORD_ZSTD in a process of its own: writing the text workload and reading it back, whole and
// in random batches, for group_size:1 (one small frame per record) and group_size:256.
// `npx tsx bench/zstd-paths.ts [--quick]`; run it with another node on PATH for that Node's figures.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArrayRecordReader, zstdPath } from '../src/index.js';
import { nodeHasZstd } from '../src/format/riegeli/zstd-codec.js';
import { benchDir, randomIndices, workloadRecords, writeWorkloadFile } from './workload.js';

const quick = process.argv.includes('--quick');
const RECORDS = quick ? 16_384 : 65_536;
const RANDOM_BATCHES = quick ? 40 : 100;
const CONFIGS = ['group_size:1,zstd:3', 'group_size:256,zstd:3'];

/** Wall seconds and CPU seconds (every thread of the process: the read workers too) of `action`. */
interface Time {
  readonly wall: number;
  readonly cpu: number;
}

async function seconds(action: () => unknown): Promise<Time> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await action();
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: (used.user + used.system) / 1e6 };
}

function median(times: readonly Time[]): Time {
  return [...times].sort((a, b) => a.wall - b.wall)[times.length >> 1]!;
}

/** Records per second, and per CPU second in brackets: on a shared machine the second varies less. */
const rate = (count: number, time: Time): string =>
  `${Math.round(count / time.wall).toLocaleString('en-US').padStart(9)} (${Math.round(count / time.cpu).toLocaleString('en-US')})`.padEnd(20);

/** One path, in this process (ARRAY_RECORD_ZSTD set by the parent). */
async function measure(): Promise<void> {
  const dir = benchDir();
  try {
    const records = workloadRecords(RECORDS);
    console.log(`${zstdPath()}:`);
    for (const options of CONFIGS) {
      const file = path.join(dir, `${options.replace(/[:,]/g, '_')}.array_record`);
      const write = await seconds(() => writeWorkloadFile(file, options, records));
      const reader = new ArrayRecordReader(file);
      await reader.readAsync(randomIndices(512, 7).map((index) => index % RECORDS)); // start the read workers
      const readAll: Time[] = [];
      for (let i = 0; i < 3; i++) readAll.push(await seconds(() => reader.readAll()));
      const readAllAsync: Time[] = [];
      for (let i = 0; i < 3; i++) readAllAsync.push(await seconds(() => reader.readAllAsync()));
      const batches = Array.from({ length: RANDOM_BATCHES }, (_, b) => randomIndices(256, b + 1).map((index) => index % RECORDS));
      const random = await seconds(async () => {
        for (const batch of batches) await reader.readAsync(batch);
      });
      reader.close();
      console.log(
        `  ${options.padEnd(22)} write ${rate(RECORDS, write)}   readAll ${rate(RECORDS, median(readAll))}   readAllAsync ${rate(RECORDS, median(readAllAsync))}   random 256 (async) ${rate(RANDOM_BATCHES * 256, random)}`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env['ARRAY_RECORD_ZSTD'] !== undefined) {
  await measure();
} else {
  console.log(`Node ${process.version}, ${RECORDS} records of the text workload; records/s (records per CPU second)`);
  for (const name of ['napi', 'zlib', 'wasm']) {
    if (name === 'zlib' && !nodeHasZstd()) continue;
    const result = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, ARRAY_RECORD_ZSTD: name },
    });
    if (result.status !== 0) process.exitCode = 1;
  }
}
