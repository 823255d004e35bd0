// ArrayRecordWriter: groups records into chunks, then writes the footer index and the postscript
// exactly as Google's array_record writer lays them out.

import { ClosedError, InvalidArgumentError, IoError } from '../errors.js';
import { FileSink } from '../io/file-sink.js';
import { checkPath } from '../io/location.js';
import { encodeChunk, type ChunkEncoding } from '../riegeli/chunk-codec.js';
import { ChunkWriter } from '../riegeli/chunk-writer.js';
import { checkCompressor, UNCOMPRESSED } from '../riegeli/compression.js';
import { encodeMetadataChunk, type RecordsMetadata } from '../riegeli/records-metadata.js';
import { encodeSimpleChunk, encodeSimpleChunkOf } from '../riegeli/simple-chunk.js';
import { ARRAY_RECORD_VERSION, encodeFooterMetadata, encodePostscript } from './layout.js';
import { FooterIndex } from './footer-index.js';
import { checkWriterExtras, parseWriterOptions, writerOptionsToString, type WriterOptions } from './writer-options.js';
import { encodeParallelism } from './encode-pool.js';
import { ParallelChunkEncoder } from './parallel-encoder.js';
import { GroupBuffer } from './group-buffer.js';
import { CompressionType } from '../riegeli/constants.js';
import { zstdCodecWasGiven } from '../riegeli/zstd-codec.js';
import type { EncodedChunkData } from '../riegeli/decoded-chunk.js';

/** What a writer can store besides records. */
export interface WriterExtras {
  /** File metadata (riegeli.RecordsMetadata), stored in a metadata chunk right after the signature. */
  readonly metadata?: RecordsMetadata;
}

/** Copies of the postscript Google's writer stores, so one damaged copy can be told apart. */
const POSTSCRIPT_COPIES = 3;
/**
 * The max_parallelism the footer reports: 1, as Python's array_record writer (which has no thread pool)
 * reports, however many workers encoded the chunks, so that a file's bytes never depend on them.
 */
const WRITER_PARALLELISM = 1;

const textEncoder = new TextEncoder();

/**
 * Writes an ArrayRecord file that Google's ArrayRecordReader (C++/Python) reads.
 *
 * Records are buffered one group (`group_size`) at a time, so memory is bounded by a group, not by
 * the file. With `max_parallelism` above 1, once a file grows past a megabyte its chunks are
 * compressed on max_parallelism threads (this one and workers), a few batches of groups per thread
 * in flight (memory stays bounded), and written in order: the file is byte for byte the one
 * `max_parallelism:1` writes. The default, `auto`, is one thread per core for zstd and brotli (1 for
 * the cheap uncompressed and snappy), and the workers are used only while they make the writer
 * faster: it times windows of a few megabytes each way, keeps the faster and tries the other again
 * now and then (on a busy machine a second thread adds cost and no CPU time). Every record `write()` accepted is on disk once `close()` returns: close fsyncs the file
 * and its directory. A failure is never silent: the failing `write()` or `close()` throws an
 * IoError naming the file, `ok()` turns false, the file is truncated to nothing (so it never reads
 * as a valid ArrayRecord) and every later `write()` and the first `close()` throw again.
 * @example
 * const writer = new ArrayRecordWriter('/tmp/out.array_record', 'group_size:1');
 * writer.write('hello');
 * writer.close();
 */
export class ArrayRecordWriter {
  /** The path the writer writes to. */
  readonly path: string;
  private readonly options: WriterOptions;
  private readonly encoding: ChunkEncoding;
  private sink: FileSink | undefined;
  private readonly chunks: ChunkWriter;
  private readonly index = new FooterIndex();
  /** The group being filled, when no workers encode. */
  private readonly group: GroupBuffer;
  /** Encodes on workers when max_parallelism allows more than one; records then go there, not to `group`. */
  private readonly parallel: ParallelChunkEncoder | undefined;
  /** Records of the group `parallel` is filling. */
  private parallelGroupLength = 0;
  private failure: Error | undefined;

  /**
   * Creates (or truncates) `path` and writes the file signature.
   * @param options Google's writer options string, e.g. `group_size:1000,brotli:9` (see parseWriterOptions).
   * @param extras file metadata to store, e.g. `{ metadata: { fileComment: 'train split' } }`.
   * @throws InvalidOptionsError for bad options or extras (an unknown key is named with the nearest
   *   known one: `{ metadata: { file_comment } }` suggests fileComment); UnsupportedError when the codec cannot run here (the
   *   file is then not created); IoError when the file cannot be created.
   */
  constructor(path: string, options = '', extras: WriterExtras = {}) {
    this.path = checkPath('ArrayRecordWriter', path);
    this.options = parseWriterOptions(options);
    this.group = new GroupBuffer(this.options.groupSize);
    checkWriterExtras(extras);
    this.encoding = {
      compression: this.options.compression,
      transposeBucketSize: this.options.transpose ? this.options.transposeBucketSize : undefined,
    };
    // A codec that cannot run here (zstd with no path) fails now, before the file exists.
    checkCompressor(this.options.compression);
    const metadataChunk = extras.metadata === undefined ? undefined : encodeMetadataChunk(extras.metadata, this.options.compression);
    // max_parallelism threads encode: this one and the others on workers (which use the zstd this process
    // chose, not one a test gave this thread).
    const threads = this.options.compression.type === CompressionType.zstd && zstdCodecWasGiven() ? 1 : encodeParallelism(this.options.maxParallelism, this.options.compression.type);
    // With auto parallelism the workers are used only while they make the writer faster (parallel-encoder).
    const adaptive = this.options.maxParallelism === undefined;
    this.parallel =
      threads > 1
        ? new ParallelChunkEncoder(this.encoding, threads - 1, (chunk) => this.writeDataChunk(chunk), { adaptive, groupSize: this.options.groupSize })
        : undefined;
    this.sink = FileSink.create(path);
    this.chunks = this.guard(() => {
      const chunks = new ChunkWriter(this.sinkOrThrow());
      // Like Google's writer: the metadata chunk follows the signature, padded like the data chunks,
      // and is not listed in the footer.
      if (metadataChunk !== undefined) {
        chunks.writeChunk(metadataChunk);
        if (this.options.padToBlockBoundary) chunks.padToBlockBoundary();
      }
      return chunks;
    });
  }

