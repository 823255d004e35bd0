// s3://bucket/key objects: the endpoint (AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL path-style),
// credentials from the standard chain (environment, then the shared credentials and config files'
// profile), SigV4 signing by aws4fetch, and ListObjectsV2 for shard patterns.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, InvalidOptionsError, IoError, UnsupportedError } from '../../errors.js';
import { fetchText, MAX_LISTING_PAGES, type ObjectEndpoint } from './http-client.js';
import { isWeak } from './http-endpoint.js';
import { checkCredentials, type RemoteRequest, type ResolvedRemoteOptions, type S3Credentials, type S3Options } from './remote-options.js';
import { queryString, uriEncode } from './uri-encode.js';

/** Sections of an INI file (the AWS shared files), by name. */
function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (section !== null) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (pair !== null && current !== undefined) current.set(pair[1]!.toLowerCase(), pair[2]!);
  }
  return sections;
}

function readIni(file: string): Map<string, Map<string, string>> {
  try {
    return parseIni(fs.readFileSync(file, 'utf8'));
  } catch {
    return new Map();
  }
}

function sharedFile(variable: string, name: string): string {
  const configured = process.env[variable];
  return configured !== undefined && configured !== '' ? configured : path.join(os.homedir(), '.aws', name);
}

/** The profile's section: `[name]` in the credentials file, `[profile name]` (or `[default]`) in the config file. */
function profileSection(sections: Map<string, Map<string, string>>, profile: string, config: boolean): Map<string, string> | undefined {
  return config ? (sections.get(`profile ${profile}`) ?? (profile === 'default' ? sections.get('default') : undefined)) : sections.get(profile);
}

function credentialsIn(section: Map<string, string> | undefined): S3Credentials | undefined {
  const accessKeyId = section?.get('aws_access_key_id');
  const secretAccessKey = section?.get('aws_secret_access_key');
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken: section?.get('aws_session_token') };
}

/**
 * Credentials from the standard chain: the option, AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+
 * AWS_SESSION_TOKEN), then the profile in ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE) and
 * ~/.aws/config (AWS_CONFIG_FILE); undefined when there are none (unsigned requests).
 * Instance roles, SSO and the like: pass `credentials: fromNodeProviderChain()` from @aws-sdk/credential-providers.
 * @throws InvalidOptionsError when the credentials function returns something else.
 */
export async function s3Credentials(options: S3Options): Promise<S3Credentials | undefined> {
  if (typeof options.credentials === 'function') {
    const found = await options.credentials();
    return found === undefined ? undefined : checkCredentials(found, 's3.credentials()');
  }
  if (options.credentials !== undefined) return options.credentials;
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey, sessionToken: sessionToken || undefined };
  const profile = options.profile ?? (process.env.AWS_PROFILE || 'default');
  return (
    credentialsIn(profileSection(readIni(sharedFile('AWS_SHARED_CREDENTIALS_FILE', 'credentials')), profile, false)) ??
    credentialsIn(profileSection(readIni(sharedFile('AWS_CONFIG_FILE', 'config')), profile, true))
  );
}

/** The region: the option, AWS_REGION, AWS_DEFAULT_REGION, the profile's region in ~/.aws/config, else us-east-1. */
export function s3Region(options: S3Options): string {
  if (options.region !== undefined) return options.region;
  const fromEnv = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  const profile = options.profile ?? (process.env.AWS_PROFILE || 'default');
  return profileSection(readIni(sharedFile('AWS_CONFIG_FILE', 'config')), profile, true)?.get('region') ?? 'us-east-1';
}

