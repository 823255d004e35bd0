// Are our requests what S3 and GCS require? Checked by independent oracles (test/remote/signing-server.ts):
// every S3 request's SigV4 signature recomputed by AWS's own signer from the request as it arrived,
// the object key / GCS object name / listing values decoded from the raw request-target as the
// services decode them and compared with what the user wrote, and http(s) URLs sent as given.

import { createHash } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, IoError, type RemoteOptions } from '../../src/index.js';
import { listRemote } from '../../src/format/io/remote/list.js';
import { RemoteFile } from '../../src/format/io/remote/remote-file.js';
import { resolveRemoteOptions } from '../../src/format/io/remote/remote-options.js';
import { HostileServer, serveRange } from './hostile-server.js';
import { GcsServer, SigV4Server, uriEncode } from './signing-server.js';

/** Larger than what opening fetches (the last 65,600 bytes and the first 4,096), so reads send If-Match / ifGenerationMatch requests too. */
const SIZE = 100_000;
const FAST: RemoteOptions = { retryBaseDelayMs: 1, retryMaxDelayMs: 5, maxRetries: 0, openTailBytes: 64 * 1024 + 64 };

/**
 * Keys that a wrong encoding turns into another key, a failed signature or no URL at all: `+`
 * (a space to form decoders), space, `%` (an escape), `#` and `?` (end the path), unicode, `//`,
 * a trailing or leading `/`, and what encodeURIComponent leaves alone (`!*'()`).
 */
const KEYS = [
  'plus+sign',
  'space in name',
  'percent%41literal',
  'percent%2Fslash',
  'hash#fragment',
  'query?x=1&y=2',
  'unicode/é/日本語/🙂',
  'double//slash',
  'trailing/',
  '/leading',
  "bang!star*quote'paren()",
  'tilde~dash-under_dot.',
  'amp&eq=semi;colon:at@comma,dollar$',
  'brackets[]{}|^`"<>\\',
  ' spaced / segments ',
  '+',
];

/** Bytes that differ from one key to another, so reading another object shows. */
function contentOf(name: string): Uint8Array {
  const seed = createHash('sha256').update(name).digest();
  const bytes = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i++) bytes[i] = seed[i % seed.length]! ^ (i >> 5);
  return bytes;
}

/** Opens `url` and reads it whole (a request beyond what opening fetched), closing it after. */
async function readWhole(url: string, options: RemoteOptions): Promise<Uint8Array> {
  const file = await RemoteFile.open(url, resolveRemoteOptions(options));
  try {
    return await file.read(0, file.size);
  } finally {
    file.close();
  }
}

/**
 * Waits until `server` has seen `count` requests: an open that fails on one of its two requests
 * rejects before the other has arrived, which must not land in the next check (or test).
 */
