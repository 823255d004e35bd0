// The format benchmark's tables in the documentation: each run rewrites the text between
// `<!-- bench:format:NAME -->` and `<!-- /bench:format:NAME -->` in README.md and docs/performance.md,
// so that the tables users read are the last run's, with its date and machine, never typed by hand.

import fs from 'node:fs';
import path from 'node:path';
import { markdown, type Report, type Row } from './report.js';

/** The measures of the README's summary, in its row order: [measure, api] of a Row. */
const SUMMARY_ROWS: readonly [string, string, string][] = [
  ['write', 'write+close', 'write (`write` + `close`)'],
  ['read all', 'readAllAsync', 'read all (`readAllAsync`)'],
  ['read all', 'forEachRecordAsync', 'read all as views (`forEachRecordAsync`)'],
  ['read all', 'forEachRecord', 'read all as views, one thread (`forEachRecord`)'],
  ['sequential', 'read()', 'sequential `read()`'],
  ['random 256', 'readAsync(indices)', 'random batches of 256 (`readAsync`)'],
  ['one at a time', 'read([i])', 'one at a time (`read([i])`)'],
];

/** The run's date, machine and method in one sentence. */
export function provenance(report: Report): string {
  const against = report.probe === undefined ? 'no C++ reference in this run (ARRAY_RECORD_NATIVE_BENCH unset)' : "Google's C++ array_record built on the same machine";
  return (
    `\`npm run bench\` of ${report.date} on ${report.machine.cpus} cores (${report.machine.model.trim()}), Node ${report.machine.node}, ` +
    `load average ${report.machine.loadAverage[0]} at the end; ${against}; each figure the median of ${report.runsPerMeasure} fresh processes, ` +
    'the second pass of each (the first warms up)'
  );
}

/** Ratio ours / C++ of one row as text, or ours as a share of the physical limit where C++ was not measured. */
function cell(row: Row | undefined): string {
  if (row === undefined) return '-';
  if (row.cpp !== undefined) return `${(row.ours.median / row.cpp.median).toFixed(2)}x`;
  return `${Math.round((100 * row.ours.median) / row.limit)}% of limit`;
}

/** The README's summary: one line per measure, one column per file, ours / C++. */
export function summaryTable(report: Report): string {
  const configs = [...new Set(report.rows.map((row) => row.config))];
  const lines = [`| ours / C++ | ${configs.join(' | ')} |`, `|---|${configs.map(() => '---:').join('|')}|`];
  for (const [measure, api, label] of SUMMARY_ROWS) {
    const cells = configs.map((config) => cell(report.rows.find((row) => row.config === config && row.measure === measure && row.api === api)));
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Replaces the marked block `name` of `file` (relative to the repository) with `body`; throws if the markers are missing. */
function replaceBlock(root: string, file: string, name: string, body: string): void {
  const full = path.join(root, file);
  const text = fs.readFileSync(full, 'utf8');
  const start = `<!-- bench:format:${name} -->`;
  const end = `<!-- /bench:format:${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no ${start} ... ${end} block`);
  fs.writeFileSync(full, `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`);
}

/** Writes the run's tables into README.md (summary) and docs/performance.md (every row). */
export function publishTables(root: string, report: Report): void {
  replaceBlock(root, 'README.md', 'summary', `${provenance(report)}:\n\n${summaryTable(report)}`);
  replaceBlock(root, 'docs/performance.md', 'table', `${provenance(report)}:\n\n${markdown(report)}`);
}
