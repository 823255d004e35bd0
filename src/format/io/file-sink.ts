// A write-only local file with a write buffer: chunks are small, and one write() call per chunk
// would cost a system call each, so queued chunks go out together in one writev call; close()
// flushes and fsyncs so accepted data is on disk.

import fs from 'node:fs';
import { IoError } from '../errors.js';

const FLUSH_THRESHOLD = 1 << 20;

/** A file created (or truncated) for writing; bytes reach the file at the latest on close(). */
export class FileSink {
  private fd: number | undefined;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /**
   * Creates or truncates `path`.
   * @throws IoError when the file cannot be created.
   */
  static create(path: string): FileSink {
    try {
      return new FileSink(path, fs.openSync(path, 'w'));
    } catch (cause) {
      throw new IoError(`cannot create file: ${(cause as Error).message}`, { path }, cause);
    }
  }

  /** Queues bytes; writes them out once a megabyte has gathered. */
  write(bytes: Uint8Array): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= FLUSH_THRESHOLD) this.flush();
  }

  /** Writes queued bytes to the file. @throws IoError on a failed write. */
  flush(): void {
    if (this.fd === undefined || this.pendingBytes === 0) return;
    const chunks = this.pending;
    const total = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      const written = fs.writevSync(this.fd, chunks);
      if (written < total) this.writeRest(chunks, written);
    } catch (cause) {
      throw new IoError(`write failed: ${(cause as Error).message}`, { path: this.path }, cause);
    }
  }

  /** Finishes a writev that stopped short (libuv retries short writes, so this is a rare path): the bytes after `skip`. */
  private writeRest(chunks: readonly Uint8Array[], skip: number): void {
    for (const chunk of chunks) {
      let done = Math.min(skip, chunk.length);
      skip -= done;
      while (done < chunk.length) done += fs.writeSync(this.fd!, chunk, done, chunk.length - done);
    }
  }

  /** Flushes, fsyncs and closes; idempotent. @throws IoError when any of these fails. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    try {
      this.flush();
      fs.fsyncSync(fd);
    } catch (cause) {
      throw cause instanceof IoError ? cause : new IoError(`fsync failed: ${(cause as Error).message}`, { path: this.path }, cause);
    } finally {
      this.fd = undefined;
      fs.closeSync(fd);
    }
  }

  /** Closes without flushing, after a failure; idempotent. */
  abandon(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    this.pending = [];
    fs.closeSync(fd);
  }
}
