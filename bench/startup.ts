// Start-up of fresh processes, as a user's program or command pays it: importing the package (bundled as
// the build bundles it), the command's --version and info, and a first async read (which starts the read
// workers), against Node starting and doing nothing (the limit no package can go below). Medians of
// fresh processes, interleaved so that a noisy neighbour slows every measure alike.
// Run: npx tsx bench/startup.ts [--quick]

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundle, PACKAGE_ENTRIES } from '../tools/bundle.js';
import { REPO_ROOT } from '../tools/repo.js';
import { median } from './format/stats.js';

const RUNS = process.argv.includes('--quick') ? 5 : 21;
const GOLDEN = path.join(REPO_ROOT, 'test/golden/zstd3default_g1_small.array_record');

const outDir = path.join(REPO_ROOT, 'node_modules/.cache', `array-record-startup-${process.pid}`);
const entries = await bundle(outDir, PACKAGE_ENTRIES);

/**
 * A program that does `work` (module code, top-level await allowed) and, as the process exits, prints its
 * CPU time and its wall time since Node started (performance.now() counts from the process's time
 * origin) as the last line of its output.
 */
function program(name: string, work: string): string {
  const file = path.join(outDir, `${name}.mjs`);
  const report = `process.on('exit', () => { const { user, system } = process.cpuUsage(); console.log(JSON.stringify({ cpu: (user + system) / 1000, wall: performance.now() })); });`;
  fs.writeFileSync(file, `${report}\n${work}\n`);
  return file;
}

/** Milliseconds of CPU (every thread of the process) and from the process's start to its exit. */
interface Sample {
  readonly cpu: number;
  readonly wall: number;
}

/** The measures, each a program run with its arguments (the command's own argv: it reads process.argv). */
const MEASURES: { readonly name: string; readonly file: string; readonly args: readonly string[] }[] = [];

function measure(name: string, file: string, args: readonly string[] = []): void {
  MEASURES.push({ name, file, args });
}

function run({ name, file, args }: (typeof MEASURES)[number]): Sample {
  const result = spawnSync(process.execPath, [file, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${name} failed (${result.status ?? result.signal}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Sample;
}

measure('node, doing nothing (the limit)', program('bare', ''));
measure("import 'array-record'", program('import-index', `await import(${JSON.stringify(entries.index)});`));
measure("import 'array-record/tfds'", program('import-tfds', `await import(${JSON.stringify(entries.tfds)});`));
/** A program that opens the file of its first argument and runs `read` on `reader`. */
const reading = (name: string, read: string): string =>
  program(name, `const { ArrayRecordReader } = await import(${JSON.stringify(entries.index)});\nconst reader = new ArrayRecordReader(process.argv[2]);\n${read}\nreader.close();`);
measure('open a file, readAsync([0]) (read here: one part)', reading('first-read', 'await reader.readAsync([0]);'), [GOLDEN]);
measure('open a file, readAllAsync() (1,000 records in 459 KB: starts the read workers)', reading('read-all', 'await reader.readAllAsync();'), [GOLDEN]);
const cli = program('cli', `await import(${JSON.stringify(entries['array-record'])});`);
measure('array-record --version', cli, ['--version']);
measure('array-record info <file>', cli, ['info', GOLDEN]);

try {
  const samples = MEASURES.map((): Sample[] => []);
  for (let round = 0; round < RUNS; round++) for (let m = 0; m < MEASURES.length; m++) samples[m]!.push(run(MEASURES[m]!));
  const bareCpu = median(samples[0]!.map((s) => s.cpu));
  console.log(`start-up of fresh processes, Node ${process.version}, median of ${RUNS}, load average ${os.loadavg()[0]!.toFixed(1)}; CPU: every thread of the process`);
  console.log('| measure | wall ms | CPU ms | CPU beyond Node doing nothing |');
  console.log('|---|---:|---:|---:|');
  for (let m = 0; m < MEASURES.length; m++) {
    const cpu = median(samples[m]!.map((s) => s.cpu));
    const wall = median(samples[m]!.map((s) => s.wall));
    console.log(`| ${MEASURES[m]!.name} | ${wall.toFixed(0)} | ${cpu.toFixed(0)} | ${m === 0 ? '' : `+${(cpu - bareCpu).toFixed(0)}`} |`);
  }
} finally {
  fs.rmSync(outDir, { recursive: true, force: true });
}
