// The cursor of ArrayRecordReader.read(): record after record, the chunks ahead decoded with one read
// call per read-ahead, and damage found ahead kept until the cursor gets there.

import { InvalidArgumentError, OutOfRangeError, type CorruptFileError, type UnsupportedError } from '../errors.js';
import { describeFound } from '../options-check.js';
import { copyOf, SHARED_SLABS } from '../io/output-arena.js';
import { ReadScratch } from '../io/read-scratch.js';
import { recordOf, type DecodedChunk } from '../riegeli/decoded-chunk.js';
import { isChunkDamage } from '../riegeli/recovery.js';
import type { OpenedFile } from './opened-file.js';
import type { ChunkRun } from './read-plan.js';

/** Sequential reads fetch at least this much per read call, whatever readahead_buffer_size says. */
const MIN_SEQUENTIAL_READ = 256 * 1024;

/**
 * The file bytes of each read-ahead, in the same memory run after run (every chunk of a run is decoded
 * out of it at once): fresh memory for each read cost a group_size:1 zstd pass thousands of page
 * faults. Until a read meets an uncompressed chunk, whose records then get copied out of it; later
 * runs of such a file are read into memory of their own, which the records view.
 */
const READ_AHEAD = new ReadScratch();


/** The position of `read()` in a file and the chunks read ahead of it. */
export class SequentialCursor {
  private cursor = 0;
  /**
   * Chunks decoded for sequential reading, by chunk number, or the damage that stops one from being
   * read: that is thrown (or the chunk skipped) when the cursor reaches it, not when read-ahead does.
   */
  private chunks = new Map<number, DecodedChunk | CorruptFileError | UnsupportedError>();

  constructor(private readonly file: OpenedFile) {}

  /** Index of the record `next()` returns. */
  get position(): number {
    return this.cursor;
  }

  /** Moves the cursor to `index` (0..numRecords). @throws OutOfRangeError outside that range. */
  seek(index: number): void {
    const { file } = this;
    file.requireOpen();
    if (!Number.isInteger(index)) throw new InvalidArgumentError(`seek(index) needs an integer record index, got ${describeFound(index)}`, { path: file.path });
    if (index < 0 || index > file.layout.numRecords) {
      throw new OutOfRangeError(`seek to ${index} outside [0, ${file.layout.numRecords}]`, { path: file.path, index });
    }
    this.cursor = index;
  }

  /** Drops the chunks read ahead. */
  clear(): void {
    this.chunks.clear();
  }

  /** The record at the cursor; a skipped chunk moves the cursor past its records first. */
  next(): Uint8Array {
    const { file } = this;
    file.requireOpen();
    const { numRecords, groupSize } = file.layout;
    for (;;) {
      if (this.cursor >= numRecords) {
        throw new OutOfRangeError(`read() past the end: the file has ${numRecords} records`, { path: file.path, index: this.cursor });
      }
      const chunk = Math.floor(this.cursor / groupSize);
      if (!this.chunks.has(chunk)) file.withRelease(() => this.readAhead(chunk));
      const decoded = this.chunks.get(chunk)!;
      if (decoded instanceof Error) {
        if (!file.options.skipCorruptedChunks) throw decoded;
        file.report([file.withRelease(() => file.skippedChunk(chunk, decoded))]);
        this.cursor = Math.min(numRecords, (chunk + 1) * groupSize);
        continue;
      }
      const record = recordOf(decoded, this.cursor - chunk * groupSize);
      this.cursor++;
      return record;
    }
  }

  /** Decodes the chunks from `first` on that fit the read-ahead size, with one read call; keeps the damage of any that fail. */
  private readAhead(first: number): void {
    const { file } = this;
    const { index } = file;
    const budget = Math.max(file.options.readaheadBufferSize, MIN_SEQUENTIAL_READ);
    let last = first;
    while (last + 1 < index.numChunks && index.end(last + 1) - index.start(first) <= budget) last++;
    this.chunks = new Map();
    const run: ChunkRun = { first, last, start: index.start(first), end: index.end(last) };
    // Records of uncompressed chunks view the bytes read: those get memory of their own.
    const reused = !file.holdsUncompressedChunks;
    const length = run.end - run.start;
    const buffer = file.requireOpen().readSync(run.start, length, reused ? READ_AHEAD.take(length) : undefined);
    for (let chunk = first; chunk <= last; chunk++) {
      try {
        const decoded = file.decodeFrom(buffer, run.start, chunk, SHARED_SLABS);
        this.chunks.set(chunk, reused && decoded.values.buffer === buffer.buffer ? { values: copyOf(decoded.values, SHARED_SLABS), ends: decoded.ends } : decoded);
      } catch (error) {
        if (!isChunkDamage(error)) throw error;
        this.chunks.set(chunk, error);
      }
    }
  }
}
