// ArrayRecordDataSource: many ArrayRecord files (or slices of them) as one random-access list of records.

import { ArrayRecordReader, type ArrayRecordFileInfo } from '../format/arrayrecord/reader.js';
import { parseReaderOptions } from '../format/arrayrecord/reader-options.js';
import { readAhead, runBytes, streamBudget, type RecordRun, type StreamRun } from '../format/arrayrecord/record-stream.js';
import type { AvailableRecords, SkippedChunk } from '../format/arrayrecord/skipped-chunk.js';
import { ClosedError, FileChangedError, InvalidArgumentError, InvalidOptionsError, IoError, OutOfRangeError, UnsupportedError } from '../format/errors.js';
import { fileIdentityAt } from '../format/io/byte-source.js';
import { isRemotePath, localPath } from '../format/io/location.js';
import { resolveRemoteOptions, type RemoteOptions, type ResolvedRemoteOptions } from '../format/io/remote/remote-options.js';
import { checkOptions, describeFound, optionNames, requireInteger, type OptionAliases } from '../format/options-check.js';
import { ReaderPool } from './file-pool.js';
import { toFileSlices, type DataSourcePaths } from './read-instructions.js';
import { runBounded } from './run-bounded.js';
import { expandShardPatterns, expandShardPatternsSync } from './shard-patterns.js';

/** Reader options as Python takes them: an options string, or a mapping joined as `key:value,...`. */
export type DataSourceReaderOptions = string | Readonly<Record<string, string | number>>;

/** Tuning of a data source; every field is optional. */
export interface DataSourceOptions {
  /** Most files kept open at once; the least recently used idle one is closed first. Default 64. */
  readonly maxOpenReaders?: number;
  /** Most footers `ArrayRecordDataSource.open` reads at once when it counts records. Default 64. */
  readonly openConcurrency?: number;
  /** How remote files (http(s)://, s3://, gs://) are fetched: retries, coalescing, cache, credentials (see RemoteOptions). */
  readonly remote?: RemoteOptions;
}

/** Plain JSON identifying what a data source reads, for fingerprinting checkpoint state. */
export type DataSourceDescription = {
  /** Identifies the description's class. */
  readonly kind: 'ArrayRecordDataSource';
  /** Records in the source. */
  readonly length: number;
  /** One entry per path given, in order: the records [start, end) of the file read. */
  readonly files: readonly {
    /** The file's path, as given. */
    readonly path: string;
    /** The first record of the file read. */
    readonly start: number;
    /** One past the last record of the file read. */
    readonly end: number;
  }[];
};

const OWNER = 'ArrayRecordDataSource';
const KEYS = optionNames<DataSourceOptions>({ maxOpenReaders: true, openConcurrency: true, remote: true });
const ALIASES: OptionAliases = {
  max_open_files: { option: 'maxOpenReaders' },
  concurrency: { option: 'openConcurrency' },
  read_options: { note: "reader options are ArrayRecordDataSource's second argument, as a string or { key: value }" },
};
const DEFAULT_MAX_OPEN_READERS = 64;
const DEFAULT_OPEN_CONCURRENCY = 64;
/** Files one `getItemsAsync` call reads at once (each read keeps its own reads in flight). */
const FILES_IN_FLIGHT = 16;
/** Records iteration reads per visit to a reader. */
const ITERATION_BLOCK = 256;
/** Code of the warning emitted for files whose group size makes random access decode whole groups. */
export const GROUP_SIZE_WARNING_CODE = 'ARRAY_RECORD_GROUP_SIZE';

/** Set while `ArrayRecordDataSource.open` constructs a source whose record counts it reads asynchronously. */
let countingAsynchronously = false;

