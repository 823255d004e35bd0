// ArrayRecordReader: random access and sequential reads of ArrayRecord files, sync and async.

import { ClosedError, CorruptFileError, InvalidArgumentError, OutOfRangeError } from '../errors.js';
import { LocalFile, type ByteSource } from '../io/byte-source.js';
import { OutputArena, SHARED_SLABS, type ByteAllocator } from '../io/output-arena.js';
import type { ReadScratch } from '../io/read-scratch.js';
import { readChunkFromBuffer, verifyPaddingChunks } from '../riegeli/chunk-frame.js';
import { decodeChunk } from '../riegeli/chunk-codec.js';
import { readFileMetadata } from '../riegeli/file-metadata.js';
import type { RecordsMetadata } from '../riegeli/records-metadata.js';
import { recordCount, recordOf, type DecodedChunk } from '../riegeli/decoded-chunk.js';
import { InMemoryChunkIndex, OffloadedChunkIndex, readChunkOffsets, type ChunkIndex } from './chunk-index.js';
import { readFileLayout, readFileLayoutAsync, readFooterChunk, type FileLayout, type OpenedLayout } from './footer.js';
import { forgetFileOnWorkers, readOnWorker, readPoolSize, readRangeOnWorker } from './read-pool.js';
import { planChunkReads, type ChunkRun } from './read-plan.js';
import { parseReaderOptions, type ReaderOptions } from './reader-options.js';

/** A batch read is split among the read workers only into parts of at least this many chunks. */
const MIN_CHUNKS_PER_WORKER = 64;
/** Sequential reads fetch at least this much per read call, whatever readahead_buffer_size says. */
const MIN_SEQUENTIAL_READ = 256 * 1024;
/** Where the chunk after the 64-byte file signature begins. */
const FIRST_CHUNK_OFFSET = 64;
/** Set while `ArrayRecordReader.open` constructs a reader whose file it opens asynchronously. */
let constructingForAsyncOpen = false;
/** Async batch reads keep at most this many reads in flight (libuv's pool has 4 threads by default). */
const MAX_READS_IN_FLIGHT = 16;

/** Where one batch read puts the file bytes it reads and the records it decodes. */
interface ReadTargets {
  /** For the file bytes: a reused scratch, or (undefined) fresh memory per read. */
  readonly fileBytes: ReadScratch | undefined;
  /** For decompressed and assembled records. */
  readonly records: ByteAllocator;
  /** When set, every record must end up in a buffer of this arena (copied there if need be). */
  readonly arena?: OutputArena;
}

/**
 * Reads an ArrayRecord file written by Google's array_record (C++/Python) or by ArrayRecordWriter.
 *
 * Records are `Uint8Array` views into decoded chunk buffers; a batch read decodes each chunk it needs
 * once. The synchronous API follows Python's `ArrayRecordReader`; the `...Async` forms read on
 * libuv's thread pool and keep the event loop free while they wait.
 * @example
 * const reader = new ArrayRecordReader('data.array_record');
 * const first = reader.read();            // sequential, advances the cursor
 * const some = reader.read([7, 3, 7]);    // by indices, in request order
 * const range = reader.read(10, 20);      // [10, 20)
 * reader.close();
 */
export class ArrayRecordReader {
  readonly path: string;
  private source: ByteSource | undefined;
  private readonly options: ReaderOptions;
  private readonly optionsText: string;
  private layout!: FileLayout;
  private index!: ChunkIndex;
  private cursor = 0;
  /** Chunks decoded for sequential reading, by chunk number. */
  private sequentialChunks = new Map<number, DecodedChunk>();

  /**
   * Opens `path` and reads its footer (blocking; see `ArrayRecordReader.open` for the async form).
   * @param options reader options string: `readahead_buffer_size:N`, `max_parallelism:N`,
   *   `index_storage_option:in_memory|offloaded` (see parseReaderOptions).
   * @throws InvalidOptionsError, IoError, NotArrayRecordError, CorruptFileError, UnsupportedError.
   */
  constructor(path: string, options = '') {
    this.path = path;
    this.options = parseReaderOptions(options);
    this.optionsText = options;
    if (constructingForAsyncOpen) return;
    const source = LocalFile.open(path);
    this.attach(source, () => readFileLayout(source));
  }

