// GETs that follow redirects under our rules rather than fetch's. fetch follows an https URL to http
// (the file's bytes then cross the network where anyone on the path may change them, checksums and
// all, since HighwayHash's key is public) and, on a redirect to another host, drops only
// `authorization`: an S3 session token (x-amz-security-token), a user's API-key header and the rest
// of the signed request went on to whatever host the redirect named.

/** Redirects one request follows at most, as fetch does; the next is an error. */
export const MAX_REDIRECTS = 20;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that describe which bytes are wanted, the only ones sent on to another origin. */
const CROSS_ORIGIN_HEADERS = new Set(['range', 'if-match', 'if-unmodified-since']);

/** A redirect that is not followed; `message` says why. */
export class RefusedRedirect extends Error {}

/**
 * GETs `url` and follows its redirects: at most MAX_REDIRECTS, never from https to http, and with only
 * Range and the version preconditions to another origin (scheme, host or port).
 * @returns the first response that is not a redirect (a 3xx without Location included).
 * @throws RefusedRedirect for a redirect loop, a downgrade to http, a Location that is not an http(s)
 *   URL or that carries a user name or password;
 *   what fetch throws (a reset, the signal's abort).
 * @example const response = await fetchFollowingRedirects('https://example.com/f', { range: 'bytes=0-9' }, AbortSignal.timeout(5000));
 */
export async function fetchFollowingRedirects(url: string, headers: Readonly<Record<string, string>>, signal: AbortSignal): Promise<Response> {
  let current = new URL(url);
  let sent = headers;
  for (let redirects = 0; ; redirects++) {
    const response = await fetch(current, { method: 'GET', headers: sent, signal, redirect: 'manual' });
    const location = response.headers.get('location');
    if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
    await response.body?.cancel();
    if (redirects === MAX_REDIRECTS) throw new RefusedRedirect(`too many redirects (a redirect loop?): ${MAX_REDIRECTS} followed, the last to ${current.href}`);
    const next = urlOrUndefined(location, current);
    if (next === undefined) throw new RefusedRedirect(`HTTP ${response.status} to ${JSON.stringify(location.slice(0, 200))}, not a URL`);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new RefusedRedirect(`HTTP ${response.status} to a ${next.protocol} URL, not http(s)`);
    // fetch cannot request such a URL (it threw a TypeError, retried as a failed connection), and the
    // name and password must not reach an error message.
    if (next.username !== '' || next.password !== '') throw new RefusedRedirect(`HTTP ${response.status} to a URL with a user name or password (${next.origin}): refused`);
    if (current.protocol === 'https:' && next.protocol === 'http:') {
      throw new RefusedRedirect(`HTTP ${response.status} from ${current.origin} to ${next.origin}: a redirect from https to http is refused (the bytes would cross the network unprotected)`);
    }
    if (next.origin !== current.origin) sent = Object.fromEntries(Object.entries(sent).filter(([name]) => CROSS_ORIGIN_HEADERS.has(name.toLowerCase())));
    current = next;
  }
}

/** `location` resolved against `base`, or undefined if it is not a URL (URL.parse is Node 22's). */
function urlOrUndefined(location: string, base: URL): URL | undefined {
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}
