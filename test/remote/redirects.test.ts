// Redirects of remote reads and listings: followed, but never from https to http, never forever, and
// with nothing but the range and the version preconditions sent on to another origin (fetch itself
// drops only `authorization` there: an S3 session token or a user's API-key header went on).

import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ArrayRecordReader, IoError, type RemoteOptions } from '../../src/index.js';
import { listRemote } from '../../src/format/io/remote/list.js';
import { MAX_REDIRECTS, RefusedRedirect, fetchFollowingRedirects } from '../../src/format/io/remote/redirects.js';
import { resolveRemoteOptions } from '../../src/format/io/remote/remote-options.js';
import { goldenPath, goldenSidecar, sha256 } from '../helpers/golden.js';
import { HostileServer, serveRange } from './hostile-server.js';

const FILE = 'uncompressed_g1_small.array_record';
const GOLDEN = goldenSidecar(FILE);
const BYTES = fs.readFileSync(goldenPath(FILE));
const FAST: RemoteOptions = { retryBaseDelayMs: 1, retryMaxDelayMs: 5, maxRetries: 2, openTailBytes: 128 * 1024, requestTimeoutMs: 2000 };
const ETAG = { etag: '"v1"' };
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token' };
let first: HostileServer;
let second: HostileServer;

beforeAll(async () => {
  [first, second] = await Promise.all([HostileServer.start(), HostileServer.start()]);
});
afterEach(() => {
  first.seen.length = 0;
  second.seen.length = 0;
  vi.unstubAllGlobals();
});
afterAll(async () => {
  await Promise.all([first.close(), second.close()]);
});

/** `server` answers every request with a redirect to the same path at `target`'s origin. */
function redirectEverythingTo(server: HostileServer, target: HostileServer, status = 307): void {
  server.handler = (request, response) => {
    response.writeHead(status, { location: `${target.origin}${request.url}` });
    response.end();
  };
}

/** A stand-in for fetch that answers each URL from `answers` (a redirect's Location, or a body), recording what it was asked. */
function fakeFetch(answers: Record<string, { location: string } | { body: string }>): { asked: { url: string; headers: Headers }[] } {
  const asked: { url: string; headers: Headers }[] = [];
  vi.stubGlobal('fetch', async (url: URL | string, init: RequestInit) => {
    asked.push({ url: String(url), headers: new Headers(init.headers) });
    const answer = answers[String(url)];
    if (answer === undefined) return new Response('no such object', { status: 404 });
    return 'location' in answer ? new Response(null, { status: 302, headers: { location: answer.location } }) : new Response(answer.body, { status: 200 });
  });
  return { asked };
}

