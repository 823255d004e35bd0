// Each measure in a fresh process: ours (measure.ts) and the physical limits (limits.ts) under plain Node,
// from JavaScript bundled once per benchmark run as the package's dist/lib is (under tsx a fresh process
// and each of its read workers would spend their first pass compiling TypeScript); the C++ probe
// as it is (native.ts). Several runs interleaved ours / C++, so that a noisy neighbour slows both sides
// alike, and the median kept.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../tools/repo.js';
import { bundle } from '../../tools/bundle.js';
import { runNative } from './native.js';
import type { PassResult } from './pass.js';
import { median } from './stats.js';

/** The scripts a fresh process runs, and the worker limits.ts starts (a sibling of the bundled limits.js). */
const SCRIPTS = { measure: 'bench/format/measure.ts', limits: 'bench/format/limits.ts', 'limit-worker': 'bench/format/limit-worker.ts' } as const;
type Script = 'measure' | 'limits';
/** The bundled scripts, once bundleScripts() has run. */
let bundled: Record<keyof typeof SCRIPTS, string> | undefined;

/**
 * Bundles the scripts for this run (under node_modules/.cache, so packages resolve) and returns the
 * function that removes them.
 */
export async function bundleScripts(): Promise<() => void> {
  const outDir = path.join(REPO_ROOT, 'node_modules/.cache', `array-record-bench-${process.pid}`);
  bundled = await bundle(outDir, SCRIPTS);
  return () => fs.rmSync(outDir, { recursive: true, force: true });
}

/** What a process printed on its last line, as JSON; `env` adds to (or overrides) this process's environment. */
function runNode<T>(script: Script, args: readonly string[], env: Readonly<Record<string, string>> = {}): T {
  const entry = bundled?.[script];
  const command = entry === undefined ? ['--import', 'tsx', path.join(REPO_ROOT, SCRIPTS[script])] : [entry];
  const result = spawnSync(process.execPath, [...command, ...args], { encoding: 'utf8', maxBuffer: 16 << 20, env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as T;
}

/** One measure of ours in a fresh process, with `env` added to its environment. */
export function runOurs(args: readonly string[], env?: Readonly<Record<string, string>>): PassResult & { bytes: number } {
  return runNode('measure', args, env);
}

/** The physical limits of a file (limits.ts) on `threads` threads, in a fresh process. */
export function runLimits(file: string, options: string, threads: number): { read: PassResult; write: PassResult; seek: PassResult; fresh: PassResult } {
  return runNode('limits', [file, options, String(threads)]);
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

/**
 * Physical limits of one file in records per second (see limits.ts): reading it whole (`read`),
 * writing it (`write`), reading its chunks at random, one read call each, then decoding them (`random`),
 * and reading it whole into fresh memory (`readInto`).
 */
export interface Limits {
  readonly read: number;
  readonly readInto: number;
  readonly write: number;
  readonly random: number;
}

/** Median of the limits over several fresh processes. */
export function limitsOf(runs: number, file: string, options: string, threads: number): Limits {
  const results = Array.from({ length: runs }, () => runLimits(file, options, threads));
  const read = median(results.map((result) => result.read.recordsPerSecond));
  const seek = median(results.map((result) => result.seek.recordsPerSecond));
  const fresh = median(results.map((result) => result.fresh.recordsPerSecond));
  return {
    read,
    // Records handed out as memory of their own cost the decode, then the fresh pages they fill.
    readInto: 1 / (1 / read + 1 / fresh),
    write: median(results.map((result) => result.write.recordsPerSecond)),
    // A record read at random costs the read call that reaches its chunk, then the chunk's decode.
    random: 1 / (1 / read + 1 / seek),
  };
}
