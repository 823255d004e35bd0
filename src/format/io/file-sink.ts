// A write-only local file with a write buffer: chunks are small, and one write() call per chunk
// would cost a system call each. Callers frame their chunks straight into the buffer, which is
// written out a megabyte at a time and then reused; close() flushes and fsyncs so accepted data
// is on disk, and a sink that failed empties its file so a half-written file never looks finished.

import fs from 'node:fs';
import nodePath from 'node:path';
import { IoError } from '../errors.js';

/** The buffer starts this small (a writer of a small file needs no more) and doubles up to BUFFER_SIZE. */
const INITIAL_BUFFER_SIZE = 64 << 10;
const BUFFER_SIZE = 1 << 20;

/** A file created (or truncated) for writing; bytes reach the file at the latest on close(). */
export class FileSink {
  private fd: number | undefined;
  private buffer = Buffer.allocUnsafeSlow(INITIAL_BUFFER_SIZE);
  /** Bytes of `buffer` that are filled and not yet written. */
  private used = 0;

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

  /**
   * The next `length` bytes of the file, as a region of the write buffer to fill before the next
   * call (its content is undefined until then); earlier bytes are written out first when the
   * buffer is full. @throws IoError when that write fails.
   */
  append(length: number): Uint8Array {
    if (this.used + length > this.buffer.length) this.makeRoom(length);
    const region = this.buffer.subarray(this.used, this.used + length);
    this.used += length;
    return region;
  }

  /** Makes room for `length` more bytes: grows the buffer while it is below BUFFER_SIZE, else writes it out. */
  private makeRoom(length: number): void {
    const needed = this.used + length;
    if (this.buffer.length < BUFFER_SIZE && needed <= BUFFER_SIZE) {
      const grown = Buffer.allocUnsafeSlow(Math.min(BUFFER_SIZE, Math.max(needed, 2 * this.buffer.length)));
      grown.set(this.buffer.subarray(0, this.used));
      this.buffer = grown;
      return;
    }
    this.flush();
    if (length > this.buffer.length) this.buffer = Buffer.allocUnsafeSlow(length);
  }

  /** Writes the buffered bytes to the file. @throws IoError on a failed write. */
  flush(): void {
    if (this.fd === undefined || this.used === 0) return;
    const length = this.used;
    this.used = 0;
    try {
      let done = 0;
      while (done < length) done += fs.writeSync(this.fd, this.buffer, done, length - done);
    } catch (cause) {
      throw new IoError(`write failed: ${(cause as Error).message}`, { path: this.path }, cause);
    }
  }

  /**
   * Flushes, then fsyncs the file and (for a regular file) its directory, so that the file and its
   * name survive a crash once this returns; then closes. Idempotent.
   * @throws IoError when any of these fails; the file is then emptied first (see abandon), except
   *   when only close(2) itself fails, after the complete file was synced.
   */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    try {
      this.flush();
      fs.fsyncSync(fd);
      if (fs.fstatSync(fd).isFile()) fsyncDirectoryOf(this.path);
    } catch (cause) {
      this.abandon();
      throw cause instanceof IoError ? cause : new IoError(`cannot make the file durable: ${(cause as Error).message}`, { path: this.path }, cause);
    }
    this.fd = undefined;
    try {
      fs.closeSync(fd);
    } catch (cause) {
      throw new IoError(`close failed: ${(cause as Error).message}`, { path: this.path }, cause);
    }
  }

  /**
   * After a failure: drops what is buffered, truncates the file to nothing and closes it. What was
   * written before the failure can be the whole file (when only fsync failed): it would read as
   * complete, yet may not survive a crash. An empty file is never taken for a valid one.
   * Idempotent; never throws, since the failure that led here is the one to report.
   */
  abandon(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    this.used = 0;
    try {
      fs.ftruncateSync(fd, 0);
    } catch {
      // A device or a pipe cannot be truncated, and holds no file to mistake for a finished one.
    }
    try {
      fs.closeSync(fd);
    } catch {
      // Linux releases the descriptor even when close reports an error.
    }
  }
}

/**
 * Makes a new file's directory entry durable: on POSIX systems fsync of the file alone does not cover
 * its name. Windows cannot open a directory as a file, and its file systems journal names themselves.
 */
function fsyncDirectoryOf(path: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(nodePath.dirname(path), 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
