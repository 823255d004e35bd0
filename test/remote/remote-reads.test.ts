// Remote reads under stress: coalescing (requests counted by the server), injected faults (resets,
// 503/429, truncated bodies, drops mid-body, slow responses) retried or typed errors and never wrong
// records, a file replaced mid-read, the disk cache, headers and signing, GCS, S3 from the
// environment, sync methods refused, and the CLI on URLs.

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ArrayRecordDataSource,
  ArrayRecordReader,
  ClosedError,
  CorruptFileError,
  FileChangedError,
  InvalidArgumentError,
  InvalidOptionsError,
  IoError,
  UnsupportedError,
  type RemoteOptions,
} from '../../src/index.js';
import { coalesceRanges } from '../../src/format/io/remote/coalesce.js';
import { RangeCache } from '../../src/format/io/remote/range-cache.js';
import { goldenPath, goldenSidecar, sha256 } from '../helpers/golden.js';
import { runAsync as runCli } from '../helpers/run-cli.js';
import { RangeServer } from './range-server.js';
import { S3_CREDENTIALS, startS3Server } from './s3-server.js';

const FILE = 'uncompressed_g1_small.array_record';
const GOLDEN = goldenSidecar(FILE);
const BYTES = fs.readFileSync(goldenPath(FILE));
/** The smallest tail fetched at open: the reads below go to the server (the file is 1.6 MB). */
const TAIL = 64 * 1024 + 64;
/** Fast retries, so that fault tests take milliseconds. */
const FAST: RemoteOptions = { retryBaseDelayMs: 1, retryMaxDelayMs: 5, maxRetries: 4, openTailBytes: TAIL };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-remote-'));
let server: RangeServer;

