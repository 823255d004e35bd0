// Run statistics: outcomes by path, findings by kind and by mutation type, and the distinct BAD classes
// with an example mutant each, saved with a one-line repro command.

import fs from 'node:fs';
import path from 'node:path';
import type { Mutant } from './mutants.js';
import { NOT_BAD, type Finding, type FindingKind } from './oracle.js';
import type { PathName, PathOutcome, PathStatus } from './protocol.js';

/** One class of findings: same kind, paths, error type and message shape. */
export interface FindingClass {
  readonly signature: string;
  readonly kind: FindingKind;
  count: number;
  readonly mutationTypes: Map<string, number>;
  /** Paths that hit it, with how many mutants each. */
  readonly paths: Map<string, number>;
  /** First examples: mutant id, mutation, the finding's detail, where the mutant was saved. */
  readonly examples: { id: number; type: string; detail: string; finding: string; saved?: string; repro?: string }[];
}

/** Everything a run counted. */
export interface RunStats {
  mutants: number;
  badMutants: number;
  readonly byFamily: Map<string, { mutants: number; bad: number }>;
  readonly byType: Map<string, { mutants: number; bad: number; kinds: Map<FindingKind, number> }>;
  readonly byPath: Map<PathName, Map<PathStatus, number>>;
  /** Mutants with at least one finding of the kind. */
  readonly byKind: Map<FindingKind, number>;
  readonly classes: Map<string, FindingClass>;
  readonly forgeErrors: Map<string, number>;
  /** Mutants whose forgery left every hash-valid chunk as it was (readers must return original records only). */
  provenMutants: number;
  pathMs: Map<PathName, number>;
}

export function newStats(): RunStats {
  return {
    mutants: 0,
    badMutants: 0,
    byFamily: new Map(),
    byType: new Map(),
    byPath: new Map(),
    byKind: new Map(),
    classes: new Map(),
    forgeErrors: new Map(),
    provenMutants: 0,
    pathMs: new Map(),
  };
}

const EXAMPLES_PER_CLASS = 3;

/** Adds one judged mutant; returns the new BAD classes it starts (whose example should be saved). */
export function record(stats: RunStats, mutant: Mutant, results: ReadonlyMap<PathName, PathOutcome>, findings: readonly Finding[], forged: boolean): FindingClass[] {
  stats.mutants++;
  if (!forged) stats.provenMutants++;
  const bad = findings.some((finding) => !NOT_BAD.has(finding.kind));
  if (bad) stats.badMutants++;
  const family = stats.byFamily.get(mutant.family) ?? { mutants: 0, bad: 0 };
  family.mutants++;
  if (bad) family.bad++;
  stats.byFamily.set(mutant.family, family);
  const type = stats.byType.get(mutant.type) ?? { mutants: 0, bad: 0, kinds: new Map() };
  type.mutants++;
  if (bad) type.bad++;
  stats.byType.set(mutant.type, type);
  for (const [name, outcome] of results) {
    const counts = stats.byPath.get(name) ?? new Map<PathStatus, number>();
    counts.set(outcome.status, (counts.get(outcome.status) ?? 0) + 1);
    stats.byPath.set(name, counts);
    stats.pathMs.set(name, (stats.pathMs.get(name) ?? 0) + outcome.ms);
  }
  for (const error of mutant.forgeErrors) {
    const key = error.replace(/\d+/g, 'N').slice(0, 120);
    stats.forgeErrors.set(key, (stats.forgeErrors.get(key) ?? 0) + 1);
  }
  const kinds = new Set(findings.map((finding) => finding.kind));
  for (const kind of kinds) {
    stats.byKind.set(kind, (stats.byKind.get(kind) ?? 0) + 1);
    type.kinds.set(kind, (type.kinds.get(kind) ?? 0) + 1);
  }
  const fresh: FindingClass[] = [];
  const seenHere = new Set<string>();
  for (const finding of findings) {
    let entry = stats.classes.get(finding.signature);
    if (entry === undefined) {
      entry = { signature: finding.signature, kind: finding.kind, count: 0, mutationTypes: new Map(), paths: new Map(), examples: [] };
      stats.classes.set(finding.signature, entry);
    }
    for (const name of finding.paths) entry.paths.set(name, (entry.paths.get(name) ?? 0) + 1);
    // Counts are of mutants: one mutant hitting a class on several paths counts once.
    if (seenHere.has(finding.signature)) continue;
    seenHere.add(finding.signature);
    entry.count++;
    entry.mutationTypes.set(mutant.type, (entry.mutationTypes.get(mutant.type) ?? 0) + 1);
    if (entry.examples.length < EXAMPLES_PER_CLASS) {
      entry.examples.push({ id: mutant.id, type: mutant.type, detail: `${mutant.source.name}: ${mutant.detail}`, finding: finding.detail });
      if (!NOT_BAD.has(finding.kind)) fresh.push(entry);
    }
  }
  return fresh;
}