describe('redirects of remote reads', () => {
  it('a redirect to another origin is followed with the range and If-Match only: no credentials, signatures or headers of yours', async () => {
    second.handler = (request, response) => serveRange(request, response, BYTES, ETAG);
    redirectEverythingTo(first, second);
    const options: RemoteOptions = { ...FAST, headers: { authorization: 'Bearer secret', 'x-api-key': 'key', cookie: 'session=1' } };
    const reader = await ArrayRecordReader.open(first.url(FILE), '', options);
    expect(sha256((await reader.readAsync([300]))[0]!)).toBe(GOLDEN.sha256[300]);
    reader.close();
    expect(first.seen.every((request) => request.headers['x-api-key'] === 'key' && request.headers.authorization === 'Bearer secret')).toBe(true);
    expect(second.seen.length).toBeGreaterThanOrEqual(first.seen.length);
    for (const { headers } of second.seen) {
      expect(headers.range).toMatch(/^bytes=/);
      expect([headers.authorization, headers['x-api-key'], headers.cookie]).toEqual([undefined, undefined, undefined]);
    }
    // Reads after open are pinned to the version: If-Match goes on, so a replaced object is still refused.
    expect(second.seen.some((request) => request.headers['if-match'] === '"v1"')).toBe(true);
  });

  it("an S3 GET redirected to another origin sends on neither the signature nor the session token", async () => {
    second.handler = (request, response) => serveRange(request, response, BYTES, ETAG);
    redirectEverythingTo(first, second);
    const reader = await ArrayRecordReader.open(`s3://bucket/${FILE}`, '', { ...FAST, s3: { endpoint: first.origin, region: 'us-east-1', credentials: CREDENTIALS } });
    expect(reader.numRecords()).toBe(GOLDEN.sha256.length);
    reader.close();
    expect(first.seen[0]!.headers['x-amz-security-token']).toBe('session-token');
    expect(first.seen[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
    expect(second.seen.length).toBeGreaterThan(0);
    for (const { headers } of second.seen) {
      expect(Object.keys(headers).filter((name) => name.startsWith('x-amz-') || name === 'authorization')).toEqual([]);
    }
  });

  it('a redirect within the origin keeps every header', async () => {
    first.handler = (request, response) => {
      if (request.url === `/moved/${FILE}`) return serveRange(request, response, BYTES, ETAG);
      response.writeHead(301, { location: `/moved/${FILE}` });
      response.end();
    };
    const reader = await ArrayRecordReader.open(first.url(FILE), '', { ...FAST, headers: { 'x-api-key': 'key' } });
    reader.close();
    expect(first.seen.filter((request) => request.url === `/moved/${FILE}`).length).toBeGreaterThan(0);
    expect(first.seen.every((request) => request.headers['x-api-key'] === 'key')).toBe(true);
  });

  it('a redirect from https to http is refused at once, naming both origins, and not retried', async () => {
    const { asked } = fakeFetch({ 'https://store.example/f.array_record': { location: 'http://store.example/f.array_record' } });
    const opened = ArrayRecordReader.open('https://store.example/f.array_record', '', FAST);
    await expect(opened).rejects.toThrow(IoError);
    await expect(opened).rejects.toThrow(
      /HTTP 302 from https:\/\/store\.example to http:\/\/store\.example: a redirect from https to http is refused \(the bytes would cross the network unprotected\)/,
    );
    expect(asked.every((request) => request.url.startsWith('https:'))).toBe(true);
    // Open's two requests (the head and the tail), one attempt each.
    expect(asked.length).toBe(2);
  });

  it('http to https is followed', async () => {
    fakeFetch({ 'http://store.example/x': { location: 'https://store.example/x' }, 'https://store.example/x': { body: 'bytes' } });
    const response = await fetchFollowingRedirects('http://store.example/x', {}, AbortSignal.timeout(5000));
    expect(await response.text()).toBe('bytes');
  });

  it('a Location that is not an http(s) URL is an IoError saying so', async () => {
    for (const [location, message] of [
      ['ftp://store.example/f', 'HTTP 302 to a ftp: URL, not http(s)'],
      ['http://[broken', 'HTTP 302 to "http://[broken", not a URL'],
    ]) {
      fakeFetch({ 'https://store.example/f': { location: location! } });
      const opened = ArrayRecordReader.open('https://store.example/f', '', FAST);
      await expect(opened).rejects.toThrow(IoError);
      await expect(opened).rejects.toThrow(message!);
    }
  });

  it('a redirect to a URL with a user name and password is refused at once, and the password is in no message', async () => {
    second.handler = (request, response) => serveRange(request, response, BYTES, ETAG);
    first.handler = (request, response) => {
      response.writeHead(302, { location: `http://user:secret@127.0.0.1:${new URL(second.origin).port}${request.url}` });
      response.end();
    };
    const error = await ArrayRecordReader.open(first.url(FILE), '', FAST).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IoError);
    expect((error as Error).message).toMatch(/HTTP 302 to a URL with a user name or password \(http:\/\/127\.0\.0\.1:\d+\): refused/);
    expect(String((error as Error).stack)).not.toContain('secret');
    // fetch cannot send such a request: it threw, and that was retried as a failed connection.
    expect(first.seen.length).toBe(2); // open's two requests, one attempt each
    expect(second.seen.length).toBe(0);
  });

  it(`follows ${MAX_REDIRECTS} redirects, and refuses the next`, async () => {
    const chain: Record<string, { location: string } | { body: string }> = {};
    for (let hop = 0; hop < MAX_REDIRECTS; hop++) chain[`https://store.example/${hop}`] = { location: `/${hop + 1}` };
    chain[`https://store.example/${MAX_REDIRECTS}`] = { body: 'arrived' };
    fakeFetch(chain);
    expect(await (await fetchFollowingRedirects('https://store.example/0', {}, AbortSignal.timeout(5000))).text()).toBe('arrived');
    chain[`https://store.example/${MAX_REDIRECTS}`] = { location: '/0' };
    fakeFetch(chain);
    await expect(fetchFollowingRedirects('https://store.example/0', {}, AbortSignal.timeout(5000))).rejects.toThrow(RefusedRedirect);
  });

  it('a listing redirected to another origin sends on no credentials either', async () => {
    second.handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/xml' });
      response.end('<?xml version="1.0"?><ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a/x.array_record</Key><Size>1</Size></Contents></ListBucketResult>');
    };
    redirectEverythingTo(first, second, 302);
    const listed = await listRemote('s3://bucket/a/*.array_record', resolveRemoteOptions({ ...FAST, s3: { endpoint: first.origin, credentials: CREDENTIALS } }));
    expect(listed).toEqual(['s3://bucket/a/x.array_record']);
    expect(first.seen[0]!.headers['x-amz-security-token']).toBe('session-token');
    expect(second.seen.length).toBe(1);
    expect(Object.keys(second.seen[0]!.headers).filter((name) => name.startsWith('x-amz-') || name === 'authorization')).toEqual([]);
  });
});