/**
 * Records of several ArrayRecord files, or slices of them, as one list: global index `i` is record
 * `i - (records of the files before)` of its file, after that file's slice start. Follows array_record's
 * Python `ArrayRecordDataSource`: `length` is `__len__`, `getItem` is `__getitem__`, `getItems` is
 * `__getitems__`. Files open lazily and at most `maxOpenReaders` stay open. Files written with a group
 * size other than 1 get a process warning (code `ARRAY_RECORD_GROUP_SIZE`), once per file. A file
 * replaced or rewritten since it was counted or first opened is refused when it is reopened (IoError;
 * FileChangedError for a remote file), never read as the file the source counted.
 *
 * Paths may be URLs (http://, https://, s3://bucket/key, gs://bucket/object, file://), with read
 * instructions (`s3://bucket/train-00003-of-00008[0:500]`), and shard patterns: `name@N` for the N
 * shards `name-00000-of-0000N` .., `name-*-of-*` for the files matching in a directory or an S3/GCS
 * listing. A source with remote files opens with `await ArrayRecordDataSource.open(...)` and reads
 * with the async methods only; the sync ones throw UnsupportedError naming the async form.
 * @example
 * const source = await ArrayRecordDataSource.open(['train-00000-of-00002', 'train-00001-of-00002[0:500]']);
 * const first = source.getItem(0);
 * const batch = await source.getItemsAsync([17, 3, 17]);  // request order, repeats allowed
 * for (const record of source) console.log(record.length);
 * for await (const record of source.records()) console.log(record.length); // streamed, read ahead in the background
 * source.close();
 */
export class ArrayRecordDataSource implements Iterable<Uint8Array>, AsyncIterable<Uint8Array>, Disposable {
  private readonly paths: readonly string[];
  /** Per file: first record of its slice. */
  private readonly sliceStart: Float64Array;
  /** Per file: end of its slice (exclusive); NaN until the file's record count is read. */
  private readonly sliceEnd: Float64Array;
  /** Per file: global index of its first record; the last entry is the length. */
  private readonly firstIndex: Float64Array;
  /** Per file: 1 once its group-size warning has been emitted. */
  private readonly warned: Uint8Array;
  /** Per file: 1 when its slice was open-ended (its end is the file's record count), for messages. */
  private readonly openEnded: Uint8Array;
  /**
   * Per file: which file was counted or first opened (`fileIdentity()`: device, inode, size, mtime;
   * a remote file's version and size). The pool closes idle readers and reopens files by path, so a
   * reopen must find that same file: another one there would hand out its records under the old
   * slices and counts.
   */
  private readonly identities: (string | undefined)[];
  private readonly pool: ReaderPool;
  private closed = false;
  /**
   * True when the reader options include `skip_corrupted_chunks`: iteration and the
   * `getItemsAvailable` reads then leave out (or mark) the records of damaged chunks.
   * @example new ArrayRecordDataSource(paths, 'skip_corrupted_chunks').skipsCorruptedChunks // true
   */
  readonly skipsCorruptedChunks: boolean;
  /** What skip_corrupted_chunks skipped, by path and chunk. */
  private readonly skipped = new Map<string, SkippedChunk>();
  /** True when a file is remote: the sync reads then throw. */
  private readonly hasRemoteFiles: boolean;
  /** The reader option readahead_buffer_size: the read-ahead of `records()` (0: its default). */
  private readonly readaheadBufferSize: number;

