// How remote files (http(s)://, s3://, gs://) are fetched: retries, timeouts, concurrency, request
// coalescing, the disk cache, headers, request signing and credentials; checked strictly, with defaults.

import { InvalidOptionsError } from '../../errors.js';
import { checkOptions, describeFound, optionNames, requireFunction, requireInteger, requireString, type OptionAliases } from '../../options-check.js';

/** One HTTP request as the signing hook sees it; it returns the request to send (or changes this one). */
export interface RemoteRequest {
  /** Always `GET`: files are read with range requests. */
  readonly method: 'GET';
  /** The URL requested (S3 and GCS objects as HTTPS URLs). */
  url: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
}

/** AWS credentials (an access key pair, with a session token for temporary ones). */
export interface S3Credentials {
  /** The access key id (`AWS_ACCESS_KEY_ID`). */
  readonly accessKeyId: string;
  /** The secret access key (`AWS_SECRET_ACCESS_KEY`). */
  readonly secretAccessKey: string;
  /** The session token of temporary credentials (`AWS_SESSION_TOKEN`). */
  readonly sessionToken?: string | undefined;
}

/** Where and as whom s3:// objects are read. Every field is optional. */
export interface S3Options {
  /** Region to sign for; default AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1. */
  readonly region?: string;
  /**
   * An S3-compatible endpoint (e.g. http://127.0.0.1:9000), addressed path-style (`<endpoint>/<bucket>/<key>`).
   * Default AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else AWS itself (virtual-hosted style).
   */
  readonly endpoint?: string;
  /**
   * Credentials, or a function giving them (e.g. `fromNodeProviderChain()` of @aws-sdk/credential-providers).
   * Default: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, else the profile (AWS_PROFILE or
   * default) of ~/.aws/credentials and ~/.aws/config; none found means unsigned (public) requests.
   */
  readonly credentials?: S3Credentials | (() => Promise<S3Credentials | undefined> | S3Credentials | undefined);
  /** The profile to read from the shared files; default AWS_PROFILE, else 'default'. */
  readonly profile?: string;
}

/** Where and as whom gs:// objects are read. Every field is optional. */
export interface GcsOptions {
  /** The JSON API endpoint; default STORAGE_EMULATOR_HOST, else https://storage.googleapis.com. */
  readonly endpoint?: string;
  /**
   * An OAuth access token, or a function giving one. Default GOOGLE_OAUTH_ACCESS_TOKEN, else
   * google-auth-library's application default credentials when that package is installed (not
   * against an emulator); none means unauthenticated requests (public objects).
   */
  readonly token?: string | (() => Promise<string | undefined> | string | undefined);
}

/** A disk cache of fetched byte ranges, shared by every remote file read with the same directory. */
export interface RemoteCacheOptions {
  /** The cache's directory; every remote file read with the same directory shares it. */
  readonly directory: string;
  /** The cache's size bound: the least recently used ranges are deleted beyond it. */
  readonly maxBytes: number;
}

/** How remote files are read. Every field is optional; the defaults suit a cloud bucket. */
export interface RemoteOptions {
  /** Headers sent with every request (e.g. `authorization` for a private HTTP server). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Called on every attempt of every request, after headers and S3/GCS signing: may rewrite or sign it. */
  readonly signRequest?: (request: RemoteRequest) => RemoteRequest | Promise<RemoteRequest>;
  /**
   * One attempt of one request (headers and body) is aborted after this long, and getting credentials
   * and signing (signRequest included) fail the read once they take longer. Default 30000.
   */
  readonly requestTimeoutMs?: number;
  /** Attempts after the first for 5xx, 429, resets, timeouts and short bodies. Default 5. */
  readonly maxRetries?: number;
  /** Backoff before retry k is random in [0, min(retryMaxDelayMs, retryBaseDelayMs * 2^k)]. Default 100. */
  readonly retryBaseDelayMs?: number;
  /** Default 5000. */
  readonly retryMaxDelayMs?: number;
  /** Requests in flight to one host at most, across every reader of this process. Default 16. */
  readonly maxConnectionsPerHost?: number;
  /** Chunk ranges at most this many bytes apart are fetched with one request. Default 65536; 0 merges only touching ranges. */
  readonly coalesceGapBytes?: number;
  /** A coalesced request stops growing at this many bytes (a single larger chunk is still one request). Default 8 MiB. */
  readonly maxRequestBytes?: number;
  /** Opening fetches the file's last bytes this long with one request: postscript and, mostly, the footer. Default 256 KiB. */
  readonly openTailBytes?: number;
  /** A disk cache of fetched ranges; none by default. */
  readonly cache?: RemoteCacheOptions;
  /** Where and as whom `s3://` objects are read. */
  readonly s3?: S3Options;
  /** Where and as whom `gs://` objects are read. */
  readonly gcs?: GcsOptions;
}

/** RemoteOptions with every default filled in. */
export interface ResolvedRemoteOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly signRequest: ((request: RemoteRequest) => RemoteRequest | Promise<RemoteRequest>) | undefined;
  readonly requestTimeoutMs: number;
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly maxConnectionsPerHost: number;
  readonly coalesceGapBytes: number;
  readonly maxRequestBytes: number;
  readonly openTailBytes: number;
  readonly cache: RemoteCacheOptions | undefined;
  readonly s3: S3Options;
  readonly gcs: GcsOptions;
}

