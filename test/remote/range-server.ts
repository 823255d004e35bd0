// A loopback HTTP server for the remote-storage tests and bench/remote.ts: files held in memory,
// served with Range (a-b, a-, -n), strong ETags and If-Match (412), plus a GCS JSON API face
// (/storage/v1/b/<bucket>/o/<object>?alt=media with x-goog-generation and ifGenerationMatch, and
// listing). It counts every request and injects faults on demand: resets, 503/429, truncated
// bodies, mid-body drops, slow responses, and servers that ignore preconditions.
//
// Written here rather than nginx because the tests need request counts and per-request faults that
// a stock server cannot give, and it starts in milliseconds with nothing to install.

import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One injected fault, applied to the next request(s) it matches. */
export type Fault =
  | { readonly kind: 'reset' }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: number }
  | { readonly kind: 'truncate'; readonly bytes: number }
  | { readonly kind: 'drop-mid-body' }
  | { readonly kind: 'slow'; readonly delayMs: number }
  | { readonly kind: 'wrong-range' };

interface StoredFile {
  bytes: Uint8Array;
  etag: string;
  generation: number;
}

/** What one request asked for, as the server saw it. */
export interface LoggedRequest {
  readonly path: string;
  readonly range: string | undefined;
  readonly headers: http.IncomingHttpHeaders;
}

export class RangeServer {
  private readonly files = new Map<string, StoredFile>();
  private readonly faults: { fault: Fault; remaining: number; onlyReads: boolean }[] = [];
  private readonly server: http.Server;
  private generation = 1;
  /** Every request, in order of arrival. */
  readonly log: LoggedRequest[] = [];
  /** When true, If-Match and ifGenerationMatch are ignored (a server without preconditions). */
  ignorePreconditions = false;
  /** When false, responses state no version (no ETag, no x-goog-generation), as some plain HTTP servers. */
  sendsVersions = true;
  /** Delay before every response, in ms. */
  latencyMs = 0;

  private constructor() {
    this.server = http.createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.destroy(error as Error);
      });
    });
    this.server.keepAliveTimeout = 10_000;
  }

  /** Starts a server on 127.0.0.1 at a free port. */
  static async start(): Promise<RangeServer> {
    const server = new RangeServer();
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The URL of `name` served plainly. */
  url(name: string): string {
    return `http://127.0.0.1:${this.port}/files/${name.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** The GCS emulator host (for STORAGE_EMULATOR_HOST / gcs.endpoint). */
  get gcsEndpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stores (or replaces, with a new ETag and generation) a file. */
  put(name: string, bytes: Uint8Array): void {
    const generation = this.generation++;
    const etag = `"${createHash('sha256').update(bytes).update(String(generation)).digest('hex').slice(0, 24)}"`;
    this.files.set(name, { bytes, etag, generation });
  }

  /**
   * Applies `fault` to the next `times` requests; with `onlyReads`, only to requests that are not an
   * open's (the suffix range and the first bytes).
   */
  inject(fault: Fault, times = 1, onlyReads = true): void {
    this.faults.push({ fault, remaining: times, onlyReads });
  }

  /** Drops the faults not yet applied. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests so far. */
  get requests(): number {
    return this.log.length;
  }

  resetLog(): void {
    this.log.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private takeFault(range: string | undefined): Fault | undefined {
    const isOpen = range === undefined || range.startsWith('bytes=-') || range.startsWith('bytes=0-4095');
    const entry = this.faults.find((candidate) => !(candidate.onlyReads && isOpen));
    if (entry === undefined) return undefined;
    if (--entry.remaining === 0) this.faults.splice(this.faults.indexOf(entry), 1);
    return entry.fault;
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/__requests') {
      // The request count, for a client in another process (bench/remote.ts); not counted itself.
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ requests: this.requests }));
      return;
    }
    const range = request.headers.range;
    this.log.push({ path: url.pathname, range, headers: request.headers });
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const gcs = /^\/storage\/v1\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(url.pathname);
    if (gcs !== null && gcs[2] === undefined) return this.list(decodeURIComponent(gcs[1]!), url.searchParams.get('prefix') ?? '', response);
    const name = gcs !== null ? `${decodeURIComponent(gcs[1]!)}/${decodeURIComponent(gcs[2]!)}` : decodeURIComponent(url.pathname.replace(/^\/files\//, ''));
    const file = this.files.get(name);
    const fault = this.takeFault(range);
    if (fault?.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      response.writeHead(fault.status, fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) });
      response.end('injected');
      return;
    }
    if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (file === undefined) {
      response.writeHead(404);
      response.end('no such file');
      return;
    }
    const version = this.sendsVersions ? { etag: file.etag, 'x-goog-generation': String(file.generation), 'accept-ranges': 'bytes' } : { 'accept-ranges': 'bytes' };
    if (!this.ignorePreconditions) {
      const ifMatch = request.headers['if-match'];
      const ifGeneration = url.searchParams.get('ifGenerationMatch');
      if ((ifMatch !== undefined && ifMatch !== file.etag) || (ifGeneration !== null && ifGeneration !== String(file.generation))) {
        response.writeHead(412, version);
        response.end('precondition failed');
        return;
      }
    }
    const size = file.bytes.length;
    let start = 0;
    let end = size - 1;
    let partial = false;
    const match = range === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(range);
    if (match !== null) {
      partial = true;
      if (match[1] === '') {
        start = Math.max(0, size - Number(match[2]));
      } else {
        start = Number(match[1]);
        if (match[2] !== '') end = Math.min(size - 1, Number(match[2]));
      }
      if (start >= size || start > end) {
        response.writeHead(416, { ...version, 'content-range': `bytes */${size}` });
        response.end();
        return;
      }
    }
    if (fault?.kind === 'wrong-range') start = Math.min(start + 1, end);
    const body = file.bytes.subarray(start, end + 1);
    const headers: http.OutgoingHttpHeaders = { ...version, 'content-type': 'application/octet-stream' };
    if (partial) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    if (fault?.kind === 'truncate') {
      // No Content-Length: the body simply ends early, as a broken proxy might send it.
      response.writeHead(partial ? 206 : 200, headers);
      response.end(body.subarray(0, Math.min(fault.bytes, body.length)));
      return;
    }
    headers['content-length'] = String(body.length);
    response.writeHead(partial ? 206 : 200, headers);
    if (fault?.kind === 'drop-mid-body') {
      response.write(body.subarray(0, body.length >> 1));
      setTimeout(() => request.socket.destroy(), 5);
      return;
    }
    response.end(body);
  }

  private list(bucket: string, prefix: string, response: http.ServerResponse): void {
    const items = [...this.files.keys()]
      .filter((name) => name.startsWith(`${bucket}/${prefix}`))
      .sort()
      .map((name) => ({ name: name.slice(bucket.length + 1) }));
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ items }));
  }
}
