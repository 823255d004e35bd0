// Listing remote objects by prefix (S3 ListObjectsV2, GCS objects.list), for shard patterns.

import { UnsupportedError } from '../../errors.js';
import { parseLocation } from '../location.js';
import { listGcs } from './gcs.js';
import type { ResolvedRemoteOptions } from './remote-options.js';
import { listS3 } from './s3.js';

/**
 * The URLs of the objects whose URL starts with `prefix` (s3://bucket/prefix or gs://bucket/prefix), sorted.
 * @throws UnsupportedError for http(s):// (HTTP has no listing); IoError when the listing fails.
 * @example await listRemote('s3://bucket/train-', options) // ['s3://bucket/train-00000-of-00002', ...]
 */
export async function listRemote(prefix: string, options: ResolvedRemoteOptions): Promise<string[]> {
  // A prefix may end inside a key, or be only the bucket: parse it with a placeholder key.
  const scheme = /^(s3|gs):\/\//i.exec(prefix)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw new UnsupportedError('cannot list files over HTTP: name the shards, or use name@N', { path: prefix });
  }
  const withKey = parseLocation(`${prefix}\u0000`);
  if (withKey.kind !== 's3' && withKey.kind !== 'gs') throw new UnsupportedError('not an s3:// or gs:// URL', { path: prefix });
  const keyPrefix = withKey.key.slice(0, -1);
  const keys = withKey.kind === 's3' ? await listS3(withKey.bucket, keyPrefix, options) : await listGcs(withKey.bucket, keyPrefix, options);
  // A listing that names an object twice (across pages) must not make a source read its records twice.
  return [...new Set(keys)].map((key) => `${scheme}://${withKey.bucket}/${key}`).sort();
}
