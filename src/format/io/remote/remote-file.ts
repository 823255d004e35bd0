// A remote object (http(s)://, s3://, gs://) as a ByteSource: opened with one suffix-range GET (the
// postscript and, mostly, the footer) beside a small one for the first bytes; read asynchronously
// only, one ranged GET per read or per coalesced group of ranges, through the optional disk cache.

import { setMaxListeners } from 'node:events';
import { ClosedError, CorruptFileError, FileChangedError, UnsupportedError } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { parseLocation } from '../location.js';
import { coalesceRanges, type ByteRange } from './coalesce.js';
import { gcsEndpoint } from './gcs.js';
import { fetchRange, type FetchedRange, type ObjectEndpoint, type RemoteStats } from './http-client.js';
import { httpEndpoint, namesExactBytes } from './http-endpoint.js';
import { RangeCache } from './range-cache.js';
import type { ResolvedRemoteOptions } from './remote-options.js';
import { s3Endpoint } from './s3.js';

/** Opening also fetches the first bytes: the file signature and what tells the format. */
const HEAD_BYTES = 4096;
/** Streams fetch this much per request. */
const STREAM_PIECE = 8 << 20;
/** Opening retries this often when the object changes between its two first requests. */
const OPEN_ATTEMPTS = 3;

/** Bytes fetched at open, kept for the reader's life (a few hundred KiB at most). */
interface Piece {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/**
 * How to request `path` (a remote URL).
 * @throws InvalidArgumentError for a malformed URL; InvalidOptionsError for a malformed endpoint.
 */
export function endpointFor(path: string, options: ResolvedRemoteOptions): ObjectEndpoint {
  const location = parseLocation(path);
  switch (location.kind) {
    case 'http':
      return httpEndpoint(path, location.url);
    case 's3':
      return s3Endpoint(path, location.bucket, location.key, options);
    case 'gs':
      return gcsEndpoint(path, location.bucket, location.key, options);
    case 'local':
      throw new UnsupportedError('not a remote URL (http://, https://, s3://, gs://)', { path });
  }
}

/**
 * A remote file of fixed size and version. Every read asks the server for the version seen at open
 * (If-Match, ifGenerationMatch) and checks the version each response states, so bytes of two versions
 * are never mixed: a changed object is FileChangedError. `close()` aborts the requests in flight,
 * which reject with ClosedError.
 */
export class RemoteFile implements ByteSource {
  readonly identity: string;
  /** Requests, retries, bytes and cache hits of this file so far. */
  readonly stats: RemoteStats;
  private readonly closer = new AbortController();
  private readonly cache: RangeCache | undefined;
  private readonly cacheKey: string;

  private constructor(
    readonly path: string,
    private readonly endpoint: ObjectEndpoint,
    private readonly options: ResolvedRemoteOptions,
    /** The ETag (GCS: generation) at open; undefined when the server states none (no change detection). */
    readonly version: string | undefined,
    readonly size: number,
    private readonly pieces: readonly Piece[],
    stats: RemoteStats,
  ) {
    this.stats = stats;
    // Every request in flight listens for the close: as many as maxConnectionsPerHost, and more waiting.
    setMaxListeners(0, this.closer.signal);
    this.identity = `remote:${version ?? 'unversioned'}:${size}`;
    const cache = options.cache;
    // Only under a version that names exact bytes: under a weak one, a rewrite that kept it would mix
    // the old file's cached ranges with the new one's in every later process, where within this one
    // it is a race of the moment (docs/remote-storage.md).
    const cacheable = namesExactBytes(version);
    this.cache = cache !== undefined && cacheable ? RangeCache.of(cache.directory, cache.maxBytes) : undefined;
    // Keyed by the URL requested, not the path as written: one s3:// or gs:// path at two endpoints
    // (two S3-compatible stores, an emulator) names two objects, whose versions may be alike.
    this.cacheKey = cacheable ? RangeCache.objectKey(endpoint.request(undefined).url, `${version}:${size}`) : '';
  }

  /**
   * Opens `path`: its size and version from a suffix-range GET of its last `openTailBytes`, sent
   * together with a GET of its first bytes.
   * @throws IoError (missing, refused, every attempt failed), FileChangedError (changed during open),
   *   UnsupportedError (a large object from a server that ignores Range), InvalidArgumentError for a bad URL.
   */
  static async open(path: string, options: ResolvedRemoteOptions): Promise<RemoteFile> {
    const endpoint = endpointFor(path, options);
    const stats: RemoteStats = { requests: 0, retries: 0, bytesFetched: 0, cacheHits: 0 };
    const signal = new AbortController().signal;
    const wholeBody = options.openTailBytes * 4;
    for (let attempt = 1; ; attempt++) {
      const headRead = fetchRange(endpoint, { offset: 0, length: HEAD_BYTES }, undefined, options, stats, signal, wholeBody);
      headRead.catch(() => {});
      const tail = await fetchRange(endpoint, { suffix: options.openTailBytes }, undefined, options, stats, signal, wholeBody);
      // The first bytes are only a head start: reads fetch them again if this failed (an empty object: 416).
      const head = await headRead.then(
        (read) => read,
        () => undefined,
      );
      // Sizes are compared too, for servers that state no version.
      if (head !== undefined && (head.version !== tail.version || (!Number.isNaN(head.size) && head.size !== tail.size))) {
        if (attempt < OPEN_ATTEMPTS) continue;
        throw new FileChangedError(
          `the object changed while it was being opened (version ${head.version} of ${head.size} bytes, then ${tail.version} of ${tail.size} bytes)`,
          { path },
        );
      }
      const pieces = [tail, ...(head === undefined ? [] : [head])].map((read: FetchedRange) => ({ offset: read.offset, bytes: read.bytes }));
      return new RemoteFile(path, endpoint, options, tail.version, tail.size, pieces, stats);
    }
  }

