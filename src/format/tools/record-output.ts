// Where converted records go: an ArrayRecord or TFRecord file written under a temporary name and
// renamed into place when complete, or TFRecord (optionally gzip/zlib-compressed) into a stream.

import fs from 'node:fs';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { ArrayRecordWriter } from '../arrayrecord/writer.js';
import { ArrayRecordError, IoError } from '../errors.js';
import { PendingFile } from '../io/pending-file.js';
import type { RecordsMetadata } from '../riegeli/records-metadata.js';
import { encodeTFRecord } from '../tfrecord/tfrecord-writer.js';
import { TFRecordWriter } from '../tfrecord/tfrecord-writer.js';

/** Formats records can be written in. */
export const OUTPUT_FORMATS = ['array_record', 'tfrecord'] as const;
/** A format records can be written in: one of `OUTPUT_FORMATS`. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
/** Compression of a TFRecord output, as TensorFlow's TFRecordWriter offers it. */
export const OUTPUT_COMPRESSIONS = ['gzip', 'zlib'] as const;
/** The compression of a TFRecord output: one of `OUTPUT_COMPRESSIONS`. */
export type OutputCompression = (typeof OUTPUT_COMPRESSIONS)[number];

/** Where records go: a path, or a named stream (stdout) for formats that can be streamed (TFRecord). */
export type OutputTarget =
  | string
  | {
      /** The name errors and reports give the output (`-` for stdout). */
      readonly name: string;
      /** Where the bytes go. */
      readonly stream: Writable;
    };

/** Bytes gathered before one write to a stream. */
const STREAM_BATCH = 256 * 1024;

/** An output being written. `finish` completes it (a file stays under its temporary name until `commit`). */
export interface RecordSink {
  readonly name: string;
  write(record: Uint8Array): void | Promise<void>;
  /** Completes the output; resolves to the writer options it stored (ArrayRecord), if any. */
  finish(): Promise<string | undefined>;
  /** Moves a finished file to its final name. */
  commit(): void;
  /** Drops the output after a failure: a file's temporary is deleted. Never throws. */
  abort(): void;
}

/** How to create a sink. */
export interface SinkSettings {
  readonly format: OutputFormat;
  readonly writerOptions: string;
  readonly compression: OutputCompression | undefined;
  readonly metadata?: RecordsMetadata | undefined;
}

/** Creates the sink for `target` (nothing is created under the final name). @throws IoError, InvalidOptionsError. */
export function createSink(target: OutputTarget, settings: SinkSettings): RecordSink {
  if (typeof target !== 'string') return new StreamSink(target.name, target.stream, settings.compression, false);
  const file = PendingFile.beside(target);
  try {
    if (settings.format === 'array_record') return new ArrayRecordSink(file, settings);
    if (settings.compression === undefined) return new TFRecordFileSink(file);
    return StreamSink.toFile(file, settings.compression);
  } catch (error) {
    file.discard();
    throw error;
  }
}

class ArrayRecordSink implements RecordSink {
  private readonly writer: ArrayRecordWriter;

  constructor(
    private readonly file: PendingFile,
    settings: SinkSettings,
  ) {
    this.writer = new ArrayRecordWriter(file.tempPath, settings.writerOptions, settings.metadata === undefined ? {} : { metadata: settings.metadata });
  }

  get name(): string {
    return this.file.path;
  }

  write(record: Uint8Array): void {
    this.writer.write(record);
  }

  async finish(): Promise<string> {
    this.writer.close();
    return this.writer.writerOptionsString();
  }

  commit(): void {
    this.file.commit();
  }

  abort(): void {
    this.file.discard();
    try {
      this.writer.close();
    } catch {
      // The failure being handled is the one to report.
    }
  }
}

class TFRecordFileSink implements RecordSink {
  private readonly writer: TFRecordWriter;

  constructor(private readonly file: PendingFile) {
    this.writer = new TFRecordWriter(file.tempPath);
  }

  get name(): string {
    return this.file.path;
  }

  write(record: Uint8Array): void {
    this.writer.write(record);
  }

  async finish(): Promise<undefined> {
    this.writer.close();
    return undefined;
  }

  commit(): void {
    this.file.commit();
  }

  abort(): void {
    this.writer.abandon();
    this.file.discard();
  }
}

/**
 * A stream of writes into `fd` that never closes it: the sink closes it, once. An fs.WriteStream closes its
 * descriptor when destroyed, whatever `autoClose` says, and a pipeline destroys it on any failure; its close,
 * queued to libuv's pool, raced the sink's own, and the later of the two closed whatever file had the
 * number by then (a test's directory being removed, another output).
 */
