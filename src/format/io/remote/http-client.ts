// Ranged GETs on Node's own fetch (undici, keep-alive): at most N requests in flight per host, a
// timeout per attempt, retries with exponential backoff and full jitter on 5xx, 429, resets, timeouts
// and short bodies, and the file's version (ETag, GCS generation) checked on every response.

import { setTimeout as sleep } from 'node:timers/promises';
import { ClosedError, CorruptFileError, FileChangedError, InvalidArgumentError, IoError, UnsupportedError } from '../../errors.js';
import { describeFound } from '../../options-check.js';
import { concatBytes } from '../concat-bytes.js';
import { slotsOfHost } from './host-slots.js';
import { RefusedRedirect, fetchFollowingRedirects } from './redirects.js';
import type { RemoteRequest, ResolvedRemoteOptions } from './remote-options.js';

/** How requests for one remote object are made: its URL, its version precondition, its signature. */
export interface ObjectEndpoint {
  /** The path or URL as the user wrote it, for messages. */
  readonly path: string;
  /** The GET of the object without a Range header; with `version`, a precondition that it is still that version. */
  request(version: string | undefined): RemoteRequest;
  /** Signs a request (S3 SigV4, a GCS bearer token); plain HTTP returns it unchanged. */
  sign(request: RemoteRequest): Promise<RemoteRequest>;
  /** The object's version as a response states it (ETag, GCS generation), if it does. */
  versionOf(headers: Headers): string | undefined;
}

/** Which bytes to ask for: [offset, offset + length), or the last `suffix` bytes. */
export type ByteSpan = { readonly offset: number; readonly length: number } | { readonly suffix: number };

/** The bytes a ranged GET returned and what the response said about the object. */
export interface FetchedRange {
  /** Where `bytes` begin in the object. */
  readonly offset: number;
  readonly bytes: Uint8Array;
  /** The object's size. */
  readonly size: number;
  readonly version: string | undefined;
}

/** What the reads of an opened file are pinned to: the object as it was at open. */
export interface OpenedObject {
  /** The ETag (GCS: generation; else Last-Modified) at open; undefined when the server states none. */
  readonly version: string | undefined;
  /** The object's size at open. */
  readonly size: number;
}

/** Counts of one remote file's requests, for tuning (coalescing, the cache). */
export interface RemoteStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Attempts after the first, over every request. */
  retries: number;
  /** Bytes of response bodies received. */
  bytesFetched: number;
  /** Ranges served by the disk cache. */
  cacheHits: number;
}

/** Why an attempt failed, and whether another may succeed. */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/** An error response's body is read this far, for its message (S3's XML error documents are well under 1 KiB). */
const ERROR_BODY_BYTES = 16 * 1024;
/** A listing page is refused beyond this (S3 and GCS pages of 1,000 names are 1-2 MiB). */
const LISTING_PAGE_BYTES = 32 * 1024 * 1024;
/** Pages of one listing at most (100 million names): a listing still truncated then is refused, never cut short. */
export const MAX_LISTING_PAGES = 100_000;

function describeSpan(span: ByteSpan): string {
  return 'suffix' in span ? `the last ${span.suffix} bytes` : `bytes [${span.offset}, ${span.offset + span.length})`;
}

/**
 * GETs `span` of the object, retrying what may succeed on another attempt.
 * @param opened the object as seen at open: a response of another version or size is FileChangedError,
 *   and so are a 404 or 416 (deleted, shrunk); undefined while opening.
 * @param signal aborted when the file is closed: the request then rejects with ClosedError.
 * @param maxWholeBody a server that ignores Range may send the whole object, and one may answer a suffix
 *   range with another range: taken if at most this long.
 * @throws FileChangedError (412, another ETag/generation or size, a 404/416 after open); IoError for 404, 403 and other refusals,
 *   and when every attempt failed; CorruptFileError for a range past the object's end (416); UnsupportedError
 *   for a server that ignores Range on an object longer than maxWholeBody.
 */
