// What the array-record commands share: the usage error (exit 2), '-' for stdin, errors as text and
// JSON, and the context a command runs in (stdout, progress settings).

import { ArrayRecordError, InvalidArgumentError, InvalidOptionsError } from '../format/errors.js';
import type { InputSource } from '../format/tools/index.js';
import { expandShardPatterns, isShardPattern } from '../source/shard-patterns.js';
import type { Output } from './output.js';

/** Exit statuses, as the README documents them. */
export const EXIT = { ok: 0, dataProblem: 1, usage: 2 } as const;

/** A wrong command line: printed with its reason, exit status 2. */
export class UsageError extends Error {}

/** What every command gets: where to print, and whether to draw progress bars. */
export interface CommandContext {
  readonly out: Output;
  readonly progress: boolean | undefined;
}

/**
 * The inputs the arguments name, in order: '-' is standard input (named once at most); a shard pattern
 * as ArrayRecordDataSource takes it (`train.array_record@8`, or `*` in the file name of a local path or
 * an s3:// or gs:// URL) is its files; any other argument is itself (a path or a URL).
 * @throws UsageError for stdin named twice; IoError when a pattern matches nothing or its listing fails.
 */
export async function inputSources(args: readonly string[]): Promise<InputSource[]> {
  if (args.filter((arg) => arg === '-').length > 1) throw new UsageError('standard input (-) can be read only once');
  const sources: InputSource[] = [];
  for (const arg of args) {
    if (arg === '-') sources.push({ name: 'stdin', stream: process.stdin });
    else if (isShardPattern(arg)) sources.push(...((await expandShardPatterns([arg])) as string[]));
    else sources.push(arg);
  }
  return sources;
}

/** The exit status for an error a command let through: 2 for what the user's arguments got wrong, else 1. */
export function exitStatusOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof InvalidOptionsError || error instanceof InvalidArgumentError) return EXIT.usage;
  return EXIT.dataProblem;
}

/** An error in one line for the terminal. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An error as JSON for --json output: its stable code (ERR_CORRUPT_FILE, ...) and message. */
export function errorJson(error: unknown): { code: string; message: string } {
  const code = error instanceof ArrayRecordError ? error.code : ((error as NodeJS.ErrnoException | undefined)?.code ?? 'ERR_UNKNOWN');
  return { code, message: errorText(error) };
}

/** Prints `array-record: <message>` on stderr. */
export function warn(message: string): void {
  process.stderr.write(`array-record: ${message}\n`);
}
