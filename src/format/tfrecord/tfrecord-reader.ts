// TFRecord files (TensorFlow's sequential record format): each record is a u64 length, the masked
// CRC-32C of the length, the data, and the masked CRC-32C of the data. Read to convert them.

import { ClosedError, CorruptFileError } from '../errors.js';
import { LocalFile, type ByteSource } from '../io/byte-source.js';
import { checkDataCrc, checkLengthCrc, FOOTER_SIZE, HEADER_SIZE, recordLength } from './tfrecord-frame.js';

/** Bytes fetched per read call; records are sliced out of this window. */
const WINDOW = 1 << 20;

/**
 * Reads the records of an uncompressed TFRecord file in order, verifying both CRCs of each.
 * @example for (const record of new TFRecordReader('data.tfrecord')) console.log(record.length);
 */
export class TFRecordReader implements Iterable<Uint8Array> {
  /** The path the reader was opened with. */
  readonly path: string;
  private source: ByteSource | undefined;
  private position = 0;
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  /** Opens `path`. @throws IoError when it cannot be opened. */
  constructor(path: string) {
    this.path = path;
    this.source = LocalFile.open(path);
  }

  /**
   * The next record, or undefined at the end of the file.
   * @throws CorruptFileError for a CRC mismatch or a truncated record; UnsupportedError for a record
   *   longer than a buffer can hold; ClosedError after close.
   */
  read(): Uint8Array | undefined {
    const source = this.open();
    if (this.position >= source.size) return undefined;
    const header = this.bytesAt(this.position, HEADER_SIZE, 'record header');
    const at = { path: this.path, offset: this.position };
    checkLengthCrc(header, at);
    const length = recordLength(header, at, source.size - this.position - HEADER_SIZE);
    const dataAt = this.position + HEADER_SIZE;
    const record = checkDataCrc(this.bytesAt(dataAt, length + FOOTER_SIZE, 'record data'), length, { path: this.path, offset: dataAt });
    this.position = dataAt + length + FOOTER_SIZE;
    return record;
  }

  /** Iterates the remaining records. */
  *[Symbol.iterator](): Iterator<Uint8Array> {
    for (let record = this.read(); record !== undefined; record = this.read()) yield record;
  }

  /** Closes the file; idempotent. */
  close(): void {
    this.source?.close();
    this.source = undefined;
  }

  /** Closes the reader at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.close();
  }

  private open(): ByteSource {
    if (this.source === undefined) throw new ClosedError('TFRecordReader', { path: this.path });
    return this.source;
  }

  /** `length` bytes at `offset`, from the read window when it holds them (a copy-free view). */
  private bytesAt(offset: number, length: number, what: string): Uint8Array {
    const source = this.open();
    if (offset + length > source.size) {
      throw new CorruptFileError(`TFRecord ${what} needs ${length} bytes, the file ends after ${source.size - offset} (truncated)`, {
        path: this.path,
        offset,
      });
    }
    if (offset < this.windowStart || offset + length > this.windowStart + this.window.length) {
      this.windowStart = offset;
      this.window = source.readSync(offset, Math.min(source.size - offset, Math.max(length, WINDOW)));
    }
    return this.window.subarray(offset - this.windowStart, offset - this.windowStart + length);
  }
}
