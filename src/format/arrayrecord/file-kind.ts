// What a file is, told from its first bytes (a Riegeli signature, a TFRecord header, gzip, zlib, JSON,
// text): for choosing a reader, and for saying what a file that is not ArrayRecord looks like.

import type { ReadSteps } from '../io/read-steps.js';
import { readU64 } from '../riegeli/bytes.js';
import { chunkEnd, isPossibleChunkBoundary } from '../riegeli/block.js';
import { chunkHeaderSpan, readChunkHeaderFromBuffer } from '../riegeli/chunk-frame.js';
import { BLOCK_HEADER_SIZE, BLOCK_SIZE } from '../riegeli/constants.js';
import { hashMatches } from '../riegeli/highway-hash.js';
import { looksLikeTFRecord } from '../tfrecord/tfrecord-stream.js';

/** Kinds of content told apart by their first bytes. */
export type FileKind = 'riegeli' | 'tfrecord' | 'gzip' | 'zlib' | 'json' | 'text' | 'empty' | 'binary';

/** Bytes to look at: a Riegeli signature, a TFRecord header and the start of a line of text fit. */
export const SNIFF_LENGTH = 256;

/** The 8 bytes every Riegeli file starts with (the hash of the first block header). */
const RIEGELI_MAGIC = Uint8Array.from([0x83, 0xaf, 0x70, 0xd1, 0x0d, 0x88, 0x4a, 0x3f]);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** True when `bytes` start with the Riegeli file signature's first block header hash. */
export function startsLikeRiegeli(bytes: Uint8Array): boolean {
  return bytes.length >= RIEGELI_MAGIC.length && RIEGELI_MAGIC.every((byte, i) => bytes[i] === byte);
}

/**
 * The kind of content that starts with `bytes` (up to SNIFF_LENGTH of a file's first bytes; fewer when
 * the file is shorter). Binary formats are recognised first, by their signatures and checksums.
 * @example sniffFileKind(fs.readFileSync('x.tfrecord').subarray(0, 256)) // 'tfrecord'
 */
export function sniffFileKind(bytes: Uint8Array): FileKind {
  if (bytes.length === 0) return 'empty';
  if (startsLikeRiegeli(bytes)) return 'riegeli';
  if (looksLikeTFRecord(bytes)) return 'tfrecord';
  if (bytes.length >= 3 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 8) return 'gzip';
  const text = textOf(bytes);
  if (text !== undefined) return /^\s*[[{"]/.test(text) ? 'json' : 'text';
  // zlib: deflate with a window up to 32 KiB, and a header whose check bits make it a multiple of 31.
  if (bytes.length >= 2 && (bytes[0]! & 0x8f) === 0x08 && ((bytes[0]! << 8) | bytes[1]!) % 31 === 0) return 'zlib';
  return 'binary';
}

/** The text of `bytes` when they are UTF-8 without control characters (tab, CR, LF allowed); a character cut at the end is fine. */
function textOf(bytes: Uint8Array): string | undefined {
  for (let cut = 0; cut < 4 && cut < bytes.length; cut++) {
    try {
      const text = strictUtf8.decode(bytes.subarray(0, bytes.length - cut));
      // eslint-disable-next-line no-control-regex
      return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? undefined : text;
    } catch {
      // Maybe a multi-byte character cut by the sniff length: try shorter.
    }
  }
  return undefined;
}

/** How a file of `kind` is named in messages ("a TFRecord file"). */
export function describeFileKind(kind: FileKind): string {
  switch (kind) {
    case 'riegeli':
      return 'a Riegeli file';
    case 'tfrecord':
      return 'a TFRecord file';
    case 'gzip':
      return 'gzip-compressed data (a .gz file)';
    case 'zlib':
      return 'zlib-compressed data';
    case 'json':
      return 'JSON text';
    case 'text':
      return 'plain text';
    case 'empty':
      return 'an empty file';
    case 'binary':
      return 'binary data of an unknown format';
  }
}

/**
 * How a Riegeli file ends: after a complete chunk, inside one, or unknown (a damaged block header);
 * `chunkAtLastBlock` when a chunk begins right at the last block boundary (where an ArrayRecord postscript is).
 */
export type RiegeliEnd = ({ readonly kind: 'clean' } | { readonly kind: 'cut'; readonly chunkBegin: number } | { readonly kind: 'unknown' }) & {
  readonly chunkAtLastBlock?: boolean;
};

/**
 * Tells how the Riegeli file of `size` bytes ends, from its last block header and the chunk headers
 * after it (reading at most the last 64 KiB): a plain Riegeli file ends after a complete chunk, a file
 * whose writer died ends inside one.
 */
export function* riegeliEndSteps(path: string, size: number): ReadSteps<RiegeliEnd> {
  const lastBlock = Math.floor((size - 1) / BLOCK_SIZE) * BLOCK_SIZE;
  if (lastBlock + BLOCK_HEADER_SIZE > size) return { kind: 'cut', chunkBegin: lastBlock };
  const tail = yield { offset: lastBlock, length: size - lastBlock };
  if (!hashMatches(tail.subarray(8, BLOCK_HEADER_SIZE), tail, 0)) return { kind: 'unknown' };
  const previousChunk = readU64(tail, 8, 'previous_chunk of the last block header', { path, offset: lastBlock });
  const nextChunk = readU64(tail, 16, 'next_chunk of the last block header', { path, offset: lastBlock });
  const chunkAtLastBlock = previousChunk === 0;
  let begin = chunkAtLastBlock ? lastBlock : lastBlock + nextChunk;
  if (!chunkAtLastBlock && begin > size) return { kind: 'cut', chunkBegin: lastBlock - previousChunk, chunkAtLastBlock };
  while (begin < size) {
    if (!isPossibleChunkBoundary(begin) || begin + chunkHeaderSpan(begin) > size) return { kind: 'cut', chunkBegin: begin, chunkAtLastBlock };
    let end: number;
    try {
      const header = readChunkHeaderFromBuffer(tail.subarray(begin - lastBlock), begin, begin, path);
      end = chunkEnd(begin, header.dataSize, header.numRecords);
    } catch {
      return { kind: 'unknown', chunkAtLastBlock };
    }
    if (end > size) return { kind: 'cut', chunkBegin: begin, chunkAtLastBlock };
    begin = end;
  }
  return { kind: 'clean', chunkAtLastBlock };
}
