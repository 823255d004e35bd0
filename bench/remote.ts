// Remote storage benchmark: random batches of 256 (text workload, group_size:1, zstd:3) read from disk
// and over loopback HTTP (test/remote/range-server.ts, in a process of its own), with and without
// request coalescing, and through a proxy that delays each request by 10 ms. Requests are counted by
// the server. Run: npx tsx bench/remote.ts [--batches N]

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ArrayRecordReader, type RemoteOptions } from '../src/index.js';
import { benchDir, randomIndices, workloadRecords, writeWorkloadFile } from './workload.js';

const BATCH = 256;
const batchesArg = process.argv.indexOf('--batches');
const BATCHES = batchesArg > 0 ? Number(process.argv[batchesArg + 1]) : 64;
const ADDED_LATENCY_MS = 10;

/**
 * A TCP proxy on 127.0.0.1 that holds every byte from client to server for `delayMs` before passing it
 * on (in order), so each request's round trip grows by `delayMs`; responses pass straight back.
 */
async function delayingProxy(targetPort: number, delayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let releaseAt = 0;
    client.on('data', (chunk) => {
      releaseAt = Math.max(Date.now() + delayMs, releaseAt);
      setTimeout(() => upstream.write(chunk), releaseAt - Date.now());
    });
    upstream.pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Result {
  readonly name: string;
  readonly recordsPerSecond: number;
  readonly msPerBatch: number;
  readonly requestsPerBatch: number | undefined;
  /** 99th percentile of the event loop's delay while reading: how long this thread was kept busy at a stretch. */
  readonly loopDelayP99Ms: number;
}

/** Reads BATCHES random batches one after another (a training step waits for each), after one warm-up batch. */
async function measure(name: string, read: (batch: number[]) => Promise<unknown>, requests?: () => Promise<number>): Promise<Result> {
  const batches = Array.from({ length: BATCHES }, (_, b) => randomIndices(BATCH, 7919 * b + 11));
  await read(randomIndices(BATCH, 3));
  const before = (await requests?.()) ?? 0;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const start = process.hrtime.bigint();
  for (const batch of batches) await read(batch);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  delay.disable();
  return {
    name,
    recordsPerSecond: (BATCHES * BATCH) / seconds,
    msPerBatch: (seconds * 1000) / BATCHES,
    requestsPerBatch: requests === undefined ? undefined : ((await requests()) - before) / BATCHES,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
  };
}

function print(results: readonly Result[]): void {
  console.log(`| read | records/s | ms per batch | requests per batch | event-loop delay p99 (ms) |`);
  console.log(`|---|---:|---:|---:|---:|`);
  for (const r of results) {
    const requests = r.requestsPerBatch === undefined ? '-' : r.requestsPerBatch.toFixed(1);
    // A synchronous read holds the event loop for the whole run: the monitor cannot sample it.
    const delay = r.name.includes('sync read') ? 'blocked' : r.loopDelayP99Ms.toFixed(1);
    console.log(`| ${r.name} | ${Math.round(r.recordsPerSecond).toLocaleString('en-US')} | ${r.msPerBatch.toFixed(1)} | ${requests} | ${delay} |`);
  }
}

async function main(): Promise<void> {
  const dir = benchDir();
  const file = path.join(dir, 'workload.array_record');
  writeWorkloadFile(file, 'group_size:1,zstd:3', workloadRecords());
  const bytes = fs.readFileSync(file);
  const serverMain = fileURLToPath(new URL('../test/remote/range-server-main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', serverMain, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (data: Buffer) => resolve(Number(String(data).trim()))));
  const server = {
    port,
    requests: async (): Promise<number> => ((await (await fetch(`http://127.0.0.1:${port}/__requests`)).json()) as { requests: number }).requests,
    close: async (): Promise<void> => {
      child.stdin!.end();
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
  const proxy = await delayingProxy(port, ADDED_LATENCY_MS);
  const direct = `http://127.0.0.1:${port}/files/workload.array_record`;
  const delayed = `http://127.0.0.1:${proxy.port}/files/workload.array_record`;
  console.log(`${BATCHES} random batches of ${BATCH} records, one at a time; file ${(bytes.length / 2 ** 20).toFixed(1)} MiB, 65,536 records`);
  const results: Result[] = [];
  try {
    const local = new ArrayRecordReader(file);
    results.push(await measure('local, sync read(indices) (pread + decode on this thread)', async (batch) => local.read(batch)));
    results.push(await measure('local, readAsync (read workers)', (batch) => local.readAsync(batch)));
    local.close();
    const variants: readonly [string, RemoteOptions][] = [
      ['no coalescing (one request per run of adjacent chunks)', { coalesceGapBytes: 0 }],
      ['coalescing, gap 64 KiB (default)', {}],
      ['coalescing, gap 1 MiB', { coalesceGapBytes: 1 << 20 }],
      ['coalescing, 64 requests in flight', { maxConnectionsPerHost: 64 }],
    ];
    for (const [where, url] of [
      ['HTTP loopback', direct],
      [`HTTP +${ADDED_LATENCY_MS} ms`, delayed],
    ] as const) {
      for (const [variant, options] of variants) {
        const reader = await ArrayRecordReader.open(url, '', options);
        results.push(await measure(`${where}, ${variant}`, (batch) => reader.readAsync(batch), server.requests));
        reader.close();
      }
    }
  } finally {
    await proxy.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  print(results);
}

await main();