export async function fetchRange(
  endpoint: ObjectEndpoint,
  span: ByteSpan,
  opened: OpenedObject | undefined,
  options: ResolvedRemoteOptions,
  stats: RemoteStats,
  signal: AbortSignal,
  maxWholeBody: number,
): Promise<FetchedRange> {
  const place = { path: endpoint.path, offset: 'suffix' in span ? undefined : span.offset };
  let lastError: AttemptError | undefined;
  for (let attempt = 0; attempt <= options.maxRetries; attempt++) {
    if (attempt > 0) {
      stats.retries++;
      const ceiling = Math.min(options.retryMaxDelayMs, options.retryBaseDelayMs * 2 ** (attempt - 1));
      const delay = Math.max(Math.random() * ceiling, Math.min(lastError?.retryAfterMs ?? 0, options.retryMaxDelayMs));
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        throw new ClosedError('remote file', place);
      }
    }
    try {
      return await attemptRange(endpoint, span, opened, options, stats, signal, maxWholeBody);
    } catch (error) {
      if (signal.aborted) throw new ClosedError('remote file', place);
      if (!(error instanceof AttemptError)) throw error;
      if (!error.retryable) throw new IoError(`GET ${describeSpan(span)}: ${error.message}`, place, error.cause);
      lastError = error;
    }
  }
  throw new IoError(`GET ${describeSpan(span)} failed ${options.maxRetries + 1} times; last: ${lastError?.message}`, place, lastError?.cause);
}

/** The request of one attempt: headers, Range, signing, the user's hook. */
async function prepare(endpoint: ObjectEndpoint, span: ByteSpan, version: string | undefined, options: ResolvedRemoteOptions): Promise<RemoteRequest> {
  const base = endpoint.request(version);
  const range = 'suffix' in span ? `bytes=-${span.suffix}` : `bytes=${span.offset}-${span.offset + span.length - 1}`;
  let request: RemoteRequest = { method: 'GET', url: base.url, headers: { ...options.headers, ...base.headers, range } };
  request = await settledWithin(endpoint.sign(request), options, 'signing the request (credentials)', endpoint.path);
  return signedByUser(request, options, endpoint.path);
}

/**
 * `work` (credentials, signing, the user's hook: code that may wait on a network of its own), or an
 * IoError once it has taken longer than one attempt may: a read never waits forever on it.
 */
async function settledWithin<T>(work: Promise<T>, options: ResolvedRemoteOptions, what: string, path: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IoError(`${what} did not settle within requestTimeoutMs (${options.requestTimeoutMs} ms)`, { path })), options.requestTimeoutMs);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The request as the user's `signRequest` hook returns it (unchanged without one).
 * @throws IoError when the hook throws (its error the cause) or has not settled within requestTimeoutMs,
 *   InvalidArgumentError when it returns
 *   anything but a request with a string `url` and a `headers` object.
 */
async function signedByUser(request: RemoteRequest, options: ResolvedRemoteOptions, path: string): Promise<RemoteRequest> {
  if (options.signRequest === undefined) return request;
  const { signRequest } = options;
  const hooked = (async () => (await signRequest(request)) as unknown)().catch((cause: unknown) => {
    throw new IoError(`signRequest threw: ${cause instanceof Error ? cause.message : String(cause)}`, { path }, cause);
  });
  const signed = await settledWithin(hooked, options, 'signRequest', path);
  const candidate = signed as Partial<RemoteRequest> | null | undefined;
  if (typeof candidate?.url !== 'string' || typeof candidate.headers !== 'object' || candidate.headers === null) {
    throw new InvalidArgumentError(`signRequest must return the request, { method, url, headers }, signed (got ${describeFound(signed)})`, { path });
  }
  return candidate as RemoteRequest;
}

