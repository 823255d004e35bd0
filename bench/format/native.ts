// Google's C++ array_record, side by side: runs the probe named by ARRAY_RECORD_NATIVE_BENCH (built
// outside this repository from google/array_record and riegeli) with the commands of measure.ts. The
// probe does as measure.ts does: one untimed warm-up pass, then the timed pass, printed as one JSON line.

import { spawnSync } from 'node:child_process';
import type { PassResult } from './pass.js';

/** The probe's path, or undefined when the C++ side is not measured. */
export function nativeProbe(): string | undefined {
  const probe = process.env.ARRAY_RECORD_NATIVE_BENCH;
  return probe === undefined || probe === '' ? undefined : probe;
}

/**
 * Runs one measure of the probe in a fresh process. The commands are measure.ts's (write, read-all,
 * sequential, random); `threads` sizes its thread pool.
 * @throws Error when the probe fails.
 */
export function runNative(probe: string, args: readonly string[], threads: number): PassResult & { bytes: number } {
  // The probe names its measure by command; 'random' with batches of one is "one at a time".
  const result = spawnSync(probe, [...args, `--threads=${threads}`], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`${probe} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}`);
  const line = JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, number | string>;
  return {
    measure: String(line.command),
    records: Number(line.records),
    bytes: Number(line.bytes),
    seconds: Number(line.seconds),
    recordsPerSecond: Number(line.recordsPerSecond),
    firstPassSeconds: Number(line.firstPassSeconds),
    firstPassRecordsPerSecond: Number(line.firstPassRecordsPerSecond),
    threads: Number(line.threads),
  };
}
