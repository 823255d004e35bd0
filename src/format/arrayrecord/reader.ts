// ArrayRecordReader: random access and sequential reads of ArrayRecord files, sync and async.
// The public class; the work is done by the modules it delegates to: opened-file (the open file and
// the decoding of a chunk), batch-read (sync batch reads), parallel-read (async batch reads),
// record-pass (forEachRecord) and sequential-cursor (read()).

import { LocalFile, type ByteSource } from '../io/byte-source.js';
import { checkPath, isRemotePath, localPath } from '../io/location.js';
import { RemoteFile } from '../io/remote/remote-file.js';
import type { RemoteStats } from '../io/remote/http-client.js';
import { resolveRemoteOptions, type RemoteOptions } from '../io/remote/remote-options.js';
import type { OutputArena } from '../io/output-arena.js';
import type { ReadScratch } from '../io/read-scratch.js';
import type { RecordsMetadata } from '../riegeli/records-metadata.js';
import { InvalidArgumentError, UnsupportedError } from '../errors.js';
import { describeFound } from '../options-check.js';
import { PLAIN_TARGETS, readBatch, readIntoArena, scratchTargets } from './batch-read.js';
import { readFileLayout, readFileLayoutAsync, type FileLayout } from './footer.js';
import { OpenedFile } from './opened-file.js';
import { readIndicesInParallel, readRangeInParallel } from './parallel-read.js';
import { checkIndices, checkRecordVisitor, resolveRange, streamRange } from './read-arguments.js';
import { forgetFileOnWorkers } from './read-pool.js';
import { forEachRecordParallel, forEachRecordSync } from './record-pass.js';
import { planRuns, readAhead, runBytes, streamBudget, type RecordRun } from './record-stream.js';
import { SequentialCursor } from './sequential-cursor.js';
import type { AvailableRecords, SkippedChunk } from './skipped-chunk.js';

/**
 * Reads an ArrayRecord file written by Google's array_record (C++/Python) or by ArrayRecordWriter.
 *
 * Records are `Uint8Array` views into decoded chunk buffers; a batch read decodes each chunk it needs
 * once. The synchronous API follows Python's `ArrayRecordReader`; the `...Async` forms read on
 * libuv's thread pool and keep the event loop free while they wait.
 * `records()` (and `for await (const record of reader)`) streams the file in order, reading ahead in
 * the background within `readahead_buffer_size` bytes. `forEachRecord(fn)` and `forEachRecordAsync(fn)`
 * pass every record to `fn` as a view into reused memory (valid only until `fn` returns): the fastest
 * way through a file, the analogue of C++'s ParallelReadRecords.
 *
 * With the option `skip_corrupted_chunks`, a data chunk that cannot be read (hash mismatch,
 * undecodable data, a record count that contradicts the footer) is skipped and reported by
 * `skippedChunks()`. Reads in file order (`read()`, `read(start, end)`, `readAll`, and their async
 * forms) leave its records out. Reads by index promise the record at each index, so `read(indices)`
 * and `readAsync(indices)` still throw; `readAvailable(indices)` and `readAvailableAsync(indices)`
 * return undefined at the indices a skipped chunk held. The footer and postscript must be intact.
 *
 * A path may be a URL: http://, https://, s3://bucket/key, gs://bucket/object (and file://). Remote
 * files open with `await ArrayRecordReader.open(url, options, remote)` and are read with the async
 * methods only (the sync ones throw UnsupportedError naming the async form): each batch's chunks are
 * fetched with coalesced ranged GETs on this thread's event loop and decoded here; the footer is
 * fetched once, at open. `remote` tunes retries, timeouts, coalescing, the disk cache, headers and
 * signing (see RemoteOptions); a file that changes while it is read is a FileChangedError.
 * @example
 * const reader = new ArrayRecordReader('data.array_record');
 * const first = reader.read();            // sequential, advances the cursor
 * const some = reader.read([7, 3, 7]);    // by indices, in request order
 * const range = reader.read(10, 20);      // [10, 20)
 * reader.close();
 */