  /**
   * Reads the footers of the files whose record counts are needed (plain paths, open-ended slices),
   * one after another and blocking, without keeping them open (`ArrayRecordReader.info`);
   * `ArrayRecordDataSource.open` reads them concurrently. Readers open lazily at the first read. A
   * `path[start:end]` slice is trusted without opening its file, as upstream does, and checked when
   * the file opens.
   * @param paths a path, `path[start:end]` string (either bound optional), `{path, start?, end?}`,
   *   TFDS `{filename, skip, take}`, or a list of them.
   * @param readerOptions ArrayRecordReader options for every file (string or `{key: value}`).
   * @throws InvalidArgumentError for an empty list or a malformed instruction; InvalidOptionsError
   *   for bad reader or data source options (an unknown key is named with the nearest known one); IoError, NotArrayRecordError, CorruptFileError for a
   *   file that cannot be read; OutOfRangeError for a slice outside its file.
   */
  constructor(paths: DataSourcePaths, readerOptions: DataSourceReaderOptions = '', options: DataSourceOptions = {}) {
    // `open` expands the patterns (remote ones asynchronously) before it constructs.
    const slices = toFileSlices(countingAsynchronously ? paths : expandShardPatternsSync(paths));
    const optionsString = readerOptionsString(readerOptions);
    const parsedOptions = parseReaderOptions(optionsString);
    this.skipsCorruptedChunks = parsedOptions.skipCorruptedChunks;
    this.readaheadBufferSize = parsedOptions.readaheadBufferSize;
    const { maxOpenReaders, remote } = checkSourceOptions(options);
    this.paths = slices.map((slice) => slice.path);
    this.hasRemoteFiles = this.paths.some(isRemotePath);
    if (this.hasRemoteFiles && !countingAsynchronously) {
      throw new UnsupportedError('is a remote file, read asynchronously only: use await ArrayRecordDataSource.open(paths, readerOptions, options)', {
        path: this.paths.find(isRemotePath),
      });
    }
    this.sliceStart = Float64Array.from(slices, (slice) => slice.start);
    this.sliceEnd = Float64Array.from(slices, (slice) => slice.end ?? Number.NaN);
    this.firstIndex = new Float64Array(slices.length + 1);
    this.warned = new Uint8Array(slices.length);
    this.openEnded = Uint8Array.from(slices, (slice) => (slice.end === undefined ? 1 : 0));
    this.identities = new Array<string | undefined>(slices.length).fill(undefined);
    this.pool = new ReaderPool(this.paths, optionsString, maxOpenReaders, (file, reader) => this.checkReader(file, reader), remote);
    if (countingAsynchronously) return;
    try {
      for (const file of this.filesToCount()) {
        this.noteIdentity(file);
        this.checkFileInfo(file, ArrayRecordReader.info(this.paths[file]!));
      }
    } catch (error) {
      this.close();
      throw error;
    }
    this.sumCounts();
  }

  /**
   * Creates a data source reading the footers it needs concurrently on libuv's thread pool
   * (at most `openConcurrency` at once), so that thousands of shards open quickly.
   * @throws as the constructor.
   * @example const source = await ArrayRecordDataSource.open(shardPaths, '', { maxOpenReaders: 16 });
   */
  static async open(
    paths: DataSourcePaths,
    readerOptions: DataSourceReaderOptions = '',
    options: DataSourceOptions = {},
  ): Promise<ArrayRecordDataSource> {
    const { openConcurrency: concurrency, remote } = checkSourceOptions(options);
    const expanded = await expandShardPatterns(paths, remote);
    let source: ArrayRecordDataSource;
    countingAsynchronously = true;
    try {
      source = new ArrayRecordDataSource(expanded, readerOptions, options);
    } finally {
      countingAsynchronously = false;
    }
    const files = source.filesToCount();
    try {
      await runBounded(files.length, concurrency, async (i) => {
        const file = files[i]!;
        const path = source.paths[file]!;
        // A remote file's reader is kept (while the pool has room): opening costs requests.
        if (isRemotePath(path)) await source.pool.openCounted(file);
        else {
          source.noteIdentity(file);
          source.checkFileInfo(file, await ArrayRecordReader.infoAsync(path));
        }
      });
    } catch (error) {
      source.close();
      throw error;
    }
    source.sumCounts();
    return source;
  }

  /** Number of records of all files (slices) together. */
  get length(): number {
    return this.firstIndex[this.paths.length]!;
  }

  /** Readers open now; at most `maxOpenReaders`, plus one while a sync read waits on busy async reads. */
  openReaderCount(): number {
    return this.pool.openCount;
  }

  /**
   * The record at global `index` (0 <= index < length; negative indices are rejected, as upstream).
   * @throws InvalidArgumentError for a non-integer; OutOfRangeError outside [0, length);
   *   ClosedError after close(); errors of reading the file, which name it.
   */
  getItem(index: number): Uint8Array {
    this.checkOpen();
    this.requireSync('getItem(index)', 'await getItemsAsync([index])');
    this.checkIndex(index, undefined);
    const file = this.fileOf(index);
    const position = this.positionIn(file, index);
    return this.pool.withReader(file, (reader) => reader.read([position])[0]!);
  }