  /**
   * Opens `path` reading its footer on libuv's thread pool, so that many files open concurrently.
   * @throws as the constructor.
   * @example const readers = await Promise.all(paths.map((p) => ArrayRecordReader.open(p)));
   */
  static async open(path: string, options = ''): Promise<ArrayRecordReader> {
    let reader: ArrayRecordReader;
    constructingForAsyncOpen = true;
    try {
      reader = new ArrayRecordReader(path, options);
    } finally {
      constructingForAsyncOpen = false;
    }
    const source = LocalFile.open(path);
    let opened: OpenedLayout;
    try {
      opened = await readFileLayoutAsync(source);
    } catch (error) {
      source.close();
      throw error;
    }
    reader.attach(source, () => opened);
    return reader;
  }

  /**
   * What the footer says about a file (record count, group size, writer options) without building its
   * chunk index: the cheap way to size many files, e.g. every shard of a data set.
   * @throws as the constructor.
   */
  static info(path: string): ArrayRecordFileInfo {
    const source = LocalFile.open(path);
    try {
      return describeLayout(readFileLayout(source).layout);
    } finally {
      source.close();
    }
  }

  /** `ArrayRecordReader.info` with reads on libuv's thread pool. */
  static async infoAsync(path: string): Promise<ArrayRecordFileInfo> {
    const source = LocalFile.open(path);
    try {
      return describeLayout((await readFileLayoutAsync(source)).layout);
    } finally {
      source.close();
    }
  }

  /** Takes ownership of an open file once its layout is known, and builds the chunk index. */
  private attach(source: ByteSource, readLayout: () => OpenedLayout): void {
    try {
      const { layout, footer } = readLayout();
      const { numChunks, footerOffset } = layout;
      // Validated at open either way, so a bad index fails here rather than mid-epoch.
      const offsets = readChunkOffsets(footer, numChunks, footerOffset, this.path);
      this.layout = layout;
      this.index =
        this.options.indexStorageOption === 'offloaded'
          ? new OffloadedChunkIndex(numChunks, () => readChunkOffsets(readFooterChunk(this.open(), footerOffset), numChunks, footerOffset, this.path))
          : new InMemoryChunkIndex(offsets);
    } catch (error) {
      source.close();
      throw error;
    }
    this.source = source;
  }

  /** True until `close()`. */
  isOpen(): boolean {
    return this.source !== undefined;
  }

  /** True while the reader is open and healthy. */
  ok(): boolean {
    return this.isOpen();
  }

  /** Closes the file; idempotent. Records already returned stay valid. */
  close(): void {
    if (this.source !== undefined) forgetFileOnWorkers(this.path);
    this.source?.close();
    this.source = undefined;
    this.sequentialChunks.clear();
  }

  /** Closes the reader at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Number of records in the file. */
  numRecords(): number {
    this.open();
    return this.layout.numRecords;
  }

  /** Records per chunk (the writer's group_size); 0 for an empty file. */
  recordGroupSize(): number {
    this.open();
    return this.layout.groupSize;
  }

  /**
   * The file's metadata (riegeli.RecordsMetadata: file comment, record type, proto descriptors), or
   * undefined when the writer stored none.
   * @throws CorruptFileError when the metadata chunk is damaged.
   * @example new ArrayRecordReader('data.array_record').metadata()?.fileComment
   */
  metadata(): RecordsMetadata | undefined {
    const source = this.open();
    // Only a file whose first data chunk (or footer) starts after the signature has room for metadata.
    const firstChunk = this.layout.numChunks > 0 ? this.index.start(0) : this.layout.footerOffset;
    this.index.release();
    return firstChunk > FIRST_CHUNK_OFFSET ? readFileMetadata(source) : undefined;
  }