async function seenAll(server: SigV4Server, count: number): Promise<void> {
  while (server.seen.length < count) await sleep(5);
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

let s3: SigV4Server;
let gcs: GcsServer;
let plain: HostileServer;

beforeAll(async () => {
  [s3, gcs, plain] = await Promise.all([SigV4Server.start(), GcsServer.start(), HostileServer.start()]);
});
afterEach(() => {
  for (const server of [s3, gcs]) {
    server.problems.length = 0;
    server.seen.length = 0;
  }
  s3.credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  s3.region = 'us-east-1';
  plain.seen.length = 0;
});
afterAll(async () => {
  await Promise.all([s3.close(), gcs.close(), plain.close()]);
});

describe('the SigV4 oracle itself', () => {
  /** Sends a request by hand, as AWS's documentation writes it. */
  function send(target: string, headers: Record<string, string>): Promise<number> {
    const { port } = new URL(s3.origin);
    return new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: target, headers }, (response) => {
          response.resume();
          resolve(response.statusCode!);
        })
        .on('error', reject);
    });
  }

  it("accepts the signed GetObject and ListObjects examples of AWS's SigV4 documentation", async () => {
    // "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk", examples GET Object and GET Bucket (List Objects).
    s3.credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
    s3.put('examplebucket', 'test.txt', new TextEncoder().encode('0123456789abcdef'));
    const common = { 'x-test-signed-host': 'examplebucket.s3.amazonaws.com', 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'x-amz-date': '20130524T000000Z' };
    const scope = 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request';
    expect(
      await send('/test.txt', {
        ...common,
        range: 'bytes=0-9',
        authorization: `${scope},SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41`,
      }),
    ).toBe(206);
    expect(
      await send('/?max-keys=2&prefix=J', {
        ...common,
        authorization: `${scope},SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7`,
      }),
    ).toBe(400); // signed right; 400 only because it is ListObjects V1
    expect(s3.problems.filter((problem) => problem.includes('Signature'))).toEqual([]);
  });

  it('refuses a wrong secret, a wrong region, and a request changed after signing', async () => {
    s3.put('bkt', 'k', contentOf('k'));
    const base: RemoteOptions = { ...FAST, s3: { endpoint: s3.origin, region: 'us-east-1', credentials: s3.credentials } };
    const refusal = async (options: RemoteOptions): Promise<string[]> => {
      s3.problems.length = 0;
      s3.seen.length = 0;
      await expect(readWhole('s3://bkt/k', options)).rejects.toBeInstanceOf(IoError);
      await seenAll(s3, 2);
      // Opening sends two requests: each refusal once, without the signatures it quotes.
      return [...new Set(s3.problems.map((problem) => problem.replace(/: sent .*/, '')))];
    };
    expect(await refusal({ ...base, s3: { ...base.s3, credentials: { ...s3.credentials, secretAccessKey: 'wrong' } } })).toEqual(['SignatureDoesNotMatch']);
    expect(await refusal({ ...base, s3: { ...base.s3, region: 'eu-west-1' } })).toEqual(['signed for region eu-west-1, the bucket is in us-east-1']);
    expect(await refusal({ ...base, s3: { ...base.s3, credentials: { ...s3.credentials, sessionToken: 'extra' } } })).toEqual(['x-amz-security-token is "extra", expected undefined']);
    expect(await refusal({ ...base, signRequest: (request) => ({ ...request, url: `${request.url}2` }) })).toEqual(['SignatureDoesNotMatch']);
    // Signed right for a server that decodes and re-encodes the path (as AWS does), wrong for one that signs the path as it arrived.
    expect(await refusal({ ...base, signRequest: (request) => ({ ...request, url: request.url.replace(/\/k$/, '/%6B') }) })).toEqual(['path sent as /bkt/%6B, SigV4\'s canonical form is /bkt/k']);
  });

  it("encodes as SigV4's UriEncode says", () => {
    expect(uriEncode("a b+!*'()~/é", true)).toBe('a%20b%2B%21%2A%27%28%29~/%C3%A9');
    expect(uriEncode('a/b')).toBe('a%2Fb');
  });
});

