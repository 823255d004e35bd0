// The disk cache keeps ranges only under versions that name exact bytes (a strong ETag, an S3 ETag, a
// GCS generation). A weak ETag survives a rewrite on some servers (Apache gives a file modified within
// the last second one), and a Last-Modified one of the same second: ranges cached under either would
// serve the old file's bytes at the new file's offsets to every later process, valid checksums and all.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrayRecordReader, ArrayRecordWriter, type RemoteOptions } from '../../src/index.js';
import { RangeCache } from '../../src/format/io/remote/range-cache.js';
import { HostileServer, serveRange } from './hostile-server.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-cache-versions-'));
const FAST: RemoteOptions = { retryBaseDelayMs: 1, retryMaxDelayMs: 5, maxRetries: 2, requestTimeoutMs: 2000, openTailBytes: 65_600 };
let server: HostileServer;

beforeAll(async () => {
  server = await HostileServer.start();
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A file of 2,000 one-record chunks of 100 bytes of `fill`: two fills give files of one size and layout. */
function fileOf(fill: number): Buffer {
  const file = path.join(dir, `fill-${fill}.array_record`);
  const writer = new ArrayRecordWriter(file, 'group_size:1,uncompressed');
  for (let i = 0; i < 2000; i++) writer.write(new Uint8Array(100).fill(fill));
  writer.close();
  return fs.readFileSync(file);
}

/** Reads records 1000-1999 as a new process would (a new reader over `cache`), returning their first bytes. */
async function readSecondHalf(options: RemoteOptions): Promise<{ fills: Set<number>; cacheHits: number }> {
  const reader = await ArrayRecordReader.open(server.url('f.array_record'), '', options);
  const records = await reader.readAsync(Array.from({ length: 1000 }, (_, i) => 1000 + i));
  const cacheHits = reader.remoteStats()!.cacheHits;
  reader.close();
  return { fills: new Set(records.map((record) => record[0]!)), cacheHits };
}

describe('the disk cache and the versions a server states', () => {
  const before = fileOf(1);
  const after = fileOf(2);

  it.each([
    ['a weak ETag', { etag: 'W/"5f2-60a1"' }],
    ['only a Last-Modified', { 'last-modified': 'Tue, 08 Dec 2026 01:00:00 GMT' }],
    ['an empty ETag', { etag: '' }],
  ])('under %s, a same-size rewrite that keeps it is read as the new file by a later reader: nothing cached', async (name, version) => {
    expect(after.length).toBe(before.length);
    const directory = path.join(dir, `cache-${name.replaceAll(/\W/g, '-')}`);
    const options: RemoteOptions = { ...FAST, cache: { directory, maxBytes: 64 << 20 } };
    let bytes = before;
    server.handler = (request, response) => serveRange(request, response, bytes, version);
    expect(await readSecondHalf(options)).toEqual({ fills: new Set([1]), cacheHits: 0 });
    await RangeCache.of(directory, 64 << 20).flush();
    bytes = after;
    expect(await readSecondHalf(options)).toEqual({ fills: new Set([2]), cacheHits: 0 });
    expect(fs.existsSync(directory) ? fs.readdirSync(directory) : []).toEqual([]);
  });

  it('an S3-compatible store sending weak ETags is read: If-Match, which never matches a weak ETag, is not sent', async () => {
    const weak = 'W/"5f2-60a1"';
    server.handler = (request, response) => {
      // Strong comparison, as If-Match requires: a weak tag matches nothing.
      if (request.headers['if-match'] !== undefined && (request.headers['if-match'].startsWith('W/') || request.headers['if-match'] !== weak)) {
        response.writeHead(412);
        response.end();
        return;
      }
      serveRange(request, response, before, { etag: weak });
    };
    const reader = await ArrayRecordReader.open('s3://bucket/f.array_record', '', { ...FAST, s3: { endpoint: server.origin, credentials: { accessKeyId: 'a', secretAccessKey: 's' } } });
    const records = await reader.readAsync([0, 1000, 1999]);
    expect(records.map((record) => record[0])).toEqual([1, 1, 1]);
    reader.close();
    expect(server.seen.some((request) => request.headers['if-match'] !== undefined)).toBe(false);
  });

  it('under a strong ETag the ranges are cached and served to a later reader', async () => {
    const directory = path.join(dir, 'cache-strong');
    const options: RemoteOptions = { ...FAST, cache: { directory, maxBytes: 64 << 20 } };
    server.handler = (request, response) => serveRange(request, response, before, { etag: '"5f2-60a1"' });
    expect((await readSecondHalf(options)).cacheHits).toBe(0);
    await RangeCache.of(directory, 64 << 20).flush();
    const again = await readSecondHalf(options);
    expect(again.fills).toEqual(new Set([1]));
    expect(again.cacheHits).toBeGreaterThan(0);
  });
});