  /** Index of the record the next `read()` returns. */
  recordIndex(): number {
    this.open();
    return this.cursor;
  }

  /** The options string the writer stored in the footer ('' when it stored none). */
  writerOptionsString(): string {
    this.open();
    return this.layout.writerOptions ?? '';
  }

  /**
   * Moves the cursor of `read()` to `index` (0..numRecords; numRecords means the end).
   * @throws OutOfRangeError outside that range.
   */
  seek(index: number): void {
    this.open();
    if (!Number.isSafeInteger(index) || index < 0 || index > this.layout.numRecords) {
      throw new OutOfRangeError(`seek to ${index} outside [0, ${this.layout.numRecords}]`, { path: this.path, index });
    }
    this.cursor = index;
  }

  /** Reads the record at the cursor and advances it. @throws OutOfRangeError at the end. */
  read(): Uint8Array;
  /** Reads records by index, in request order (repeats allowed). @throws OutOfRangeError for any index outside the file. */
  read(indices: readonly number[]): Uint8Array[];
  /**
   * Reads records [start, end). Negative values count from the end, as in Python.
   * @throws OutOfRangeError when the range is empty or outside the file.
   */
  read(start: number, end: number): Uint8Array[];
  read(first?: readonly number[] | number, end?: number): Uint8Array | Uint8Array[] {
    if (first === undefined) return this.readNext();
    return this.readBatch(first, end, PLAIN_TARGETS);
  }

  /**
   * `read(indices)` or `read(start, end)` with the file's bytes read into `scratch` rather than
   * fresh memory, for a caller that copies the records out before it reads with `scratch` again:
   * records of uncompressed chunks are views into it. The read workers read this way.
   */
  readWithScratch(scratch: ReadScratch, first: readonly number[] | number, end?: number): Uint8Array[] {
    return this.readBatch(first, end, { fileBytes: scratch, records: SHARED_SLABS });
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
    this.open();
    const dense = typeof first === 'number' || this.needsMostOfItsChunks(first);
    return this.readBatch(first, end, { fileBytes: scratch, records: dense ? arena : SHARED_SLABS, arena });
  }

