// Remote reads against servers that break the rules on purpose (test/remote/hostile-server.ts):
// bodies longer than their headers say, compressed ranges, impossible Content-Ranges, responses that
// drop the version, the same path at two endpoints sharing a disk cache, listings that loop, lie or
// are not listings, and URLs that would name another object. Each must give a typed error naming the
// URL (or the right records), quickly, without holding what the server sends in memory.

import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ArrayRecordDataSource,
  ArrayRecordReader,
  ArrayRecordWriter,
  CorruptFileError,
  InvalidArgumentError,
  IoError,
  NotArrayRecordError,
  UnsupportedError,
  type RemoteOptions,
} from '../../src/index.js';
import { goldenPath, goldenSidecar, sha256 } from '../helpers/golden.js';
import { askedRange, HostileServer, serveRange } from './hostile-server.js';

const FILE = 'uncompressed_g1_small.array_record';
const GOLDEN = goldenSidecar(FILE);
const BYTES = fs.readFileSync(goldenPath(FILE));
/** Opening fetches the footer whole (it starts 94,906 bytes before the end): the reads below are the only later requests. */
const TAIL = 128 * 1024;
const FAST: RemoteOptions = { retryBaseDelayMs: 1, retryMaxDelayMs: 5, maxRetries: 2, openTailBytes: TAIL, requestTimeoutMs: 2000 };
const ETAG = { etag: '"v1"' };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-hostile-'));
let server: HostileServer;