  /**
   * The records at `indices`, in request order (repeats allowed). Indices are grouped per file and
   * each needed chunk is decoded once. All indices are checked before anything is read.
   * @throws as getItem, for any of the indices.
   */
  getItems(indices: ArrayLike<number>): Uint8Array[] {
    this.checkOpen();
    this.requireSync('getItems(indices)', 'await getItemsAsync(indices)');
    const plan = this.planBatch(indices);
    const records = new Array<Uint8Array>(indices.length);
    for (let group = 0; group < plan.files.length; group++) {
      const read = this.pool.withReader(plan.files[group]!, (reader) => reader.read(plan.positions[group]!));
      scatter(records, read, plan.slots[group]!);
    }
    return records;
  }

  /**
   * `getItems` without blocking the event loop: files are read concurrently on libuv's pool.
   * @throws (rejects) as getItems.
   */
  async getItemsAsync(indices: ArrayLike<number>): Promise<Uint8Array[]> {
    this.checkOpen();
    const plan = this.planBatch(indices);
    const records = new Array<Uint8Array>(indices.length);
    await runBounded(plan.files.length, FILES_IN_FLIGHT, async (group) => {
      const read = await this.pool.withReaderAsync(plan.files[group]!, (reader) => reader.readAsync(plan.positions[group]!));
      scatter(records, read, plan.slots[group]!);
    });
    return records;
  }

  /**
   * `getItems` that, with the reader option `skip_corrupted_chunks`, returns undefined at the indices
   * a damaged chunk held instead of throwing (ArrayRecordReader.readAvailable); `skipped` lists those
   * chunks (records numbered within their file), which `skippedChunks()` also collects. Without the
   * option it throws as getItems does.
   * @throws as getItems, but for damaged chunks when skipping.
   * @example const { records } = source.getItemsAvailable([0, 7]); // records[1] undefined if its chunk is damaged
   */
  getItemsAvailable(indices: ArrayLike<number>): AvailableRecords {
    this.checkOpen();
    this.requireSync('getItemsAvailable(indices)', 'await getItemsAvailableAsync(indices)');
    const plan = this.planBatch(indices);
    const records = new Array<Uint8Array | undefined>(indices.length);
    const skipped: SkippedChunk[] = [];
    for (let group = 0; group < plan.files.length; group++) {
      const read = this.pool.withReader(plan.files[group]!, (reader) => reader.readAvailable(plan.positions[group]!));
      scatter(records, read.records, plan.slots[group]!);
      skipped.push(...read.skipped);
    }
    this.report(skipped);
    return { records, skipped };
  }

  /**
   * `getItemsAvailable` without blocking the event loop, read as `getItemsAsync` reads. The DataLoader
   * reads with it, and drops the missing records from its batches.
   * @throws (rejects) as getItemsAvailable.
   * @example const { records, skipped } = await source.getItemsAvailableAsync(batchIndices);
   */
  async getItemsAvailableAsync(indices: ArrayLike<number>): Promise<AvailableRecords> {
    this.checkOpen();
    const plan = this.planBatch(indices);
    const records = new Array<Uint8Array | undefined>(indices.length);
    const skipped: SkippedChunk[] = [];
    await runBounded(plan.files.length, FILES_IN_FLIGHT, async (group) => {
      const read = await this.pool.withReaderAsync(plan.files[group]!, (reader) => reader.readAvailableAsync(plan.positions[group]!));
      scatter(records, read.records, plan.slots[group]!);
      skipped.push(...read.skipped);
    });
    this.report(skipped);
    return { records, skipped };
  }

  /**
   * The chunks `skip_corrupted_chunks` skipped so far in this source's reads (iteration and the
   * `getItemsAvailable` reads), by path and then chunk.
   * @example for (const s of source.skippedChunks()) console.warn(`${s.path}: records [${s.firstRecord}, ${s.endRecord}) skipped`);
   */
  skippedChunks(): SkippedChunk[] {
    return [...this.skipped.values()].sort((a, b) => (a.path === b.path ? a.chunk - b.chunk : a.path < b.path ? -1 : 1));
  }

