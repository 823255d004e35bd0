// Plain Riegeli record files (written by riegeli::RecordWriter, no ArrayRecord footer): sequential
// reading of their records, and seeking by record position as Riegeli defines it.

import { ClosedError, CorruptFileError, OutOfRangeError, UnsupportedError } from '../errors.js';
import { LocalFile, type ByteSource } from '../io/byte-source.js';
import { readU64 } from './bytes.js';
import { hashMatches } from './highway-hash.js';
import { chunkEnd } from './block.js';
import { decodeChunk } from './chunk-codec.js';
import { chunkDataSpan, chunkHeaderSpan, readChunkFromBuffer, readChunkHeaderFromBuffer, verifyChunkEnd, type RawChunk } from './chunk-frame.js';
import type { ChunkHeader } from './chunk-header.js';
import { BLOCK_HEADER_SIZE, BLOCK_SIZE, ChunkType } from './constants.js';
import { recordCount, recordOf, type DecodedChunk } from './decoded-chunk.js';
import { readFileMetadata } from './file-metadata.js';
import type { RecordsMetadata } from './records-metadata.js';
import { isRecordless, verifyRecordlessChunk } from './recordless-chunk.js';
import { Place } from '../place.js';
import { parseRiegeliReaderOptions } from './record-reader-options.js';
import { findNextChunk, isChunkDamage, type SkippedRegion } from './recovery.js';

const EMPTY_CHUNK: DecodedChunk = { values: new Uint8Array(0), ends: new Float64Array(0) };

/**
 * Reads the records of a plain Riegeli/records file in order.
 *
 * A record's position is a number: the file position where its chunk begins plus its index in the
 * chunk (Riegeli's `RecordPosition::numeric()`); `pos()` gives the next record's and `seek()` accepts
 * any number from 0 to the file size, landing on the first record at or after it.
 *
 * With `skip_corrupted_chunks`, a chunk that cannot be read is skipped as Riegeli's recovery does:
 * reading goes on after it (at its end when its header is intact, else at the next chunk the block
 * headers show) and `skippedRegions()` lists what was skipped and why.
 * @example
 * const reader = new RiegeliRecordReader('file.riegeli');
 * for (const record of reader) console.log(record.length);
 */
export class RiegeliRecordReader implements Iterable<Uint8Array> {
  /** The path the reader was opened with. */
  readonly path: string;
  private source: ByteSource | undefined;
  /** Where the chunk after the current one begins. */
  private nextChunk = 0;
  private chunkBegin = 0;
  private chunk: DecodedChunk = EMPTY_CHUNK;
  private index = 0;
  private readonly skipCorruptedChunks: boolean;
  private readonly skipped: SkippedRegion[] = [];

  /**
   * Opens `path`.
   * @param options `skip_corrupted_chunks[:true|false]` (see parseRiegeliReaderOptions).
   * @throws InvalidOptionsError; IoError; CorruptFileError when the file does not start with a
   *   Riegeli signature (whatever the options: a file that is not Riegeli has nothing to recover).
   */
  constructor(path: string, options = '') {
    this.path = path;
    this.skipCorruptedChunks = parseRiegeliReaderOptions(options).skipCorruptedChunks;
    const source = LocalFile.open(path);
    try {
      const signature = this.readRawChunk(source, 0);
      if (signature.header.chunkType !== ChunkType.fileSignature) {
        throw new CorruptFileError(`the first chunk has type 0x${signature.header.chunkType.toString(16)}, expected the file signature 's'`, { path, offset: 0 });
      }
      verifyRecordlessChunk(signature.header, new Place('chunk', path, 0));
      this.nextChunk = signature.end;
      this.chunkBegin = signature.end;
    } catch (error) {
      source.close();
      throw error;
    }
    this.source = source;
  }

  /**
   * The file's metadata (riegeli.RecordsMetadata), or undefined when the writer stored none.
   * @throws CorruptFileError when the metadata chunk is damaged.
   */
  metadata(): RecordsMetadata | undefined {
    return readFileMetadata(this.open());
  }

  /**
   * The position of the record the next `read()` returns (the file size at the end). Between chunks it
   * may be the start of a chunk without records before it, a smaller position that leads to the same
   * record, as in Riegeli.
   */
  pos(): number {
    this.open();
    return this.index < recordCount(this.chunk) ? this.chunkBegin + this.index : this.nextChunk;
  }

  /**
   * The canonical position of the record the last `read()` returned (its chunk's start plus its index).
   * @throws OutOfRangeError when no record has been read since opening or seeking.
   */
  lastPos(): number {
    this.open();
    if (this.index === 0) throw new OutOfRangeError('no record has been read at this position yet', { path: this.path });
    return this.chunkBegin + this.index - 1;
  }

  /**
   * The next record, or undefined at the end of the file.
   * @throws CorruptFileError for damaged data (unless skip_corrupted_chunks); ClosedError after close.
   */
  read(): Uint8Array | undefined {
    const source = this.open();
    while (this.index >= recordCount(this.chunk)) {
      if (this.nextChunk >= source.size) return undefined;
      const begin = this.nextChunk;
      try {
        this.loadChunkAt(source, begin);
      } catch (error) {
        this.skipChunk(source, begin, error);
      }
    }
    return recordOf(this.chunk, this.index++);
  }

  /**
   * What `skip_corrupted_chunks` skipped so far, in the order it was met.
   * @example for (const { begin, end, reason } of reader.skippedRegions()) console.warn(begin, end, reason);
   */
  skippedRegions(): SkippedRegion[] {
    return [...this.skipped];
  }