async function attemptRange(
  endpoint: ObjectEndpoint,
  span: ByteSpan,
  opened: OpenedObject | undefined,
  options: ResolvedRemoteOptions,
  stats: RemoteStats,
  closed: AbortSignal,
  maxWholeBody: number,
): Promise<FetchedRange> {
  const version = opened?.version;
  const request = await prepare(endpoint, span, version, options);
  const slots = slotsOfHost(request.url);
  await slots.acquire(options.maxConnectionsPerHost);
  // A request that waited for its slot while the file was closed is not sent: the abort event it
  // would listen for below has already fired.
  if (closed.aborted) {
    slots.release();
    throw new ClosedError('remote file', { path: endpoint.path, offset: 'suffix' in span ? undefined : span.offset });
  }
  // One controller per attempt, aborted by the timeout or the file's close (AbortSignal.any would tie
  // every attempt's signal to the file's long-lived one).
  const controller = new AbortController();
  const onClose = (): void => controller.abort(closed.reason);
  closed.addEventListener('abort', onClose, { once: true });
  const timer = setTimeout(() => controller.abort(new DOMException(`no response within ${options.requestTimeoutMs} ms`, 'TimeoutError')), options.requestTimeoutMs);
  try {
    stats.requests++;
    const signal = controller.signal;
    let response: Response;
    try {
      response = await fetchFollowingRedirects(request.url, request.headers, signal);
    } catch (cause) {
      throw networkError(cause, options.requestTimeoutMs);
    }
    const status = response.status;
    // Whatever the status, a response that names another version means the object was replaced.
    const found = endpoint.versionOf(response.headers);
    if (version !== undefined && found !== undefined && found !== version) {
      await response.body?.cancel();
      throw new FileChangedError(`the object changed since it was opened (version ${version}, now ${found})`, { path: endpoint.path });
    }
    if (status === 206 || status === 200) {
      let expected: { offset: number; length: number; size: number };
      try {
        expected = acceptedBody(response, span, opened, found, maxWholeBody, endpoint.path);
      } catch (error) {
        await response.body?.cancel();
        throw error;
      }
      // Read no further than the length the headers gave: a server that sends more (a chunked body
      // of any length, a gzip bomb) must not fill memory for the whole time of a request.
      let body: { bytes: Uint8Array; more: boolean };
      try {
        body = await readAtMost(response, expected.length);
      } catch (cause) {
        throw networkError(cause, options.requestTimeoutMs);
      }
      const bytes = body.bytes;
      if (body.more) throw new AttemptError(`long body: more than the ${expected.length} bytes of its Content-${response.status === 206 ? 'Range' : 'Length'}`, true);
      if (bytes.length !== expected.length) {
        throw new AttemptError(`short body: got ${bytes.length} of ${expected.length} bytes`, true);
      }
      stats.bytesFetched += bytes.length;
      return { offset: expected.offset, bytes, size: expected.size, version: found };
    }
    const text = await bodyText(response);
    if (status === 412) {
      throw new FileChangedError(`the object changed since it was opened (precondition on version ${version} failed)`, { path: endpoint.path });
    }
    if (status === 416) {
      const total = /\*\/(\d+)/.exec(response.headers.get('content-range') ?? '')?.[1];
      if ('suffix' in span && total !== undefined) return { offset: 0, bytes: new Uint8Array(0), size: Number(total), version: found };
      if (opened !== undefined) throw new FileChangedError(`the object shrank since it was opened: ${describeSpan(span)} lie past its end`, { path: endpoint.path });
      throw new CorruptFileError(`${describeSpan(span)} lie past the end of the object${total === undefined ? '' : ` of ${total} bytes`} (changed or truncated?)`, {
        path: endpoint.path,
      });
    }
    if (status >= 500 || status === 429 || status === 408) {
      throw new AttemptError(`HTTP ${status}${text}`, true, retryAfter(response.headers));
    }
    if (status === 404 && opened !== undefined) throw new FileChangedError('the object was deleted since it was opened', { path: endpoint.path });
    const hint = status === 403 || status === 401 ? ' (access denied: check the credentials, headers or signRequest)' : status === 404 ? ' (no such object)' : '';
    throw new AttemptError(`HTTP ${status}${hint}${text}`, false);
  } finally {
    clearTimeout(timer);
    closed.removeEventListener('abort', onClose);
    slots.release();
  }
}

/**
 * Where the body of a 200/206 response lies in the object and how long it must be, once its headers
 * show it is a range of the object as opened (`found` the version the response states).
 * @throws AttemptError, UnsupportedError, CorruptFileError or FileChangedError for a response whose
 *   body must not be taken (the caller cancels it).
 */