  /** True when `indices` ask for at least half the records of the chunks they fall in. */
  private needsMostOfItsChunks(indices: readonly number[]): boolean {
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

  private readBatch(first: readonly number[] | number, end: number | undefined, targets: ReadTargets): Uint8Array[] {
    let records: Uint8Array[];
    if (typeof first === 'number') {
      if (end === undefined) throw new InvalidArgumentError('read(start, end) needs both bounds', { path: this.path });
      const [from, to] = this.resolveRange(first, end);
      records = this.withRelease(() => this.readRangeSync(from, to, targets));
    } else {
      const indices = this.checkIndices(first);
      records = this.withRelease(() => this.readIndicesSync(indices, targets));
    }
    if (targets.arena !== undefined) moveIntoArena(records, targets.arena);
    return records;
  }

  /** Reads every record, in order. */
  readAll(): Uint8Array[] {
    this.open();
    if (this.layout.numRecords === 0) return [];
    return this.withRelease(() => this.readRangeSync(0, this.layout.numRecords, PLAIN_TARGETS));
  }

  /**
   * `read(indices)` without blocking the event loop: the chunks are split among the read workers
   * (one per core), which read and decode them in parallel. With `max_parallelism:0` the reads run on
   * libuv's pool and decoding on this thread instead.
   */
  async readAsync(indices: readonly number[]): Promise<Uint8Array[]> {
    return this.readIndicesInParallel(this.checkIndices(indices));
  }

  /** `read(start, end)` without blocking the event loop. */
  async readRangeAsync(start: number, end: number): Promise<Uint8Array[]> {
    const [from, to] = this.resolveRange(start, end);
    return this.readRangeInParallel(from, to);
  }

  /** `readAll()` without blocking the event loop. */
  async readAllAsync(): Promise<Uint8Array[]> {
    this.open();
    if (this.layout.numRecords === 0) return [];
    return this.readRangeInParallel(0, this.layout.numRecords);
  }

  private open(): ByteSource {
    if (this.source === undefined) throw new ClosedError('ArrayRecordReader', { path: this.path });
    return this.source;
  }

  private readNext(): Uint8Array {
    this.open();
    const { numRecords, groupSize } = this.layout;
    if (this.cursor >= numRecords) {
      throw new OutOfRangeError(`read() past the end: the file has ${numRecords} records`, { path: this.path, index: this.cursor });
    }
    const chunk = Math.floor(this.cursor / groupSize);
    let decoded = this.sequentialChunks.get(chunk);
    if (decoded === undefined) {
      this.withRelease(() => this.readAhead(chunk));
      decoded = this.sequentialChunks.get(chunk)!;
    }
    const record = recordOf(decoded, this.cursor - chunk * groupSize);
    this.cursor++;
    return record;
  }

  /** Decodes the chunks from `first` on that fit the read-ahead size, with one read call. */
  private readAhead(first: number): void {
    const budget = Math.max(this.options.readaheadBufferSize, MIN_SEQUENTIAL_READ);
    let last = first;
    while (last + 1 < this.index.numChunks && this.index.end(last + 1) - this.index.start(first) <= budget) last++;
    this.sequentialChunks = new Map();
    const run: ChunkRun = { first, last, start: this.index.start(first), end: this.index.end(last) };
    const buffer = this.open().readSync(run.start, run.end - run.start);
    for (let chunk = first; chunk <= last; chunk++) this.sequentialChunks.set(chunk, this.decodeFrom(buffer, run.start, chunk, SHARED_SLABS));
  }

  private checkIndices(indices: readonly number[]): readonly number[] {
    this.open();
    if (!Array.isArray(indices) && !ArrayBuffer.isView(indices)) {
      throw new InvalidArgumentError(`read(indices) takes an array of record indices, got ${typeof indices}`, { path: this.path });
    }
    const numRecords = this.layout.numRecords;
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i]!;
      if (!Number.isSafeInteger(index) || index < 0 || index >= numRecords) {
        throw new OutOfRangeError(`record index ${index} (position ${i} of the request) outside [0, ${numRecords})`, {
          path: this.path,
          index,
        });
      }
    }
    return indices;
  }

  private resolveRange(start: number, end: number): [number, number] {
    this.open();
    const numRecords = this.layout.numRecords;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
      throw new InvalidArgumentError(`read(start, end) takes integers, got ${start}, ${end}`, { path: this.path });
    }
    const from = start < 0 ? numRecords + start : start;
    const to = end < 0 ? numRecords + end : end;
    if (from < 0 || to > numRecords || to <= from) {
      throw new OutOfRangeError(`[${start}, ${end}) is out of range of [0, ${numRecords})`, { path: this.path });
    }
    return [from, to];
  }

  private readRangeSync(from: number, to: number, targets: ReadTargets): Uint8Array[] {
    const { groupSize } = this.layout;
    const firstChunk = Math.floor(from / groupSize);
    const lastChunk = Math.floor((to - 1) / groupSize);
    const records = new Array<Uint8Array>(to - from);
    const runs = planChunkReads(rangeArray(firstChunk, lastChunk + 1), this.index);
    const buffers = this.readRuns(runs, targets.fileBytes);
    runs.forEach((run, r) => {
      const buffer = buffers[r]!;
      for (let chunk = run.first; chunk <= run.last; chunk++) {
        const decoded = this.decodeFrom(buffer, run.start, chunk, targets.records);
        const base = chunk * groupSize;
        const begin = Math.max(from, base);
        const finish = Math.min(to, base + recordCount(decoded));
        for (let index = begin; index < finish; index++) records[index - from] = recordOf(decoded, index - base);
      }
    });
    return records;
  }

  private readIndicesSync(indices: readonly number[], targets: ReadTargets): Uint8Array[] {
    const decoded = new Map<number, DecodedChunk>();
    const runs = planChunkReads(this.chunksOf(indices), this.index);
    const buffers = this.readRuns(runs, targets.fileBytes);
    runs.forEach((run, r) => {
      for (let chunk = run.first; chunk <= run.last; chunk++) decoded.set(chunk, this.decodeFrom(buffers[r]!, run.start, chunk, targets.records));
    });
    return this.gather(indices, decoded);
  }

  /** The file bytes of each run: fresh buffers, or consecutive regions of `scratch`. */
  private readRuns(runs: readonly ChunkRun[], scratch: ReadScratch | undefined): Uint8Array[] {
    const source = this.open();
    if (scratch === undefined) return runs.map((run) => source.readSync(run.start, run.end - run.start));
    const region = scratch.take(runs.reduce((total, run) => total + run.end - run.start, 0));
    let offset = 0;
    return runs.map((run) => {
      const length = run.end - run.start;
      offset += length;
      return source.readSync(run.start, length, region.subarray(offset - length, offset));
    });
  }

  /** Splits [from, to) at chunk boundaries into one contiguous part per worker. */
  private async readRangeInParallel(from: number, to: number): Promise<Uint8Array[]> {
    const maxWorkers = this.options.maxParallelism ?? readPoolSize();
    if (maxWorkers === 0) return this.withReleaseAsync(() => this.readIndicesAsync(rangeArray(from, to)));
    const groupSize = this.layout.groupSize;
    const firstChunk = Math.floor(from / groupSize);
    const chunks = Math.floor((to - 1) / groupSize) - firstChunk + 1;
    const parts = Math.min(maxWorkers, readPoolSize(), chunks);
    const bounds = Array.from({ length: parts + 1 }, (_, p) =>
      p === 0 ? from : p === parts ? to : (firstChunk + Math.floor((p * chunks) / parts)) * groupSize,
    );
    const pieces = await Promise.all(
      Array.from({ length: parts }, (_, p) => readRangeOnWorker(this.path, this.optionsText, bounds[p]!, bounds[p + 1]!)),
    );
    return pieces.length === 1 ? pieces[0]! : pieces.flat();
  }

  private async readIndicesInParallel(indices: readonly number[]): Promise<Uint8Array[]> {
    const maxWorkers = this.options.maxParallelism ?? readPoolSize();
    if (maxWorkers === 0 || indices.length === 0) return this.withReleaseAsync(() => this.readIndicesAsync(indices));
    const groupSize = this.layout.groupSize;
    const chunks = this.chunksOf(indices);
    // A message to a worker and back costs tens of µs: a small batch goes whole to one worker
    // (concurrent batches, e.g. of several files, still spread over the pool).
    const parts = Math.min(maxWorkers, readPoolSize(), Math.ceil(chunks.length / MIN_CHUNKS_PER_WORKER));
    const partOfChunk = new Map<number, number>();
    chunks.forEach((chunk, rank) => partOfChunk.set(chunk, Math.floor((rank * parts) / chunks.length)));
    const positions: number[][] = Array.from({ length: parts }, () => []);
    for (let i = 0; i < indices.length; i++) positions[partOfChunk.get(Math.floor(indices[i]! / groupSize))!]!.push(i);
    const records = new Array<Uint8Array>(indices.length);
    await Promise.all(
      positions.map(async (part) => {
        const partIndices = new Float64Array(part.length);
        for (let j = 0; j < part.length; j++) partIndices[j] = indices[part[j]!]!;
        const partRecords = await readOnWorker(this.path, this.optionsText, partIndices);
        for (let j = 0; j < part.length; j++) records[part[j]!] = partRecords[j]!;
      }),
    );
    return records;
  }

  private async readIndicesAsync(indices: readonly number[]): Promise<Uint8Array[]> {
    const source = this.open();
    const decoded = new Map<number, DecodedChunk>();
    const runs = planChunkReads(this.chunksOf(indices), this.index);
    // An arena of the call's own, so an ArrayRecordDataSource's records can move to transform workers
    // whole; not for a sparse read, whose arena would hold mostly records nobody asked for.
    const records = this.needsMostOfItsChunks(indices) ? new OutputArena() : SHARED_SLABS;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < runs.length) {
        const run = runs[next++]!;
        const buffer = await source.read(run.start, run.end - run.start);
        for (let chunk = run.first; chunk <= run.last; chunk++) decoded.set(chunk, this.decodeFrom(buffer, run.start, chunk, records));
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_READS_IN_FLIGHT, runs.length) }, worker));
    return this.gather(indices, decoded);
  }

  /** The distinct chunks that hold `indices`, ascending. */
  private chunksOf(indices: readonly number[]): number[] {
    const groupSize = this.layout.groupSize;
    const chunks = new Set<number>();
    for (let i = 0; i < indices.length; i++) chunks.add(Math.floor(indices[i]! / groupSize));
    return [...chunks].sort((a, b) => a - b);
  }

  private gather(indices: readonly number[], decoded: ReadonlyMap<number, DecodedChunk>): Uint8Array[] {
    const groupSize = this.layout.groupSize;
    const records = new Array<Uint8Array>(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i]!;
      const chunk = Math.floor(index / groupSize);
      records[i] = recordOf(decoded.get(chunk)!, index - chunk * groupSize);
    }
    return records;
  }

  /** Decodes chunk `chunk` from a buffer holding the file from `base` on, and checks its record count. */
  private decodeFrom(buffer: Uint8Array, base: number, chunk: number, records: ByteAllocator): DecodedChunk {
    const start = this.index.start(chunk);
    const chunkBuffer = buffer.subarray(start - base, this.index.end(chunk) - base);
    const raw = readChunkFromBuffer(chunkBuffer, start, start, this.path);
    // Between this chunk and the next there may only be padding (pad_to_block_boundary).
    if (raw.end < this.index.end(chunk)) verifyPaddingChunks(chunkBuffer, start, raw.end, this.path);
    const { numRecords, groupSize, numChunks } = this.layout;
    const expected = chunk === numChunks - 1 ? numRecords - chunk * groupSize : groupSize;
    if (raw.header.numRecords !== expected) {
      throw new CorruptFileError(`chunk ${chunk} holds ${raw.header.numRecords} records, the footer implies ${expected}`, {
        path: this.path,
        offset: start,
      });
    }
    return decodeChunk(raw, this.path, records);
  }

  private withRelease<T>(action: () => T): T {
    try {
      return action();
    } finally {
      this.index.release();
    }
  }

  private async withReleaseAsync<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } finally {
      this.index.release();
    }
  }
}

/** What `ArrayRecordReader.info` reports about a file. */
export interface ArrayRecordFileInfo {
  readonly numRecords: number;
  readonly numChunks: number;
  /** Records per chunk (the writer's group_size); 0 for an empty file. */
  readonly groupSize: number;
  /** The writer's options string, '' when the file stores none. */
  readonly writerOptions: string;
}

function describeLayout(layout: FileLayout): ArrayRecordFileInfo {
  return { numRecords: layout.numRecords, numChunks: layout.numChunks, groupSize: layout.groupSize, writerOptions: layout.writerOptions ?? '' };
}

function rangeArray(from: number, to: number): number[] {
  const values = new Array<number>(to - from);
  for (let i = 0; i < values.length; i++) values[i] = from + i;
  return values;
}

/** A plain batch read's targets: fresh file bytes, records decoded into the shared slabs. */
const PLAIN_TARGETS: ReadTargets = { fileBytes: undefined, records: SHARED_SLABS };

/** Replaces every record that is not a view into `arena` with a copy in it. */
function moveIntoArena(records: Uint8Array[], arena: OutputArena): void {
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (arena.owns(record.buffer)) continue;
    const copy = arena.take(record.length);
    copy.set(record);
    records[i] = copy;
  }
}