export class ArrayRecordReader {
  /** The path the reader was opened with. */
  readonly path: string;
  private readonly file: OpenedFile;
  private readonly cursor: SequentialCursor;

  /**
   * Opens `path` and reads its footer (blocking; see `ArrayRecordReader.open` for the async form).
   * @param options reader options string: `readahead_buffer_size:N`, `max_parallelism:N`,
   *   `index_storage_option:in_memory|offloaded`, `skip_corrupted_chunks` (see parseReaderOptions).
   * @throws InvalidOptionsError, IoError, NotArrayRecordError, CorruptFileError, UnsupportedError.
   */
  constructor(path: string, options?: string);
  // Only `adopt` passes an OpenedFile: the file `ArrayRecordReader.open` opened asynchronously.
  constructor(path: string | OpenedFile, options = '') {
    this.file = path instanceof OpenedFile ? path : OpenedFile.open(path, options);
    this.path = this.file.path;
    this.cursor = new SequentialCursor(this.file);
  }

  /**
   * Opens `path` reading its footer on libuv's thread pool, so that many files open concurrently.
   * `path` may be a URL (http://, https://, s3://, gs://): `remote` then says how it is fetched.
   * @throws as the constructor; for a remote file also FileChangedError, and IoError when the server
   *   refuses or every attempt failed.
   * @example const remote = await ArrayRecordReader.open('s3://bucket/train-00000-of-00064', '', { maxRetries: 8 });
   * @example const readers = await Promise.all(paths.map((p) => ArrayRecordReader.open(p)));
   */
  static async open(path: string, options = '', remote?: RemoteOptions): Promise<ArrayRecordReader> {
    return ArrayRecordReader.adopt(await OpenedFile.openAsync(path, options, remote));
  }

  /** A reader of a file already open, through the constructor's implementation signature (not public). */
  private static adopt(file: OpenedFile): ArrayRecordReader {
    return new (ArrayRecordReader as unknown as new (file: OpenedFile) => ArrayRecordReader)(file);
  }

  /**
   * What the footer says about a file (record count, group size, writer options) without building its
   * chunk index: the cheap way to size many files, e.g. every shard of a data set.
   * @throws as the constructor.
   */
  static info(path: string): ArrayRecordFileInfo {
    checkPath('ArrayRecordReader.info', path);
    if (isRemotePath(path)) throw new UnsupportedError('is a remote file, read asynchronously only: use await ArrayRecordReader.infoAsync(url)', { path });
    const source = LocalFile.open(localPath(path));
    try {
      return describeLayout(readFileLayout(source).layout);
    } finally {
      source.close();
    }
  }

  /** `ArrayRecordReader.info` with reads on libuv's thread pool; a URL is fetched with `remote`'s settings. */
  static async infoAsync(path: string, remote?: RemoteOptions): Promise<ArrayRecordFileInfo> {
    checkPath('ArrayRecordReader.infoAsync', path);
    // Checked for a local file too, as open() checks them.
    const remoteOptions = resolveRemoteOptions(remote);
    const source: ByteSource = isRemotePath(path) ? await RemoteFile.open(path, remoteOptions) : LocalFile.open(localPath(path));
    try {
      return describeLayout((await readFileLayoutAsync(source)).layout);
    } finally {
      source.close();
    }
  }

  /** True until `close()`. */
  isOpen(): boolean {
    return this.file.isOpen();
  }

  /** True while the reader is open and healthy. */
  ok(): boolean {
    return this.isOpen();
  }

  /**
   * Which file the reader has open, beyond its path (device, inode, size, modification time): it
   * differs from a later `fileIdentityAt(path)` once the path names another file or was rewritten.
   * Read workers, which open files by path, use it to never read another file for this reader.
   * @example const sameFile = reader.fileIdentity() === new ArrayRecordReader(reader.path).fileIdentity();
   */
  fileIdentity(): string {
    return this.file.requireOpen().identity;
  }