function acceptedBody(response: Response, span: ByteSpan, opened: OpenedObject | undefined, found: string | undefined, maxWholeBody: number, path: string): { offset: number; length: number; size: number } {
  // fetch decodes a Content-Encoding itself: the bytes would not be the ones Content-Range counts
  // (and a small gzip body can decode to gigabytes). Range requests ask for identity.
  const encoding = response.headers.get('content-encoding')?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    throw new AttemptError(
      `the server sent the bytes with Content-Encoding ${encoding} (asked for identity; an object stored with that metadata?): its ranges are not the file's bytes`,
      false,
    );
  }
  // A response that states no version, of an object that had one at open, may be another object's
  // bytes (a server ignoring If-Match, a proxy): taken, they could be records of another file, and
  // cached under the old version's key for every later process.
  const version = opened?.version;
  if (version !== undefined && found === undefined) {
    throw new AttemptError(`the response states no version (the object's was ${version} at open): its bytes cannot be told to be the same object's`, false);
  }
  const expected = expectedBody(response, span, maxWholeBody, path);
  if (expected === undefined) {
    throw new UnsupportedError(
      `the server ignored the Range header and sent the whole ${response.headers.get('content-length') ?? '?'}-byte object: random access needs a server that answers range requests`,
      { path },
    );
  }
  // A server that states no version (or a Last-Modified rewritten within its second) still tells a
  // rewrite of another size: never take bytes for the offsets of the file as it was at open from it.
  if (opened !== undefined && !Number.isNaN(expected.size) && expected.size !== opened.size) {
    throw new FileChangedError(`the object changed since it was opened: it is now ${expected.size} bytes long, it was ${opened.size}`, {
      path,
      offset: expected.offset,
    });
  }
  return expected;
}

/** Where the body of a 200/206 response lies in the object and how long it must be; undefined for an unwanted whole body. */
function expectedBody(response: Response, span: ByteSpan, maxWholeBody: number, path: string): { offset: number; length: number; size: number } | undefined {
  if (response.status === 206) {
    const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec((response.headers.get('content-range') ?? '').trim());
    if (match === null) throw new AttemptError(`206 without a valid Content-Range (${response.headers.get('content-range')})`, true);
    const first = Number(match[1]);
    const last = Number(match[2]);
    const size = match[3] === '*' ? Number.NaN : Number(match[3]);
    if (!Number.isSafeInteger(last) || first > last || (!Number.isNaN(size) && (!Number.isSafeInteger(size) || last >= size))) {
      throw new AttemptError(`206 with an impossible Content-Range (${match[0]})`, true);
    }
    // A suffix answer is taken whatever range it states, as a whole body is: if it is not too long.
    if ('suffix' in span && last - first + 1 > Math.max(span.suffix, maxWholeBody)) {
      throw new UnsupportedError(
        `asked for ${describeSpan(span)}, the server sent bytes [${first}, ${last + 1}): random access needs a server that answers range requests`,
        { path },
      );
    }
    // A suffix range may come back as any range (some servers misread it): its bytes are placed where
    // they are. Any other range must start where asked and end there or at the object's end.
    const wantedLast = 'suffix' in span ? last : span.offset + span.length - 1;
    if (!('suffix' in span) && (first !== span.offset || (last !== wantedLast && !(last < wantedLast && last + 1 === size)))) {
      throw new CorruptFileError(`asked for ${describeSpan(span)}, the server sent bytes [${first}, ${last + 1})`, { path, offset: span.offset });
    }
    if (Number.isNaN(size) && 'suffix' in span) throw new AttemptError('206 without the object size in Content-Range', false);
    return { offset: first, length: last - first + 1, size };
  }
  const lengthHeader = response.headers.get('content-length');
  const length = lengthHeader === null ? Number.NaN : Number(lengthHeader);
  if (!(length <= maxWholeBody)) return undefined;
  return { offset: 0, length, size: length };
}

