// One fuzzing run: build the corpus, check that every intact file reads right through every path, then
// generate mutants, read each through the paths in child processes, judge, count and save the BAD ones.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleCli } from '../bundle.js';
import { buildCorpus, type CorpusFile } from './corpus.js';
import { expectationsFor } from './expectations.js';
import { generateMutant, MUTATORS, type Mutant } from './mutants.js';
import { judge, NOT_BAD, type Finding } from './oracle.js';
import type { FuzzOptions } from './options.js';
import { ChildPool } from './pool.js';
import { ARRAY_RECORD_PATHS, CLI_PATHS, type PathName, type PathOutcome } from './protocol.js';
import { formatReport, newStats, record, saveMutant, statsJson, type RunStats } from './report.js';
import { REPO_ROOT } from '../repo.js';
import { Rng } from './rng.js';

/** What a run found. */
export interface FuzzResult {
  readonly stats: RunStats;
  /** BAD mutants, the intact-file pass included. */
  readonly bad: number;
  readonly report: string;
  /** Where BAD mutants and the report were saved. */
  readonly outDir: string;
  /** Corpus files left out because their intact form does not read back right (also BAD). */
  readonly corpusProblems: readonly string[];
}

/** Seeds a mutant's index and seek choices in the child; repro.ts takes it as --seed. */
function jobSeed(seed: number, id: number): number {
  return (seed * 7919 + id) >>> 0;
}

/** The paths a mutant of `file` goes through: ArrayRecord paths only for ArrayRecord files, the CLI on a sample. */
function pathsFor(options: FuzzOptions, file: CorpusFile, id: number, forceCli: boolean): PathName[] {
  const withCli = forceCli || new Rng(options.seed, id).chance(options.cliRate) || options.only !== undefined;
  return options.paths.filter((name) => {
    if (file.kind === 'riegeli' && ARRAY_RECORD_PATHS.has(name)) return false;
    return !CLI_PATHS.has(name) || withCli;
  });
}