  /**
   * For a remote file, its requests so far (retries included), retries, bytes fetched and disk cache
   * hits; undefined for a local file.
   * @example const { requests } = reader.remoteStats() ?? { requests: 0 };
   */
  remoteStats(): Readonly<RemoteStats> | undefined {
    const stats = this.file.remote?.stats;
    return stats === undefined ? undefined : { ...stats };
  }

  /**
   * Closes the file; idempotent. Records already returned stay valid. Async reads in flight either
   * finish with the right records or reject with ClosedError; the file descriptor is closed when the
   * last of them settles (never under them, where the next file opened could take its number).
   */
  close(): void {
    if (this.file.isOpen()) forgetFileOnWorkers(this.path);
    this.file.close();
    this.cursor.clear();
  }

  /** Closes the reader at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Number of records in the file. */
  numRecords(): number {
    this.file.requireOpen();
    return this.file.layout.numRecords;
  }

  /** Records per chunk (the writer's group_size); 0 for an empty file. */
  recordGroupSize(): number {
    this.file.requireOpen();
    return this.file.layout.groupSize;
  }

  /**
   * The file's metadata (riegeli.RecordsMetadata: file comment, record type, proto descriptors), or
   * undefined when the writer stored none.
   * @throws CorruptFileError when the metadata chunk is damaged.
   * @example new ArrayRecordReader('data.array_record').metadata()?.fileComment
   */
  metadata(): RecordsMetadata | undefined {
    return this.file.metadata();
  }

  /** `metadata()` with asynchronous reads: the form for remote files. @throws as metadata(). */
  metadataAsync(): Promise<RecordsMetadata | undefined> {
    return this.file.metadataAsync();
  }

  /** Index of the record the next `read()` returns. */
  recordIndex(): number {
    this.file.requireOpen();
    return this.cursor.position;
  }

  /** The options string the writer stored in the footer ('' when it stored none). */
  writerOptionsString(): string {
    this.file.requireOpen();
    return this.file.layout.writerOptions ?? '';
  }

  /**
   * Moves the cursor of `read()` to `index` (0..numRecords; numRecords means the end).
   * @throws OutOfRangeError outside that range; InvalidArgumentError for an index that is not an integer.
   */
  seek(index: number): void {
    this.cursor.seek(index);
  }

  /** Reads the record at the cursor and advances it. @throws OutOfRangeError at the end. */
  read(): Uint8Array;
  /** Reads records by index, in request order (repeats allowed). @throws OutOfRangeError for any index outside the file; InvalidArgumentError for one that is not an integer. */
  read(indices: readonly number[]): Uint8Array[];
  /**
   * Reads records [start, end). Negative values count from the end, as in Python.
   * @throws OutOfRangeError when the range is empty or outside the file.
   */
  read(start: number, end: number): Uint8Array[];
  read(first?: readonly number[] | number, end?: number): Uint8Array | Uint8Array[] {
    if (first === undefined) {
      this.file.requireSync('read()', 'readRangeAsync(i, i + 1) or readAllAsync()');
      return this.cursor.next();
    }
    this.file.requireSync(typeof first === 'number' ? 'read(start, end)' : 'read(indices)', typeof first === 'number' ? 'readRangeAsync(start, end)' : 'readAsync(indices)');
    return this.file.intactRecords(readBatch(this.file, first, end, PLAIN_TARGETS, this.file.skipsFor(first)));
  }

  /**
   * `read(indices)` that, with `skip_corrupted_chunks`, returns undefined at the indices a damaged
   * chunk held instead of throwing, and lists those chunks (also added to `skippedChunks()`).
   * Without the option it throws as `read(indices)` does.
   * @throws as read(indices), but for damaged chunks when skipping.
   * @example const { records, skipped } = reader.readAvailable([0, 500, 999]);
   */
  readAvailable(indices: readonly number[]): AvailableRecords {
    this.file.requireSync('readAvailable(indices)', 'readAvailableAsync(indices)');
    return this.file.reported(readBatch(this.file, indices, undefined, PLAIN_TARGETS, this.file.newSkips()));
  }

