// Standard output for the array-record command: batched writes that wait when the reader is slow, and a
// reader that went away (`| head -1`) turned into a quiet end, as cat and head end.

/** Thrown by `Output.write` once stdout is closed (EPIPE): the command stops and exits 0. */
export class StdoutClosedError extends Error {
  constructor() {
    super('standard output was closed');
  }
}

/** Bytes gathered before one write to the stream. */
const BATCH = 64 * 1024;

/** True for the errors of writing to a pipe whose reader has gone. */
export function isClosedPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || error instanceof StdoutClosedError;
}

/** Writes text and bytes to a stream (stdout) with backpressure; `flush()` at the end. */
export class Output {
  private parts: (string | Uint8Array)[] = [];
  private size = 0;
  private failure: Error | undefined;

  constructor(readonly stream: NodeJS.WritableStream & { writableNeedDrain?: boolean } = process.stdout) {
    stream.on('error', (error: Error) => (this.failure ??= error));
  }

  /** Queues `data`; writes when a batch is full, waiting while the stream's buffer is full. */
  async write(data: string | Uint8Array): Promise<void> {
    this.parts.push(data);
    this.size += data.length;
    if (this.size >= BATCH) await this.flush();
  }

  /** Writes what is queued and waits until the stream takes more. @throws StdoutClosedError, or the stream's error. */
  async flush(): Promise<void> {
    this.check();
    if (this.parts.length === 0) return;
    const data = Buffer.concat(this.parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));
    this.parts = [];
    this.size = 0;
    const more = this.stream.write(data);
    if (!more) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('error', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('error', done);
      });
    }
    this.check();
  }

  private check(): void {
    if (this.failure === undefined) return;
    if (isClosedPipe(this.failure)) throw new StdoutClosedError();
    throw this.failure;
  }
}
