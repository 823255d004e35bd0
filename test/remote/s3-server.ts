// s3rver (an S3-compatible server from npm) on 127.0.0.1 at a free port, with a bucket and objects
// uploaded through signed PUTs. s3rver serves Range (a-b) and ETags; it neither checks SigV4
// signatures (only that the access key exists) nor honours If-Match, and reads a suffix range
// `bytes=-n` as `bytes=0-n`: the client's own checks (Content-Range, the ETag of every response)
// are what keep reads right there.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AwsClient } from 'aws4fetch';
import S3rver from 's3rver';

/** s3rver's built-in account. */
export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3Server {
  readonly endpoint: string;
  put(bucket: string, key: string, bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Starts s3rver with the given buckets, storing objects in a temporary directory. */
export async function startS3Server(buckets: readonly string[]): Promise<S3Server> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new AwsClient({ ...S3_CREDENTIALS, service: 's3', region: 'us-east-1' });
  return {
    endpoint,
    async put(bucket, key, bytes) {
      const response = await client.fetch(`${endpoint}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`, { method: 'PUT', body: bytes });
      if (!response.ok) throw new Error(`PUT ${bucket}/${key}: HTTP ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    },
    async close() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
