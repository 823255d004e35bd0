// Plain Riegeli record files (written by riegeli::RecordWriter, no ArrayRecord footer): sequential
// reading of their records, and seeking by record position as Riegeli defines it.

import { ClosedError, CorruptFileError, OutOfRangeError, UnsupportedError } from '../errors.js';
import { LocalFile, type ByteSource } from '../io/byte-source.js';
import { readU64 } from './bytes.js';
import { chunkEnd } from './block.js';
import { decodeChunk } from './chunk-codec.js';
import { chunkDataSpan, chunkHeaderSpan, readChunkFromBuffer, readChunkHeaderFromBuffer, type RawChunk } from './chunk-frame.js';
import type { ChunkHeader } from './chunk-header.js';
import { BLOCK_HEADER_SIZE, BLOCK_SIZE, ChunkType } from './constants.js';
import { recordCount, recordOf, type DecodedChunk } from './decoded-chunk.js';
import { readFileMetadata } from './file-metadata.js';
import type { RecordsMetadata } from './records-metadata.js';

const EMPTY_CHUNK: DecodedChunk = { values: new Uint8Array(0), ends: new Float64Array(0) };

/**
 * Reads the records of a plain Riegeli/records file in order.
 *
 * A record's position is a number: the file position where its chunk begins plus its index in the
 * chunk (Riegeli's `RecordPosition::numeric()`); `pos()` gives the next record's and `seek()` accepts
 * any number from 0 to the file size, landing on the first record at or after it.
 * @example
 * const reader = new RiegeliRecordReader('file.riegeli');
 * for (const record of reader) console.log(record.length);
 */
export class RiegeliRecordReader implements Iterable<Uint8Array> {
  readonly path: string;
  private source: ByteSource | undefined;
  /** Where the chunk after the current one begins. */
  private nextChunk = 0;
  private chunkBegin = 0;
  private chunk: DecodedChunk = EMPTY_CHUNK;
  private index = 0;

  /** Opens `path`. @throws IoError; CorruptFileError when the file does not start with a Riegeli signature. */
  constructor(path: string) {
    this.path = path;
    const source = LocalFile.open(path);
    try {
      const signature = this.readRawChunk(source, 0);
      if (signature.header.chunkType !== ChunkType.fileSignature) {
        throw new CorruptFileError(`the first chunk has type 0x${signature.header.chunkType.toString(16)}, expected the file signature 's'`, { path, offset: 0 });
      }
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
   * @throws CorruptFileError for damaged data; ClosedError after close.
   */
  read(): Uint8Array | undefined {
    const source = this.open();
    while (this.index >= recordCount(this.chunk)) {
      if (this.nextChunk >= source.size) return undefined;
      this.loadChunkAt(source, this.nextChunk);
    }
    return recordOf(this.chunk, this.index++);
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
      const header = this.readHeader(source, begin);
      const end = chunkEnd(begin, header.dataSize, header.numRecords);
      if (position < end) {
        this.loadChunkAt(source, begin);
        this.index = Math.min(position - begin, recordCount(this.chunk));
        return;
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
    const header = source.readSync(blockBegin, BLOCK_HEADER_SIZE);
    const previousChunk = readU64(header, 8, `block header at ${blockBegin}`);
    if (previousChunk > blockBegin) {
      throw new CorruptFileError(`block header at ${blockBegin} points ${previousChunk} bytes back, before the file start`, { path: this.path });
    }
    return blockBegin - previousChunk;
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

  private readRawChunk(source: ByteSource, begin: number): RawChunk {
    const header = this.readHeader(source, begin);
    const span = chunkDataSpan(begin, header);
    if (begin + span > source.size) {
      throw new CorruptFileError(`chunk at ${begin} needs ${span} bytes, the file ends after ${source.size - begin} (truncated)`, {
        path: this.path,
        offset: begin,
      });
    }
    return readChunkFromBuffer(source.readSync(begin, span), begin, begin, this.path);
  }

  /** Reads the chunk at `begin`; chunks without records (padding, metadata, signatures) leave it empty. */
  private loadChunkAt(source: ByteSource, begin: number): void {
    const raw = this.readRawChunk(source, begin);
    const type = raw.header.chunkType;
    this.chunkBegin = begin;
    this.nextChunk = raw.end;
    this.index = 0;
    if (type === ChunkType.simple || type === ChunkType.transposed) {
      this.chunk = decodeChunk(raw, this.path);
    } else if (type === ChunkType.padding || type === ChunkType.fileSignature || type === ChunkType.fileMetadata) {
      this.chunk = EMPTY_CHUNK;
    } else {
      throw new UnsupportedError(`chunk at ${begin} has unknown type 0x${type.toString(16)}`, { path: this.path, offset: begin });
    }
  }
}