  /**
   * Every record in order, file after file, read a chunk-aligned block at a time (with
   * `skip_corrupted_chunks`, without the records of damaged chunks).
   * @throws ClosedError if the source is closed, also part-way through.
   */
  [Symbol.iterator](): Iterator<Uint8Array> {
    this.checkOpen();
    this.requireSync('iteration (for ... of)', 'for await (const record of source.records())');
    return this.recordsInOrder();
  }

  /**
   * Every record in order, file after file (with `skip_corrupted_chunks`, without the records of
   * damaged chunks, which `skippedChunks()` then lists), as an async iterator that reads ahead in the
   * background: runs of whole chunks are read (on the read workers) while earlier ones are consumed,
   * with at most the reader option `readahead_buffer_size` bytes of the files (default 16 MiB) read
   * ahead and not yet handed out, across file boundaries. Memory stays bounded whatever the files'
   * size; remote files stream too. Readers are held only while a run is read.
   * `for await (const record of source)` is `records()`. Leaving the loop early waits for the reads
   * in flight.
   * @throws ClosedError if the source is closed (the iteration throws it when it reaches a run read
   *   after close); the iteration throws what a read throws when it reaches that run.
   * @example
   * const source = await ArrayRecordDataSource.open('train@64', 'readahead_buffer_size:64M');
   * let count = 0;
   * for await (const record of source.records()) count += record.length > 0 ? 1 : 0;
   */
  records(): AsyncGenerator<Uint8Array, void, undefined> {
    this.checkOpen();
    const budget = streamBudget(this.readaheadBufferSize);
    return readAhead(this.streamRuns(runBytes(budget)), budget, () => this.checkOpen());
  }

