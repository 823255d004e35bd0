// Loopback servers that check what S3 and GCS check, independently of our client code
// (test/remote/signing.test.ts). s3rver checks only the access key; these recompute every SigV4
// signature with AWS's own signer (@smithy/signature-v4) from the request as it arrived (method,
// request-target as sent on the wire, headers), and decode object keys, names and query values
// from the raw request-target the way the services do, so a test can compare them with what the
// user wrote. Every departure is recorded in `problems` and answered 403 or 400.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { RemoteRequest } from '../../src/index.js';
import { serveRange } from './hostile-server.js';

/**
 * SigV4's UriEncode ("Create a canonical request", AWS IAM user guide): every UTF-8 byte but
 * A-Z a-z 0-9 - . _ ~ as %XY with upper-case hex; `/` kept in an S3 path. Written here from the
 * rule, not taken from the client, so the two cannot share a mistake.
 */
export function uriEncode(text: string, keepSlash = false): string {
  let out = '';
  for (const character of text) {
    if (/^[A-Za-z0-9\-._~]$/.test(character) || (keepSlash && character === '/')) out += character;
    else for (const byte of new TextEncoder().encode(character)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** RFC 3986 percent-decoding (a `+` is a plus sign); undefined for malformed escapes or UTF-8. */
function percentDecode(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** A raw query string's parameters, each raw and decoded; undefined when one does not decode. */
function parseQuery(raw: string): { raw: string; name: string; value: string }[] | undefined {
  const parameters: { raw: string; name: string; value: string }[] = [];
  for (const part of raw === '' ? [] : raw.split('&')) {
    const equals = part.indexOf('=');
    const name = percentDecode(equals < 0 ? part : part.slice(0, equals));
    const value = percentDecode(equals < 0 ? '' : part.slice(equals + 1));
    if (name === undefined || value === undefined) return undefined;
    parameters.push({ raw: part, name, value });
  }
  return parameters;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Keys in the order S3 lists them: by their UTF-8 bytes. */
function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** One request as a server decoded it. */
export interface DecodedRequest {
  /** The request-target exactly as it arrived. */
  readonly target: string;
  /** The host the request was addressed (and signed) for. */
  readonly host: string;
  readonly bucket: string | undefined;
  /** The object key or name the path decodes to; undefined for a listing. */
  readonly key: string | undefined;
  /** The decoded query parameters. */
  readonly query: ReadonlyMap<string, string>;
  readonly headers: http.IncomingHttpHeaders;
}

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Sent by `redirectToLoopback` with the host a request was built and signed for (unsigned, not x-amz-). */
const SIGNED_HOST = 'x-test-signed-host';

/** A loopback HTTP server with the bookkeeping both oracles share. */
abstract class OracleServer {
  readonly problems: string[] = [];
  readonly seen: DecodedRequest[] = [];
  protected readonly server: http.Server;
  protected readonly objects = new Map<string, { bytes: Uint8Array; version: string }>();
  /** Names per listing page: small, so every listing needs continuation tokens. */
  pageSize = 2;
  private versions = 0;

  protected constructor() {
    this.server = http.createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.problems.push(`server error: ${String(error)}`);
        response.writeHead(500);
        response.end();
      });
    });
  }

  protected abstract handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void>;

  protected async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Stores an object; a new version (ETag, generation) each time. */
  put(bucket: string, key: string, bytes: Uint8Array): void {
    this.objects.set(`${bucket}\n${key}`, { bytes, version: String(++this.versions) });
  }

  protected object(bucket: string, key: string): { bytes: Uint8Array; version: string } | undefined {
    return this.objects.get(`${bucket}\n${key}`);
  }

  /** The keys of `bucket` starting with `prefix`, in listing order. */
  protected keys(bucket: string, prefix: string): string[] {
    return [...this.objects.keys()]
      .filter((entry) => entry.startsWith(`${bucket}\n`))
      .map((entry) => entry.slice(bucket.length + 1))
      .filter((key) => key.startsWith(prefix))
      .sort(byUtf8);
  }

  /** A page token naming where the next page starts, with the characters a token may carry (base64's `+/=`, and worse). */
  protected static pageToken(start: number): string {
    return `Cg+/=${start}& %2B<é>`;
  }

  protected static pageStart(token: string | undefined): number | undefined {
    if (token === undefined) return 0;
    const match = /^Cg\+\/=(\d+)& %2B<é>$/.exec(token);
    return match === null ? undefined : Number(match[1]);
  }

  /** Answers with an S3-style error document; its Code is what the client's error message quotes. */
  protected refuse(response: http.ServerResponse, status: number, problems: readonly string[], code = 'Refused'): void {
    this.problems.push(...problems);
    response.writeHead(status, { 'content-type': 'application/xml' });
    response.end(`<Error><Code>${code}</Code><Message>${escapeXml(problems.join('; '))}</Message></Error>`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Parsed `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. */
interface Authorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: string[];
  readonly signature: string;
}

function parseAuthorization(value: string | undefined): Authorization | undefined {
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(value ?? '');
  if (match === null) return undefined;
  return { accessKeyId: match[1]!, date: match[2]!, region: match[3]!, service: match[4]!, signedHeaders: match[5]!.split(';'), signature: match[6]! };
}

/** `20240102T030405Z` as a Date. */
function amzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return match === null ? undefined : new Date(Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!, +match[4]!, +match[5]!, +match[6]!));
}

/**
 * S3 as AWS serves it, path-style at `origin` and virtual-hosted for requests sent through
 * `redirectToLoopback`: GetObject (Range, If-Match) and ListObjectsV2 (prefix, continuation-token),
 * every request's SigV4 signature recomputed by @smithy/signature-v4, and the wire form of path and
 * query required to be SigV4's canonical form itself, so that a server signing the path as it
 * arrived (as well as one that decodes and re-encodes it, as AWS does) computes the same signature.
 */
export class SigV4Server extends OracleServer {
  /** What every request must be signed with. */
  credentials: AwsCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  region = 'us-east-1';

  static async start(): Promise<SigV4Server> {
    const server = new SigV4Server();
    await server.listen();
    return server;
  }

  /**
   * A signRequest hook sending a request built (and signed) for an AWS host to this server instead,
   * its path and query exactly as fetch would have sent them there, and the host it was signed for in
   * a header: the bucket of a virtual-hosted URL, and the signature, are checked against that host.
   */
  readonly redirectToLoopback = (request: RemoteRequest): RemoteRequest => {
    const url = new URL(request.url);
    return { ...request, url: `${this.origin}${url.pathname}${url.search}`, headers: { ...request.headers, [SIGNED_HOST]: url.host } };
  };

  protected async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const target = request.url ?? '/';
    const host = String(request.headers[SIGNED_HOST] ?? request.headers.host ?? '');
    const question = target.indexOf('?');
    const rawPath = question < 0 ? target : target.slice(0, question);
    const query = parseQuery(question < 0 ? '' : target.slice(question + 1));
    const path = percentDecode(rawPath);
    if (query === undefined || path === undefined) return this.refuse(response, 400, [`${target}: malformed percent-encoding`]);
    const problems = [...this.wireProblems(rawPath, path, query), ...(await this.signatureProblems(request, host, path, query))];
    const route = this.route(host, path);
    if (typeof route === 'string') problems.push(route);
    const decoded: DecodedRequest = {
      target,
      host,
      bucket: typeof route === 'string' ? undefined : route.bucket,
      key: typeof route === 'string' || route.key === '' ? undefined : route.key,
      query: new Map(query.map(({ name, value }) => [name, value])),
      headers: request.headers,
    };
    this.seen.push(decoded);
    if (problems.length > 0) {
      const code = problems.some((problem) => problem.startsWith('SignatureDoesNotMatch')) ? 'SignatureDoesNotMatch' : problems.some((problem) => problem.includes('canonical form')) ? 'NotCanonicalEncoding' : 'AccessDenied';
      return this.refuse(response, 403, problems, code);
    }
    if (decoded.key === undefined) return this.list(decoded, response);
    const found = this.object(decoded.bucket!, decoded.key);
    if (found === undefined) return this.refuse(response, 404, [`no key ${JSON.stringify(decoded.key)} in bucket ${JSON.stringify(decoded.bucket)}`], 'NoSuchKey');
    const etag = `"${found.version}"`;
    const ifMatch = request.headers['if-match'];
    if (ifMatch !== undefined && ifMatch !== etag) {
      response.writeHead(412, { etag });
      response.end();
      return;
    }
    serveRange(request, response, found.bytes, { etag });
  }

  /** The path and each query parameter must arrive in SigV4's canonical form (UriEncode, `%20` for a space, never `+`). */
  private wireProblems(rawPath: string, path: string, query: readonly { raw: string; name: string; value: string }[]): string[] {
    const problems: string[] = [];
    if (rawPath !== uriEncode(path, true)) problems.push(`path sent as ${rawPath}, SigV4's canonical form is ${uriEncode(path, true)}`);
    for (const { raw, name, value } of query) {
      const canonical = `${uriEncode(name)}=${uriEncode(value)}`;
      if (raw !== canonical) problems.push(`query parameter sent as ${raw}, SigV4's canonical form is ${canonical}`);
    }
    return problems;
  }

  /** The signature AWS's signer computes from the request as it arrived, compared with the one sent. */
  private async signatureProblems(request: http.IncomingMessage, host: string, path: string, query: readonly { name: string; value: string }[]): Promise<string[]> {
    const authorization = parseAuthorization(request.headers.authorization);
    if (authorization === undefined) return [`no SigV4 Authorization header (${request.headers.authorization})`];
    const problems: string[] = [];
    const { credentials, region } = this;
    const date = amzDate(String(request.headers['x-amz-date'] ?? ''));
    if (date === undefined) problems.push(`x-amz-date is ${request.headers['x-amz-date']}`);
    if (authorization.accessKeyId !== credentials.accessKeyId) problems.push(`access key ${authorization.accessKeyId}`);
    if (authorization.region !== region) problems.push(`signed for region ${authorization.region}, the bucket is in ${region}`);
    if (authorization.service !== 's3') problems.push(`signed for service ${authorization.service}`);
    if (authorization.date !== String(request.headers['x-amz-date']).slice(0, 8)) problems.push('credential scope date is not x-amz-date');
    const token = request.headers['x-amz-security-token'];
    if (token !== credentials.sessionToken) problems.push(`x-amz-security-token is ${JSON.stringify(token)}, expected ${JSON.stringify(credentials.sessionToken)}`);
    // AWS requires host and every x-amz-* header to be signed.
    for (const name of ['host', ...Object.keys(request.headers).filter((name) => name.startsWith('x-amz-'))]) {
      if (!authorization.signedHeaders.includes(name)) problems.push(`header ${name} is not signed`);
    }
    if (problems.length > 0 || date === undefined) return problems;
    const headers: Record<string, string> = {};
    for (const name of authorization.signedHeaders) {
      const value = name === 'host' ? host : request.headers[name];
      if (value === undefined) return [`signed header ${name} was not sent`];
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const grouped: Record<string, string | string[]> = {};
    for (const { name, value } of query) {
      const before = grouped[name];
      grouped[name] = before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
    }
    // uriEscapePath: false is S3's setting (paths are encoded once); the canonical path is UriEncode of the decoded path.
    const signer = new SignatureV4({ service: 's3', region, credentials, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
    const signed = await signer.sign({ method: request.method ?? 'GET', protocol: 'https:', hostname: host, path: uriEncode(path, true), query: grouped, headers }, { signingDate: date });
    // Compared field by field: the header's spacing after commas is free.
    const expected = parseAuthorization(String(signed.headers.authorization))!;
    const same = expected.signature === authorization.signature && expected.signedHeaders.join(';') === authorization.signedHeaders.join(';');
    return same ? [] : [`SignatureDoesNotMatch: sent ${request.headers.authorization}, AWS's signer computes ${String(signed.headers.authorization)}`];
  }

  /** The bucket and key a request names: from the host for virtual-hosted AWS names, else the path's first segment. */
  private route(host: string, path: string): { bucket: string; key: string } | string {
    // Host names are case-insensitive: S3 reads the bucket of a virtual-hosted name in lower case.
    const lower = host.toLowerCase();
    const region = this.region === 'us-east-1' ? '(?:\\.us-east-1)?' : `\\.${this.region}`;
    const virtual = new RegExp(`^(.+)\\.s3${region}\\.amazonaws\\.com$`).exec(lower);
    if (virtual !== null) return { bucket: virtual[1]!, key: path.slice(1) };
    if (!new RegExp(`^s3${region}\\.amazonaws\\.com$`).test(lower) && host !== this.origin.slice('http://'.length)) return `host ${host} is not the endpoint of ${this.region}`;
    const slash = path.indexOf('/', 1);
    return slash < 0 ? { bucket: path.slice(1), key: '' } : { bucket: path.slice(1, slash), key: path.slice(slash + 1) };
  }

  /** ListObjectsV2, `pageSize` keys a page. */
  private list(request: DecodedRequest, response: http.ServerResponse): void {
    if (request.query.get('list-type') !== '2') return this.refuse(response, 400, [`not ListObjectsV2: ${request.target}`]);
    const prefix = request.query.get('prefix') ?? '';
    const start = OracleServer.pageStart(request.query.get('continuation-token'));
    if (start === undefined) return this.refuse(response, 400, [`continuation-token ${JSON.stringify(request.query.get('continuation-token'))} is none this server gave`]);
    const keys = this.keys(request.bucket!, prefix);
    const page = keys.slice(start, start + this.pageSize);
    const truncated = start + this.pageSize < keys.length;
    const next = truncated ? `<NextContinuationToken>${escapeXml(OracleServer.pageToken(start + this.pageSize))}</NextContinuationToken>` : '';
    response.writeHead(200, { 'content-type': 'application/xml' });
    response.end(
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${escapeXml(request.bucket!)}</Name><Prefix>${escapeXml(prefix)}</Prefix>` +
        `<KeyCount>${page.length}</KeyCount><MaxKeys>${this.pageSize}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${next}` +
        page.map((key) => `<Contents><Key>${escapeXml(key)}</Key></Contents>`).join('') +
        '</ListBucketResult>',
    );
  }
}

/** Characters Google's "Encoding URI path parts" says to percent-encode in an object name or query string. */
const GCS_RESERVED = /[!#$&'()*+,/:;=?@[\] ]/;

/**
 * The GCS JSON API: media downloads (`/storage/v1/b/<bucket>/o/<object>?alt=media`, Range,
 * ifGenerationMatch) and objects.list (prefix, pageToken), with a bearer token. The object name
 * must arrive as one path segment with every character of Google's list percent-encoded (`/`
 * included), and so must query values.
 */
export class GcsServer extends OracleServer {
  token = 'ya29.test-token';

  static async start(): Promise<GcsServer> {
    const server = new GcsServer();
    await server.listen();
    return server;
  }

  protected async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const target = request.url ?? '/';
    const question = target.indexOf('?');
    const rawPath = question < 0 ? target : target.slice(0, question);
    const query = parseQuery(question < 0 ? '' : target.slice(question + 1));
    const match = /^\/storage\/v1\/b\/([^/]+)\/o(?:\/(.*))?$/.exec(rawPath);
    if (match === null || query === undefined) return this.refuse(response, 404, [`${target}: no JSON API resource`]);
    const problems: string[] = [];
    const [, rawBucket, rawName] = match;
    if (rawName !== undefined && GCS_RESERVED.test(rawName)) problems.push(`object name sent as ${rawName}: ${GCS_RESERVED.exec(rawName)![0]} must be percent-encoded`);
    for (const { raw } of query) {
      const [rawKey, ...rest] = raw.split('=');
      const rawValue = rest.join('=');
      for (const part of [rawKey!, rawValue]) if (GCS_RESERVED.test(part)) problems.push(`query parameter sent as ${raw}: ${GCS_RESERVED.exec(part)![0]} must be percent-encoded`);
    }
    if (request.headers.authorization !== `Bearer ${this.token}`) problems.push(`authorization ${request.headers.authorization}`);
    const bucket = percentDecode(rawBucket!);
    const name = rawName === undefined ? undefined : percentDecode(rawName);
    if (bucket === undefined || name === '' || (rawName !== undefined && name === undefined)) problems.push(`${target}: malformed percent-encoding`);
    const decoded: DecodedRequest = { target, host: String(request.headers.host), bucket, key: name, query: new Map(query.map(({ name: n, value }) => [n, value])), headers: request.headers };
    this.seen.push(decoded);
    if (problems.length > 0) return this.refuse(response, 400, problems, 'NotEncodedAsDocumented');
    if (name === undefined) return this.list(decoded, response);
    if (decoded.query.get('alt') !== 'media') return this.refuse(response, 400, [`${target}: not a media download`]);
    const found = this.object(bucket!, name);
    if (found === undefined) return this.refuse(response, 404, [`no object ${JSON.stringify(name)} in ${bucket}`]);
    const generation = decoded.query.get('ifGenerationMatch');
    if (generation !== undefined && generation !== found.version) {
      response.writeHead(412, { 'x-goog-generation': found.version });
      response.end();
      return;
    }
    serveRange(request, response, found.bytes, { 'x-goog-generation': found.version });
  }

  /** objects.list, `pageSize` names a page. */
  private list(request: DecodedRequest, response: http.ServerResponse): void {
    const start = OracleServer.pageStart(request.query.get('pageToken'));
    if (start === undefined) return this.refuse(response, 400, [`pageToken ${JSON.stringify(request.query.get('pageToken'))} is none this server gave`]);
    const names = this.keys(request.bucket!, request.query.get('prefix') ?? '');
    const page = names.slice(start, start + this.pageSize);
    const more = start + this.pageSize < names.length;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ items: page.map((name) => ({ name })), ...(more ? { nextPageToken: OracleServer.pageToken(start + this.pageSize) } : {}) }));
  }
}