/** Saves a BAD mutant with what the paths reported and how to run it again. */
export function saveMutant(
  dir: string,
  mutant: Mutant,
  results: ReadonlyMap<PathName, PathOutcome>,
  findings: readonly Finding[],
  seed: number,
  jobSeed: number,
  regenerate: string,
): { file: string; repro: string } {
  fs.mkdirSync(dir, { recursive: true });
  const extension = mutant.source.kind === 'arrayrecord' ? 'array_record' : 'riegeli';
  const base = `m${mutant.id}-${mutant.type.replace(/[^a-zA-Z0-9.-]/g, '_')}`;
  const file = path.join(dir, `${base}.${extension}`);
  fs.writeFileSync(file, mutant.bytes);
  const paths = [...new Set(findings.filter((finding) => !NOT_BAD.has(finding.kind)).flatMap((finding) => finding.paths))];
  const shown = file.startsWith(process.cwd() + path.sep) ? path.relative(process.cwd(), file) : file;
  const repro = `npx tsx tools/fuzz/repro.ts ${shown} --paths ${paths.join(',')} --seed ${jobSeed}`;
  const outcomes = Object.fromEntries([...results].map(([name, outcome]) => [name, { ...outcome, keys: outcome.keys.length, digests: undefined }]));
  fs.writeFileSync(
    path.join(dir, `${base}.json`),
    `${JSON.stringify({ id: mutant.id, seed, jobSeed, source: mutant.source.name, family: mutant.family, type: mutant.type, detail: mutant.detail, repro, regenerate, findings, outcomes }, null, 2)}\n`,
  );
  return { file, repro };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')).join('\n');
}

const STATUSES: readonly PathStatus[] = ['ok', 'typed', 'unnamed', 'untyped', 'hang', 'memory', 'crash'];

/** The report as text. */
export function formatReport(stats: RunStats, header: string): string {
  const lines: string[] = [header, ''];
  lines.push(`mutants: ${stats.mutants}, BAD mutants: ${stats.badMutants}, proven (strict oracle everywhere): ${stats.provenMutants}`);
  for (const [family, counts] of stats.byFamily) lines.push(`  ${family}: ${counts.mutants} mutants, ${counts.bad} BAD`);
  lines.push('', 'outcomes by path:');
  const pathRows = [['path', ...STATUSES, 'avg ms']];
  for (const [name, counts] of stats.byPath) {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    pathRows.push([name, ...STATUSES.map((status) => String(counts.get(status) ?? 0)), String(Math.round((stats.pathMs.get(name) ?? 0) / Math.max(1, total)))]);
  }
  lines.push(table(pathRows));
  lines.push('', 'mutants with a finding, by kind:');
  for (const [kind, count] of [...stats.byKind].sort((a, b) => b[1] - a[1])) lines.push(`  ${kind}${NOT_BAD.has(kind) ? ' (not BAD)' : ''}: ${count}`);
  lines.push('', 'by mutation type:');
  const typeRows = [['type', 'mutants', 'BAD', 'kinds']];
  for (const [type, counts] of [...stats.byType].sort()) {
    typeRows.push([type, String(counts.mutants), String(counts.bad), [...counts.kinds].map(([kind, n]) => `${kind}:${n}`).join(' ')]);
  }
  lines.push(table(typeRows));
  const bad = [...stats.classes.values()].filter((entry) => !NOT_BAD.has(entry.kind)).sort((a, b) => b.count - a.count);
  lines.push('', `distinct BAD classes: ${bad.length}`);
  for (const entry of bad) {
    lines.push(`- [${entry.count}] ${entry.signature}`);
    lines.push(`    paths: ${[...entry.paths].map(([name, n]) => `${name}:${n}`).join(' ')}`);
    lines.push(`    mutations: ${[...entry.mutationTypes].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([type, n]) => `${type}:${n}`).join(' ')}`);
    for (const example of entry.examples.slice(0, 2)) {
      lines.push(`    e.g. mutant ${example.id} (${example.detail.slice(0, 200)})`);
      lines.push(`         ${example.finding.slice(0, 300)}`);
      if (example.repro !== undefined) lines.push(`         repro: ${example.repro}`);
    }
  }
  const disagreements = [...stats.classes.values()].filter((entry) => NOT_BAD.has(entry.kind)).sort((a, b) => b.count - a.count);
  lines.push('', `disagreement classes (not BAD): ${disagreements.length}`);
  for (const entry of disagreements.slice(0, 25)) lines.push(`- [${entry.count}] ${entry.signature}`);
  if (stats.forgeErrors.size > 0) {
    lines.push('', 'forgeries that threw on their input (retried with another):');
    for (const [error, count] of [...stats.forgeErrors].sort((a, b) => b[1] - a[1]).slice(0, 10)) lines.push(`  [${count}] ${error}`);
  }
  return lines.join('\n');
}

/** The stats as JSON (maps as objects). */
export function statsJson(stats: RunStats): unknown {
  return JSON.parse(JSON.stringify(stats, (_, value: unknown) => (value instanceof Map ? Object.fromEntries(value) : value)));
}
