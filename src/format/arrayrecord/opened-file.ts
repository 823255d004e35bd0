// The file an ArrayRecordReader has open: its bytes, layout and chunk index, the decoding of one
// chunk with its checks, and the chunks skip_corrupted_chunks skipped.

import { ClosedError, CorruptFileError, UnsupportedError } from '../errors.js';
import { LocalFile, type ByteSource } from '../io/byte-source.js';
import { checkPath, isRemotePath, localPath } from '../io/location.js';
import { RemoteFile } from '../io/remote/remote-file.js';
import { resolveRemoteOptions, type RemoteOptions } from '../io/remote/remote-options.js';
import { copyOf, type ByteAllocator } from '../io/output-arena.js';
import { ReadScratch } from '../io/read-scratch.js';
import { readChunkFromBuffer, verifyChunkEnd, verifyPaddingChunks } from '../riegeli/chunk-frame.js';
import { decodeChunk } from '../riegeli/chunk-codec.js';
import { ChunkType, CompressionType, FIRST_CHUNK_OFFSET } from '../riegeli/constants.js';
import { recordOf, type DecodedChunk } from '../riegeli/decoded-chunk.js';
import { readFileMetadata, readFileMetadataAsync } from '../riegeli/file-metadata.js';
import type { RecordsMetadata } from '../riegeli/records-metadata.js';
import { isChunkDamage } from '../riegeli/recovery.js';
import { InMemoryChunkIndex, OffloadedChunkIndex, readChunkOffsets, type ChunkIndex } from './chunk-index.js';
import { readFileLayout, readFileLayoutAsync, readFooterChunk, type FileLayout, type OpenedLayout } from './footer.js';
import { parseReaderOptions, type ReaderOptions } from './reader-options.js';
import { presentRecords, type AvailableRecords, type SkippedChunk } from './skipped-chunk.js';

/**
 * The data of a chunk that block headers interrupt, put back together to be decoded, chunk after
 * chunk: fresh memory for each (every chunk of 64 KiB or more, such as a group_size:256 file's) cost
 * page faults (12-20 µs per 4 KiB on the benchmark machine), a third of the time of reading such a file.
 */
const STRADDLING_DATA = new ReadScratch();

/** storesRecordsUncompressed() reads a first chunk of at most this many bytes. */
const FIRST_CHUNK_PROBE_BYTES = 1 << 20;

/** An open ArrayRecord file and what every read of it needs; `close()` ends it. */
export class OpenedFile {
  readonly layout: FileLayout;
  readonly index: ChunkIndex;
  private source: ByteSource | undefined;
  /** The source when the file is remote (http(s)://, s3://, gs://): read asynchronously only, on this thread. */
  readonly remote: RemoteFile | undefined;
  /**
   * A read met an uncompressed chunk, whose records are views of the file bytes: plain reads then read
   * into fresh memory (kept by the records) rather than a reused scratch (copied out of), and passes
   * over the file run on the calling thread (see forEachRecordParallel).
   */
  holdsUncompressedChunks = false;
  /** What storesRecordsUncompressed() found, once asked. */
  private firstChunkUncompressed: boolean | undefined;
  /** The chunks skip_corrupted_chunks skipped, by chunk number. */
  private readonly skipped = new Map<number, SkippedChunk>();
  /** What `sharedLayout()` made, once. */
  private shared: OpenedLayout | undefined;

  private constructor(
    readonly path: string,
    readonly options: ReaderOptions,
    /** The options as the caller wrote them, for the read workers, which open the file again. */
    readonly optionsText: string,
    source: ByteSource,
    { layout, offsets }: OpenedLayout,
  ) {
    const { numChunks, footerOffset } = layout;
    this.layout = layout;
    this.remote = source instanceof RemoteFile ? source : undefined;
    // A remote file keeps its index in memory whatever the option says: the footer is fetched once.
    this.index =
      options.indexStorageOption === 'offloaded' && this.remote === undefined
        ? new OffloadedChunkIndex(numChunks, () => readChunkOffsets(readFooterChunk(this.requireOpen(), footerOffset), layout, path))
        : new InMemoryChunkIndex(offsets);
    this.source = source;
  }