  /**
   * Moves to the first record at or after position `position` (0 ≤ position ≤ file size).
   * @throws OutOfRangeError outside that range; CorruptFileError when the block structure is damaged.
   */
  seek(position: number): void {
    const source = this.open();
    if (!Number.isSafeInteger(position) || position < 0 || position > source.size) {
      throw new OutOfRangeError(`seek to ${position} outside [0, ${source.size}]`, { path: this.path });
    }
    if (position >= this.chunkBegin && position < this.chunkBegin + recordCount(this.chunk)) {
      this.index = position - this.chunkBegin;
      return;
    }
    let begin = this.chunkContainingBlockStart(source, position);
    for (;;) {
      if (begin >= source.size || begin >= position) {
        this.resetAt(begin);
        return;
      }
      let end: number;
      try {
        const header = this.readHeader(source, begin);
        end = chunkEnd(begin, header.dataSize, header.numRecords);
        verifyChunkEnd({ begin, end }, source.size, this.path);
        if (position < end) {
          this.loadChunkAt(source, begin);
          this.index = Math.min(position - begin, recordCount(this.chunk));
          return;
        }
      } catch (error) {
        this.skipChunk(source, begin, error);
        end = this.nextChunk;
      }
      begin = end;
    }
  }

  /** Iterates the records from the current position to the end. */
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
    if (this.source === undefined) throw new ClosedError('RiegeliRecordReader', { path: this.path });
    return this.source;
  }

  /** The beginning of the chunk that the block header of `position`'s block interrupts. */
  private chunkContainingBlockStart(source: ByteSource, position: number): number {
    const blockBegin = position - (position % BLOCK_SIZE);
    if (blockBegin === 0) return 0;
    // A file whose size is a multiple of the block size has no block header at its end: seeking
    // there is seeking to the end.
    if (blockBegin >= source.size) return source.size;
    const header = source.readSync(blockBegin, BLOCK_HEADER_SIZE);
    // Its distances are trusted only once its hash proves them.
    if (!hashMatches(header.subarray(8, BLOCK_HEADER_SIZE), header, 0)) {
      throw new CorruptFileError(`block header hash mismatch at ${blockBegin}`, { path: this.path, offset: blockBegin });
    }
    const previousChunk = readU64(header, 8, `previous_chunk of the block header at ${blockBegin}`, { path: this.path, offset: blockBegin });
    if (previousChunk > blockBegin) {
      throw new CorruptFileError(`block header at ${blockBegin} points ${previousChunk} bytes back, before the file start`, { path: this.path });
    }
    return blockBegin - previousChunk;
  }

  /**
   * Rethrows `error` unless skip_corrupted_chunks and it is damage; else skips the chunk at `begin`
   * (to its end when its header is intact, else to the next chunk the block headers show), records
   * that, and leaves the reader between chunks there.
   */
  private skipChunk(source: ByteSource, begin: number, error: unknown): void {
    if (!this.skipCorruptedChunks || !isChunkDamage(error)) throw error;
    const resume = this.endOfChunkWithIntactHeader(source, begin) ?? findNextChunk(source, begin);
    this.skipped.push({ begin, end: resume, reason: error.message });
    this.resetAt(resume);
  }

  /** Where the chunk at `begin` ends (at most the file end) if its header is intact. */
  private endOfChunkWithIntactHeader(source: ByteSource, begin: number): number | undefined {
    try {
      const header = this.readHeader(source, begin);
      return Math.min(source.size, chunkEnd(begin, header.dataSize, header.numRecords));
    } catch (error) {
      if (isChunkDamage(error)) return undefined;
      throw error;
    }
  }

  private resetAt(begin: number): void {
    this.chunk = EMPTY_CHUNK;
    this.index = 0;
    this.chunkBegin = begin;
    this.nextChunk = begin;
  }

  private readHeader(source: ByteSource, begin: number): ChunkHeader {
    const span = Math.min(chunkHeaderSpan(begin), source.size - begin);
    return readChunkHeaderFromBuffer(source.readSync(begin, span), begin, begin, this.path);
  }

  /**
   * Reads the chunk at `begin` (its header and data; its padding stays unread). A chunk that ends past
   * the end of the file is a truncated file, as in Riegeli, even when its data is all there: a clean end
   * is a chunk boundary.
   */
  private readRawChunk(source: ByteSource, begin: number): RawChunk {
    const header = this.readHeader(source, begin);
    verifyChunkEnd({ begin, end: chunkEnd(begin, header.dataSize, header.numRecords) }, source.size, this.path);
    return readChunkFromBuffer(source.readSync(begin, chunkDataSpan(begin, header)), begin, begin, this.path);
  }

  /**
   * Reads the chunk at `begin`; chunks without records (padding, metadata, signatures) leave it empty,
   * once their headers confirm they hold none.
   */
  private loadChunkAt(source: ByteSource, begin: number): void {
    const raw = this.readRawChunk(source, begin);
    const type = raw.header.chunkType;
    this.chunkBegin = begin;
    this.nextChunk = raw.end;
    this.index = 0;
    if (type === ChunkType.simple || type === ChunkType.transposed) {
      this.chunk = decodeChunk(raw, this.path);
    } else if (isRecordless(type)) {
      verifyRecordlessChunk(raw.header, new Place('chunk', this.path, begin));
      this.chunk = EMPTY_CHUNK;
    } else {
      throw new UnsupportedError(`chunk at ${begin} has unknown type 0x${type.toString(16)}`, { path: this.path, offset: begin });
    }
  }
}
