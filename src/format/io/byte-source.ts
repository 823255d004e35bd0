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

/** A local file opened read-only; `close()` is idempotent and reads after it throw ClosedError. */
export class LocalFile implements ByteSource {
  readonly size: number;
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
    try {
      this.size = fs.fstatSync(fd).size;
    } catch (cause) {
      fs.closeSync(fd);
      throw new IoError(`cannot stat file`, { path }, cause);
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
    const buffer = into === undefined ? plainView(Buffer.allocUnsafe(length)) : into.subarray(0, length);
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
    try {
      while (done < length) {
        const read = await preadAsync(fd, buffer.subarray(done), offset + done);
        if (read === 0) break;
        done += read;
      }
    } catch (cause) {
      throw new IoError(`read of ${length} bytes failed: ${(cause as Error).message}`, { path: this.path, offset }, cause);
    }
    return this.checkComplete(buffer, done, offset);
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fs.closeSync(fd);
  }

  private checkRange(offset: number, length: number): number {
    if (this.fd === undefined) throw new ClosedError('file', { path: this.path });
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

/**
 * The bytes of a Buffer as a plain Uint8Array: every later subarray() of file bytes (one per chunk and
 * per record) then takes V8's builtin path instead of Buffer's own, and decoders see one array type.
 */
function plainView(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}