  /** Remote files are read asynchronously only. @throws UnsupportedError always. */
  readSync(): Uint8Array {
    throw new UnsupportedError('is a remote file: it is read asynchronously only (ArrayRecordReader.open, then the ...Async reads)', { path: this.path });
  }

  /**
   * Bytes [offset, offset + length), from the bytes fetched at open, the disk cache or one ranged GET.
   * @throws ClosedError after close(); CorruptFileError past the end; what fetchRange throws.
   */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const [read] = this.readRanges([{ offset, length }]);
    return read!;
  }

  /**
   * Reads several ranges (one per chunk), merging those close together into one request
   * (coalesceGapBytes, maxRequestBytes) and sending the requests concurrently, at most
   * maxConnectionsPerHost per host. Returns one promise per range, in order; each settles as soon as
   * its request has, so a caller can decode while the rest arrive.
   * @throws (each promise rejects) as read.
   */
  readRanges(ranges: readonly ByteRange[]): Promise<Uint8Array>[] {
    const settlers: { resolve(bytes: Uint8Array): void; reject(error: unknown): void }[] = [];
    const results = ranges.map(
      () =>
        new Promise<Uint8Array>((resolve, reject) => {
          settlers.push({ resolve, reject });
        }),
    );
    this.fill(ranges, settlers).catch((error: unknown) => {
      for (const settler of settlers) settler.reject(error);
    });
    return results;
  }

  /**
   * The object's bytes from `offset` on, in pieces of a few MiB fetched one ahead of the consumer:
   * for inputs read front to back (TFRecord, plain Riegeli over HTTP).
   */
  async *stream(offset = 0): AsyncGenerator<Uint8Array> {
    let next: Promise<Uint8Array> | undefined;
    const fetchFrom = (from: number): Promise<Uint8Array> | undefined => {
      if (from >= this.size) return undefined;
      const piece = this.read(from, Math.min(STREAM_PIECE, this.size - from));
      piece.catch(() => {});
      return piece;
    };
    next = fetchFrom(offset);
    let position = offset;
    while (next !== undefined) {
      const bytes = await next;
      position += bytes.length;
      next = fetchFrom(position);
      yield bytes;
    }
  }

  /** Aborts requests in flight (they reject with ClosedError); idempotent. */
  close(): void {
    this.closer.abort();
  }

  private checkRange({ offset, length }: ByteRange): void {
    if (this.closer.signal.aborted) throw new ClosedError('file', { path: this.path });
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new CorruptFileError(`read of ${length} bytes past the end of a ${this.size}-byte file (truncated?)`, { path: this.path, offset });
    }
  }

  /** The bytes fetched at open, when they hold the whole range. */
  private fromPieces({ offset, length }: ByteRange): Uint8Array | undefined {
    for (const piece of this.pieces) {
      const begin = offset - piece.offset;
      if (begin >= 0 && begin + length <= piece.bytes.length) return piece.bytes.subarray(begin, begin + length);
    }
    return undefined;
  }

  private async fill(ranges: readonly ByteRange[], settlers: readonly { resolve(bytes: Uint8Array): void; reject(error: unknown): void }[]): Promise<void> {
    for (const range of ranges) this.checkRange(range);
    let missing: number[] = [];
    ranges.forEach((range, position) => {
      const held = this.fromPieces(range);
      if (held !== undefined) settlers[position]!.resolve(held);
      else missing.push(position);
    });
    if (missing.length > 0 && this.cache !== undefined) {
      const cache = this.cache;
      const cached = await Promise.all(missing.map((position) => cache.get(this.cacheKey, ranges[position]!.offset, ranges[position]!.length)));
      missing = missing.filter((position, k) => {
        const bytes = cached[k];
        if (bytes === undefined) return true;
        this.stats.cacheHits++;
        settlers[position]!.resolve(bytes);
        return false;
      });
    }
    if (missing.length === 0) return;
    const requests = coalesceRanges(
      missing.map((position) => ranges[position]!),
      this.options.coalesceGapBytes,
      this.options.maxRequestBytes,
    );
    await Promise.all(
      requests.map(async (request) => {
        const members = request.members.map((member) => missing[member]!);
        try {
          const length = request.end - request.offset;
          const fetched = await fetchRange(this.endpoint, { offset: request.offset, length }, this, this.options, this.stats, this.closer.signal, 0);
          if (fetched.bytes.length !== length) {
            throw new FileChangedError(`the object is now ${fetched.size} bytes long, it was ${this.size} when opened`, { path: this.path, offset: request.offset });
          }
          for (const position of members) {
            const { offset, length: wanted } = ranges[position]!;
            settlers[position]!.resolve(fetched.bytes.subarray(offset - request.offset, offset - request.offset + wanted));
          }
          this.cache?.put(this.cacheKey, request.offset, fetched.bytes);
        } catch (error) {
          for (const position of members) settlers[position]!.reject(error);
        }
      }),
    );
  }
}
