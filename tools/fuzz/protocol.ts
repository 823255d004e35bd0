// Messages between the fuzzer and its child processes, and what one read path reports about one mutant.

/** The read paths every mutant goes through (ArrayRecord paths are skipped for plain Riegeli files). */
export const PATH_NAMES = [
  'readAll',
  'readIndices',
  'sequential',
  'readAllAsync',
  'readAsyncP0',
  'offloaded',
  'dataSource',
  'dataSourceAsync',
  'metadata',
  'riegeli',
  'riegeliSeek',
  'riegeliMetadata',
  'cliInfo',
  'cliCat',
  'cliVerify',
] as const;
export type PathName = (typeof PATH_NAMES)[number];

/** Paths that need an ArrayRecord file (a plain Riegeli file only goes through readAll of these, to check it is refused). */
export const ARRAY_RECORD_PATHS: ReadonlySet<PathName> = new Set([
  'readIndices',
  'sequential',
  'readAllAsync',
  'readAsyncP0',
  'offloaded',
  'dataSource',
  'dataSourceAsync',
  'metadata',
  'cliInfo',
  'cliCat',
  'cliVerify',
]);

/** Paths that run the command-line tool in a process of its own (slow: sampled, see --cli-rate). */
export const CLI_PATHS: ReadonlySet<PathName> = new Set(['cliInfo', 'cliCat', 'cliVerify']);

/** Paths that read every record of an ArrayRecord file when they succeed. */
export const FULL_PATHS: ReadonlySet<PathName> = new Set(['readAll', 'sequential', 'readAllAsync', 'offloaded', 'dataSource', 'cliCat', 'cliVerify']);

/**
 * How a path ended: ok; a typed error naming the file; a typed error that does not name it ('unnamed');
 * an untyped error; or killed for time, for memory, or dead by itself.
 */
export type PathStatus = 'ok' | 'typed' | 'unnamed' | 'untyped' | 'hang' | 'memory' | 'crash';

/** What one path reported. */
export interface PathOutcome {
  readonly status: PathStatus;
  /** What `keys` are: ArrayRecord record indices, Riegeli record positions, or nothing. */
  readonly keyKind: 'index' | 'position' | 'none';
  /** The records read (also those read before an error), as key and digest. */
  readonly keys: number[];
  readonly digests: string[];
  /** True when the path read every record and stopped where the file ends. */
  readonly complete: boolean;
  /** The record count the reader announced (numRecords(), length, `info`). */
  readonly numRecords?: number;
  /** Records a complete read returned (or `verify` counted). */
  readonly count?: number;
  /** RecordsMetadata as metadataJson prints it. */
  readonly metadata?: string;
  readonly error?: { readonly name: string; readonly code?: string; readonly message: string; readonly stack?: string };
  /** For hang, memory and crash: what happened. */
  readonly detail?: string;
  readonly ms: number;
}

/** Parent -> child: read this file through these paths. */
export interface RunRequest {
  readonly type: 'run';
  readonly id: number;
  readonly file: string;
  readonly kind: 'arrayrecord' | 'riegeli';
  readonly paths: readonly PathName[];
  /** Seeds the indices and seek positions, so every path reads the same ones. */
  readonly seed: number;
}

/** Child -> parent. */
export type ChildMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'begin'; readonly id: number; readonly path: PathName }
  | { readonly type: 'result'; readonly id: number; readonly path: PathName; readonly outcome: PathOutcome }
  | { readonly type: 'done'; readonly id: number };

/** Settings the child and the CLI runner need. */
export interface LimitSettings {
  /** Per path, in milliseconds. */
  readonly timeoutMs: number;
  /** Resident memory of a process, in MiB, above which it is killed. */
  readonly maxRssMb: number;
  /** V8 old space of a process, in MiB. */
  readonly maxOldSpaceMb: number;
}