describe('S3 requests, as an S3 server checks them', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

  it.each(KEYS)('GetObject of key %j at a path-style endpoint: signed right, the key decoded as written', async (key) => {
    s3.region = 'eu-central-1';
    s3.put('bkt', key, contentOf(key));
    const bytes = await readWhole(`s3://bkt/${key}`, { ...FAST, s3: { endpoint: `${s3.origin}/`, region: 'eu-central-1', credentials } });
    expect(s3.problems).toEqual([]);
    expect(Buffer.from(bytes).equals(Buffer.from(contentOf(key)))).toBe(true);
    expect(s3.seen.map((request) => [request.bucket, request.key])).toEqual(s3.seen.map(() => ['bkt', key]));
    // Ranged GETs at open, then an If-Match GET of the rest.
    expect(s3.seen.every((request) => request.headers.range !== undefined)).toBe(true);
    expect(s3.seen.some((request) => request.headers['if-match'] !== undefined)).toBe(true);
  });

  it('GetObject with a session token (x-amz-security-token signed)', async () => {
    s3.credentials = { ...credentials, sessionToken: 'FQoGZXIvYXdzE+/token=with/slashes==' };
    s3.put('bkt', 'tokened/key', contentOf('tokened'));
    const bytes = await readWhole('s3://bkt/tokened/key', { ...FAST, s3: { endpoint: s3.origin, credentials: s3.credentials } });
    expect(s3.problems).toEqual([]);
    expect(Buffer.from(bytes).equals(Buffer.from(contentOf('tokened')))).toBe(true);
    expect(s3.seen[0]!.headers['x-amz-security-token']).toBe(s3.credentials.sessionToken);
  });

  it('the session token from AWS_SESSION_TOKEN, and the region from AWS_REGION', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_SESSION_TOKEN: 'env+token/=', AWS_REGION: 'ap-southeast-2' });
    try {
      s3.credentials = { ...credentials, sessionToken: 'env+token/=' };
      s3.region = 'ap-southeast-2';
      s3.put('bkt', 'env key', contentOf('env key'));
      await readWhole('s3://bkt/env key', { ...FAST, s3: { endpoint: s3.origin } });
      expect(s3.problems).toEqual([]);
    } finally {
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION']) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });

  describe('at AWS itself (requests built for AWS hosts, sent here with their path and query unchanged)', () => {
    const aws = (region: string): RemoteOptions => ({ ...FAST, s3: { region, credentials }, signRequest: s3.redirectToLoopback });

    it.each([
      ['eu-west-3', 'my-bucket', 'my-bucket.s3.eu-west-3.amazonaws.com'],
      ['us-east-1', 'my-bucket', 'my-bucket.s3.amazonaws.com'],
      ['eu-west-3', 'my.dotted.bucket', 's3.eu-west-3.amazonaws.com'],
    ])('%s bucket %s: addressed at %s, every tricky key signed right', async (region, bucket, host) => {
      s3.region = region;
      for (const key of KEYS) {
        s3.put(bucket, key, contentOf(`${bucket}/${key}`));
        const bytes = await readWhole(`s3://${bucket}/${key}`, aws(region));
        expect(s3.problems, key).toEqual([]);
        expect(Buffer.from(bytes).equals(Buffer.from(contentOf(`${bucket}/${key}`))), key).toBe(true);
      }
      expect(new Set(s3.seen.map((request) => request.host))).toEqual(new Set([host]));
      expect(s3.seen.every((request) => request.bucket === bucket)).toBe(true);
    });

    it('a legacy bucket with capitals is addressed path-style: a host name would be lower-cased and name ANOTHER bucket', async () => {
      s3.put('MyBucket', 'data', contentOf('MyBucket/data'));
      s3.put('mybucket', 'data', contentOf('mybucket/data'));
      const bytes = await readWhole('s3://MyBucket/data', aws('us-east-1'));
      expect(s3.seen.map((request) => request.bucket)).toEqual(s3.seen.map(() => 'MyBucket'));
      expect(Buffer.from(bytes).equals(Buffer.from(contentOf('MyBucket/data')))).toBe(true);
    });

    it('a legacy bucket with an underscore is addressed path-style (no DNS or TLS name can carry it)', async () => {
      s3.put('my_bucket', 'data', contentOf('my_bucket/data'));
      await readWhole('s3://my_bucket/data', aws('us-east-1'));
      expect(s3.problems).toEqual([]);
      expect(new Set(s3.seen.map((request) => request.host))).toEqual(new Set(['s3.amazonaws.com']));
    });
  });

  describe('ListObjectsV2', () => {
    /** The shards under `prefix`, and decoys a mis-encoded prefix would list instead (`+` read as a space, or the reverse). */
    function putShards(bucket: string, prefix: string, decoys: readonly string[]): string[] {
      const names = Array.from({ length: 5 }, (_, k) => `${prefix}part-${k}`);
      for (const name of [...names, ...decoys.map((decoy) => `${decoy}part-0`)]) s3.put(bucket, name, contentOf(name));
      return names;
    }

    it.each([
      ['a space, a plus and a slash', 'shards/a b+c/', ['shards/a+b+c/', 'shards/a b c/']],
      ['an equals sign, ampersand and percent', 'x=1&y=%41/', ['x=1&y=A/']],
      ["encodeURIComponent's unescaped !*'()", "it's (really)!*/", []],
      ['unicode and a tilde', 'é~日本/', []],
    ])('prefix with %s: the prefix and every continuation token arrive as sent, signed right', async (_what, prefix, decoys) => {
      s3.region = 'eu-west-1';
      const names = putShards('lst', prefix, decoys);
      const listed = await listRemote(`s3://lst/${prefix}`, resolveRemoteOptions({ ...FAST, s3: { endpoint: s3.origin, region: 'eu-west-1', credentials } }));
      expect(s3.problems).toEqual([]);
      expect(listed).toEqual(names.map((name) => `s3://lst/${name}`).sort());
      // Pages of two: three requests, the last two with the server's tokens (`+/=& %2B<é>` in them) decoded exactly.
      expect(s3.seen.map((request) => request.query.get('prefix'))).toEqual([prefix, prefix, prefix]);
      expect(s3.seen.map((request) => request.query.get('continuation-token'))).toEqual([undefined, 'Cg+/=2& %2B<é>', 'Cg+/=4& %2B<é>']);
    });

    it('at AWS: virtual-hosted, signed for the region', async () => {
      s3.region = 'eu-west-3';
      const names = putShards('my-bucket', 'list me/+/', ['list me/ /']);
      const listed = await listRemote('s3://my-bucket/list me/+/', resolveRemoteOptions({ ...FAST, s3: { region: 'eu-west-3', credentials }, signRequest: s3.redirectToLoopback }));
      expect(s3.problems).toEqual([]);
      expect(listed).toEqual(names.map((name) => `s3://my-bucket/${name}`).sort());
      expect(s3.seen.every((request) => request.host === 'my-bucket.s3.eu-west-3.amazonaws.com')).toBe(true);
    });
  });

  it('a key or prefix that is not Unicode text (a lone surrogate) is an InvalidArgumentError, not another key', async () => {
    const options: RemoteOptions = { ...FAST, s3: { endpoint: s3.origin, credentials } };
    const read = await failure(readWhole('s3://bkt/bad\ud800key', options));
    expect(read).toBeInstanceOf(InvalidArgumentError);
    expect(read.message).toContain('s3://bkt/bad');
    const list = await failure(listRemote('s3://bkt/bad\ud800', resolveRemoteOptions(options)));
    expect(list).toBeInstanceOf(InvalidArgumentError);
    expect(s3.seen).toEqual([]);
  });
});