  /**
   * Opens `path` and reads its footer (blocking).
   * @throws InvalidOptionsError, IoError, NotArrayRecordError, CorruptFileError, UnsupportedError.
   */
  static open(path: string, optionsText: string): OpenedFile {
    return OpenedFile.openLocal(path, optionsText, readFileLayout);
  }

  /**
   * Opens the local file `path` with the layout another thread's OpenedFile read from it (see
   * `sharedLayout`), without reading the footer again: the read workers open files this way. The
   * caller checks that `path` is still that file (its identity).
   * @throws as `open`.
   */
  static openWithLayout(path: string, optionsText: string, opened: OpenedLayout): OpenedFile {
    return OpenedFile.openLocal(path, optionsText, () => opened);
  }

  private static openLocal(path: string, optionsText: string, readLayout: (source: ByteSource) => OpenedLayout): OpenedFile {
    checkPath('ArrayRecordReader', path);
    const options = parseReaderOptions(optionsText);
    if (isRemotePath(path)) {
      throw new UnsupportedError('is a remote file, read asynchronously only: open it with await ArrayRecordReader.open(url)', { path });
    }
    path = localPath(path);
    const source = LocalFile.open(path);
    try {
      return new OpenedFile(path, options, optionsText, source, readLayout(source));
    } catch (error) {
      source.close();
      throw error;
    }
  }

  /**
   * `OpenedFile.open` reading the footer on libuv's thread pool; a remote URL (http(s)://, s3://,
   * gs://) is opened with `remote`'s settings. @throws as `open`; for remote files, what RemoteFile.open throws.
   */
  static async openAsync(path: string, optionsText: string, remote?: RemoteOptions): Promise<OpenedFile> {
    checkPath('ArrayRecordReader', path);
    const options = parseReaderOptions(optionsText);
    // Checked for a local file too: an unknown or misspelt key is an error wherever the file lives.
    const remoteOptions = resolveRemoteOptions(remote);
    let source: ByteSource;
    if (isRemotePath(path)) {
      source = await RemoteFile.open(path, remoteOptions);
    } else {
      path = localPath(path);
      source = LocalFile.open(path);
    }
    try {
      return new OpenedFile(path, options, optionsText, source, await readFileLayoutAsync(source));
    } catch (error) {
      source.close();
      throw error;
    }
  }

  /**
   * The layout and chunk offsets, the offsets in memory shared with the read workers, which open the
   * file with them instead of each reading and checking its footer again (tens of ms for a file of
   * 65,536 chunks, every time a reader opens it). Undefined for an offloaded index, which keeps none.
   */
  sharedLayout(): OpenedLayout | undefined {
    if (!(this.index instanceof InMemoryChunkIndex)) return undefined;
    if (this.shared === undefined) {
      const { offsets } = this.index;
      const shared = new Float64Array(new SharedArrayBuffer(offsets.byteLength));
      shared.set(offsets);
      this.shared = { layout: this.layout, offsets: shared };
    }
    return this.shared;
  }

  /** The file's bytes. @throws ClosedError after `close()`. */
  requireOpen(): ByteSource {
    if (this.source === undefined) throw new ClosedError('ArrayRecordReader', { path: this.path });
    return this.source;
  }

  isOpen(): boolean {
    return this.source !== undefined;
  }

  /**
   * @throws UnsupportedError for a remote file, naming `instead`, the async form of `call`; ClosedError after close().
   */
  requireSync(call: string, instead: string): ByteSource {
    const source = this.requireOpen();
    if (this.remote !== undefined) {
      throw new UnsupportedError(`${call} reads synchronously, and a remote file is read asynchronously only: use ${instead}`, { path: this.path });
    }
    return source;
  }

  /** Closes the file; idempotent. */
  close(): void {
    this.source?.close();
    this.source = undefined;
  }

