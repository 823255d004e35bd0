// One measure of our reader or writer in this (fresh) process: an untimed warm-up pass, then the timed
// pass, printed as one JSON line (PassResult). The same commands as the C++ probe (native.ts):
//   measure.ts write <file> <writer options>
//   measure.ts read-all | read-all-sync | for-each-async | for-each | sequential <file>
//   measure.ts random | random-async <file> <batches> <batch size> <seed>

import { ArrayRecordReader, ArrayRecordWriter } from '../../src/index.js';
import { readPoolSize } from '../../src/format/arrayrecord/read-pool.js';
import { randomIndices, WORKLOAD_RECORDS, workloadRecords } from '../workload.js';
import { twoPasses, type PassResult } from './pass.js';

function totalBytes(records: readonly Uint8Array[]): number {
  let bytes = 0;
  for (const record of records) bytes += record.length;
  return bytes;
}

async function measure(args: readonly string[]): Promise<PassResult & { bytes: number }> {
  const [command, file] = args as [string, string];
  let bytes = 0;
  switch (command) {
    case 'write': {
      const records = workloadRecords();
      bytes = totalBytes(records);
      const result = await twoPasses(command, records.length, () => {
        const writer = new ArrayRecordWriter(file, args[2] ?? '');
        for (const record of records) writer.write(record);
        writer.close();
      });
      return { ...result, bytes };
    }
    case 'read-all':
    case 'read-all-sync': {
      const result = await twoPasses(command, WORKLOAD_RECORDS, async () => {
        const reader = new ArrayRecordReader(file);
        const records = command === 'read-all' ? await reader.readAllAsync() : reader.readAll();
        bytes = totalBytes(records);
        reader.close();
      });
      return { ...result, bytes, threads: command === 'read-all' ? readPoolSize() : 1 };
    }
    case 'for-each':
    case 'for-each-async': {
      // read-all's pass with the records visited as views of reused memory instead of kept.
      const result = await twoPasses(command, WORKLOAD_RECORDS, async () => {
        const reader = new ArrayRecordReader(file);
        let sum = 0;
        const add = (record: Uint8Array): void => {
          sum += record.length;
        };
        if (command === 'for-each-async') await reader.forEachRecordAsync(add);
        else reader.forEachRecord(add);
        bytes = sum;
        reader.close();
      });
      return { ...result, bytes, threads: command === 'for-each-async' ? readPoolSize() : 1 };
    }
    case 'sequential': {
      const result = await twoPasses(command, WORKLOAD_RECORDS, () => {
        const reader = new ArrayRecordReader(file);
        bytes = 0;
        for (let i = 0; i < WORKLOAD_RECORDS; i++) bytes += reader.read().length;
        reader.close();
      });
      return { ...result, bytes, threads: 1 };
    }
    case 'random':
    case 'random-async': {
      const [count, size, seed] = args.slice(2, 5).map(Number) as [number, number, number];
      const batchesOf = (base: number): number[][] => Array.from({ length: count }, (_, b) => randomIndices(size, base + b));
      const rounds = [batchesOf(100_000 + seed), batchesOf(seed)];
      const reader = new ArrayRecordReader(file);
      const result = await twoPasses(command, count * size, async (round) => {
        bytes = 0;
        for (const batch of rounds[round]!) {
          const records = command === 'random' ? reader.read(batch) : await reader.readAsync(batch);
          bytes += totalBytes(records);
        }
      });
      reader.close();
      return { ...result, bytes, threads: command === 'random' ? 1 : readPoolSize() };
    }
    default:
      throw new Error(`unknown measure ${command}`);
  }
}

console.log(JSON.stringify(await measure(process.argv.slice(2))));
