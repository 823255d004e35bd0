// gs://bucket/object objects through the GCS JSON API: media downloads
// (/storage/v1/b/<bucket>/o/<object>?alt=media) pinned to the generation seen at open, listing for
// shard patterns, a bearer token from the option, GOOGLE_OAUTH_ACCESS_TOKEN or google-auth-library
// (an optional import), and STORAGE_EMULATOR_HOST honoured.

import { InvalidOptionsError } from '../../errors.js';
import { fetchText, type ObjectEndpoint } from './http-client.js';
import type { GcsOptions, RemoteRequest, ResolvedRemoteOptions } from './remote-options.js';

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

/** How to GET gs://bucket/object: ifGenerationMatch on the generation seen at open. */
export function gcsEndpoint(path: string, bucket: string, object: string, options: ResolvedRemoteOptions): ObjectEndpoint {
  const { base, emulator } = endpointOf(options.gcs);
  const url = `${base}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(object)}?alt=media`;
  return {
    path,
    request: (version) => ({ method: 'GET', url: version === undefined ? url : `${url}&ifGenerationMatch=${encodeURIComponent(version)}`, headers: {} }),
    sign: signer(options.gcs, emulator),
    versionOf: (headers) => headers.get('x-goog-generation') ?? undefined,
  };
}

/**
 * The names of the objects of `bucket` that start with `prefix`, every page.
 * @throws IoError when the listing fails.
 */
export async function listGcs(bucket: string, prefix: string, options: ResolvedRemoteOptions): Promise<string[]> {
  const { base, emulator } = endpointOf(options.gcs);
  const sign = signer(options.gcs, emulator);
  const names: string[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < 100_000; page++) {
    const query = new URLSearchParams({ prefix, fields: 'items(name),nextPageToken' });
    if (pageToken !== undefined) query.set('pageToken', pageToken);
    const url = `${base}/storage/v1/b/${encodeURIComponent(bucket)}/o?${query}`;
    const listing = JSON.parse(await fetchText({ method: 'GET', url, headers: {} }, sign, options, `listing gs://${bucket}/${prefix}`)) as {
      items?: { name: string }[];
      nextPageToken?: string;
    };
    for (const item of listing.items ?? []) names.push(item.name);
    pageToken = listing.nextPageToken;
    if (pageToken === undefined) break;
  }
  return names;
}