  /** The file's metadata chunk, or undefined when the writer stored none. @throws CorruptFileError when it is damaged. */
  metadata(): RecordsMetadata | undefined {
    const source = this.requireSync('metadata()', 'await metadataAsync()');
    // Only a file whose first data chunk (or footer) starts after the signature has room for metadata.
    const firstChunk = this.layout.numChunks > 0 ? this.index.start(0) : this.layout.footerOffset;
    this.index.release();
    return firstChunk > FIRST_CHUNK_OFFSET ? readFileMetadata(source) : undefined;
  }

  /** `metadata()` with asynchronous reads (a remote file's only way). */
  async metadataAsync(): Promise<RecordsMetadata | undefined> {
    const source = this.requireOpen();
    const firstChunk = this.layout.numChunks > 0 ? this.index.start(0) : this.layout.footerOffset;
    this.index.release();
    return firstChunk > FIRST_CHUNK_OFFSET ? readFileMetadataAsync(source) : undefined;
  }

  /**
   * Decodes chunk `chunk` from a buffer holding the file from `base` on, and checks its record count.
   * With `neededRecords`, only records [0, neededRecords) of it will be read (see decodeChunk).
   */
  decodeFrom(buffer: Uint8Array, base: number, chunk: number, records: ByteAllocator, neededRecords?: number): DecodedChunk {
    const start = this.index.start(chunk);
    const end = this.index.end(chunk);
    const chunkBuffer = buffer.subarray(start - base, end - base);
    const raw = readChunkFromBuffer(chunkBuffer, start, start, this.path, STRADDLING_DATA);
    if (raw.end > end) verifyChunkEnd(raw, end, this.path, chunk === this.layout.numChunks - 1 ? 'the footer' : 'the next chunk');
    // Between this chunk and the next there may only be padding (pad_to_block_boundary).
    if (raw.end < end) verifyPaddingChunks(chunkBuffer, start, raw.end, this.path);
    const { numRecords, groupSize, numChunks } = this.layout;
    const expected = chunk === numChunks - 1 ? numRecords - chunk * groupSize : groupSize;
    if (raw.header.numRecords !== expected) {
      throw new CorruptFileError(`chunk ${chunk} holds ${raw.header.numRecords} records, the footer implies ${expected}`, {
        path: this.path,
        offset: start,
      });
    }
    const decoded = decodeChunk(raw, this.path, records, neededRecords);
    if (decoded.values.buffer !== raw.data.buffer) return decoded;
    // An uncompressed chunk: its records view the data.
    this.holdsUncompressedChunks = true;
    if (raw.data.buffer === chunkBuffer.buffer) return decoded;
    // Data assembled in STRADDLING_DATA, which the next chunk reuses: the records are copied out.
    return { values: copyOf(decoded.values, records), ends: decoded.ends };
  }

  /**
   * Whether the file stores its records uncompressed in simple chunks, as a read met or its first data
   * chunk says (read once, when at most FIRST_CHUNK_PROBE_BYTES: its header and compression byte; not
   * decoded). False when unknown: a remote file, an empty or damaged first chunk, a larger one.
   */
  storesRecordsUncompressed(): boolean {
    if (this.holdsUncompressedChunks) return true;
    if (this.firstChunkUncompressed !== undefined || this.remote !== undefined || this.layout.numChunks === 0) return this.firstChunkUncompressed ?? false;
    const start = this.index.start(0);
    const end = this.index.end(0);
    this.index.release();
    this.firstChunkUncompressed = false;
    if (end - start > FIRST_CHUNK_PROBE_BYTES) return false;
    try {
      const raw = readChunkFromBuffer(this.requireOpen().readSync(start, end - start), start, start, this.path);
      this.firstChunkUncompressed = raw.header.chunkType === ChunkType.simple && raw.data[0] === CompressionType.none;
    } catch (error) {
      // A damaged first chunk is the business of the read that meets it.
      if (!isChunkDamage(error)) throw error;
    }
    return this.firstChunkUncompressed;
  }