function descriptorWriter(fd: number): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const writeFrom = (offset: number): void => {
        fs.write(fd, chunk, offset, chunk.length - offset, null, (error, written) => {
          if (error !== null) callback(error);
          else if (offset + written < chunk.length) writeFrom(offset + written);
          else callback();
        });
      };
      writeFrom(0);
    },
  });
}

/** TFRecord into a Writable, through gzip or zlib when asked, with backpressure. */
class StreamSink implements RecordSink {
  private batch: Uint8Array[] = [];
  private batched = 0;
  private failure: Error | undefined;
  private readonly input: Writable;
  private readonly done: Promise<void>;

  constructor(
    readonly name: string,
    private readonly target: Writable,
    compression: OutputCompression | undefined,
    /** End the target when finished (a file), or leave it open (stdout). */
    private readonly endTarget: boolean,
    private readonly file?: { readonly pending: PendingFile; readonly fd: number; closed: boolean },
  ) {
    target.on('error', (error: Error) => (this.failure ??= error));
    if (compression === undefined) {
      this.input = target;
      this.done = Promise.resolve();
    } else {
      const compressor = compression === 'gzip' ? zlib.createGzip() : zlib.createDeflate();
      compressor.on('error', (error: Error) => (this.failure ??= error));
      this.input = compressor;
      this.done = pipeline(compressor, target, { end: endTarget });
      this.done.catch(() => {
        // Reported through `failure` and by awaiting `done` in finish().
      });
    }
  }

  /** A compressed TFRecord file: a stream into the pending file's descriptor, fsynced before it is renamed. */
  static toFile(pending: PendingFile, compression: OutputCompression): StreamSink {
    let fd: number;
    try {
      fd = fs.openSync(pending.tempPath, 'w');
    } catch (cause) {
      throw new IoError(`cannot create file: ${(cause as Error).message}`, { path: pending.tempPath }, cause);
    }
    return new StreamSink(pending.path, descriptorWriter(fd), compression, true, { pending, fd, closed: false });
  }

  async write(record: Uint8Array): Promise<void> {
    if (this.failure !== undefined) throw this.typed(this.failure);
    const framed = encodeTFRecord(record);
    this.batch.push(framed);
    this.batched += framed.length;
    if (this.batched < STREAM_BATCH) return;
    try {
      await this.flush();
    } catch (error) {
      throw this.typed(error);
    }
  }

  async finish(): Promise<undefined> {
    try {
      await this.finishStream();
    } catch (error) {
      throw this.typed(error);
    }
    return undefined;
  }

  private async finishStream(): Promise<void> {
    await this.flush();
    if (this.input !== this.target) {
      this.input.end();
      await this.done;
    } else if (this.endTarget) {
      this.target.end();
      await once(this.target, 'finish');
    } else {
      await new Promise<void>((resolve, reject) => this.target.write(new Uint8Array(0), (error) => (error ? reject(error) : resolve())));
    }
    if (this.failure !== undefined) throw this.failure;
    if (this.file !== undefined) {
      fs.fsyncSync(this.file.fd);
      this.closeFile();
    }
  }

  /** Closes the file's descriptor, once: a second close would close whatever file has its number by then. */
  private closeFile(): void {
    if (this.file === undefined || this.file.closed) return;
    this.file.closed = true;
    fs.closeSync(this.file.fd);
  }

  /**
   * A file's failure as an IoError naming the file (the stream's own error, ENOSPC say, names neither
   * the file nor what failed). A stream's (stdout's) stays as it is: EPIPE there means its reader went away.
   */
  private typed(error: unknown): unknown {
    if (this.file === undefined || error instanceof ArrayRecordError) return error;
    return new IoError(`write failed: ${(error as Error).message}`, { path: this.file.pending.tempPath }, error);
  }

  commit(): void {
    this.file?.pending.commit();
  }

  abort(): void {
    this.input.destroy();
    if (this.file !== undefined) {
      this.target.destroy();
      try {
        this.closeFile();
      } catch {
        // Linux releases the descriptor even when close reports an error.
      }
      this.file.pending.discard();
    }
  }

  private async flush(): Promise<void> {
    if (this.batched === 0) return;
    const data = Buffer.concat(this.batch, this.batched);
    this.batch = [];
    this.batched = 0;
    if (this.failure !== undefined) throw this.failure;
    if (!this.input.write(data)) await once(this.input, 'drain');
    if (this.failure !== undefined) throw this.failure;
  }
}
