// Format benchmark: write, read all, sequential and random reads of the text workload (bench/WORKLOAD.md),
// each measure in fresh processes (one untimed warm-up pass, then the timed pass; median of several runs),
// side by side with Google's C++ array_record when ARRAY_RECORD_NATIVE_BENCH names the probe, and as
// fractions of the physical limits measured in the same run. Writes bench/results/format.{json,md,svg}.
// A full run (not --quick) also rewrites the tables of README.md and docs/performance.md (publish.ts);
// --publish rewrites them from bench/results/format.json without measuring.
// Run: npm run bench (or npx tsx bench/format.ts [--quick | --publish]); ARRAY_RECORD_BENCH_RUNS sets the runs.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPoolSize } from '../src/format/arrayrecord/read-pool.js';
import { writeChart } from './format/chart.js';
import { nativeProbe } from './format/native.js';
import { machine, printRow, writeReport, type Report, type Row } from './format/report.js';
import { interleaved, limitsOf, bundleScripts, type Limits } from './format/runs.js';
import { publishTables } from './format/publish.js';
import { decodedShare } from './format/random-share.js';
import { benchDir } from './workload.js';

const quick = process.argv.includes('--quick');
const CONFIGS = quick ? ['group_size:1', 'group_size:256'] : ['group_size:1', 'group_size:256', 'group_size:1,snappy', 'group_size:1,uncompressed', 'group_size:1,brotli:3'];
const RUNS = Number(process.env.ARRAY_RECORD_BENCH_RUNS ?? (quick ? 1 : 3));
const BATCHES = quick ? 40 : 100;
const SINGLES = quick ? 500 : 2000;
const THREADS = readPoolSize();
const RANDOM_CPP_OPTIONS = 'readahead_buffer_size:0';

/** Goals of ours / C++ (issue 17). */
function goal(config: string, measure: string): number | undefined {
  if (measure === 'read all') return config === 'group_size:1' ? 1.2 : config === 'group_size:256' ? 1.6 : 1.0;
  if (measure === 'random 256') return 2.0;
  if (measure === 'sequential') return 1.0;
  if (measure === 'write') return config === 'group_size:1' ? 1.5 : 1.0;
  return undefined;
}

interface Measure {
  readonly measure: string;
  readonly api: string;
  readonly ours: string[];
  readonly cpp: string[] | undefined;
  readonly limit: keyof Limits;
  readonly limitThreads: number;
  /** Random reads: the share of decoded records that were asked for (decodedShare). */
  readonly limitShare?: number;
}

function measures(file: string, cppFile: string, options: string): Measure[] {
  const groupSize = Number(/group_size:(\d+)/.exec(options)?.[1] ?? 1);
  const batchShare = decodedShare(BATCHES, 256, 1, groupSize);
  const singleShare = decodedShare(SINGLES, 1, 99, groupSize);
  return [
    { measure: 'write', api: 'write+close', ours: ['write', file, options], cpp: ['write', cppFile, options], limit: 'write', limitThreads: THREADS },
    // The sequential writer (max_parallelism:1), for the gain of encoding on several threads.
    { measure: 'write', api: 'max_parallelism:1', ours: ['write', `${file}.sequential`, `${options},max_parallelism:1`], cpp: ['write', cppFile, options], limit: 'write', limitThreads: THREADS },
    // Every record as memory of its own, held by the result: held to the limit of a read into fresh memory.
    { measure: 'read all', api: 'readAllAsync', ours: ['read-all', file], cpp: ['read-all', file], limit: 'readInto', limitThreads: THREADS },
    { measure: 'read all', api: 'readAll', ours: ['read-all-sync', file], cpp: ['read-all', file], limit: 'readInto', limitThreads: THREADS },
    // Records as views of reused memory, visited by a callback: the shape of the C++ probe's ReadAll (ParallelReadRecords).
    { measure: 'read all', api: 'forEachRecordAsync', ours: ['for-each-async', file], cpp: ['read-all', file], limit: 'read', limitThreads: THREADS },
    { measure: 'read all', api: 'forEachRecord', ours: ['for-each', file], cpp: ['read-all', file], limit: 'read', limitThreads: THREADS },
    { measure: 'sequential', api: 'read()', ours: ['sequential', file], cpp: ['sequential', file], limit: 'read', limitThreads: 1 },
    { measure: 'random 256', api: 'read(indices)', ours: ['random', file, `${BATCHES}`, '256', '1'], cpp: ['random', file, `${BATCHES}`, '256', '1', RANDOM_CPP_OPTIONS], limit: 'random', limitThreads: THREADS, limitShare: batchShare },
    { measure: 'random 256', api: 'readAsync(indices)', ours: ['random-async', file, `${BATCHES}`, '256', '1'], cpp: ['random', file, `${BATCHES}`, '256', '1', RANDOM_CPP_OPTIONS], limit: 'random', limitThreads: THREADS, limitShare: batchShare },
    // One record at a time is one chunk read and decoded after another: one thread's worth.
    { measure: 'one at a time', api: 'read([i])', ours: ['random', file, `${SINGLES}`, '1', '99'], cpp: ['random', file, `${SINGLES}`, '1', '99', RANDOM_CPP_OPTIONS], limit: 'random', limitThreads: 1, limitShare: singleShare },
  ];
}