  /**
   * `decodeFrom`; with `skips`, a chunk that cannot be read is listed there instead of throwing, and
   * undefined returned. Without, every failure throws: the reads that promise every record pass none.
   */
  decodeOrSkip(
    buffer: Uint8Array,
    base: number,
    chunk: number,
    records: ByteAllocator,
    skips: SkippedChunk[] | undefined,
    neededRecords?: number,
  ): DecodedChunk | undefined {
    if (skips === undefined) return this.decodeFrom(buffer, base, chunk, records, neededRecords);
    try {
      return this.decodeFrom(buffer, base, chunk, records, neededRecords);
    } catch (error) {
      if (!isChunkDamage(error)) throw error;
      skips.push(this.skippedChunk(chunk, error));
      return undefined;
    }
  }

  /** The report of skipping chunk `chunk` because of `error`. */
  skippedChunk(chunk: number, error: Error): SkippedChunk {
    const { groupSize, numRecords } = this.layout;
    return {
      path: this.path,
      chunk,
      firstRecord: chunk * groupSize,
      endRecord: Math.min(numRecords, (chunk + 1) * groupSize),
      begin: this.index.start(chunk),
      end: this.index.end(chunk),
      reason: error.message,
    };
  }

  /** A list for the chunks a read skips when skip_corrupted_chunks is on; undefined (throw) when off. */
  newSkips(): SkippedChunk[] | undefined {
    return this.options.skipCorruptedChunks ? [] : undefined;
  }

  /** Reads in file order (ranges) may skip; reads by index promise every record, so they throw. */
  skipsFor(first: readonly number[] | number): SkippedChunk[] | undefined {
    return typeof first === 'number' ? this.newSkips() : undefined;
  }

  /** Adds what a read skipped to `skippedChunks()`. */
  report(skipped: readonly SkippedChunk[]): void {
    for (const chunk of skipped) if (!this.skipped.has(chunk.chunk)) this.skipped.set(chunk.chunk, chunk);
  }

  /** A readAvailable result, its skipped chunks reported. */
  reported(read: AvailableRecords): AvailableRecords {
    this.report(read.skipped);
    return read;
  }

  /** The records of a read in file order: those of skipped chunks (reported) left out. */
  intactRecords(read: AvailableRecords): Uint8Array[] {
    this.report(read.skipped);
    return presentRecords(read);
  }

  /** Every chunk reported skipped so far, in file order. */
  skippedChunks(): SkippedChunk[] {
    return [...this.skipped.values()].sort((a, b) => a.chunk - b.chunk);
  }

  /** The distinct chunks that hold `indices`, ascending. */
  chunksOf(indices: readonly number[]): number[] {
    const groupSize = this.layout.groupSize;
    const chunks = new Set<number>();
    for (let i = 0; i < indices.length; i++) chunks.add(Math.floor(indices[i]! / groupSize));
    return [...chunks].sort((a, b) => a - b);
  }

  /** True when `indices` ask for at least half the records of the chunks they fall in. */
  needsMostOfItsChunks(indices: readonly number[]): boolean {
    const groupSize = this.layout.groupSize;
    if (groupSize === 1) return true;
    const chunks = new Set<number>();
    const records = new Set<number>();
    for (let i = 0; i < indices.length; i++) {
      records.add(indices[i]!);
      chunks.add(Math.floor(indices[i]! / groupSize));
    }
    return 2 * records.size >= chunks.size * groupSize;
  }

  /** The records at `indices` from their decoded chunks; undefined where a chunk was skipped. */
  gather(indices: readonly number[], decoded: ReadonlyMap<number, DecodedChunk>): (Uint8Array | undefined)[] {
    const groupSize = this.layout.groupSize;
    const records = new Array<Uint8Array | undefined>(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i]!;
      const chunk = Math.floor(index / groupSize);
      const chunkRecords = decoded.get(chunk);
      records[i] = chunkRecords === undefined ? undefined : recordOf(chunkRecords, index - chunk * groupSize);
    }
    return records;
  }

  /** `action`, then the chunk index drops what it cached for it (an offloaded index keeps nothing between operations). */
  withRelease<T>(action: () => T): T {
    try {
      return action();
    } finally {
      this.index.release();
    }
  }

  /** `withRelease` for an async action: the index is released when it settles. */
  async withReleaseAsync<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } finally {
      this.index.release();
    }
  }
}