/** Runs the fuzzer. Never throws for findings: they are in the result. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const started = Date.now();
  const log = options.log;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-fuzz-'));
  const runDir = path.join(options.outDir, `seed${options.seed}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const mutantDir = path.join(workDir, 'mutants');
  fs.mkdirSync(mutantDir, { recursive: true });
  fs.mkdirSync(path.join(workDir, 'corpus'));
  const corpus = buildCorpus(path.join(workDir, 'corpus'));
  const files = corpus.files.filter((file) => options.files === undefined || options.files.test(file.name));
  const corpusProblems = corpus.problems.map((problem) => `${problem.name}: ${problem.problem}`);
  for (const problem of corpusProblems) log(`BAD corpus file (left out): ${problem}`);
  if (files.length === 0) throw new Error('no corpus file to mutate');
  const mutators = MUTATORS.filter((mutator) => options.mutators === undefined || options.mutators.some((prefix) => mutator.name.startsWith(prefix)));
  if (mutators.length === 0) throw new Error(`no mutator matches ${options.mutators?.join(',')}`);

  const limits = { timeoutMs: options.pathTimeoutS * 1000, maxRssMb: options.maxRssMb, maxOldSpaceMb: options.maxOldSpaceMb };
  const paths = options.paths;
  // Under the repository's node_modules (packages resolve from there; linters, git and tsc ignore it).
  const buildDir = path.join(REPO_ROOT, 'node_modules/.cache', `array-record-fuzz-cli-${process.pid}`);
  const env: Record<string, string> = {};
  if (paths.some((name) => CLI_PATHS.has(name))) {
    try {
      env.ARRAY_RECORD_FUZZ_CLI = await bundleCli(buildDir);
    } catch (error) {
      log(`CLI build failed, running the CLI through tsx (slow): ${(error as Error).message}`);
    }
  }
  const pool = new ChildPool(options.jobs, limits, env);
  const stats = newStats();
  let intactBad = 0;
  /** What the hashes proved for each mutant, kept until it is recorded. */
  const expectationsForMutant = new Map<number, ReturnType<typeof expectationsFor>>();
  const save = (mutant: Mutant, results: ReadonlyMap<PathName, PathOutcome>, findings: readonly Finding[], force: boolean): void => {
    const fresh = record(stats, mutant, results, findings, expectationsForMutant.get(mutant.id)?.forged ?? true);
    expectationsForMutant.delete(mutant.id);
    if (fresh.length === 0 && !force) return;
    // Filters change which mutant an id draws: the command that regenerates it repeats them.
    const filters = `${options.files === undefined ? '' : ` --files '${options.files.source}'`}${options.mutators === undefined ? '' : ` --mutators ${options.mutators.join(',')}`}`;
    const regenerate = `npm run fuzz -- --seed ${options.seed} --only ${mutant.id}${filters}`;
    const saved = saveMutant(runDir, mutant, results, findings, options.seed, jobSeed(options.seed, mutant.id), regenerate);
    for (const entry of fresh) {
      const example = entry.examples.find((candidate) => candidate.id === mutant.id);
      if (example !== undefined) {
        example.saved = saved.file;
        example.repro = saved.repro;
      }
    }
  };

  const readMutant = async (mutant: Mutant, forceCli: boolean): Promise<{ results: Map<PathName, PathOutcome>; findings: Finding[] }> => {
    const extension = mutant.source.kind === 'arrayrecord' ? 'array_record' : 'riegeli';
    const file = path.join(mutantDir, `m${mutant.id}.${extension}`);
    fs.writeFileSync(file, mutant.bytes);
    const expected = expectationsFor(mutant.source, mutant.bytes);
    expectationsForMutant.set(mutant.id, expected);
    const jobPaths = pathsFor(options, mutant.source, mutant.id, forceCli);
    const results = await pool.run({ id: mutant.id, file, kind: mutant.source.kind, paths: jobPaths, seed: jobSeed(options.seed, mutant.id) });
    if (!options.keep) fs.rmSync(file, { force: true });
    return { results, findings: judge(results, expected, mutant.type) };
  };

  try {
    // Intact files first: each must read back exactly through every path (the CLI on one file, it is slow);
    // this also checks that the CLI works at all, or every CLI outcome would be noise.
    if (options.only === undefined && options.intact) {
      // The CLI on the smallest ArrayRecord file with records.
      const cliFile = files.filter((file) => file.kind === 'arrayrecord' && file.recordDigests.length > 0).sort((a, b) => a.bytes.length - b.bytes.length)[0];
      await Promise.all(
        files.map(async (file, i) => {
          const mutant: Mutant = { id: -1 - i, type: 'intact', detail: 'no change', bytes: file.bytes, family: 'raw', source: file, forgeErrors: [] };
          const forceCli = file === cliFile;
          const { results, findings } = await readMutant(mutant, forceCli);
          // An intact file read differently by two paths, or refused, is as BAD as any finding.
          const all = [...findings];
          for (const [name, outcome] of results) {
            // The one refusal that is right: the ArrayRecord reader on a plain Riegeli file.
            if (outcome.status === 'typed' && !(file.kind === 'riegeli' && name === 'readAll')) all.push({ kind: 'refused-intact', paths: [name], detail: `${outcome.error?.message}`, signature: `refused-intact | ${name}` });
          }
          if (all.some((finding) => !NOT_BAD.has(finding.kind))) intactBad++;
          save(mutant, results, all, false);
        }),
      );
      log(`intact pass: ${files.length} files, ${intactBad} BAD`);
    }

    const ids = options.only ?? Array.from({ length: options.count }, (_, i) => i);
    let next = 0;
    let lastLog = Date.now();
    const deadline = options.timeLimitS > 0 ? started + options.timeLimitS * 1000 : Infinity;
    const worker = async (): Promise<void> => {
      while (next < ids.length && Date.now() < deadline) {
        const id = ids[next++]!;
        const mutant = generateMutant(options.seed, id, files, mutators);
        const { results, findings } = await readMutant(mutant, false);
        save(mutant, results, findings, options.only !== undefined);
        if (options.only !== undefined) {
          log(`mutant ${id}: ${mutant.type} on ${mutant.source.name}: ${mutant.detail}`);
          for (const [name, outcome] of results) log(`  ${name}: ${outcome.status} ${outcome.error === undefined ? '' : `${outcome.error.name}: ${outcome.error.message}`}${outcome.detail ?? ''} (${outcome.keys.length} records${outcome.numRecords === undefined ? '' : `, numRecords ${outcome.numRecords}`})`);
          for (const finding of findings) log(`  finding ${finding.kind}: ${finding.detail}`);
        }
        if (Date.now() - lastLog > 30_000) {
          lastLog = Date.now();
          const rate = stats.mutants / ((Date.now() - started) / 1000);
          log(`${stats.mutants} mutants (${rate.toFixed(1)}/s), ${stats.badMutants} BAD, ${pool.starts - options.jobs} child restarts`);
        }
      }
    };
    await Promise.all(Array.from({ length: options.jobs }, worker));
  } finally {
    pool.close();
    fs.rmSync(buildDir, { recursive: true, force: true });
    if (!options.keep) fs.rmSync(workDir, { recursive: true, force: true });
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const header = `array-record fuzz: seed ${options.seed}, ${stats.mutants} mutants (intact pass included) in ${seconds} s, ${files.length} corpus files, paths ${paths.join(',')}, CLI rate ${options.cliRate}${options.keep ? `, work dir ${workDir}` : ''}`;
  const report = formatReport(stats, header);
  const bad = stats.badMutants + corpusProblems.length;
  if (bad > 0 || options.only !== undefined) {
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, 'report.txt'), `${report}\n`);
    fs.writeFileSync(path.join(runDir, 'report.json'), `${JSON.stringify({ options: { ...options, log: undefined, files: options.files?.source }, corpusProblems, stats: statsJson(stats) }, null, 2)}\n`);
  }
  return { stats, bad, report, outDir: runDir, corpusProblems };
}
