// Command-line options of `npm run fuzz` and their defaults.

import path from 'node:path';
import { parseArgs } from 'node:util';
import { PATH_NAMES, type PathName } from './protocol.js';
import { REPO_ROOT } from '../repo.js';

/** Settings of one fuzzing run. */
export interface FuzzOptions {
  /** Seeds every mutant: mutant i of seed s is the same bytes on every run. */
  readonly seed: number;
  /** Mutants to generate (ids 0..count-1). */
  readonly count: number;
  /** Wall-clock budget of the run in seconds; no new mutant starts after it (0: none). */
  readonly timeLimitS: number;
  /** Read paths to run. */
  readonly paths: readonly PathName[];
  /** Keep the work directory (corpus and every mutant) instead of deleting it. */
  readonly keep: boolean;
  /** Child processes reading mutants in parallel. */
  readonly jobs: number;
  /** Time limit of one path on one mutant. */
  readonly pathTimeoutS: number;
  /** Resident memory limit of a child process (MiB). */
  readonly maxRssMb: number;
  /** V8 heap limit of a child process (MiB). */
  readonly maxOldSpaceMb: number;
  /** Fraction of mutants that also go through the CLI (a process per command: slow). */
  readonly cliRate: number;
  /** Only these mutant ids (regenerates them; prints every path's outcome). */
  readonly only: readonly number[] | undefined;
  /** Only corpus files whose name matches. */
  readonly files: RegExp | undefined;
  /** Only mutators whose name starts with one of these. */
  readonly mutators: readonly string[] | undefined;
  /** Read every intact corpus file through every path first (each must read back exactly). */
  readonly intact: boolean;
  /** Where BAD mutants and the report go. */
  readonly outDir: string;
  /** Progress lines and the report go here. */
  readonly log: (line: string) => void;
}

export const DEFAULTS: Omit<FuzzOptions, 'log'> = {
  seed: 1,
  count: 2000,
  timeLimitS: 3600,
  paths: PATH_NAMES,
  keep: false,
  jobs: 2,
  pathTimeoutS: 10,
  maxRssMb: 1536,
  maxOldSpaceMb: 1024,
  cliRate: 0.05,
  only: undefined,
  files: undefined,
  mutators: undefined,
  intact: true,
  outDir: path.join(REPO_ROOT, 'tools/fuzz/out'),
};

export const USAGE = `usage: npm run fuzz -- [options]

  --seed N            seed of the run (default ${DEFAULTS.seed}); mutant i of a seed is always the same file
  --count N           mutants to generate (default ${DEFAULTS.count})
  --time-limit-s N    stop starting mutants after N seconds (default ${DEFAULTS.timeLimitS}; 0: no limit)
  --paths a,b         read paths (default all): ${PATH_NAMES.join(', ')}
  --keep              keep the work directory with the corpus and every mutant
  --jobs N            child processes (default ${DEFAULTS.jobs})
  --path-timeout-s N  time limit of one path on one mutant (default ${DEFAULTS.pathTimeoutS})
  --max-rss-mb N      resident memory limit of a child (default ${DEFAULTS.maxRssMb})
  --cli-rate F        fraction of mutants also run through the CLI (default ${DEFAULTS.cliRate})
  --only i,j          only these mutant ids, with every path's outcome printed
  --files REGEX       only corpus files whose name matches
  --mutators a,b      only mutators whose name starts with one of these (raw, header, simple, transposed,
                      footer, postscript, structure)
  --no-intact         skip the first pass over the intact corpus files
  --out DIR           where BAD mutants and the report are saved (default tools/fuzz/out)

Exit status: 0 when no mutant is BAD, 1 when one is, 2 for bad usage.`;

function number(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} takes a non-negative number, got "${text}"`);
  return value;
}

/** Parses the command line. @throws Error for bad options (the message says which). */
export function parseOptions(argv: readonly string[], log: (line: string) => void): FuzzOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seed: { type: 'string' },
      count: { type: 'string' },
      'time-limit-s': { type: 'string' },
      paths: { type: 'string' },
      keep: { type: 'boolean' },
      jobs: { type: 'string' },
      'path-timeout-s': { type: 'string' },
      'max-rss-mb': { type: 'string' },
      'cli-rate': { type: 'string' },
      only: { type: 'string' },
      files: { type: 'string' },
      mutators: { type: 'string' },
      out: { type: 'string' },
      'no-intact': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const paths = values.paths === undefined ? DEFAULTS.paths : values.paths.split(',').map((name) => name.trim());
  for (const name of paths) if (!(PATH_NAMES as readonly string[]).includes(name)) throw new Error(`unknown path "${name}"; paths are ${PATH_NAMES.join(', ')}`);
  const only = values.only?.split(',').map((id) => number(id, 'only', 0));
  return {
    seed: number(values.seed, 'seed', DEFAULTS.seed),
    count: number(values.count, 'count', DEFAULTS.count),
    timeLimitS: number(values['time-limit-s'], 'time-limit-s', DEFAULTS.timeLimitS),
    paths: paths as PathName[],
    keep: values.keep ?? false,
    jobs: Math.max(1, number(values.jobs, 'jobs', DEFAULTS.jobs)),
    pathTimeoutS: number(values['path-timeout-s'], 'path-timeout-s', DEFAULTS.pathTimeoutS),
    maxRssMb: number(values['max-rss-mb'], 'max-rss-mb', DEFAULTS.maxRssMb),
    maxOldSpaceMb: DEFAULTS.maxOldSpaceMb,
    cliRate: Math.min(1, number(values['cli-rate'], 'cli-rate', DEFAULTS.cliRate)),
    only,
    files: values.files === undefined ? undefined : new RegExp(values.files),
    mutators: values.mutators?.split(',').map((name) => name.trim()),
    intact: !(values['no-intact'] ?? false),
    outDir: values.out === undefined ? DEFAULTS.outDir : path.resolve(values.out),
    log,
  };
}
