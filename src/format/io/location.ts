// What a path names: a local file (a plain path or a file:// URL) or a remote object (http://,
// https://, s3://bucket/key, gs://bucket/object), told apart by its scheme alone.

import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '../errors.js';
import { describeFound } from '../options-check.js';

/** A parsed path or URL. Keys and object names are kept exactly as written (no percent-decoding). */
export type Location =
  | { readonly kind: 'local'; readonly path: string }
  | { readonly kind: 'http'; readonly url: URL }
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string }
  | { readonly kind: 'gs'; readonly bucket: string; readonly key: string };

const REMOTE_SCHEME = /^(?:https?|s3|gs):\/\//i;
const FILE_SCHEME = /^file:\/\//i;

/**
 * True when `path` names a remote object (http://, https://, s3://, gs://): such files are read
 * asynchronously only.
 * @example isRemotePath('s3://bucket/train-00000-of-00008') // true
 */
export function isRemotePath(path: string): boolean {
  return REMOTE_SCHEME.test(path);
}

/**
 * `path` itself when it is a non-empty string (a path or a URL).
 * @param owner what needs the path, for the message: `ArrayRecordReader`, `ArrayRecordWriter`...
 * @throws InvalidArgumentError otherwise (a number, undefined, '').
 * @example checkPath('ArrayRecordReader', 'train.array_record') // 'train.array_record'
 */
export function checkPath(owner: string, path: unknown): string {
  if (typeof path !== 'string' || path === '') {
    throw new InvalidArgumentError(`${owner} needs a file path or URL (a non-empty string), got ${describeFound(path)}`);
  }
  return path;
}

/**
 * The file system path of a local location: a file:// URL converted, any other path unchanged.
 * @throws InvalidArgumentError for a file:// URL that names no local path (another host).
 * @example localPath('file:///data/a.array_record') // '/data/a.array_record'
 */
export function localPath(path: string): string {
  if (!FILE_SCHEME.test(path)) return path;
  try {
    return fileURLToPath(path);
  } catch (cause) {
    throw new InvalidArgumentError(`${path} is not a local file URL: ${(cause as Error).message}`, { path });
  }
}

/**
 * Parses a path or URL.
 * @throws InvalidArgumentError for a malformed URL, or an s3:// or gs:// URL without a bucket or key.
 * @example parseLocation('gs://bucket/dir/file') // { kind: 'gs', bucket: 'bucket', key: 'dir/file' }
 */
export function parseLocation(path: string): Location {
  const scheme = /^([a-z0-9]+):\/\//i.exec(path)?.[1]?.toLowerCase();
  if (scheme === 's3' || scheme === 'gs') {
    const rest = path.slice(scheme.length + 3);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const key = slash < 0 ? '' : rest.slice(slash + 1);
    if (bucket === '' || key === '') {
      throw new InvalidArgumentError(`${path}: expected ${scheme}://bucket/key`, { path });
    }
    return { kind: scheme, bucket, key };
  }
  if (scheme === 'http' || scheme === 'https') {
    try {
      return { kind: 'http', url: new URL(path) };
    } catch (cause) {
      throw new InvalidArgumentError(`${path} is not a valid URL: ${(cause as Error).message}`, { path });
    }
  }
  return { kind: 'local', path: localPath(path) };
}
