// Which records of which files a data source reads: paths, "path[start:end]" strings and slice objects, normalised.

import fs from 'node:fs';
import { InvalidArgumentError } from '../format/errors.js';
import { isRemotePath, localPath } from '../format/io/location.js';
import { checkOptions, optionNames, type OptionAliases } from '../format/options-check.js';

/** A slice of one file: records [start, end); a missing bound means the start or the end of the file. */
export interface ReadInstruction {
  /** The file's path; brackets in it are not parsed. */
  readonly path: string;
  /** The first record read; default 0. */
  readonly start?: number;
  /** One past the last record read; default the end of the file. */
  readonly end?: number;
}

/**
 * TFDS's file instruction (`tfds.core.utils.shard_utils.FileInstruction`): skip `skip` records, then
 * read `take` of them; `take: -1` means the rest of the file, as in TFDS.
 */
export interface FileInstruction {
  /** The file's path. */
  readonly filename: string;
  /** Records skipped at the start of the file. */
  readonly skip: number;
  /** Records read after them; -1 for the rest of the file. */
  readonly take: number;
  /** Records in the whole file, as TFDS records it (accepted, not needed). */
  readonly examples_in_shard?: number;
}

const READ_INSTRUCTION_KEYS = optionNames<ReadInstruction>({ path: true, start: true, end: true });
const FILE_INSTRUCTION_KEYS = optionNames<FileInstruction>({ filename: true, skip: true, take: true, examples_in_shard: true });
const SLICE_ALIASES: OptionAliases = { skip: { option: 'start' }, take: { option: 'end', note: '{ path, start, end } takes the end, not a count' } };

/** One entry of a data source's file list. */
export type DataSourcePath = string | ReadInstruction | FileInstruction;

/** A data source's files: one entry or a list of them. */
export type DataSourcePaths = DataSourcePath | readonly DataSourcePath[];

/** A normalised read instruction; `end` is undefined when it is the end of the file (not yet known). */
export interface FileSlice {
  /** The file's path. */
  readonly path: string;
  /** The first record read. */
  readonly start: number;
  /** One past the last record read; undefined for the end of the file, not yet known. */
  readonly end: number | undefined;
}

/**
 * `path[start:end]` as array_record's Python data source writes it, plus open-ended forms
 * (`[start:]`, `[:end]`, `[:]`) that upstream does not accept. Greedy, so the last bracket wins.
 */
const SLICE_SUFFIX = /^(.*)\[(\d*):(\d*)\]$/s;
/** A bracket with a colon at the end of a path: meant as a slice. */
const LOOKS_LIKE_SLICE = /\[[^[\]]*:[^[\]]*\]$/;

function isExistingLocalFile(text: string): boolean {
  return !isRemotePath(text) && fs.existsSync(localPath(text));
}

/**
 * Parses one string entry: a plain path (the whole file) or `path[start:end]` with either bound
 * optional. Bounds are decimal, non-negative record numbers within the file.
 * @throws InvalidArgumentError when a bound is too large or start > end, or for a bracket with a colon at
 *   the end that is no slice (`[-2:]`, `[a:b]`) unless a local file has that very name.
 * @example parseReadInstruction('train.array_record-00003-of-00008[100:]') // { path: 'train…', start: 100, end: undefined }
 */
export function parseReadInstruction(text: string): FileSlice {
  const match = SLICE_SUFFIX.exec(text);
  if (match === null) {
    // `[-2:]` or `[a:b]` is a slice gone wrong far more often than a file name: said so, unless such a file exists.
    if (LOOKS_LIKE_SLICE.test(text) && !isExistingLocalFile(text)) {
      throw new InvalidArgumentError(`read instruction ${text}: a slice is path[start:end], its bounds non-negative decimal record numbers, either one optional`, { path: text });
    }
    return checkedSlice(text, 0, undefined, text);
  }
  const [, path, start, end] = match as unknown as [string, string, string, string];
  return checkedSlice(path, start === '' ? 0 : Number(start), end === '' ? undefined : Number(end), text);
}

/**
 * Normalises what a data source was given into one slice per entry, in order.
 * @throws InvalidArgumentError for an empty list, an entry that is neither a string nor an
 *   instruction object, a path that is not a non-empty string, or bounds that are not
 *   non-negative safe integers with start <= end; InvalidOptionsError for an unknown key of an
 *   instruction object (named, with the nearest known one).
 * @example toFileSlices(['a.array_record[0:10]', { path: 'b.array_record', start: 5 }])
 */
export function toFileSlices(paths: DataSourcePaths): FileSlice[] {
  const entries: readonly unknown[] = Array.isArray(paths) ? paths : [paths];
  if (entries.length === 0) throw new InvalidArgumentError('a data source needs at least one path, got an empty list');
  return entries.map((entry, position) => toFileSlice(entry, position));
}

function toFileSlice(entry: unknown, position: number): FileSlice {
  if (typeof entry === 'string') {
    if (entry === '') throw new InvalidArgumentError(`path ${position} of the data source is an empty string`);
    return parseReadInstruction(entry);
  }
  if (typeof entry === 'object' && entry !== null) {
    const fields = entry as Record<string, unknown>;
    if (typeof fields.path === 'string' && fields.path !== '') {
      checkOptions('read instruction', fields, READ_INSTRUCTION_KEYS, { aliases: SLICE_ALIASES, name: `path ${position}` });
      return checkedSlice(fields.path, fields.start ?? 0, fields.end, describeEntry(fields));
    }
    if (typeof fields.filename === 'string' && fields.filename !== '') {
      checkOptions('file instruction', fields, FILE_INSTRUCTION_KEYS, { name: `path ${position}` });
      const { skip, take } = fields;
      const end = typeof skip === 'number' && typeof take === 'number' && take !== -1 ? skip + take : undefined;
      if (take !== -1) checkBound(take, 'take', describeEntry(fields));
      return checkedSlice(fields.filename, skip, end, describeEntry(fields));
    }
  }
  throw new InvalidArgumentError(
    `path ${position} of the data source must be a path string, {path, start?, end?} or {filename, skip, take}, got ${describeEntry(entry)}`,
  );
}

function checkedSlice(path: string, start: unknown, end: unknown, source: string): FileSlice {
  checkBound(start, 'start', source);
  if (end !== undefined) {
    checkBound(end, 'end', source);
    if (start > end) throw new InvalidArgumentError(`read instruction ${source} starts after it ends (${start} > ${end})`);
  }
  return { path, start, end };
}

function checkBound(value: unknown, name: string, source: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(`read instruction ${source}: ${name} must be a non-negative safe integer, got ${String(value)}`);
  }
}

function describeEntry(entry: unknown): string {
  try {
    return JSON.stringify(entry) ?? String(entry);
  } catch {
    return String(entry);
  }
}