  /**
   * The chunks `skip_corrupted_chunks` skipped so far, in file order: their records, bytes and why.
   * Reads on the read workers report theirs here too.
   * @example for (const s of reader.skippedChunks()) console.warn(s.firstRecord, s.endRecord, s.reason);
   */
  skippedChunks(): SkippedChunk[] {
    return this.file.skippedChunks();
  }

  /**
   * `read(indices)` or `read(start, end)` with the file's bytes read into `scratch` rather than
   * fresh memory, for a caller that copies the records out before it reads with `scratch` again:
   * records of uncompressed chunks are views into it. The read workers read this way.
   */
  readWithScratch(scratch: ReadScratch, first: readonly number[] | number, end?: number): Uint8Array[] {
    this.file.requireSync('readWithScratch', 'readAsync(indices) or readRangeAsync(start, end)');
    return this.file.intactRecords(readBatch(this.file, first, end, scratchTargets(scratch), this.file.skipsFor(first)));
  }

  /**
   * `read(indices)` or `read(start, end)` for a caller that moves the records to another thread: every
   * record is a view into a buffer of `arena`, which holds nothing else, so the buffers the records
   * view can be transferred. File bytes are read into `scratch`. When the read needs most records of
   * the chunks it touches, compressed chunks decode straight into the arena; records of uncompressed
   * chunks, and those of a sparse read (a few records of large chunks), are copied into it, so the
   * arena holds little besides the records. The read workers read this way.
   */
  readIntoArena(arena: OutputArena, scratch: ReadScratch, first: readonly number[] | number, end?: number): Uint8Array[] {
    return this.file.intactRecords(this.readAvailableIntoArena(arena, scratch, first, end, typeof first === 'number'));
  }

  /**
   * `readIntoArena` for a read worker serving a reader in another thread, which applies its own rule
   * to the result: with `skipDamaged` (and skip_corrupted_chunks), damaged chunks are skipped and
   * listed, and their records are undefined, whatever the read; without, damage throws.
   * @example const { records, skipped } = reader.readAvailableIntoArena(new OutputArena(), scratch, 0, 100, true);
   */
  readAvailableIntoArena(arena: OutputArena, scratch: ReadScratch, first: readonly number[] | number, end: number | undefined, skipDamaged: boolean): AvailableRecords {
    this.file.requireSync('readIntoArena', 'readAvailableAsync(indices)');
    return readIntoArena(this.file, arena, scratch, first, end, skipDamaged);
  }

  /** Reads every record, in order (with skip_corrupted_chunks, those of the chunks that can be read). */
  readAll(): Uint8Array[] {
    this.file.requireSync('readAll()', 'readAllAsync()');
    const { numRecords } = this.file.layout;
    if (numRecords === 0) return [];
    return this.file.intactRecords(readBatch(this.file, 0, numRecords, PLAIN_TARGETS, this.file.newSkips()));
  }

  /**
   * `read(indices)` without blocking the event loop: the chunks are split among the read workers
   * (one per core), which read and decode them in parallel. With `max_parallelism:0` the reads run on
   * libuv's pool and decoding on this thread instead.
   */
  async readAsync(indices: readonly number[]): Promise<Uint8Array[]> {
    return this.file.intactRecords(await readIndicesInParallel(this.file, checkIndices(this.file, indices), false));
  }

  /**
   * `readAvailable(indices)` without blocking the event loop, read as `readAsync` reads.
   * @example const { records, skipped } = await reader.readAvailableAsync([3, 70, 9]);
   */
  async readAvailableAsync(indices: readonly number[]): Promise<AvailableRecords> {
    return this.file.reported(await readIndicesInParallel(this.file, checkIndices(this.file, indices), true));
  }

  /** `read(start, end)` without blocking the event loop. */
  async readRangeAsync(start: number, end: number): Promise<Uint8Array[]> {
    const [from, to] = resolveRange(this.file, start, end);
    return this.file.intactRecords(await readRangeInParallel(this.file, from, to));
  }

