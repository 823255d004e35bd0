// Shard patterns in a data source's paths: `name@N` (the N shards name-00000-of-0000N .. as
// array_record, TFDS and `convert --shards` name them) and `*` wildcards in the file name
// (`name-*-of-*`), expanded from a local directory or by listing S3 / GCS.

import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, IoError, UnsupportedError } from '../format/errors.js';
import { isRemotePath, localPath } from '../format/io/location.js';
import { listRemote } from '../format/io/remote/list.js';
import { resolveRemoteOptions, type RemoteOptions, type ResolvedRemoteOptions } from '../format/io/remote/remote-options.js';
import type { DataSourcePath, DataSourcePaths } from './read-instructions.js';

const SHARD_COUNT = /^(.*)@(\d+)$/s;
const SLICE_SUFFIX = /\[\d*:\d*\]$/;
/**
 * Most shards `name@N` expands to: far more than any data set is split into. A larger count is a
 * typo, and its names alone would exhaust the heap (`name@100000000` did) before a file is opened.
 */
const MAX_SHARD_COUNT = 1_000_000;

/** The name of shard `index` of `count`: five digits each (more when needed). */
function shardName(base: string, index: number, count: number): string {
  const digits = Math.max(5, String(count).length);
  return `${base}-${String(index).padStart(digits, '0')}-of-${String(count).padStart(digits, '0')}`;
}

/**
 * True when `text` is a shard pattern (`name@N`, or `*` in it) rather than a file: a local path that
 * exists as written is a file whatever its name.
 * @example isShardPattern('gs://b/train.array_record@64') // true
 */
export function isShardPattern(text: string): boolean {
  const name = text.replace(SLICE_SUFFIX, '');
  if (!SHARD_COUNT.test(name) && !name.includes('*')) return false;
  return isRemotePath(name) || !fs.existsSync(localPath(name));
}

/**
 * `name@N` expanded, or undefined when `text` is not of that form; `checkFirst` sees the first shard's
 * name before the others are made. @throws InvalidArgumentError for N = 0 or N > MAX_SHARD_COUNT.
 */
function expandCount(text: string, checkFirst?: (first: string) => void): string[] | undefined {
  const match = SHARD_COUNT.exec(text);
  if (match === null) return undefined;
  const count = Number(match[2]);
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SHARD_COUNT) {
    throw new InvalidArgumentError(`shard pattern ${text}: the shard count must be a positive integer up to ${MAX_SHARD_COUNT}`, { path: text });
  }
  checkFirst?.(shardName(match[1]!, 0, count));
  return Array.from({ length: count }, (_, index) => shardName(match[1]!, index, count));
}

/** The names matching a `*` pattern among `names`. */
function matching(pattern: string, names: readonly string[]): string[] {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`, 's');
  return names.filter((name) => regex.test(name)).sort();
}

function checkPattern(text: string): void {
  if (SLICE_SUFFIX.test(text)) {
    throw new InvalidArgumentError(`shard pattern ${text} has a slice: a slice applies to one file, so give it to each shard`, { path: text });
  }
}

function expandLocal(text: string): string[] {
  // A mistyped count names files that do not exist: said at once, before a name per shard is made.
  const counted = expandCount(text, (first) => {
    if (!fs.existsSync(localPath(first))) throw new IoError(`no file matches the shard pattern ${text}: its first shard ${first} does not exist`, { path: text });
  });
  if (counted !== undefined) return counted;
  const file = localPath(text);
  const directory = path.dirname(file);
  if (directory.includes('*')) throw new UnsupportedError(`shard pattern ${text}: only the file name may hold *`, { path: text });
  let names: string[];
  try {
    names = fs.readdirSync(directory);
  } catch (cause) {
    throw new IoError(`cannot list the directory of shard pattern ${text}: ${(cause as Error).message}`, { path: text }, cause);
  }
  const found = matching(path.basename(file), names).map((name) => path.join(directory, name));
  if (found.length === 0) throw new IoError(`no file matches the shard pattern ${text}`, { path: text });
  return found;
}

async function expandRemote(text: string, remote: ResolvedRemoteOptions): Promise<string[]> {
  const counted = expandCount(text);
  if (counted !== undefined) return counted;
  const star = text.indexOf('*');
  const found = matching(text, await listRemote(text.slice(0, star), remote));
  if (found.length === 0) throw new IoError(`no object matches the shard pattern ${text}`, { path: text });
  return found;
}

function entries(paths: DataSourcePaths): readonly DataSourcePath[] {
  return Array.isArray(paths) ? (paths as readonly DataSourcePath[]) : [paths as DataSourcePath];
}

/**
 * `paths` with every string that is a local shard pattern replaced by its files (in order, each
 * pattern's files sorted). Objects ({path, start, end}) are taken as written.
 * @throws UnsupportedError for a remote pattern (listing is asynchronous: ArrayRecordDataSource.open);
 *   IoError when nothing matches; InvalidArgumentError for a pattern with a slice, or a count `@N` of 0 or above 1,000,000.
 * @example expandShardPatternsSync(['data/train@2']) // ['data/train-00000-of-00002', 'data/train-00001-of-00002']
 */
export function expandShardPatternsSync(paths: DataSourcePaths): DataSourcePaths {
  const list = entries(paths);
  if (!list.some((entry) => typeof entry === 'string' && isShardPattern(entry))) return paths;
  return list.flatMap((entry): DataSourcePath[] => {
    if (typeof entry !== 'string' || !isShardPattern(entry)) return [entry];
    checkPattern(entry);
    if (isRemotePath(entry)) {
      throw new UnsupportedError('is a remote shard pattern: listing it is asynchronous, use await ArrayRecordDataSource.open(paths)', { path: entry });
    }
    return expandLocal(entry);
  });
}

/**
 * `expandShardPatternsSync` for local and remote patterns: `name@N` anywhere, `*` in a local directory
 * or an s3:// or gs:// listing (HTTP has none).
 * @throws as expandShardPatternsSync, but for remote patterns; IoError when a listing fails.
 * @example await expandShardPatterns(['s3://bucket/train-*-of-*'])
 */
export async function expandShardPatterns(paths: DataSourcePaths, remoteOptions: RemoteOptions = {}): Promise<DataSourcePaths> {
  const remote = resolveRemoteOptions(remoteOptions);
  const list = entries(paths);
  if (!list.some((entry) => typeof entry === 'string' && isShardPattern(entry))) return paths;
  const expanded = await Promise.all(
    list.map(async (entry): Promise<DataSourcePath[]> => {
      if (typeof entry !== 'string' || !isShardPattern(entry)) return [entry];
      checkPattern(entry);
      return isRemotePath(entry) ? expandRemote(entry, remote) : expandLocal(entry);
    }),
  );
  return expanded.flat();
}
