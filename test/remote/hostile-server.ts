// A loopback HTTP server whose every answer a test writes itself, for servers that break the rules
// (test/remote/hostile-servers.test.ts): a handler per test, plus `serveRange`, an honest ranged
// answer the handler can bend (other headers, another body, a stall, a socket cut mid-body).

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void | Promise<void>;

/** One request as the server saw it. */
export interface SeenRequest {
  readonly url: string;
  readonly range: string | undefined;
  readonly headers: http.IncomingHttpHeaders;
}

/** The range a `Range: bytes=...` header asks of an object of `size` bytes; undefined when it is unsatisfiable or absent. */
export function askedRange(range: string | undefined, size: number): { start: number; end: number } | undefined {
  const match = range === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(range);
  if (match === null) return undefined;
  let start: number;
  let end = size - 1;
  if (match[1] === '') start = Math.max(0, size - Number(match[2]));
  else {
    start = Number(match[1]);
    if (match[2] !== '') end = Math.min(size - 1, Number(match[2]));
  }
  return start >= size || start > end ? undefined : { start, end };
}

/** Answers a request for `bytes` honestly (206 with Content-Range, 416, or 200 without Range), `headers` added. */
export function serveRange(request: http.IncomingMessage, response: http.ServerResponse, bytes: Uint8Array, headers: http.OutgoingHttpHeaders = {}): void {
  const range = askedRange(request.headers.range, bytes.length);
  if (request.headers.range !== undefined && range === undefined) {
    response.writeHead(416, { ...headers, 'content-range': `bytes */${bytes.length}` });
    response.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: bytes.length - 1 };
  const body = bytes.subarray(start, end + 1);
  response.writeHead(range === undefined ? 200 : 206, {
    'content-length': String(body.length),
    ...(range === undefined ? {} : { 'content-range': `bytes ${start}-${end}/${bytes.length}` }),
    ...headers,
  });
  response.end(body);
}

export class HostileServer {
  private readonly server: http.Server;
  /** What the next requests get; tests replace it. */
  handler: Handler = (_request, response) => {
    response.writeHead(404);
    response.end();
  };
  readonly seen: SeenRequest[] = [];

  private constructor() {
    this.server = http.createServer((request, response) => {
      this.seen.push({ url: request.url ?? '/', range: request.headers.range, headers: request.headers });
      Promise.resolve(this.handler(request, response)).catch((error: unknown) => response.destroy(error as Error));
    });
  }

  /** Starts a server on 127.0.0.1 at a free port. */
  static async start(): Promise<HostileServer> {
    const server = new HostileServer();
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  url(name: string): string {
    return `${this.origin}/${name}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