beforeAll(async () => {
  server = await RangeServer.start();
});
afterEach(() => {
  server.clearFaults();
  server.ignorePreconditions = false;
  server.sendsVersions = true;
  server.put(FILE, BYTES);
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Distinct indices spread over the first 80% of the file (before the bytes fetched at open), scrambled. */
function batch(count = 256): number[] {
  const span = Math.floor(GOLDEN.num_records * 0.8);
  return Array.from({ length: count }, (_, k) => (k * 337) % span);
}

async function openReader(options: RemoteOptions = FAST): Promise<ArrayRecordReader> {
  server.put(FILE, BYTES);
  return ArrayRecordReader.open(server.url(FILE), '', options);
}

describe('coalescing', () => {
  it('merges nearby chunk ranges into fewer requests, counted by the server', async () => {
    const counts: number[] = [];
    for (const options of [{ coalesceGapBytes: 0, maxRequestBytes: 1 }, { coalesceGapBytes: 0 }, {}, { coalesceGapBytes: 1 << 20 }] as RemoteOptions[]) {
      const reader = await openReader({ ...options, openTailBytes: TAIL });
      server.resetLog();
      const indices = batch(128);
      expect((await reader.readAsync(indices)).map(sha256)).toEqual(indices.map((i) => GOLDEN.sha256[i]));
      counts.push(server.requests);
      reader.close();
    }
    // One request per chunk, then per run of adjacent chunks, then the default gap, then a gap of 1 MiB.
    expect(counts[0]).toBeGreaterThan(125); // a chunk or two lie in the bytes fetched at open
    expect(counts[1]).toBeLessThanOrEqual(counts[0]!);
    expect(counts[2]).toBeLessThan(counts[1]!);
    expect(counts[3]).toBe(1);
  });

  it('plans requests by gap and size', () => {
    const ranges = [
      { offset: 100, length: 10 },
      { offset: 0, length: 10 },
      { offset: 15, length: 10 },
      { offset: 1000, length: 5000 },
    ];
    expect(coalesceRanges(ranges, 5, 1 << 20)).toEqual([
      { offset: 0, end: 25, members: [1, 2] },
      { offset: 100, end: 110, members: [0] },
      { offset: 1000, end: 6000, members: [3] },
    ]);
    expect(coalesceRanges(ranges, 1000, 1 << 20)).toEqual([{ offset: 0, end: 6000, members: [1, 2, 0, 3] }]);
    expect(coalesceRanges(ranges, 1000, 200)).toHaveLength(2);
  });
});

describe('faults', () => {
  it.each([
    ['a connection reset', { kind: 'reset' }],
    ['503', { kind: 'status', status: 503 }],
    ['500', { kind: 'status', status: 500 }],
    ['429 with Retry-After', { kind: 'status', status: 429, retryAfter: 0 }],
    ['a truncated body', { kind: 'truncate', bytes: 100 }],
    ['a drop mid-body', { kind: 'drop-mid-body' }],
    ['a slow response', { kind: 'slow', delayMs: 1500 }],
  ] as const)('%s is retried and the records are right', async (_name, fault) => {
    const reader = await openReader({ ...FAST, requestTimeoutMs: 500 });
    server.inject(fault, 3);
    const indices = batch();
    expect((await reader.readAsync(indices)).map(sha256)).toEqual(indices.map((i) => GOLDEN.sha256[i]));
    expect(reader.remoteStats()!.retries).toBeGreaterThanOrEqual(1);
    reader.close();
  });

  it('faults at open are retried too', async () => {
    server.put(FILE, BYTES);
    server.inject({ kind: 'status', status: 503 }, 2, false);
    server.inject({ kind: 'reset' }, 1, false);
    const reader = await ArrayRecordReader.open(server.url(FILE), '', FAST);
    expect((await reader.readAllAsync()).map(sha256)).toEqual(GOLDEN.sha256);
    reader.close();
  });

  it('gives up with an IoError after maxRetries, counting every attempt', async () => {
    const reader = await openReader({ ...FAST, maxRetries: 2 });
    server.resetLog();
    server.inject({ kind: 'status', status: 503 }, 100);
    const error = await reader.readAsync([5]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IoError);
    expect((error as Error).message).toMatch(/failed 3 times; last: HTTP 503/);
    expect(server.requests).toBe(3);
    reader.close();
  });

  it('a persistently short body is an IoError, never a short record', async () => {
    const reader = await openReader({ ...FAST, maxRetries: 1 });
    server.inject({ kind: 'truncate', bytes: 10 }, 2);
    await expect(reader.readAsync([1, 2, 3])).rejects.toThrow(/short body/);
    reader.close();
  });

  it('a response for another range is a CorruptFileError', async () => {
    const reader = await openReader();
    server.inject({ kind: 'wrong-range' }, 1);
    await expect(reader.readAsync([42])).rejects.toBeInstanceOf(CorruptFileError);
    reader.close();
  });

  it('404 is an IoError without retries', async () => {
    server.resetLog();
    const error = await ArrayRecordReader.open(server.url('missing.array_record'), '', FAST).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IoError);
    expect((error as Error).message).toMatch(/HTTP 404 \(no such object\)/);
    expect(server.requests).toBe(2);
  });

  it('a timeout is bounded: a server that never answers fails after the attempts', async () => {
    const reader = await openReader({ ...FAST, maxRetries: 1, requestTimeoutMs: 200 });
    server.inject({ kind: 'slow', delayMs: 3000 }, 2);
    const started = Date.now();
    await expect(reader.readAsync([9])).rejects.toThrow(/no complete response within 200 ms/);
    // Two attempts of 200 ms, where the server would answer after 3 s each. The margin is for a loaded CI.
    expect(Date.now() - started).toBeLessThan(5_000);
    reader.close();
  });

  it('close() aborts requests in flight with ClosedError', async () => {
    const reader = await openReader();
    server.inject({ kind: 'slow', delayMs: 2000 }, 1);
    const read = reader.readAsync([3]);
    setTimeout(() => reader.close(), 50);
    await expect(read).rejects.toBeInstanceOf(ClosedError);
  });

  it('close() also stops the requests still waiting for a connection: none is sent after it', async () => {
    const reader = await openReader({ ...FAST, maxConnectionsPerHost: 2, coalesceGapBytes: 0, maxRequestBytes: 1 });
    server.latencyMs = 100;
    try {
      server.resetLog();
      const sentBefore = reader.remoteStats()!.requests; // opening's
      const read = reader.readAsync(batch(100)); // about 100 requests, 2 at a time
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Counted as the client sends them: on a loaded machine the server may see the two in flight
      // only after the close (it saw none at the close, then 2, in a CI run).
      const sentAtClose = reader.remoteStats()!.requests - sentBefore;
      reader.close();
      await expect(read).rejects.toBeInstanceOf(ClosedError);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(sentAtClose).toBeLessThanOrEqual(2);
      expect(reader.remoteStats()!.requests - sentBefore).toBe(sentAtClose);
      expect(server.requests).toBeLessThanOrEqual(sentAtClose);
    } finally {
      server.latencyMs = 0;
    }
  });
});

describe('a file replaced while it is read', () => {
  it.each([
    ['a server honouring If-Match (412)', false],
    ['a server ignoring preconditions (ETag compared)', true],
  ])('%s: FileChangedError, never mixed records', async (_name, ignore) => {
    const reader = await openReader();
    expect((await reader.readAsync([1, 2])).map(sha256)).toEqual([GOLDEN.sha256[1], GOLDEN.sha256[2]]);
    server.ignorePreconditions = ignore;
    server.put(FILE, fs.readFileSync(goldenPath('zstd3default_g1_small.array_record')));
    await expect(reader.readAsync([300, 301])).rejects.toBeInstanceOf(FileChangedError);
    reader.close();
  });

  it('a server that states no version: a rewrite of another size is FileChangedError, not a corrupt chunk', async () => {
    server.sendsVersions = false;
    const reader = await openReader();
    expect((await reader.readAsync([1, 2])).map(sha256)).toEqual([GOLDEN.sha256[1], GOLDEN.sha256[2]]);
    server.put(FILE, fs.readFileSync(goldenPath('zstd3default_g1_small.array_record'))); // 458,752 bytes, not 1,638,400
    // Chunk 3 lies inside the new object (206 stating the new size), chunk 300 past its end (416).
    for (const index of [3, 300]) {
      const error = await reader.readAsync([index]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FileChangedError);
      expect((error as Error).message).toContain(server.url(FILE));
    }
    await expect(reader.readAsync([3])).rejects.toThrow(/now 458752 bytes long, it was 1638400/);
    reader.close();
  });

  it('through S3 (s3rver ignores If-Match: the ETag of each response tells)', async () => {
    const s3 = await startS3Server(['b']);
    try {
      await s3.put('b', FILE, BYTES);
      const options: RemoteOptions = { s3: { endpoint: s3.endpoint, credentials: S3_CREDENTIALS } };
      const reader = await ArrayRecordReader.open(`s3://b/${FILE}`, '', { ...options, openTailBytes: TAIL });
      expect(sha256((await reader.readAsync([7]))[0]!)).toBe(GOLDEN.sha256[7]);
      await s3.put('b', FILE, fs.readFileSync(goldenPath('zstd3default_g1_small.array_record')));
      await expect(reader.readAsync([300])).rejects.toBeInstanceOf(FileChangedError);
      reader.close();
    } finally {
      await s3.close();
    }
  });
});

describe('the disk cache', () => {
  it('serves ranges read before, within its size bound', async () => {
    const cache = { directory: path.join(dir, 'cache'), maxBytes: 4 << 20 };
    const indices = batch();
    const first = await openReader({ cache, openTailBytes: TAIL });
    await first.readAsync(indices);
    first.close();
    // The same version of the file (openReader would store it anew, with a new ETag).
    const second = await ArrayRecordReader.open(server.url(FILE), '', { cache, openTailBytes: TAIL });
    server.resetLog();
    expect((await second.readAsync(indices)).map(sha256)).toEqual(indices.map((i) => GOLDEN.sha256[i]));
    expect(server.requests).toBe(0);
    expect(second.remoteStats()!.cacheHits).toBeGreaterThan(0);
    second.close();
    await RangeCache.of(cache.directory, cache.maxBytes).flush();
    const size = fs.readdirSync(cache.directory).reduce((total, name) => total + fs.statSync(path.join(cache.directory, name)).size, 0);
    expect(size).toBeLessThanOrEqual(cache.maxBytes);
  });

  it('a cache file damaged or cut short on disk is a miss (refetched, then cached again), never a bad record', async () => {
    const cache = { directory: path.join(dir, 'damaged-cache'), maxBytes: 64 << 20 };
    const indices = batch(64);
    const first = await openReader({ ...FAST, cache });
    await first.readAsync(indices);
    first.close();
    await RangeCache.of(cache.directory, cache.maxBytes).flush();
    const names = fs.readdirSync(cache.directory);
    expect(names.length).toBeGreaterThan(1);
    // One byte flipped in the middle of every file but the last, which loses its last 100 bytes.
    for (const name of names.slice(0, -1)) {
      const file = path.join(cache.directory, name);
      const bytes = fs.readFileSync(file);
      bytes[bytes.length >> 1]! ^= 0x40;
      fs.writeFileSync(file, bytes);
    }
    fs.truncateSync(path.join(cache.directory, names.at(-1)!), fs.statSync(path.join(cache.directory, names.at(-1)!)).size - 100);
    const second = await ArrayRecordReader.open(server.url(FILE), '', { ...FAST, cache });
    server.resetLog();
    expect((await second.readAsync(indices)).map(sha256)).toEqual(indices.map((i) => GOLDEN.sha256[i]));
    expect(server.requests).toBeGreaterThan(0);
    await RangeCache.of(cache.directory, cache.maxBytes).flush();
    server.resetLog();
    expect((await second.readAsync(indices)).map(sha256)).toEqual(indices.map((i) => GOLDEN.sha256[i]));
    expect(server.requests).toBe(0);
    second.close();
    // A directory taken over at first use (a later process): a file cut short is deleted, not counted.
    const later = path.join(dir, 'damaged-cache-later');
    fs.cpSync(cache.directory, later, { recursive: true });
    const cut = path.join(later, fs.readdirSync(later)[0]!);
    fs.truncateSync(cut, fs.statSync(cut).size - 1);
    const taken = RangeCache.of(later, cache.maxBytes);
    expect(fs.existsSync(cut)).toBe(false);
    expect(taken.size).toBe(fs.readdirSync(later).reduce((total, name) => total + fs.statSync(path.join(later, name)).size, 0));
  });

  it("a later reader's maxBytes for the same directory applies, not the first one's", async () => {
    const directory = path.join(dir, 'rebound-cache');
    const onDisk = (): number => fs.readdirSync(directory).reduce((total, name) => total + fs.statSync(path.join(directory, name)).size, 0);
    const large = await openReader({ ...FAST, cache: { directory, maxBytes: 64 << 20 } });
    await large.readAsync(batch(64));
    large.close();
    await RangeCache.of(directory, 64 << 20).flush();
    expect(onDisk()).toBeGreaterThan(20_000);
    const small = await ArrayRecordReader.open(server.url(FILE), '', { ...FAST, cache: { directory, maxBytes: 20_000 } });
    expect(onDisk()).toBeLessThanOrEqual(20_000);
    small.close();
    const larger = await ArrayRecordReader.open(server.url(FILE), '', { ...FAST, cache: { directory, maxBytes: 8 << 20 } });
    await larger.readAsync(batch(64));
    await RangeCache.of(directory, 8 << 20).flush();
    expect(onDisk()).toBeGreaterThan(20_000);
    larger.close();
  });

  it('keeps to a small bound by evicting, and a changed file never hits', async () => {
    const cache = { directory: path.join(dir, 'small-cache'), maxBytes: 20_000 };
    const reader = await openReader({ cache, coalesceGapBytes: 0, maxRequestBytes: 1, openTailBytes: TAIL });
    await reader.readAsync(batch(64));
    reader.close();
    await RangeCache.of(cache.directory, cache.maxBytes).flush();
    const size = fs.readdirSync(cache.directory).reduce((total, name) => total + fs.statSync(path.join(cache.directory, name)).size, 0);
    expect(size).toBeLessThanOrEqual(cache.maxBytes);
    server.put(FILE, BYTES); // a new ETag: the cached ranges belong to the old version
    const again = await ArrayRecordReader.open(server.url(FILE), '', { cache, openTailBytes: TAIL });
    await again.readAsync([batch(64)[63]!]);
    expect(again.remoteStats()!.cacheHits).toBe(0);
    again.close();
  });
});

describe('headers, signing and options', () => {
  it('sends custom headers and lets a hook sign every request', async () => {
    const signed: string[] = [];
    const reader = await openReader({
      openTailBytes: TAIL,
      headers: { 'X-Team': 'data' },
      signRequest: (request) => {
        signed.push(request.headers.range!);
        return { ...request, headers: { ...request.headers, authorization: 'Token abc' } };
      },
    });
    server.resetLog();
    await reader.readAsync([300]);
    expect(server.log.at(-1)!.headers['x-team']).toBe('data');
    expect(server.log.at(-1)!.headers.authorization).toBe('Token abc');
    expect(signed.length).toBeGreaterThanOrEqual(3);
    reader.close();
  });

  it('gives a signRequest hook that throws as an IoError with its cause, and one that returns no request as an InvalidArgumentError', async () => {
    const failure = new Error('no credentials in the vault');
    const thrown = await ArrayRecordReader.open(server.url(FILE), '', {
      ...FAST,
      signRequest: () => {
        throw failure;
      },
    }).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(IoError);
    expect(thrown).toMatchObject({ message: expect.stringMatching(/signRequest threw: no credentials in the vault/), cause: failure });
    const forgotten = ArrayRecordReader.open(server.url(FILE), '', { ...FAST, signRequest: (() => undefined) as unknown as RemoteOptions['signRequest'] });
    await expect(forgotten).rejects.toThrow(InvalidArgumentError);
    await expect(forgotten).rejects.toThrow(/signRequest must return the request.*\(got undefined\)/);
  });

  it('fails a read whose signRequest hook or S3 credentials never settle, after requestTimeoutMs, with an IoError that says which', async () => {
    const never = (): Promise<never> => new Promise<never>(() => undefined);
    const started = performance.now();
    const hook = ArrayRecordReader.open(server.url(FILE), '', { ...FAST, requestTimeoutMs: 300, signRequest: never });
    await expect(hook).rejects.toThrow(IoError);
    await expect(hook).rejects.toThrow(/signRequest did not settle within requestTimeoutMs \(300 ms\)/);
    const credentials = ArrayRecordReader.open(`s3://b/${FILE}`, '', { ...FAST, requestTimeoutMs: 300, s3: { endpoint: 'http://127.0.0.1:9', credentials: never } });
    await expect(credentials).rejects.toThrow(IoError);
    await expect(credentials).rejects.toThrow(/signing the request \(credentials\) did not settle within requestTimeoutMs/);
    // Not retried: the hook is the user's code, not the network.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('does not retry a redirect loop: one attempt, then an IoError that says so', async () => {
    let requests = 0;
    const looping = http.createServer((request, response) => {
      requests++;
      response.writeHead(302, { location: request.url });
      response.end();
    });
    await new Promise<void>((resolve) => looping.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(looping.address() as AddressInfo).port}/loop.array_record`;
      const opened = ArrayRecordReader.open(url, '', FAST);
      await expect(opened).rejects.toThrow(IoError);
      await expect(opened).rejects.toThrow(/too many redirects/);
      // fetch follows 20 redirects: one attempt is 21 requests. Open sends two (the head and the tail
      // of the file at once), so 42, where FAST's 4 retries of each made 210.
      expect(requests).toBeLessThanOrEqual(42);
    } finally {
      looping.closeAllConnections();
      await new Promise((resolve) => looping.close(resolve));
    }
  });

  it('rejects unknown remote options, naming the nearest', async () => {
    await expect(ArrayRecordReader.open(server.url(FILE), '', { retries: 3 } as RemoteOptions)).rejects.toThrow(/maxRetries/);
    await expect(ArrayRecordReader.open(server.url(FILE), '', { maxRetries: -1 })).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(ArrayRecordDataSource.open(server.url(FILE), '', { remote: { cache: { directory: dir } } as RemoteOptions })).rejects.toThrow(/maxBytes/);
  });
});

describe('sync methods on remote files', () => {
  it('throw UnsupportedError naming the async form', async () => {
    const url = server.url(FILE);
    expect(() => new ArrayRecordReader(url)).toThrow(/await ArrayRecordReader\.open\(url\)/);
    expect(() => ArrayRecordReader.info(url)).toThrow(/infoAsync/);
    expect(() => new ArrayRecordDataSource(url)).toThrow(/await ArrayRecordDataSource\.open/);
    const reader = await openReader();
    expect(() => reader.read()).toThrow(UnsupportedError);
    expect(() => reader.read([1])).toThrow(/use readAsync\(indices\)/);
    expect(() => reader.read(0, 5)).toThrow(/use readRangeAsync\(start, end\)/);
    expect(() => reader.readAll()).toThrow(/use readAllAsync\(\)/);
    expect(() => reader.readAvailable([1])).toThrow(/readAvailableAsync/);
    expect(() => reader.metadata()).toThrow(/metadataAsync/);
    reader.seek(3);
    expect(reader.recordIndex()).toBe(3);
    reader.close();
    const source = await ArrayRecordDataSource.open(url);
    expect(() => source.getItem(0)).toThrow(/getItemsAsync/);
    expect(() => source.getItems([0])).toThrow(/getItemsAsync/);
    expect(() => [...source]).toThrow(UnsupportedError);
    expect((await ArrayRecordReader.infoAsync(url)).numRecords).toBe(GOLDEN.num_records);
    source.close();
  });
});

describe('GCS through the JSON API (STORAGE_EMULATOR_HOST)', () => {
  it('reads gs:// objects pinned to their generation, and lists shards', async () => {
    const previous = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = server.gcsEndpoint.replace('http://', '');
    try {
      for (const name of ['digits.array_record-00000-of-00002', 'digits.array_record-00001-of-00002']) server.put(`bkt/dir/${name}`, fs.readFileSync(goldenPath(name)));
      server.put(`bkt/dir/${FILE}`, BYTES);
      server.resetLog();
      const reader = await ArrayRecordReader.open(`gs://bkt/dir/${FILE}`, '', FAST);
      expect((await reader.readAllAsync()).map(sha256)).toEqual(GOLDEN.sha256);
      expect(server.log[0]!.path).toBe(`/storage/v1/b/bkt/o/${encodeURIComponent(`dir/${FILE}`)}`);
      expect(server.log.at(-1)!.headers.authorization).toBeUndefined();
      server.put(`bkt/dir/${FILE}`, BYTES);
      await expect(reader.readAsync([300])).rejects.toBeInstanceOf(FileChangedError);
      reader.close();
      const source = await ArrayRecordDataSource.open('gs://bkt/dir/digits.array_record-*-of-*', '', { remote: { gcs: { token: 'tok' } } });
      expect(source.describe().files.map((file) => file.path)).toEqual([
        'gs://bkt/dir/digits.array_record-00000-of-00002',
        'gs://bkt/dir/digits.array_record-00001-of-00002',
      ]);
      expect(source.length).toBe(goldenSidecar('digits.array_record-00000-of-00002').num_records + goldenSidecar('digits.array_record-00001-of-00002').num_records);
      await source.getItemsAsync([0, source.length - 1]);
      expect(server.log.at(-1)!.headers.authorization).toBe('Bearer tok');
      source.close();
    } finally {
      if (previous === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = previous;
    }
  });
});

describe('S3 from the environment', () => {
  it('honours AWS_ENDPOINT_URL_S3 and the credentials chain (env, then a profile file)', async () => {
    const s3 = await startS3Server(['env-bucket']);
    const saved = { ...process.env };
    try {
      await s3.put('env-bucket', `a/${FILE}`, BYTES);
      process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
      process.env.AWS_ACCESS_KEY_ID = S3_CREDENTIALS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = S3_CREDENTIALS.secretAccessKey;
      process.env.AWS_REGION = 'eu-west-1';
      const reader = await ArrayRecordReader.open(`s3://env-bucket/a/${FILE}`);
      expect(sha256((await reader.readAsync([5]))[0]!)).toBe(GOLDEN.sha256[5]);
      reader.close();
      // A key s3rver does not know: the request was signed with it, and refused.
      process.env.AWS_ACCESS_KEY_ID = 'NOT-A-KEY';
      await expect(ArrayRecordReader.open(`s3://env-bucket/a/${FILE}`)).rejects.toThrow(/HTTP 403.*InvalidAccessKeyId/);
      // The profile of a shared credentials file.
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      const credentials = path.join(dir, 'credentials');
      fs.writeFileSync(credentials, `[default]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n\n[train]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n`);
      process.env.AWS_SHARED_CREDENTIALS_FILE = credentials;
      process.env.AWS_PROFILE = 'train';
      const fromProfile = await ArrayRecordReader.open(`s3://env-bucket/a/${FILE}`);
      expect(fromProfile.numRecords()).toBe(GOLDEN.num_records);
      fromProfile.close();
    } finally {
      process.env = saved;
      await s3.close();
    }
  });
});

describe('the CLI on URLs', () => {
  it('info, cat, verify and convert take http:// inputs', async () => {
    server.put(FILE, BYTES);
    server.put('morris.tfrecord', fs.readFileSync(goldenPath('morris_sequence_first_5.tfrecord')));
    const url = server.url(FILE);
    const output = path.join(dir, 'converted.array_record');
    // Five processes at once: each spends most of its time starting up.
    const [info, cat, verify, convert, tfrecord] = await Promise.all([
      runCli(['info', '--json', url]),
      runCli(['cat', '--as', 'hex', '--start', '3', '--end', '5', url]),
      runCli(['verify', url]),
      runCli(['convert', url, output]),
      runCli(['cat', server.url('morris.tfrecord')]),
    ]);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout).files[0]).toMatchObject({ ok: true, format: 'array_record', records: GOLDEN.num_records, fileSize: BYTES.length });
    expect(cat.code).toBe(0);
    expect(cat.stdout.trim().split('\n').map((hex) => sha256(Buffer.from(hex, 'hex')))).toEqual(GOLDEN.sha256.slice(3, 5));
    expect(verify.stdout).toContain(`ok, ${GOLDEN.num_records} records`);
    expect(convert.code, convert.stderr).toBe(0);
    const reader = new ArrayRecordReader(output);
    expect(reader.readAll().map(sha256)).toEqual(GOLDEN.sha256);
    reader.close();
    // A TFRecord over HTTP is streamed.
    expect(tfrecord.code, tfrecord.stderr).toBe(0);
    expect(tfrecord.stdout.trim().split('\n')).toHaveLength(5);
  });
});
