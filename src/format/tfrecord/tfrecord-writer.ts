// Writing TFRecord files: each record framed as a u64 length, the masked CRC-32C of the length, the
// data, and the masked CRC-32C of the data, exactly as TensorFlow's TFRecordWriter frames them.

import { ClosedError, InvalidArgumentError } from '../errors.js';
import { FileSink } from '../io/file-sink.js';
import { writeU32, writeU64 } from '../riegeli/bytes.js';
import { maskedCrc32c } from './crc32c.js';

/** Bytes TFRecord adds before a record (length and its CRC). */
export const TFRECORD_HEADER_SIZE = 12;
/** Bytes TFRecord adds after a record (its CRC). */
export const TFRECORD_FOOTER_SIZE = 4;

const textEncoder = new TextEncoder();

/** Writes `record` framed as TFRecord into `target` (at least 16 bytes longer than the record). */
export function frameTFRecord(record: Uint8Array, target: Uint8Array): void {
  writeU64(target, 0, record.length);
  writeU32(target, 8, maskedCrc32c(target.subarray(0, 8)));
  target.set(record, TFRECORD_HEADER_SIZE);
  writeU32(target, TFRECORD_HEADER_SIZE + record.length, maskedCrc32c(record));
}

/** One record framed as TFRecord, as a new buffer. */
export function encodeTFRecord(record: Uint8Array): Uint8Array {
  const framed = new Uint8Array(TFRECORD_HEADER_SIZE + record.length + TFRECORD_FOOTER_SIZE);
  frameTFRecord(record, framed);
  return framed;
}

/**
 * Writes an uncompressed TFRecord file that TensorFlow's `tf.data.TFRecordDataset` reads. Every record
 * `write()` accepted is on disk once `close()` returns.
 * @example
 * const writer = new TFRecordWriter('/tmp/out.tfrecord');
 * writer.write('hello');
 * writer.close();
 */
export class TFRecordWriter {
  /** The path the writer writes to. */
  readonly path: string;
  private sink: FileSink | undefined;

  /** Creates (or truncates) `path`. @throws IoError when the file cannot be created. */
  constructor(path: string) {
    this.path = path;
    this.sink = FileSink.create(path);
  }

  /**
   * Appends one record (bytes, or a string stored as UTF-8).
   * @throws ClosedError after close; InvalidArgumentError for other types; IoError when writing fails.
   */
  write(record: Uint8Array | string): void {
    if (this.sink === undefined) throw new ClosedError('TFRecordWriter', { path: this.path });
    const bytes = typeof record === 'string' ? textEncoder.encode(record) : record;
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('write() takes a Uint8Array or a string', { path: this.path });
    frameTFRecord(bytes, this.sink.append(TFRECORD_HEADER_SIZE + bytes.length + TFRECORD_FOOTER_SIZE));
  }

  /** Flushes, fsyncs and closes the file; idempotent. @throws IoError when that fails. */
  close(): void {
    const sink = this.sink;
    this.sink = undefined;
    sink?.close();
  }

  /** Closes the file without flushing what is buffered, after a failure elsewhere; idempotent. */
  abandon(): void {
    const sink = this.sink;
    this.sink = undefined;
    sink?.abandon();
  }

  /** Closes the writer at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.close();
  }
}