  /** True while the writer is healthy: no write, flush or close has failed (the file is then emptied). */
  ok(): boolean {
    return this.failure === undefined;
  }

  /** True until `close()`. */
  isOpen(): boolean {
    return this.sink !== undefined;
  }

  /** The canonical options string this writer stores in the footer. */
  writerOptionsString(): string {
    return writerOptionsToString(this.options, WRITER_PARALLELISM);
  }

  /**
   * Appends one record (bytes, or a string stored as UTF-8). The bytes are copied (or encoded
   * right away), so the caller may reuse its buffer.
   * @throws ClosedError after close; InvalidArgumentError for other types; IoError when writing fails.
   */
  write(record: Uint8Array | string): void {
    this.sinkOrThrow();
    if (typeof record !== 'string' && !(record instanceof Uint8Array)) {
      throw new InvalidArgumentError(`write() takes a Uint8Array or a string, got ${describe(record)}`, { path: this.path });
    }
    const bytes = typeof record === 'string' ? textEncoder.encode(record) : record;
    if (this.parallel !== undefined) {
      // Copied into the batch, so the caller may reuse its buffer.
      this.guard(() => this.parallel!.add(bytes));
      if (++this.parallelGroupLength >= this.options.groupSize) {
        this.parallelGroupLength = 0;
        this.guard(() => this.parallel!.endGroup());
      }
      return;
    }
    // A record alone in its group is encoded before write() returns: not copied at all.
    if (this.options.groupSize === 1) {
      this.guard(() => this.writeDataChunk(encodeChunk([bytes], this.encoding)));
      return;
    }
    // Copied into the group, so the caller may reuse its buffer.
    this.guard(() => this.group.add(bytes));
    if (this.group.length >= this.options.groupSize) this.guard(() => this.flushGroup());
  }

  /**
   * Writes the last group, the footer and the postscript, then flushes and fsyncs the file.
   * Idempotent.
   * @throws IoError when the file cannot be completed, now or by an earlier failure (then the file
   *   is left empty); the writer is closed either way.
   */
  close(): void {
    const sink = this.sink;
    if (sink === undefined) return;
    try {
      if (this.failure !== undefined) throw this.failedEarlier();
      this.guard(() => {
        if (this.group.length > 0) this.flushGroup();
        this.group.release();
        this.parallel?.finish();
        this.writeFooterAndPostscript();
        sink.close();
      });
    } finally {
      this.sink = undefined;
    }
  }

  /** Closes the writer at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.close();
  }

  private flushGroup(): void {
    const { records, values } = this.group.contents();
    // Encoders never hand back views of their input: the group's buffer can take the next group.
    const chunk = encodeChunk(records, this.encoding, values);
    this.group.clear();
    this.writeDataChunk(chunk);
  }

  /** Writes a chunk of records (and its padding) and lists it for the footer. */
  private writeDataChunk(chunk: EncodedChunkData): void {
    const chunkOffset = this.chunks.writeChunk(chunk);
    if (this.options.padToBlockBoundary) this.chunks.padToBlockBoundary();
    this.index.add(chunkOffset, chunk.decodedDataSize, chunk.numRecords);
  }

  private writeFooterAndPostscript(): void {
    const metadata = encodeFooterMetadata({
      version: ARRAY_RECORD_VERSION,
      numChunks: this.index.numChunks,
      numRecords: this.index.numRecords,
      writerOptions: this.writerOptionsString(),
    });
    const { values, ends } = this.index.footerRecords(metadata);
    const footerOffset = this.chunks.writeChunk(encodeSimpleChunkOf(values, ends, this.options.compression));
    this.chunks.padToBlockBoundary();
    const postscript = encodePostscript(footerOffset);
    this.chunks.writeChunk(encodeSimpleChunk(Array<Uint8Array>(POSTSCRIPT_COPIES).fill(postscript), UNCOMPRESSED));
    this.chunks.padToBlockBoundary();
  }

  private sinkOrThrow(): FileSink {
    if (this.sink === undefined) throw new ClosedError('ArrayRecordWriter', { path: this.path });
    if (this.failure !== undefined) throw this.failedEarlier();
    return this.sink;
  }

  private failedEarlier(): IoError {
    return new IoError(`ArrayRecordWriter failed earlier: ${this.failure!.message}`, { path: this.path }, this.failure);
  }

  /** Runs `action`; a failure marks the writer failed and empties its file (FileSink.abandon). */
  private guard<T>(action: () => T): T {
    try {
      return action();
    } catch (error) {
      this.failure = error as Error;
      this.sink?.abandon();
      throw error;
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