  /** `records()`: every record, streamed. */
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    return this.records();
  }

  /** Which files and slices this source reads, as plain JSON. */
  describe(): DataSourceDescription {
    return {
      kind: 'ArrayRecordDataSource',
      length: this.length,
      files: this.paths.map((path, file) => ({ path, start: this.sliceStart[file]!, end: this.sliceEnd[file]! })),
    };
  }

  /**
   * Closes every file. Async reads already using (or opening) a file finish and its reader closes
   * after them; reads still waiting for a free reader slot reject with ClosedError. Idempotent;
   * reads afterwards throw ClosedError. `length` and `describe()` stay available.
   */
  close(): void {
    this.closed = true;
    this.pool.close();
  }

  /** Closes the source at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The runs `records()` reads: each file's slice planned when the stream reaches it. */
  private async *streamRuns(maxBytes: number): AsyncGenerator<StreamRun<Uint8Array>, void, undefined> {
    for (let file = 0; file < this.paths.length; file++) {
      const start = this.sliceStart[file]!;
      const end = this.sliceEnd[file]!;
      if (start >= end) continue;
      this.checkOpen();
      const runs = await this.pool.withReaderAsync(file, async (reader) => [...reader.recordRuns(start, end, maxBytes)]);
      for (const run of runs) yield { bytes: run.bytes, read: () => this.readRun(file, run) };
    }
  }

  /** The records of one run of `file`, those of damaged chunks left out (and reported) when skipping. */
  private async readRun(file: number, run: RecordRun): Promise<Uint8Array[]> {
    this.checkOpen();
    if (!this.skipsCorruptedChunks) return this.pool.withReaderAsync(file, (reader) => reader.readRangeAsync(run.start, run.end));
    const positions = Array.from({ length: run.end - run.start }, (_, k) => run.start + k);
    const read = await this.pool.withReaderAsync(file, (reader) => reader.readAvailableAsync(positions));
    this.report(read.skipped);
    return read.records.filter((record): record is Uint8Array => record !== undefined);
  }

  private *recordsInOrder(): Generator<Uint8Array, void, undefined> {
    for (let file = 0; file < this.paths.length; file++) {
      const end = this.sliceEnd[file]!;
      for (let position = this.sliceStart[file]!; position < end; ) {
        const from = position;
        const block = this.pool.withReader(file, (reader) => {
          // Blocks end at a chunk boundary, so that no chunk is decoded twice.
          const groupSize = Math.max(1, reader.recordGroupSize());
          const stop = Math.min(end, Math.ceil((from + ITERATION_BLOCK) / groupSize) * groupSize);
          return { stop, read: reader.readAvailable(Array.from({ length: stop - from }, (_, k) => from + k)) };
        });
        position = block.stop;
        this.report(block.read.skipped);
        for (const record of block.read.records) {
          if (record === undefined) continue;
          this.checkOpen();
          yield record;
        }
      }
    }
  }

  private report(skipped: readonly SkippedChunk[]): void {
    for (const chunk of skipped) this.skipped.set(`${chunk.chunk}:${chunk.path}`, chunk);
  }

  /**
   * Notes which local file is at the path before its footer is counted (info keeps no reader open):
   * a file replaced after this stat is refused when a reader opens it, never read under this count.
   */
  private noteIdentity(file: number): void {
    this.identities[file] = fileIdentityAt(localPath(this.paths[file]!));
  }

  /** Runs on every reader the pool opens: the same file as counted or first opened, then the slice checks. */
  private checkReader(file: number, reader: ArrayRecordReader): void {
    const identity = reader.fileIdentity();
    const known = this.identities[file];
    if (known !== undefined && known !== identity) {
      const path = this.paths[file]!;
      const message =
        'the file was replaced or rewritten since this data source first read it: its records are not mixed ' +
        'with those of the file counted; open a new ArrayRecordDataSource to read it';
      // A remote file's change is a FileChangedError, as its reader reports one; a local one an IoError, as the read workers report.
      throw isRemotePath(path) ? new FileChangedError(message, { path }) : new IoError(message, { path });
    }
    this.checkFile(file, reader.numRecords(), reader.recordGroupSize());
    this.identities[file] = identity;
  }

  private checkFileInfo(file: number, info: ArrayRecordFileInfo): void {
    this.checkFile(file, info.numRecords, info.groupSize);
  }

  /** Resolves open-ended slices, checks the slice against the file, and warns about its group size. */
  private checkFile(file: number, numRecords: number, groupSize: number): void {
    if (Number.isNaN(this.sliceEnd[file])) this.sliceEnd[file] = numRecords;
    const start = this.sliceStart[file]!;
    const end = this.sliceEnd[file]!;
    if (start > numRecords || end > numRecords) {
      const slice = `[${start}:${this.openEnded[file] === 1 ? '' : end}]`;
      throw new OutOfRangeError(`read instruction ${slice} reaches past the file's ${numRecords} records`, {
        path: this.paths[file],
      });
    }
    if (groupSize > 1 && this.warned[file] === 0) {
      this.warned[file] = 1;
      process.emitWarning(
        `${this.paths[file]} was written with group_size:${groupSize}, so every random read decodes a group of ` +
          `${groupSize} records; rewrite it with group_size:1 for fast random access`,
        { code: GROUP_SIZE_WARNING_CODE },
      );
    }
  }

  private filesToCount(): number[] {
    const files: number[] = [];
    for (let file = 0; file < this.paths.length; file++) if (Number.isNaN(this.sliceEnd[file])) files.push(file);
    return files;
  }

  private sumCounts(): void {
    for (let file = 0; file < this.paths.length; file++) {
      this.firstIndex[file + 1] = this.firstIndex[file]! + this.sliceEnd[file]! - this.sliceStart[file]!;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError('ArrayRecordDataSource');
  }

  /** @throws UnsupportedError, naming `instead`, when a file is remote. */
  private requireSync(call: string, instead: string): void {
    if (!this.hasRemoteFiles) return;
    throw new UnsupportedError(`${call} reads synchronously, and this source has remote files, read asynchronously only: use ${instead}`, {
      path: this.paths.find(isRemotePath),
    });
  }

  /** @param position the index's place in a batch request, for the message. */
  private checkIndex(index: number, position: number | undefined): void {
    const where = position === undefined ? '' : ` (position ${position} of the request)`;
    if (typeof index !== 'number' || !Number.isSafeInteger(index)) {
      throw new InvalidArgumentError(`record index must be an integer, got ${describeFound(index)}${where}`);
    }
    if (index < 0 || index >= this.length) {
      throw new OutOfRangeError(`record index ${index}${where} outside [0, ${this.length}) of the data source`, { index });
    }
  }

  /** The file holding global `index`: the last file whose first index is <= index (empty files never win). */
  private fileOf(index: number): number {
    let low = 0;
    let high = this.paths.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.firstIndex[middle]! <= index) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  private positionIn(file: number, index: number): number {
    return index - this.firstIndex[file]! + this.sliceStart[file]!;
  }

  /** Checks every index, then groups them per file: record positions in the file and slots in the request. */
  private planBatch(indices: ArrayLike<number>): BatchPlan {
    if (typeof indices !== 'object' || indices === null) {
      throw new InvalidArgumentError(`getItems takes an array of record indices, got ${describeFound(indices)}`);
    }
    // A negative length would reach `new Array(length)` as a RangeError.
    if (!Number.isSafeInteger(indices.length) || indices.length < 0) {
      throw new InvalidArgumentError(`getItems takes an array of record indices, got an object whose length is ${describeFound(indices.length)}`);
    }
    const groupOf = new Map<number, number>();
    const plan: BatchPlan = { files: [], positions: [], slots: [] };
    for (let slot = 0; slot < indices.length; slot++) {
      const index = indices[slot]!;
      this.checkIndex(index, slot);
      const file = this.fileOf(index);
      let group = groupOf.get(file);
      if (group === undefined) {
        group = plan.files.length;
        groupOf.set(file, group);
        plan.files.push(file);
        plan.positions.push([]);
        plan.slots.push([]);
      }
      plan.positions[group]!.push(this.positionIn(file, index));
      plan.slots[group]!.push(slot);
    }
    return plan;
  }
}

