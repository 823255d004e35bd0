// Google's C++ array_record, side by side: runs the probe named by ARRAY_RECORD_NATIVE_BENCH (built
// outside this repository from google/array_record and riegeli) with the commands of measure.ts. The
// probe does as measure.ts does: one untimed warm-up pass, then the timed pass, printed as one JSON line.
// Its `transpose` command (bench/transpose.ts) encodes a file's records as one simple and one transposed
// chunk with riegeli's SimpleEncoder and TransposeEncoder and times ChunkDecoder on each.

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

/** What the probe's `transpose` command measured: Google's own decoders on the same records. */
export interface NativeTransposeResult {
  readonly simpleSize: number;
  readonly transposedSize: number;
  /** Median CPU microseconds to decode the chunk and visit every record. */
  readonly decodeSimpleMicros: number;
  readonly decodeTransposedMicros: number;
}

/**
 * Runs the probe's `transpose` command: the records of `file` (an ArrayRecord file) encoded as one
 * simple and one transposed chunk with riegeli's own encoders and `compression` (riegeli's compressor
 * options, e.g. `zstd:3`), each decoded for `rounds` timed rounds that take turns.
 * @throws Error when the probe fails.
 */
export function runNativeTranspose(probe: string, file: string, compression: string, bucketSize: number, rounds: number): NativeTransposeResult {
  const result = spawnSync(probe, ['transpose', file, compression, `${bucketSize}`, `${rounds}`], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`${probe} transpose ${file} ${compression} failed (${result.status ?? result.signal}): ${result.stderr}`);
  const line = JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, number>;
  return {
    simpleSize: Number(line.simpleSize),
    transposedSize: Number(line.transposedSize),
    decodeSimpleMicros: Number(line.decodeSimpleMicros),
    decodeTransposedMicros: Number(line.decodeTransposedMicros),
  };
}