beforeAll(async () => {
  server = await HostileServer.start();
});
afterEach(() => {
  server.seen.length = 0;
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** True for the two requests of an open: the last bytes, and the first 4096. */
function isOpen(request: http.IncomingMessage): boolean {
  const range = request.headers.range;
  return range === undefined || range.startsWith('bytes=-') || range.startsWith('bytes=0-4095');
}

/** Serves the golden file honestly at open, and through `read` afterwards. */
function openHonestly(read: (request: http.IncomingMessage, response: http.ServerResponse, range: { start: number; end: number }) => void): void {
  server.handler = (request, response) => {
    if (isOpen(request)) return serveRange(request, response, BYTES, ETAG);
    read(request, response, askedRange(request.headers.range, BYTES.length)!);
  };
}

/** Writes `size` MiB of zeros, 1 MiB at a time while the client reads; resolves to the MiB written when the socket closes or all are. */
function pump(response: http.ServerResponse, size: number): Promise<number> {
  const piece = Buffer.alloc(1 << 20);
  return new Promise((resolve) => {
    let written = 0;
    const next = (): void => {
      while (written < size && !response.destroyed) {
        written++;
        if (!response.write(piece)) return void response.once('drain', next);
      }
      if (!response.destroyed) response.end();
      resolve(written);
    };
    response.once('close', () => resolve(written));
    next();
  });
}

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

describe('bodies that are not what the headers say', () => {
  it('a 206 body longer than its Content-Range is cut off as it runs over, not read to its end', async () => {
    const sent: Promise<number>[] = [];
    openHonestly((_request, response, { start, end }) => {
      response.writeHead(206, { 'content-range': `bytes ${start}-${end}/${BYTES.length}`, ...ETAG }); // chunked: no Content-Length
      sent.push(pump(response, 256));
    });
    const reader = await ArrayRecordReader.open(server.url(FILE), '', { ...FAST, maxRetries: 0 });
    const error = await failure(reader.readAsync([300]));
    expect(error).toBeInstanceOf(IoError);
    expect(error.message).toMatch(/long body: more than the \d+ bytes of its Content-Range/);
    expect(error.message).toContain(server.url(FILE));
    // The client stopped reading: the server could not push the 256 MiB it meant to.
    expect(await sent[0]).toBeLessThan(64);
    reader.close();
  });

  it('an error body is read only as far as its message needs, and a binary one does not garble the message', async () => {
    const sent: Promise<number>[] = [];
    openHonestly((_request, response) => {
      response.writeHead(500);
      sent.push(pump(response, 256));
    });
    const reader = await ArrayRecordReader.open(server.url(FILE), '', { ...FAST, maxRetries: 0 });
    const error = await failure(reader.readAsync([300]));
    expect(error).toBeInstanceOf(IoError);
    expect(error.message).toMatch(/HTTP 500 \(/);
    expect(error.message.includes('\u0000')).toBe(false);
    expect(await sent[0]).toBeLessThan(64);
    reader.close();
  });

  it('a range sent with Content-Encoding: gzip is refused, not decoded (a gzip bomb), without retries', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 << 20));
    openHonestly((_request, response, { start, end }) => {
      response.writeHead(206, { 'content-range': `bytes ${start}-${end}/${BYTES.length}`, 'content-encoding': 'gzip', 'content-length': bomb.length, ...ETAG });
      response.end(bomb);
    });
    const reader = await ArrayRecordReader.open(server.url(FILE), '', FAST);
    server.seen.length = 0;
    const error = await failure(reader.readAsync([300]));
    expect(error).toBeInstanceOf(IoError);
    expect(error.message).toMatch(/Content-Encoding gzip/);
    expect(server.seen).toHaveLength(1);
    reader.close();
  });

  it('a range request asks for identity', async () => {
    server.handler = (request, response) => serveRange(request, response, BYTES, ETAG);
    const reader = await ArrayRecordReader.open(server.url(FILE), '', FAST);
    expect(sha256((await reader.readAsync([300]))[0]!)).toBe(GOLDEN.sha256[300]);
    expect(server.seen.every((request) => request.headers['accept-encoding'] === 'identity')).toBe(true);
    reader.close();
  });

  it.each([
    ['a reversed range', 'bytes 100-50/1638400'],
    ['numbers past 2^53', 'bytes 0-99999999999999999999/99999999999999999999'],
    ['a range past the size it states', 'bytes 0-10/5'],
  ])('a suffix answered with %s is an IoError that says so, not a "short body"', async (_name, contentRange) => {
    server.handler = (request, response) => {
      if (!request.headers.range?.startsWith('bytes=-')) return serveRange(request, response, BYTES, ETAG);
      response.writeHead(206, { 'content-range': contentRange, ...ETAG });
      response.end(BYTES.subarray(BYTES.length - TAIL));
    };
    const error = await failure(ArrayRecordReader.open(server.url(FILE), '', FAST));
    expect(error).toBeInstanceOf(IoError);
    expect(error.message).toContain(`impossible Content-Range (${contentRange})`);
    expect(error.message).toContain(server.url(FILE));
  });

  it('a suffix answered with the whole (large) object is refused before its body is read, as a 200 would be', async () => {
    server.handler = (request, response) => {
      if (!request.headers.range?.startsWith('bytes=-')) return serveRange(request, response, BYTES, ETAG);
      response.writeHead(206, { 'content-range': `bytes 0-${BYTES.length - 1}/${BYTES.length}`, 'content-length': BYTES.length, ...ETAG });
      response.end(BYTES);
    };
    const error = await failure(ArrayRecordReader.open(server.url(FILE), '', FAST));
    expect(error).toBeInstanceOf(UnsupportedError);
    expect(error.message).toMatch(/asked for the last 131072 bytes, the server sent bytes \[0, 1638400\)/);
  });
});

/** Two ArrayRecord files of the same size and layout whose records differ: A's records, then B's. */
function twins(): [Uint8Array, Uint8Array] {
  const write = (name: string, fill: number): Uint8Array => {
    const file = path.join(dir, `twin-${name}.array_record`);
    const writer = new ArrayRecordWriter(file, 'group_size:1,uncompressed');
    for (let i = 0; i < 10_000; i++) writer.write(new Uint8Array(100).fill(fill));
    writer.close();
    return fs.readFileSync(file);
  };
  return [write('a', 1), write('b', 2)];
}