/** A custom endpoint (path-style), or undefined for AWS. */
function customEndpoint(options: S3Options): string | undefined {
  const endpoint = options.endpoint ?? (process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined);
  if (endpoint === undefined) return undefined;
  if (!/^https?:\/\//i.test(endpoint)) throw new InvalidOptionsError(`the S3 endpoint must be an http(s) URL, got "${endpoint}"`);
  return endpoint.replace(/\/+$/, '');
}

/** Characters of S3 bucket names (those of us-east-1's legacy names included). */
const BUCKET_NAME = /^[A-Za-z0-9._-]+$/;
/**
 * Names a virtual-hosted URL can carry: one DNS label (a dot would defeat the wildcard certificate).
 * A legacy name with capitals would be lower-cased as a host name and address ANOTHER bucket (AWS's
 * bucket naming rules say so of `MyAWSBucket`); `_` is no host name character. Those go path-style.
 */
const DNS_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * @throws InvalidArgumentError, naming `path`, for a bucket name S3 cannot have: written into a host
 *   name, `#`, `?`, `:` or `@` would send the signed request to another host, or make no URL at all.
 */
function checkBucket(bucket: string, path: string): void {
  if (!BUCKET_NAME.test(bucket)) throw new InvalidArgumentError(`an S3 bucket name has letters, digits, '.', '-' and '_' only, got "${bucket}"`, { path });
}

/** The URL of a bucket (ending in '/') for requests: path-style at a custom endpoint, virtual-hosted at AWS when the name is a DNS label. */
function bucketUrl(bucket: string, options: S3Options): string {
  const endpoint = customEndpoint(options);
  if (endpoint !== undefined) return `${endpoint}/${encodeURIComponent(bucket)}/`;
  const region = s3Region(options);
  const host = region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${region}.amazonaws.com`;
  return DNS_BUCKET.test(bucket) ? `https://${bucket}.${host}/` : `https://${host}/${bucket}/`;
}

/**
 * aws4fetch, loaded by the first signed request: a process or read worker that never signs one does
 * not load it (~11 ms at the start of every read worker, in the first pass of a fresh process).
 */
let aws4fetch: Promise<typeof import('aws4fetch')> | undefined;

/** Signs with SigV4 for S3 when there are credentials; unsigned (public buckets) when not. */
function signer(options: S3Options): (request: RemoteRequest) => Promise<RemoteRequest> {
  const region = s3Region(options);
  let credentials: Promise<S3Credentials | undefined> | undefined;
  return async (request) => {
    credentials ??= s3Credentials(options);
    const found = await credentials;
    if (found === undefined) return request;
    const { AwsV4Signer } = await (aws4fetch ??= import('aws4fetch'));
    const signed = await new AwsV4Signer({
      method: request.method,
      url: request.url,
      headers: request.headers,
      accessKeyId: found.accessKeyId,
      secretAccessKey: found.secretAccessKey,
      sessionToken: found.sessionToken,
      service: 's3',
      region,
    }).sign();
    const headers: Record<string, string> = {};
    signed.headers.forEach((value, name) => (headers[name] = value));
    return { method: request.method, url: signed.url.toString(), headers };
  };
}

/**
 * How to GET s3://bucket/key: If-Match on the ETag seen at open, signed per attempt.
 * @throws InvalidOptionsError for a malformed endpoint; InvalidArgumentError for a malformed bucket
 *   name or a key that is not Unicode text; UnsupportedError for a key with a `.` or `..` segment.
 */
export function s3Endpoint(path: string, bucket: string, key: string, options: ResolvedRemoteOptions): ObjectEndpoint {
  checkBucket(bucket, path);
  // URLs resolve `.` and `..` segments, written %2e too (so encoding cannot keep them): s3://b/a/../f would read the object f.
  if (key.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new UnsupportedError("an S3 key with a '.' or '..' segment cannot be requested: URLs resolve such segments, and the request would read another object", { path });
  }
  const url = bucketUrl(bucket, options.s3) + uriEncode(key, path, true);
  return {
    path,
    // Not on a weak ETag (some S3-compatible stores send them): If-Match never matches one. Each
    // response's version is still compared.
    request: (version) => ({ method: 'GET', url, headers: version === undefined || isWeak(version) ? {} : ({ 'if-match': version } as Record<string, string>) }),
    sign: signer(options.s3),
    versionOf: (headers) => headers.get('etag') ?? undefined,
  };
}

/**
 * XML text with its five entities and numeric references decoded.
 * @throws IoError, naming `where`, for a reference to no character (`&#x110000;`, `&#xD800;`).
 */
function xmlText(text: string, where: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (reference, entity: string) => {
    const lower = entity.toLowerCase();
    if (!lower.startsWith('#')) return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[lower]!;
    const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : Number(lower.slice(1));
    // Surrogates are no XML characters either: one alone could not be sent back in a continuation token.
    if (!(code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) throw new IoError(`ListObjectsV2 sent malformed XML: ${reference} is no character`, { path: where });
    return String.fromCodePoint(code);
  });
}

/**
 * The keys of `bucket` that start with `prefix`, every page of ListObjectsV2.
 * @throws IoError when the listing fails, is not a listing, or hands back a continuation token twice;
 *   InvalidArgumentError for a malformed bucket name or a prefix that is not Unicode text.
 */
export async function listS3(bucket: string, prefix: string, options: ResolvedRemoteOptions): Promise<string[]> {
  const keys: string[] = [];
  const sign = signer(options.s3);
  const where = `s3://${bucket}/${prefix}`;
  checkBucket(bucket, where);
  // A server that hands back a token it gave before would list forever (and the same keys again).
  const tokens = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < MAX_LISTING_PAGES; page++) {
    const query = queryString([['list-type', '2'], ['prefix', prefix], ...(token === undefined ? [] : [['continuation-token', token] as const])], where);
    const xml = await fetchText({ method: 'GET', url: `${bucketUrl(bucket, options.s3)}?${query}`, headers: {} }, sign, options, `listing ${where}`);
    // Anything else (an HTML page from a proxy, an error document sent with 200) would list nothing.
    if (!/<ListBucketResult[\s>]/.test(xml)) {
      throw new IoError(`listing: not a ListObjectsV2 response (${JSON.stringify(xml.replace(/\s+/g, ' ').trim().slice(0, 100))})`, { path: where });
    }
    for (const [, key] of xml.matchAll(/<Key>([\s\S]*?)<\/Key>/g)) keys.push(xmlText(key!, where));
    const truncated = /<IsTruncated>\s*true\s*<\/IsTruncated>/i.test(xml);
    token = /<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml)?.[1];
    if (!truncated) return keys;
    if (token === undefined || token === '') throw new IoError('ListObjectsV2 said the listing is truncated but gave no continuation token', { path: where });
    token = xmlText(token, where);
    if (tokens.has(token)) throw new IoError(`ListObjectsV2 gave the continuation token ${JSON.stringify(token.slice(0, 100))} a second time (a listing that loops)`, { path: where });
    tokens.add(token);
  }
  throw new IoError(`ListObjectsV2 was still truncated after ${MAX_LISTING_PAGES} pages`, { path: where });
}