  /**
   * The records of [start, end) (default the whole file) in file order, as an async iterator that
   * reads ahead in the background: runs of whole chunks are read and decoded (on the read workers, as
   * `readRangeAsync` reads) while earlier ones are consumed, with at most `readahead_buffer_size` bytes
   * of the file (default 16 MiB) read ahead and not yet handed out, so memory stays bounded whatever the
   * file's size. With skip_corrupted_chunks, the records of damaged chunks are left out (and listed by
   * `skippedChunks()`). Independent of `read()`'s cursor; `for await (const record of reader)` is
   * `records()`. Leaving the loop early waits for the reads in flight.
   * A negative bound counts from the end, as in `read(start, end)`.
   * @throws InvalidArgumentError for a bound that is not an integer; OutOfRangeError for a range outside
   *   [0, numRecords] or reversed; the iteration throws what a read throws (CorruptFileError, IoError, ClosedError once the reader is
   *   closed) when it reaches that run.
   * @example
   * const reader = await ArrayRecordReader.open('big.array_record', 'readahead_buffer_size:64M');
   * let bytes = 0;
   * for await (const record of reader.records()) bytes += record.length;
   * @example for await (const record of reader.records(1000, 2000)) consume(record);
   */
  records(start?: number, end?: number): AsyncGenerator<Uint8Array, void, undefined> {
    const budget = streamBudget(this.file.options.readaheadBufferSize);
    const runs = this.recordRuns(start, end, runBytes(budget));
    return readAhead(
      (function* (reader: ArrayRecordReader) {
        for (const run of runs) yield { bytes: run.bytes, read: () => reader.readRangeAsync(run.start, run.end) };
      })(this),
      budget,
      () => this.file.requireOpen(),
    );
  }