const OWNER = 'remote options';
const KEYS = optionNames<RemoteOptions>({
  headers: true,
  signRequest: true,
  requestTimeoutMs: true,
  maxRetries: true,
  retryBaseDelayMs: true,
  retryMaxDelayMs: true,
  maxConnectionsPerHost: true,
  coalesceGapBytes: true,
  maxRequestBytes: true,
  openTailBytes: true,
  cache: true,
  s3: true,
  gcs: true,
});
const ALIASES: OptionAliases = {
  timeout: { option: 'requestTimeoutMs' },
  retries: { option: 'maxRetries' },
  max_attempts: { option: 'maxRetries', note: 'maxRetries counts the attempts after the first' },
  concurrency: { option: 'maxConnectionsPerHost' },
  max_concurrency: { option: 'maxConnectionsPerHost' },
  gap: { option: 'coalesceGapBytes' },
  hole_size_limit: { option: 'coalesceGapBytes' },
  range_size_limit: { option: 'maxRequestBytes' },
  cache_dir: { option: 'cache', note: 'cache: { directory, maxBytes }' },
  endpoint: [{ option: 's3', note: 's3: { endpoint } or gcs: { endpoint }' }],
  region: { option: 's3', note: 's3: { region }' },
  credentials: { option: 's3', note: 's3: { credentials }' },
  token: { option: 'gcs', note: 'gcs: { token }' },
  sign: { option: 'signRequest' },
};
const CACHE_KEYS = optionNames<RemoteCacheOptions>({ directory: true, maxBytes: true });
const S3_KEYS = optionNames<S3Options>({ region: true, endpoint: true, credentials: true, profile: true });
const GCS_KEYS = optionNames<GcsOptions>({ endpoint: true, token: true });

/**
 * Checks remote options and fills in the defaults.
 * @throws InvalidOptionsError for an unknown key (named, with the nearest known one) or a bad value.
 * @example resolveRemoteOptions({ maxRetries: 2 }).requestTimeoutMs // 30000
 */
export function resolveRemoteOptions(options: RemoteOptions = {}): ResolvedRemoteOptions {
  checkOptions(OWNER, options, KEYS, { aliases: ALIASES });
  const headers = options.headers ?? {};
  checkOptions(OWNER, headers, Object.keys(headers), { name: 'headers' });
  const lowerHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw new InvalidOptionsError(`${OWNER}: header ${name} must be a string (got ${describeFound(value)})`);
    lowerHeaders[name.toLowerCase()] = value;
  }
  let cache: RemoteCacheOptions | undefined;
  if (options.cache !== undefined) {
    checkOptions(OWNER, options.cache, CACHE_KEYS, { name: 'cache' });
    cache = {
      directory: requireString(OWNER, 'cache.directory', options.cache.directory),
      maxBytes: requireInteger(OWNER, 'cache.maxBytes', options.cache.maxBytes, 0),
    };
  }
  const s3 = options.s3 ?? {};
  checkOptions(OWNER, s3, S3_KEYS, { name: 's3' });
  for (const key of ['region', 'endpoint', 'profile'] as const) if (s3[key] !== undefined) requireString(OWNER, `s3.${key}`, s3[key]);
  if (s3.credentials !== undefined && typeof s3.credentials !== 'function') checkCredentials(s3.credentials, 's3.credentials');
  const gcs = options.gcs ?? {};
  checkOptions(OWNER, gcs, GCS_KEYS, { name: 'gcs' });
  if (gcs.endpoint !== undefined) requireString(OWNER, 'gcs.endpoint', gcs.endpoint);
  if (gcs.token !== undefined && typeof gcs.token !== 'function') requireString(OWNER, 'gcs.token', gcs.token);
  const retryBaseDelayMs = requireInteger(OWNER, 'retryBaseDelayMs', options.retryBaseDelayMs ?? 100, 0);
  return {
    headers: lowerHeaders,
    signRequest: options.signRequest === undefined ? undefined : requireFunction(OWNER, 'signRequest', options.signRequest),
    requestTimeoutMs: requireInteger(OWNER, 'requestTimeoutMs', options.requestTimeoutMs ?? 30_000, 1),
    maxRetries: requireInteger(OWNER, 'maxRetries', options.maxRetries ?? 5, 0, 100),
    retryBaseDelayMs,
    retryMaxDelayMs: requireInteger(OWNER, 'retryMaxDelayMs', options.retryMaxDelayMs ?? Math.max(5_000, retryBaseDelayMs), retryBaseDelayMs),
    maxConnectionsPerHost: requireInteger(OWNER, 'maxConnectionsPerHost', options.maxConnectionsPerHost ?? 16, 1),
    coalesceGapBytes: requireInteger(OWNER, 'coalesceGapBytes', options.coalesceGapBytes ?? 64 * 1024, 0),
    maxRequestBytes: requireInteger(OWNER, 'maxRequestBytes', options.maxRequestBytes ?? 8 * 1024 * 1024, 1),
    openTailBytes: requireInteger(OWNER, 'openTailBytes', options.openTailBytes ?? 256 * 1024, 64 * 1024 + 64),
    cache,
    s3,
    gcs,
  };
}

/** @throws InvalidOptionsError unless `value` is an access key pair (with an optional session token). */
export function checkCredentials(value: unknown, name: string): S3Credentials {
  const fields = checkOptions(OWNER, value, ['accessKeyId', 'secretAccessKey', 'sessionToken'], { name });
  requireString(OWNER, `${name}.accessKeyId`, fields.accessKeyId);
  requireString(OWNER, `${name}.secretAccessKey`, fields.secretAccessKey);
  if (fields.sessionToken !== undefined) requireString(OWNER, `${name}.sessionToken`, fields.sessionToken);
  return value as S3Credentials;
}