/** A batch request split per file: group g reads `positions[g]` of file `files[g]` into `slots[g]`. */
interface BatchPlan {
  readonly files: number[];
  readonly positions: number[][];
  readonly slots: number[][];
}

function scatter<T>(records: T[], read: readonly T[], slots: readonly number[]): void {
  for (let k = 0; k < slots.length; k++) records[slots[k]!] = read[k]!;
}

/** The data source options, checked, with their defaults. */
function checkSourceOptions(options: DataSourceOptions): { maxOpenReaders: number; openConcurrency: number; remote: ResolvedRemoteOptions } {
  checkOptions(OWNER, options, KEYS, { aliases: ALIASES });
  return {
    remote: resolveRemoteOptions(options.remote),
    maxOpenReaders: requireInteger(OWNER, 'maxOpenReaders', options.maxOpenReaders ?? DEFAULT_MAX_OPEN_READERS, 1),
    openConcurrency: requireInteger(OWNER, 'openConcurrency', options.openConcurrency ?? DEFAULT_OPEN_CONCURRENCY, 1),
  };
}

/**
 * Reader options given as `{ key: value }` joined as `key:value,...` (unknown keys are then named by
 * the reader options grammar, with the nearest key); a data source option there is pointed to its place.
 */
function readerOptionsString(options: DataSourceReaderOptions): string {
  if (typeof options === 'string') return options;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionsError(`reader options must be a string or an object, got ${describeFound(options)}`);
  }
  return Object.entries(options)
    .map(([key, value]) => {
      if (KEYS.includes(key)) {
        throw new InvalidOptionsError(`reader options: ${key} is a data source option; pass it in the third argument, { ${key} }`);
      }
      if (typeof value !== 'string' && typeof value !== 'boolean' && !(typeof value === 'number' && Number.isFinite(value))) {
        throw new InvalidOptionsError(`reader options: option ${key} must be a string, a number or a boolean (got ${describeFound(value)})`);
      }
      return `${key}:${value}`;
    })
    .join(',');
}