const here = path.dirname(fileURLToPath(import.meta.url));
const results = path.join(here, 'results');
if (process.argv.includes('--publish')) {
  publishTables(path.dirname(here), JSON.parse(fs.readFileSync(path.join(results, 'format.json'), 'utf8')) as Report);
  console.log('README.md and docs/performance.md: tables rewritten from bench/results/format.json');
  process.exit(0);
}

const probe = nativeProbe();
const dir = benchDir();
const rows: Row[] = [];
const files: Report['files'][number][] = [];
console.log(`format benchmark: ${RUNS} fresh process(es) per measure and side, ${THREADS} threads, C++ probe: ${probe ?? 'none (set ARRAY_RECORD_NATIVE_BENCH)'}`);
const removeScripts = await bundleScripts();
try {
  for (const options of CONFIGS) {
    const name = options.replace(/[:,]/g, '_');
    const file = path.join(dir, `${name}.array_record`);
    const cppFile = path.join(dir, `${name}.cpp.array_record`);
    // The first measure (write) leaves the file the others read; the C++ side reads ours.
    const list = measures(file, cppFile, options);
    let limits: { [threads: number]: Limits } = {};
    const cppCache = new Map<string, ReturnType<typeof interleaved>['cpp']>();
    for (const spec of list) {
      const key = spec.cpp?.join(' ') ?? '';
      // A C++ measure shared by two rows of ours (read all, random 256) runs once.
      const cached = cppCache.get(key);
      const result = interleaved(RUNS, spec.ours, probe === undefined || spec.cpp === undefined || cached !== undefined ? undefined : { probe, args: spec.cpp, threads: THREADS });
      const cpp = cached ?? result.cpp;
      if (result.cpp !== undefined) cppCache.set(key, result.cpp);
      if (spec.measure === 'write' && spec.api === 'write+close') {
        files.push({ config: options, bytes: fs.statSync(file).size, cppBytes: fs.existsSync(cppFile) ? fs.statSync(cppFile).size : undefined });
        console.log(`${options}: ${(fs.statSync(file).size / 1e6).toFixed(1)} MB`);
        limits = { [THREADS]: limitsOf(RUNS, file, options, THREADS), 1: limitsOf(RUNS, file, options, 1) };
      }
      if (cpp !== undefined && spec.measure !== 'write' && cpp.bytes !== result.ours.bytes) {
        throw new Error(`${options} ${spec.measure}: ours read ${result.ours.bytes} bytes of records, C++ ${cpp.bytes}`);
      }
      const row: Row = {
        config: options,
        measure: spec.measure,
        api: spec.api,
        ours: result.ours,
        cpp,
        limit: limits[spec.limitThreads]![spec.limit] * (spec.limitShare ?? 1),
        limitThreads: spec.limitThreads,
        goal: goal(options, spec.measure),
      };
      rows.push(row);
      printRow(row);
    }
    fs.rmSync(cppFile, { force: true });
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
  removeScripts();
}
const report: Report = { date: new Date().toISOString().slice(0, 10), machine: machine(), runsPerMeasure: RUNS, probe: probe && path.basename(probe), files, rows };
writeReport(results, report);
writeChart(results, report);
console.log(`\nwritten: ${path.relative(process.cwd(), results)}/format.{json,md,svg}`);
if (!quick) {
  publishTables(path.dirname(here), report);
  console.log('README.md and docs/performance.md: tables rewritten');
}
