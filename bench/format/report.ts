// The side-by-side table of the format benchmark: rows of ours / C++ / limit, printed, and written as
// JSON and Markdown to bench/results/.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Summary } from './runs.js';

/** One measure of one file. */
export interface Row {
  readonly config: string;
  readonly measure: string;
  /** Our API that was timed. */
  readonly api: string;
  readonly ours: Summary;
  readonly cpp: Summary | undefined;
  /** Records/s of the physical limit for this measure (see limits.ts), on `limitThreads` threads. */
  readonly limit: number;
  readonly limitThreads: number;
  /** The goal for ours / C++, if there is one. */
  readonly goal: number | undefined;
}

export interface Report {
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly model: string; readonly node: string; readonly loadAverage: number[] };
  readonly runsPerMeasure: number;
  readonly probe: string | undefined;
  readonly files: { readonly config: string; readonly bytes: number; readonly cppBytes: number | undefined }[];
  readonly rows: Row[];
}

export function machine(): Report['machine'] {
  return { cpus: os.availableParallelism(), model: os.cpus()[0]?.model ?? '', node: process.version, loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10) };
}

const rate = (value: number | undefined): string => (value === undefined ? '-' : Math.round(value).toLocaleString('en-US'));
const ratio = (row: Row): number | undefined => (row.cpp === undefined ? undefined : row.ours.median / row.cpp.median);
const fraction = (value: number | undefined, limit: number): string => (value === undefined ? '-' : `${Math.round((100 * value) / limit)}%`);

/** The table as Markdown: one line per measure. */
export function markdown(report: Report): string {
  const lines = [
    '| file | measure | ours rec/s | C++ rec/s | ours / C++ | goal | ours / limit | C++ / limit | limit rec/s | ours first pass | C++ first pass |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of report.rows) {
    const r = ratio(row);
    lines.push(
      `| ${row.config} | ${row.measure} (${row.api}) | ${rate(row.ours.median)} | ${rate(row.cpp?.median)} | ${r === undefined ? '-' : `${r.toFixed(2)}x`} | ` +
        `${row.goal === undefined ? '' : `${row.goal}x`} | ${fraction(row.ours.median, row.limit)} | ${fraction(row.cpp?.median, row.limit)} | ` +
        `${rate(row.limit)} (${row.limitThreads}t) | ${rate(row.ours.firstPassMedian)} | ${rate(row.cpp?.firstPassMedian)} |`,
    );
  }
  return lines.join('\n');
}

/** Prints one row as it is measured. */
export function printRow(row: Row): void {
  const r = ratio(row);
  const goal = row.goal === undefined || r === undefined ? '' : r >= row.goal ? ` (goal ${row.goal}x met)` : ` (goal ${row.goal}x)`;
  console.log(
    `  ${`${row.measure} [${row.api}]`.padEnd(44)} ours ${rate(row.ours.median).padStart(9)}  C++ ${rate(row.cpp?.median).padStart(9)}  ` +
      `${r === undefined ? '' : `${r.toFixed(2)}x`}${goal}  of limit: ours ${fraction(row.ours.median, row.limit)}, C++ ${fraction(row.cpp?.median, row.limit)}` +
      `  first pass ${rate(row.ours.firstPassMedian)} / ${rate(row.cpp?.firstPassMedian)}`,
  );
}

/** Writes format.json and format.md into `dir`. */
export function writeReport(dir: string, report: Report): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'format.json'), `${JSON.stringify(report, null, 2)}\n`);
  const header = `Format benchmark, ${report.date}: ${report.machine.cpus} cores (${report.machine.model}), Node ${report.machine.node}, ` +
    `load average ${report.machine.loadAverage.join(' ')} at the end; median of ${report.runsPerMeasure} fresh processes per measure, second pass of each.`;
  fs.writeFileSync(path.join(dir, 'format.md'), `${header}\n\n${markdown(report)}\n`);
}
