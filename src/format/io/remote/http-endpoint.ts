// http:// and https:// objects: the URL as given, pinned to the version seen at open by If-Match on a
// strong ETag (If-Unmodified-Since when the server sends only Last-Modified); every response's version
// is compared too, for servers that ignore preconditions.

import type { ObjectEndpoint } from './http-client.js';

const LAST_MODIFIED = 'last-modified:';

/** How to GET an http(s) URL. */
export function httpEndpoint(path: string, url: URL): ObjectEndpoint {
  const href = url.href;
  return {
    path,
    request(version) {
      const headers: Record<string, string> = {};
      if (version?.startsWith('"')) headers['if-match'] = version;
      else if (version?.startsWith(LAST_MODIFIED)) headers['if-unmodified-since'] = version.slice(LAST_MODIFIED.length);
      return { method: 'GET', url: href, headers };
    },
    sign: async (request) => request,
    versionOf(headers) {
      const etag = headers.get('etag');
      if (etag !== null) return etag;
      const modified = headers.get('last-modified');
      return modified === null ? undefined : `${LAST_MODIFIED}${modified}`;
    },
  };
}

/**
 * Whether `version` names one sequence of bytes, so that ranges cached under it may serve another
 * process: a strong ETag, an S3 ETag or a GCS generation does, as far as the server keeps its word.
 * A weak ETag (W/) does not: a server may keep it across changes it deems insignificant, and Apache
 * gives one to a file modified within the last second, that is, one still being written. Nor does a
 * Last-Modified, of one-second resolution, or an empty ETag.
 * @example namesExactBytes('"v1"') // true; namesExactBytes('W/"v1"') === false
 */
export function namesExactBytes(version: string | undefined): version is string {
  return version !== undefined && version !== '' && !isWeak(version) && !version.startsWith(LAST_MODIFIED);
}

/**
 * Whether an ETag is weak: If-Match compares strongly, so a weak one never matches (412 on every read).
 * @example isWeak('W/"5f2-60a1"') // true
 */
export function isWeak(etag: string): boolean {
  return etag.startsWith('W/');
}
