// Percent-encoding of object keys, object names and query values for S3 and GCS requests: every
// UTF-8 byte but A-Z a-z 0-9 - . _ ~ as %XY (upper-case hex). That is SigV4's UriEncode (AWS,
// "Create a canonical request"), so what we send is already the canonical form the signature
// covers: a server that signs the path as it arrived and one that decodes and re-encodes it (AWS)
// compute the same signature. It is also what Google's "Encoding URI path parts" asks of GCS object
// names and query strings (`!#$&'()*+,/:;=?@[]` and space). encodeURIComponent leaves `!'()*` as
// they are, and URLSearchParams writes a space as `+`, which a server reading RFC 3986 takes for a
// plus sign (another prefix, another signature).

import { InvalidArgumentError } from '../../errors.js';

/** A UTF-16 code unit with no partner: it has no UTF-8 form, and encodeURIComponent throws on it. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** False for a string with a lone surrogate, which has no UTF-8 form (and so names no object). */
export function isUnicodeText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * `text` percent-encoded as above; with `keepSlash`, `/` stays (S3 key paths).
 * @param path the URL as the user wrote it, for the error.
 * @throws InvalidArgumentError for text with a lone surrogate: S3 keys and GCS names are UTF-8, so no
 *   object has that name (URLSearchParams would silently send U+FFFD instead: another name).
 */
export function uriEncode(text: string, path: string, keepSlash = false): string {
  if (!isUnicodeText(text)) throw new InvalidArgumentError('an object name or prefix must be Unicode text (it has a lone surrogate, which UTF-8 cannot encode)', { path });
  const encoded = encodeURIComponent(text).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}

/**
 * A query string of `parameters`, in their order, every name and value encoded by uriEncode.
 * @throws InvalidArgumentError as uriEncode.
 */
export function queryString(parameters: readonly (readonly [string, string])[], path: string): string {
  return parameters.map(([name, value]) => `${uriEncode(name, path)}=${uriEncode(value, path)}`).join('&');
}
