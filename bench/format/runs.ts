// Each measure in a fresh process: ours (measure.ts) and the physical limits (limits.ts) under Node with
// tsx, the C++ probe as it is (native.ts); several runs interleaved ours / C++, so that a noisy
// neighbour slows both sides alike, and the median kept.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNative } from './native.js';
import type { PassResult } from './pass.js';
import { median } from './stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** What a process printed on its last line, as JSON. */
function runNode<T>(script: string, args: readonly string[]): T {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, script), ...args], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (result.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as T;
}

/** One measure of ours in a fresh process. */
export function runOurs(args: readonly string[]): PassResult & { bytes: number } {
  return runNode('measure.ts', args);
}

/** The physical limits of a file (limits.ts) on `threads` threads, in a fresh process. */
export function runLimits(file: string, options: string, threads: number): { read: PassResult; write: PassResult } {
  return runNode('limits.ts', [file, options, String(threads)]);
}

/** Several runs of one side, summarised. */
export interface Summary {
  /** Records per second of the timed (second) pass of each run. */
  readonly runs: number[];
  readonly median: number;
  /** Records per second of the first pass of a fresh process, median of the runs. */
  readonly firstPassMedian: number;
  /** Bytes of record data the last run handled (a check that both sides read the same). */
  readonly bytes: number;
}

function summary(results: readonly (PassResult & { bytes: number })[]): Summary {
  return {
    runs: results.map((result) => Math.round(result.recordsPerSecond)),
    median: median(results.map((result) => result.recordsPerSecond)),
    firstPassMedian: median(results.map((result) => result.firstPassRecordsPerSecond)),
    bytes: results.at(-1)!.bytes,
  };
}

/**
 * Runs ours and (with a probe) the C++ side `runs` times each, alternating which goes first.
 * @param cpp the probe's arguments, or undefined to measure ours alone.
 */
export function interleaved(
  runs: number,
  ours: readonly string[],
  cpp: { probe: string; args: readonly string[]; threads: number } | undefined,
): { ours: Summary; cpp: Summary | undefined } {
  const oursResults: (PassResult & { bytes: number })[] = [];
  const cppResults: (PassResult & { bytes: number })[] = [];
  for (let run = 0; run < runs; run++) {
    const sides = [() => oursResults.push(runOurs(ours)), () => cpp && cppResults.push(runNative(cpp.probe, cpp.args, cpp.threads))];
    if (run % 2 === 1) sides.reverse();
    for (const side of sides) side();
  }
  return { ours: summary(oursResults), cpp: cppResults.length > 0 ? summary(cppResults) : undefined };
}

/** Median of the limits over several fresh processes. */
export function limitsOf(runs: number, file: string, options: string, threads: number): { read: number; write: number } {
  const results = Array.from({ length: runs }, () => runLimits(file, options, threads));
  return {
    read: median(results.map((result) => result.read.recordsPerSecond)),
    write: median(results.map((result) => result.write.recordsPerSecond)),
  };
}