describe('responses that could carry another object', () => {
  /** The twins' footer is fetched at open. */
  const TWIN: RemoteOptions = { ...FAST, openTailBytes: 512 * 1024 };

  it('a response without the version seen at open is refused: never records of another file', async () => {
    const [a, b] = twins();
    expect(a.length).toBe(b.length);
    // Opened as A with an ETag; then B, of the same size, from a server that ignores If-Match and drops the ETag.
    server.handler = (request, response) => (isOpen(request) ? serveRange(request, response, a, ETAG) : serveRange(request, response, b));
    const reader = await ArrayRecordReader.open(server.url('twin'), '', TWIN);
    const error = await failure(reader.readAsync([100]));
    expect(error).toBeInstanceOf(IoError);
    expect(error.message).toMatch(/the response states no version \(the object's was "v1" at open\)/);
    reader.close();
  });

  it('one gs:// path at two endpoints with alike versions: the disk cache keeps their bytes apart', async () => {
    const [a, b] = twins();
    const other = await HostileServer.start();
    try {
      const generation = { 'x-goog-generation': '1' };
      server.handler = (request, response) => serveRange(request, response, a, generation);
      other.handler = (request, response) => serveRange(request, response, b, generation);
      const cache = { directory: path.join(dir, 'two-endpoints'), maxBytes: 64 << 20 };
      const first = await ArrayRecordReader.open('gs://bkt/twin', '', { ...TWIN, cache, gcs: { endpoint: server.origin, token: 't' } });
      expect((await first.readAsync([100]))[0]![0]).toBe(1);
      first.close();
      const second = await ArrayRecordReader.open('gs://bkt/twin', '', { ...TWIN, cache, gcs: { endpoint: other.origin, token: 't' } });
      expect((await second.readAsync([100]))[0]![0]).toBe(2);
      second.close();
    } finally {
      await other.close();
    }
  });
});

describe('URLs that would name another object', () => {
  it("an S3 key with '.' or '..' segments is refused, not read as another key", async () => {
    server.handler = (request, response) => serveRange(request, response, BYTES, ETAG);
    const options: RemoteOptions = { ...FAST, s3: { endpoint: server.origin, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } } };
    for (const url of ['s3://b/a/../f.array_record', 's3://b/./f.array_record']) {
      const error = await failure(ArrayRecordReader.open(url, '', options));
      expect(error).toBeInstanceOf(UnsupportedError);
      expect(error.message).toContain(url);
    }
    expect(server.seen).toHaveLength(0);
  });

  it('a gs:// object named . or .. is refused (the URL would name the bucket)', async () => {
    const error = await failure(ArrayRecordReader.open('gs://bkt/..', '', { ...FAST, gcs: { endpoint: server.origin, token: 't' } }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(server.seen).toHaveLength(0);
  });

  it('an S3 bucket name that is no bucket name is an InvalidArgumentError, before any request is made or signed', async () => {
    const hosts: string[] = [];
    const options: RemoteOptions = {
      ...FAST,
      s3: { region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
      signRequest: (request) => {
        hosts.push(request.url);
        throw new Error('not sent');
      },
    };
    for (const url of ['s3://b#x/key', 's3://a:1/key', 's3://x?y/key']) {
      const error = await failure(ArrayRecordReader.open(url, '', options));
      expect(error, url).toBeInstanceOf(InvalidArgumentError);
      expect(error.message).toContain(url);
    }
    expect(hosts).toEqual([]);
  });
});

/** A ListObjectsV2 page. */
function listPage(keys: readonly string[], truncated: boolean, token?: string): string {
  const contents = keys.map((key) => `<Contents><Key>${key}</Key></Contents>`).join('');
  const next = token === undefined ? '' : `<NextContinuationToken>${token}</NextContinuationToken>`;
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name>${contents}<IsTruncated>${truncated}</IsTruncated>${next}</ListBucketResult>`;
}

const SHARDS = ['digits.array_record-00000-of-00002', 'digits.array_record-00001-of-00002'];

describe('listings that lie', () => {
  const s3: RemoteOptions = { ...FAST, maxRetries: 0 };
  const remote = (): RemoteOptions => ({ ...s3, s3: { endpoint: server.origin, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }, gcs: { endpoint: server.origin, token: 't' } });
  /** Serves `page(request)` to listing requests and the digits shards to the others. */
  function listing(page: (url: URL) => { type: string; body: string }): void {
    server.handler = (request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.searchParams.has('list-type') || /\/o$/.test(url.pathname)) {
        const { type, body } = page(url);
        response.writeHead(200, { 'content-type': type });
        response.end(body);
        return;
      }
      const name = SHARDS.find((shard) => decodeURIComponent(url.pathname).endsWith(shard));
      if (name === undefined) {
        response.writeHead(404);
        response.end();
        return;
      }
      serveRange(request, response, fs.readFileSync(goldenPath(name)), ETAG);
    };
  }
  const xml = (body: string): { type: string; body: string } => ({ type: 'application/xml', body });
  const json = (body: string): { type: string; body: string } => ({ type: 'application/json', body });

  it('an S3 continuation token that comes back is an IoError at once, not 100,000 requests', { timeout: 10_000 }, async () => {
    listing(() => xml(listPage([`d/${SHARDS[0]}`], true, 'again')));
    const error = await failure(ArrayRecordDataSource.open('s3://b/d/digits.array_record-*-of-*', '', { remote: remote() }));
    expect(error).toBeInstanceOf(IoError);
    expect(error.message).toMatch(/continuation token "again" a second time/);
    expect(server.seen.length).toBeLessThanOrEqual(2);
  });

  it('a GCS page token that comes back is an IoError at once', { timeout: 10_000 }, async () => {
    listing(() => json(JSON.stringify({ items: [], nextPageToken: 'again' })));
    const error = await failure(ArrayRecordDataSource.open('gs://b/d/digits.array_record-*-of-*', '', { remote: remote() }));
    expect(error).toBeInstanceOf(IoError);
    expect(error.message).toMatch(/page token "again" came a second time/);
  });

  it('truncated without a continuation token is an IoError', async () => {
    listing(() => xml(listPage([`d/${SHARDS[0]}`], true)));
    await expect(ArrayRecordDataSource.open('s3://b/d/digits.array_record-*-of-*', '', { remote: remote() })).rejects.toThrow(/truncated but gave no continuation token/);
  });

  it.each([
    ['an HTML page', 'text/html', '<html><body>proxy login</body></html>', /not a ListObjectsV2 response/],
    ['a reference to no character', 'application/xml', listPage(['d/x-&#x110000;'], false), /malformed XML: &#x110000; is no character/],
  ])('an S3 listing that is %s is an IoError naming the listing, not an empty listing or a RangeError', async (_name, type, body, message) => {
    listing(() => ({ type, body }));
    const error = await failure(ArrayRecordDataSource.open('s3://b/d/digits.array_record-*-of-*', '', { remote: remote() }));
    expect(error).toBeInstanceOf(IoError);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('s3://b/d/digits.array_record-');
  });

  it.each([
    ['JSON cut short', '{"items": [', /the response is not JSON/],
    ['null', 'null', /not an objects.list response/],
    ['items that are not a list', '{"items": 5}', /not an objects.list response/],
    ['names that are not strings', '{"items": [{"name": 5}]}', /not an objects.list response/],
  ])('a GCS listing of %s is an IoError that says so, not a SyntaxError, TypeError or empty listing', async (_name, body, message) => {
    listing(() => json(body));
    const error = await failure(ArrayRecordDataSource.open('gs://b/d/digits.array_record-*-of-*', '', { remote: remote() }));
    expect(error).toBeInstanceOf(IoError);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('gs://b/d/digits.array_record-');
  });

  it('keys outside the prefix are left out, and a key listed on two pages is read once', async () => {
    listing((url) =>
      url.searchParams.get('continuation-token') === null
        ? xml(listPage(['d/digits.array_record-00000-of-00002', 'elsewhere/digits.array_record-00001-of-00002', 'd/other-00000-of-00001'], true, 'page2'))
        : xml(listPage(['d/digits.array_record-00000-of-00002', 'd/digits.array_record-00001-of-00002'], false)),
    );
    const source = await ArrayRecordDataSource.open('s3://b/d/digits.array_record-*-of-*', '', { remote: remote() });
    expect(source.describe().files.map((file) => file.path)).toEqual(SHARDS.map((shard) => `s3://b/d/${shard}`));
    expect(source.length).toBe(SHARDS.reduce((total, shard) => total + goldenSidecar(shard).num_records, 0));
    source.close();
  });
});

describe('what holds already', () => {
  it('a server that ignores Range: a small file is read from the whole body, a large one is UnsupportedError', async () => {
    const small = fs.readFileSync(goldenPath('empty_g1.array_record'));
    server.handler = (_request, response) => {
      response.writeHead(200, { 'content-length': small.length, ...ETAG });
      response.end(small);
    };
    const reader = await ArrayRecordReader.open(server.url('small'), '', FAST);
    expect(await reader.readAllAsync()).toEqual([]);
    reader.close();
    server.handler = (_request, response) => {
      response.writeHead(200, { 'content-length': BYTES.length, ...ETAG });
      response.end(BYTES);
    };
    await expect(ArrayRecordReader.open(server.url(FILE), '', FAST)).rejects.toThrow(UnsupportedError);
  });

  it('an empty object is NotArrayRecordError, one shorter than a footer CorruptFileError, both naming the URL', async () => {
    server.handler = (request, response) => serveRange(request, response, new Uint8Array(0), ETAG);
    const empty = await failure(ArrayRecordReader.open(server.url('empty'), '', FAST));
    expect(empty).toBeInstanceOf(NotArrayRecordError);
    expect(empty.message).toContain(server.url('empty'));
    server.handler = (request, response) => serveRange(request, response, BYTES.subarray(0, 100), ETAG);
    const short = await failure(ArrayRecordReader.open(server.url('short'), '', FAST));
    expect(short).toBeInstanceOf(CorruptFileError);
    expect(short.message).toContain(server.url('short'));
  });

  it.each([
    ['never answers', (): void => {}],
    [
      'sends headers, then stalls mid-body',
      (_request: http.IncomingMessage, response: http.ServerResponse, { start, end }: { start: number; end: number }): void => {
        response.writeHead(206, { 'content-range': `bytes ${start}-${end}/${BYTES.length}`, 'content-length': end - start + 1, ...ETAG });
        response.write(BYTES.subarray(start, start + 10));
      },
    ],
  ])('a server that %s fails after the attempts, each bounded by requestTimeoutMs', async (_name, read) => {
    openHonestly(read);
    const reader = await ArrayRecordReader.open(server.url(FILE), '', { ...FAST, maxRetries: 1, requestTimeoutMs: 150 });
    const started = Date.now();
    const error = await failure(reader.readAsync([300]));
    expect(error).toBeInstanceOf(IoError);
    expect(error.message).toMatch(/failed 2 times; last: no complete response within 150 ms/);
    // Two attempts of 150 ms; unbounded, each would wait for the default 30 s. The margin is for a loaded CI.
    expect(Date.now() - started).toBeLessThan(10_000);
    reader.close();
  });

  it.each([
    ['huge', '99999999'],
    ['negative', '-5'],
    ['a date far ahead', new Date(Date.now() + 1e9).toUTCString()],
  ])('Retry-After %s waits at most retryMaxDelayMs', async (_name, retryAfter) => {
    let refusals = 0;
    openHonestly((request, response) => {
      if (refusals++ < 2) {
        response.writeHead(503, { 'retry-after': retryAfter });
        response.end();
        return;
      }
      serveRange(request, response, BYTES, ETAG);
    });
    const reader = await ArrayRecordReader.open(server.url(FILE), '', FAST);
    const started = Date.now();
    expect(sha256((await reader.readAsync([300]))[0]!)).toBe(GOLDEN.sha256[300]);
    // Two waits of at most 5 ms; obeyed, the Retry-After would be days. The margin is for a loaded CI.
    expect(Date.now() - started).toBeLessThan(10_000);
    reader.close();
  });

  it("an S3 error document's code is in the message of the IoError", async () => {
    server.handler = (_request, response) => {
      response.writeHead(403, { 'content-type': 'application/xml' });
      response.end('<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
    };
    await expect(ArrayRecordReader.open(server.url(FILE), '', FAST)).rejects.toThrow(/HTTP 403 \(access denied.*\): AccessDenied/);
  });

  it('a redirect to another host is followed, without the authorization header', async () => {
    const other = await HostileServer.start();
    try {
      other.handler = (request, response) => serveRange(request, response, BYTES, ETAG);
      server.handler = (_request, response) => {
        response.writeHead(302, { location: other.url(FILE) });
        response.end();
      };
      const reader = await ArrayRecordReader.open(server.url(FILE), '', { ...FAST, headers: { authorization: 'Bearer secret' } });
      expect(sha256((await reader.readAsync([300]))[0]!)).toBe(GOLDEN.sha256[300]);
      expect(other.seen.length).toBeGreaterThan(0);
      expect(other.seen.every((request) => request.headers.authorization === undefined)).toBe(true);
      reader.close();
    } finally {
      await other.close();
    }
  });
});