  /** `records()`: every record, streamed. */
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    return this.records();
  }

  /**
   * Records [start, end) (default the whole file) split at chunk boundaries into runs of at most
   * `maxBytes` bytes of the file (one chunk at least; default a quarter of the read-ahead): the units
   * `records()` reads ahead in, for a caller that reads ahead its own way. Lazy: each run is found as
   * it is taken.
   * @throws InvalidArgumentError for bad bounds or a maxBytes below 1.
   * @example for (const run of reader.recordRuns(0, reader.numRecords(), 1 << 20)) await reader.readRangeAsync(run.start, run.end);
   */
  recordRuns(start?: number, end?: number, maxBytes?: number): Generator<RecordRun, void, undefined> {
    const file = this.file;
    file.requireOpen();
    const [from, to] = streamRange(file.layout.numRecords, start, end);
    const limit = maxBytes ?? runBytes(streamBudget(file.options.readaheadBufferSize));
    if (!Number.isSafeInteger(limit) || limit < 1) throw new InvalidArgumentError(`recordRuns: maxBytes must be an integer >= 1 (got ${describeFound(maxBytes)})`);
    const plan = planRuns(file.index, file.layout.groupSize, from, to, limit);
    return (function* () {
      for (;;) {
        const step = file.withRelease(() => {
          file.requireOpen();
          return plan.next();
        });
        if (step.done === true) return;
        yield step.value;
      }
    })();
  }

  /**
   * Calls `fn` with every record of [start, end) (default the whole file), in index order, on this
   * thread, as a view into memory the reader reuses: the fastest way over a file when each record is
   * used and dropped (converting, hashing, statistics, evaluation), since it costs no fresh memory per
   * record, which readAll's and records()'s records do (the analogue of C++'s ParallelReadRecords, but
   * in order and on one thread). Runs of chunks are read into a reused buffer and each chunk decoded
   * into a reused scratch. `record` is valid only until `fn` returns: later records overwrite it, so
   * keep a copy (`record.slice()`) of any record needed after. `fn` must not return a Promise (use
   * `records()` to await per record). With skip_corrupted_chunks, damaged chunks are skipped and
   * reported by `skippedChunks()`. A pass may run inside `fn`, on this reader or another.
   * A negative bound counts from the end, as in `read(start, end)`.
   * @throws ClosedError once closed; InvalidArgumentError for a bound that is not an integer, and when
   *   `fn` returns a Promise; OutOfRangeError for a range outside [0, numRecords] or reversed; UnsupportedError for a remote
   *   file (use forEachRecordAsync); CorruptFileError, IoError as readAll; whatever `fn` throws, which
   *   ends the pass (the reader stays usable).
   * @example
   * const reader = new ArrayRecordReader('data.array_record');
   * let bytes = 0;
   * reader.forEachRecord((record) => {
   *   bytes += record.length;
   * });
   * const kept: Uint8Array[] = [];
   * reader.forEachRecord((record, index) => {
   *   if (index % 100 === 0) kept.push(record.slice()); // a copy outlives the callback
   * }, 0, 1000);
   */
  forEachRecord(fn: (record: Uint8Array, index: number) => void, start?: number, end?: number): void {
    this.file.requireSync('forEachRecord', 'forEachRecordAsync');
    checkRecordVisitor(this.file, 'forEachRecord', fn);
    const [from, to] = streamRange(this.file.layout.numRecords, start, end, 'forEachRecord');
    forEachRecordSync(this.file, from, to, fn);
  }

  /**
   * `forEachRecord` without blocking the event loop: parts of the file (at most 256 KiB each) are
   * read and decoded on the read workers in parallel into buffers that are transferred here, `fn` is
   * called with views of them in index order, and the buffers go back to their worker with its next
   * part, so a pass costs no fresh memory once warm and holds a few parts per worker at most. `fn` runs
   * on this thread, one record after another, as in forEachRecord: `record` is valid only until it
   * returns. With max_parallelism:0, and for remote files, runs of records are read as
   * `readRangeAsync` reads them instead (fresh memory; same contract). When `fn` throws, no further
   * record is visited, the parts in flight are waited for, and the promise rejects with that error.
   * @throws (rejects with) as forEachRecord, remote files included; ClosedError when the reader
   *   closes during the pass.
   * @example
   * const reader = await ArrayRecordReader.open('data.array_record');
   * const sizes = new Map<number, number>();
   * await reader.forEachRecordAsync((record) => {
   *   sizes.set(record.length, (sizes.get(record.length) ?? 0) + 1);
   * });
   * @example
   * let longest = 0;
   * await reader.forEachRecordAsync((record) => {
   *   longest = Math.max(longest, record.length);
   * }, 1000, 2000);
   */
  async forEachRecordAsync(fn: (record: Uint8Array, index: number) => void, start?: number, end?: number): Promise<void> {
    this.file.requireOpen();
    checkRecordVisitor(this.file, 'forEachRecordAsync', fn);
    const [from, to] = streamRange(this.file.layout.numRecords, start, end, 'forEachRecordAsync');
    await forEachRecordParallel(this.file, from, to, fn);
  }

  /** `readAll()` without blocking the event loop. */
  async readAllAsync(): Promise<Uint8Array[]> {
    this.file.requireOpen();
    const { numRecords } = this.file.layout;
    if (numRecords === 0) return [];
    return this.file.intactRecords(await readRangeInParallel(this.file, 0, numRecords));
  }
}

/** What `ArrayRecordReader.info` reports about a file. */
export interface ArrayRecordFileInfo {
  /** Records in the file. */
  readonly numRecords: number;
  /** Data chunks in the file (entries of the footer index). */
  readonly numChunks: number;
  /** Records per chunk (the writer's group_size); 0 for an empty file. */
  readonly groupSize: number;
  /** The writer's options string, '' when the file stores none. */
  readonly writerOptions: string;
}

function describeLayout(layout: FileLayout): ArrayRecordFileInfo {
  return { numRecords: layout.numRecords, numChunks: layout.numChunks, groupSize: layout.groupSize, writerOptions: layout.writerOptions ?? '' };
}
