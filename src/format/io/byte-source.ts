// Random-access byte sources the format layer reads from: the interface, and a local file behind it.

import fs from 'node:fs';
import { ClosedError, CorruptFileError, IoError } from '../errors.js';

/**
 * Positioned reads of a file of known size. Both forms return exactly `length` bytes or throw;
 * the async form runs on libuv's thread pool so the event loop stays free.
 */
export interface ByteSource {
  readonly path: string;
  readonly size: number;
  /**
   * Which file this is, beyond its path: changes when the path names another file or the file was
   * rewritten. A reader that hands work to another thread, which opens the file by path, sends it
   * along so that thread can tell a replaced file from the one the reader opened.
   */
  readonly identity: string;
  /** Reads into `into` (at least `length` bytes long) when given, else into a new buffer. */
  readSync(offset: number, length: number, into?: Uint8Array): Uint8Array;
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): void;
}

function preadAsync(fd: number, buffer: Uint8Array, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buffer, 0, buffer.length, position, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)));
  });
}

/**
 * A local file opened read-only; `close()` is idempotent and reads after it throw ClosedError.
 *
 * The descriptor outlives `close()` while async reads still use it: closing it under them would free
 * its number for the next file the process opens, and their preads would return that file's bytes.
 * Those reads stop at their next pread with ClosedError; the last one out closes the descriptor.
 */
export class LocalFile implements ByteSource {
  readonly size: number;
  readonly identity: string;
  private readonly fd: number;
  private closed = false;
  /** Async reads between their first pread and settling. */
  private readsInFlight = 0;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
    let stream: boolean;
    try {
      const stat = fs.fstatSync(fd, { bigint: true });
      this.size = Number(stat.size);
      this.identity = identityOf(stat);
      stream = stat.isFIFO() || stat.isSocket() || stat.isCharacterDevice();
    } catch (cause) {
      fs.closeSync(fd);
      throw new IoError(`cannot stat file`, { path }, cause);
    }
    // A pipe reports size 0 whatever it will carry: read at random, it would look empty.
    if (stream) {
      fs.closeSync(fd);
      throw new IoError('is a pipe or a device, not a file: it has no size to read at random (read it as a stream: openRecordInput)', { path });
    }
  }

  /**
   * Opens `path` for reading.
   * @throws IoError when the file cannot be opened (missing, a directory, no permission).
   */
  static open(path: string): LocalFile {
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch (cause) {
      throw new IoError(`cannot open file: ${(cause as Error).message}`, { path }, cause);
    }
    return new LocalFile(path, fd);
  }

  readSync(offset: number, length: number, into?: Uint8Array): Uint8Array {
    const fd = this.checkRange(offset, length);
    const buffer = into === undefined ? plainView(Buffer.allocUnsafe(length)) : into.length === length ? into : into.subarray(0, length);
    let done = 0;
    try {
      while (done < length) {
        const read = fs.readSync(fd, buffer, done, length - done, offset + done);
        if (read === 0) break;
        done += read;
      }
    } catch (cause) {
      throw new IoError(`read of ${length} bytes failed: ${(cause as Error).message}`, { path: this.path, offset }, cause);
    }
    return this.checkComplete(buffer, done, offset);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const fd = this.checkRange(offset, length);
    const buffer = plainView(Buffer.allocUnsafe(length));
    let done = 0;
    this.readsInFlight++;
    try {
      while (done < length) {
        if (this.closed) throw new ClosedError('file', { path: this.path, offset });
        const read = await preadAsync(fd, buffer.subarray(done), offset + done);
        if (read === 0) break;
        done += read;
      }
    } catch (cause) {
      if (cause instanceof ClosedError) throw cause;
      throw new IoError(`read of ${length} bytes failed: ${(cause as Error).message}`, { path: this.path, offset }, cause);
    } finally {
      if (--this.readsInFlight === 0 && this.closed) closeQuietly(fd);
    }
    return this.checkComplete(buffer, done, offset);
  }

  /** Closes the descriptor now, or when the last async read using it settles. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.readsInFlight === 0) fs.closeSync(this.fd);
  }

  private checkRange(offset: number, length: number): number {
    if (this.closed) throw new ClosedError('file', { path: this.path });
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new CorruptFileError(`read of ${length} bytes past the end of a ${this.size}-byte file (truncated?)`, {
        path: this.path,
        offset,
      });
    }
    return this.fd;
  }

  private checkComplete(buffer: Uint8Array, done: number, offset: number): Uint8Array {
    if (done < buffer.length) {
      throw new CorruptFileError(`file shrank while reading: got ${done} of ${buffer.length} bytes`, { path: this.path, offset });
    }
    return buffer;
  }
}

/** Device and inode tell a replaced file; size and modification time a rewritten one. */
function identityOf(stat: fs.BigIntStats): string {
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}`;
}

/**
 * The `identity` a LocalFile opened at `path` now would have; undefined when nothing is there.
 * @throws IoError when the path cannot be examined.
 * @example fileIdentityAt(reader.path) === reader.fileIdentity() // false once the file was replaced
 */
export function fileIdentityAt(path: string): string | undefined {
  try {
    const stat = fs.statSync(path, { bigint: true, throwIfNoEntry: false });
    return stat === undefined ? undefined : identityOf(stat);
  } catch (cause) {
    throw new IoError(`cannot stat file: ${(cause as Error).message}`, { path }, cause);
  }
}

/**
 * Closes a read-only descriptor from a read's cleanup: nothing written can be lost, and an error
 * there has nobody to report to but the read, whose bytes are already right.
 */
function closeQuietly(fd: number): void {
  fs.close(fd, () => {});
}

/**
 * The bytes of a Buffer as a plain Uint8Array: every later subarray() of file bytes (one per chunk and
 * per record) then takes V8's builtin path instead of Buffer's own, and decoders see one array type.
 */
function plainView(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}