function retryAfter(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A short excerpt of an error body (S3's <Code>, a JSON message), for the error's message. */
async function bodyText(response: Response): Promise<string> {
  try {
    const text = new TextDecoder().decode((await readAtMost(response, ERROR_BODY_BYTES)).bytes);
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    // Runs of spaces and control characters as one space: a binary body must not garble the message.
    const excerpt = (code ?? text).replace(/[^\x21-\x7e\u00a0-\uffff]+/g, ' ').trim().slice(0, 200);
    return excerpt === '' ? '' : `: ${excerpt}`;
  } catch {
    return '';
  }
}

/**
 * At most `limit` bytes of a response's body, and whether it had more (then left unread: cancelled).
 * @throws what reading the body throws (a reset, the attempt's timeout).
 */
async function readAtMost(response: Response, limit: number): Promise<{ bytes: Uint8Array; more: boolean }> {
  if (response.body === null) return { bytes: new Uint8Array(0), more: false };
  const reader = response.body.getReader();
  const pieces: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (length + value.length > limit) {
      pieces.push(value.subarray(0, limit - length));
      await reader.cancel().catch(() => {});
      return { bytes: joined(pieces), more: true };
    }
    pieces.push(value);
    length += value.length;
  }
  return { bytes: joined(pieces), more: false };
}

/** The pieces as one array over a buffer of its own (as arrayBuffer() gave it), copied unless one piece is that already. */
function joined(pieces: readonly Uint8Array[]): Uint8Array {
  const only = pieces.length === 1 ? pieces[0]! : undefined;
  return only !== undefined && only.byteOffset === 0 && only.byteLength === only.buffer.byteLength ? only : concatBytes(pieces);
}

/**
 * A failed fetch or body read: a reset, a refused connection, a timeout, all worth another attempt; or
 * a redirect refused (a loop, a downgrade to http), which another attempt would only repeat.
 */
function networkError(cause: unknown, timeoutMs: number): AttemptError {
  if (cause instanceof RefusedRedirect) return new AttemptError(cause.message, false);
  const error = cause as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (error?.name === 'TimeoutError') return new AttemptError(`no complete response within ${timeoutMs} ms`, true, undefined, cause);
  const detail = error?.cause?.code ?? error?.cause?.message ?? error?.message ?? String(cause);
  return new AttemptError(`connection failed (${detail})`, true, undefined, cause);
}

/**
 * A GET of a whole listing or small document (S3 ListObjectsV2, GCS list), with the same retries.
 * @throws IoError when every attempt failed or the server refused.
 */
export async function fetchText(request: RemoteRequest, sign: (request: RemoteRequest) => Promise<RemoteRequest>, options: ResolvedRemoteOptions, what: string): Promise<string> {
  let lastError: AttemptError | undefined;
  for (let attempt = 0; attempt <= options.maxRetries; attempt++) {
    if (attempt > 0) {
      const ceiling = Math.min(options.retryMaxDelayMs, options.retryBaseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.max(Math.random() * ceiling, Math.min(lastError?.retryAfterMs ?? 0, options.retryMaxDelayMs)));
    }
    let prepared: RemoteRequest = { method: 'GET', url: request.url, headers: { ...options.headers, ...request.headers } };
    prepared = await signedByUser(await settledWithin(sign(prepared), options, 'signing the request (credentials)', request.url), options, request.url);
    const slots = slotsOfHost(prepared.url);
    await slots.acquire(options.maxConnectionsPerHost);
    try {
      const response = await fetchFollowingRedirects(prepared.url, prepared.headers, AbortSignal.timeout(options.requestTimeoutMs));
      if (response.ok) {
        const page = await readAtMost(response, LISTING_PAGE_BYTES);
        if (page.more) throw new IoError(`${what}: a page longer than ${LISTING_PAGE_BYTES} bytes (not a listing?)`, { path: request.url });
        return new TextDecoder().decode(page.bytes);
      }
      const text = await bodyText(response);
      if (response.status >= 500 || response.status === 429 || response.status === 408) {
        lastError = new AttemptError(`HTTP ${response.status}${text}`, true, retryAfter(response.headers));
        continue;
      }
      throw new IoError(`${what}: HTTP ${response.status}${text}`, { path: request.url });
    } catch (error) {
      if (error instanceof IoError) throw error;
      lastError = networkError(error, options.requestTimeoutMs);
      if (!lastError.retryable) throw new IoError(`${what}: ${lastError.message}`, { path: request.url }, lastError.cause);
    } finally {
      slots.release();
    }
  }
  throw new IoError(`${what} failed ${options.maxRetries + 1} times; last: ${lastError?.message}`, { path: request.url }, lastError?.cause);
}
