// gs://bucket/object objects through the GCS JSON API: media downloads
// (/storage/v1/b/<bucket>/o/<object>?alt=media) pinned to the generation seen at open, listing for
// shard patterns, a bearer token from the option, GOOGLE_OAUTH_ACCESS_TOKEN or google-auth-library
// (an optional import), and STORAGE_EMULATOR_HOST honoured.

import { InvalidArgumentError, InvalidOptionsError, IoError } from '../../errors.js';
import { fetchText, MAX_LISTING_PAGES, type ObjectEndpoint } from './http-client.js';
import type { GcsOptions, RemoteRequest, ResolvedRemoteOptions } from './remote-options.js';
import { isUnicodeText, queryString, uriEncode } from './uri-encode.js';

const GCS = 'https://storage.googleapis.com';
const READ_SCOPE = 'https://www.googleapis.com/auth/devstorage.read_only';

/** The JSON API's base URL, and whether it is an emulator (which takes no credentials). */
function endpointOf(options: GcsOptions): { base: string; emulator: boolean } {
  if (options.endpoint !== undefined) {
    if (!/^https?:\/\//i.test(options.endpoint)) throw new InvalidOptionsError(`the GCS endpoint must be an http(s) URL, got "${options.endpoint}"`);
    return { base: options.endpoint.replace(/\/+$/, ''), emulator: false };
  }
  const emulator = process.env.STORAGE_EMULATOR_HOST;
  if (emulator) return { base: (/^https?:\/\//i.test(emulator) ? emulator : `http://${emulator}`).replace(/\/+$/, ''), emulator: true };
  return { base: GCS, emulator: false };
}

/**
 * The access token: the option, GOOGLE_OAUTH_ACCESS_TOKEN, else google-auth-library's application
 * default credentials if that package is installed; undefined (anonymous) when none is found.
 */
async function accessToken(options: GcsOptions, emulator: boolean): Promise<string | undefined> {
  if (typeof options.token === 'function') return (await options.token()) || undefined;
  if (options.token !== undefined) return options.token;
  const fromEnv = process.env.GOOGLE_OAUTH_ACCESS_TOKEN;
  if (fromEnv) return fromEnv;
  if (emulator) return undefined;
  try {
    const specifier = 'google-auth-library';
    const library = (await import(specifier)) as { GoogleAuth: new (options: { scopes: string }) => { getAccessToken(): Promise<string | null | undefined> } };
    return (await new library.GoogleAuth({ scopes: READ_SCOPE }).getAccessToken()) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Adds `Authorization: Bearer` when there is a token (fetched once per endpoint). */
function signer(options: GcsOptions, emulator: boolean): (request: RemoteRequest) => Promise<RemoteRequest> {
  let token: Promise<string | undefined> | undefined;
  return async (request) => {
    token ??= accessToken(options, emulator);
    const found = await token;
    return found === undefined ? request : { ...request, headers: { ...request.headers, authorization: `Bearer ${found}` } };
  };
}

/**
 * How to GET gs://bucket/object: ifGenerationMatch on the generation seen at open.
 * @throws InvalidArgumentError for an object named `.` or `..` (GCS has none: the URL would resolve it,
 *   and name the bucket) or a name that is not Unicode text; InvalidOptionsError for a malformed endpoint.
 */
export function gcsEndpoint(path: string, bucket: string, object: string, options: ResolvedRemoteOptions): ObjectEndpoint {
  if (object === '.' || object === '..') throw new InvalidArgumentError(`a GCS object cannot be named ${object}`, { path });
  const { base, emulator } = endpointOf(options.gcs);
  // The JSON API takes the whole name as one path segment: `/` encoded too (Google's "Encoding URI path parts").
  const url = `${base}/storage/v1/b/${uriEncode(bucket, path)}/o/${uriEncode(object, path)}?alt=media`;
  return {
    path,
    request: (version) => ({ method: 'GET', url: version === undefined ? url : `${url}&ifGenerationMatch=${uriEncode(version, path)}`, headers: {} }),
    sign: signer(options.gcs, emulator),
    versionOf: (headers) => headers.get('x-goog-generation') ?? undefined,
  };
}

/** One page of objects.list as it must be: anything else is refused, not read as an empty page. */
interface ListingPage {
  items?: { name: string }[];
  nextPageToken?: string;
}

/** @throws IoError, naming `where`, unless `text` is a page of objects.list. */
function parsePage(text: string, where: string): ListingPage {
  let page: unknown;
  try {
    page = JSON.parse(text);
  } catch (cause) {
    throw new IoError(`listing: the response is not JSON (${(cause as Error).message})`, { path: where }, cause);
  }
  const { items, nextPageToken } = (page ?? {}) as { items?: unknown; nextPageToken?: unknown };
  const valid =
    typeof page === 'object' &&
    page !== null &&
    (items === undefined || (Array.isArray(items) && items.every((item: { name?: unknown } | null) => typeof item?.name === 'string'))) &&
    (nextPageToken === undefined || typeof nextPageToken === 'string');
  if (!valid) throw new IoError(`listing: not an objects.list response (${JSON.stringify(text.slice(0, 100))})`, { path: where });
  return page as ListingPage;
}

/**
 * The names of the objects of `bucket` that start with `prefix`, every page.
 * @throws IoError when the listing fails, is not a listing, or hands back a page token twice;
 *   InvalidArgumentError for a prefix that is not Unicode text.
 */
export async function listGcs(bucket: string, prefix: string, options: ResolvedRemoteOptions): Promise<string[]> {
  const { base, emulator } = endpointOf(options.gcs);
  const sign = signer(options.gcs, emulator);
  const where = `gs://${bucket}/${prefix}`;
  const names: string[] = [];
  // A server that hands back a token it gave before would list forever (and the same names again).
  const tokens = new Set<string>();
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_LISTING_PAGES; page++) {
    const query = queryString([['prefix', prefix], ['fields', 'items(name),nextPageToken'], ...(pageToken === undefined ? [] : [['pageToken', pageToken] as const])], where);
    const url = `${base}/storage/v1/b/${uriEncode(bucket, where)}/o?${query}`;
    const listing = parsePage(await fetchText({ method: 'GET', url, headers: {} }, sign, options, `listing ${where}`), where);
    for (const item of listing.items ?? []) names.push(item.name);
    pageToken = listing.nextPageToken;
    if (pageToken === undefined || pageToken === '') return names;
    if (!isUnicodeText(pageToken)) throw new IoError('listing: the page token is not Unicode text (a lone surrogate): it cannot be sent back', { path: where });
    if (tokens.has(pageToken)) throw new IoError(`listing: the page token ${JSON.stringify(pageToken.slice(0, 100))} came a second time (a listing that loops)`, { path: where });
    tokens.add(pageToken);
  }
  throw new IoError(`listing: still more pages after ${MAX_LISTING_PAGES}`, { path: where });
}