describe('GCS JSON API requests, as Google documents them', () => {
  let options: RemoteOptions;
  beforeAll(() => {
    options = { ...FAST, gcs: { endpoint: gcs.origin, token: gcs.token } };
  });

  it.each(KEYS)('media download of %j: the name one percent-encoded segment, decoded as written', async (name) => {
    gcs.put('bkt', name, contentOf(`gs/${name}`));
    const bytes = await readWhole(`gs://bkt/${name}`, options);
    expect(gcs.problems).toEqual([]);
    expect(Buffer.from(bytes).equals(Buffer.from(contentOf(`gs/${name}`)))).toBe(true);
    expect(gcs.seen.map((request) => request.key)).toEqual(gcs.seen.map(() => name));
    expect(gcs.seen.some((request) => request.query.has('ifGenerationMatch'))).toBe(true);
  });

  it.each([
    ['a space, a plus and a slash', 'shards/a b+c/', ['shards/a+b+c/', 'shards/a b c/']],
    ["!*'() and unicode", "it's (é)!*/", []],
    ['= & % ?', 'x=1&y=%41?/', ['x=1&y=A?/']],
  ])('objects.list with a prefix with %s: prefix and page tokens arrive exactly', async (_what, prefix, decoys) => {
    const names = Array.from({ length: 5 }, (_, k) => `${prefix}part-${k}`);
    for (const name of [...names, ...decoys.map((decoy) => `${decoy}part-0`)]) gcs.put('lst', name, contentOf(name));
    const listed = await listRemote(`gs://lst/${prefix}`, resolveRemoteOptions(options));
    expect(gcs.problems).toEqual([]);
    expect(listed).toEqual(names.map((name) => `gs://lst/${name}`).sort());
    expect(gcs.seen.map((request) => request.query.get('prefix'))).toEqual([prefix, prefix, prefix]);
    expect(gcs.seen.map((request) => request.query.get('pageToken'))).toEqual([undefined, 'Cg+/=2& %2B<é>', 'Cg+/=4& %2B<é>']);
  });

  it('an object name that is not Unicode text is an InvalidArgumentError', async () => {
    await expect(readWhole('gs://bkt/bad\udc00', options)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(listRemote('gs://bkt/bad\udc00', resolveRemoteOptions(options))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(gcs.seen).toEqual([]);
  });
});

describe('http(s) URLs are requested as given', () => {
  const BYTES = contentOf('plain');
  beforeAll(() => {
    plain.handler = (request, response) => serveRange(request, response, BYTES, { etag: '"p1"' });
  });

  it.each([
    "/d/a%20b/c%2Fd/e+f/%7E~/!*'()/%41%c3%a9/x.bin?x=a+b&y=%2B&z=%7e&w=%20",
    '/d/%2e%2E.x/%25/;p=1/:@$,&=/x.bin?sig=abc%2Fdef%3D%3D&a=&b',
    '/d//double//slash/?q',
  ])('%s arrives byte for byte (the fragment dropped, as fetch does)', async (target) => {
    await readWhole(`${plain.origin}${target}#fragment`, FAST);
    expect(plain.seen.length).toBeGreaterThan(0);
    expect(plain.seen.every((request) => request.url === target)).toBe(true);
  });

  it('a URL fetch itself would change is still what the WHATWG URL parser makes of it (documented): dot segments resolve', async () => {
    await readWhole(`${plain.origin}/d/x/../y.bin`, FAST);
    expect(plain.seen.every((request) => request.url === '/d/y.bin')).toBe(true);
  });
});

describe('what the oracle reports reaches the caller', () => {
  it('a refused signature is an IoError naming the URL', async () => {
    const error = await failure(readWhole('s3://bkt/k', { ...FAST, s3: { endpoint: s3.origin, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'nope' } } }));
    expect(error).toBeInstanceOf(IoError);
    expect(error.message).toContain('s3://bkt/k');
    await seenAll(s3, 2);
  });
});
