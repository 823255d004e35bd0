// Every intact chunk of a damaged Riegeli/records file, in file order, with the regions between them
// that could not be read: what a repair keeps. Recovery is the readers' (recovery.ts): past a chunk
// whose data is damaged by its header's length, past anything else to the next chunk a block header shows.

import type { ByteSource } from '../io/byte-source.js';
import { chunkEnd } from './block.js';
import { chunkDataSpan, chunkHeaderSpan, readChunkFromBuffer, readChunkHeaderFromBuffer, type RawChunk } from './chunk-frame.js';
import type { ChunkHeader } from './chunk-header.js';
import { ChunkType } from './constants.js';
import { CorruptFileError } from '../errors.js';
import { findNextChunk, isChunkDamage, type SkippedRegion } from './recovery.js';

/** What `scanChunks` finds, in file order: intact chunks and the regions between them that are not. */
export type ScanItem =
  | {
      /** An intact chunk. */
      readonly kind: 'chunk';
      /** The chunk's header and data, with its position in the file. */
      readonly chunk: RawChunk;
    }
  | ({
      /** A region of bytes that holds no intact chunk. */
      readonly kind: 'skipped';
    } & SkippedRegion);

/** File bytes read per call; chunks are sliced out of this window. */
const WINDOW = 1 << 20;

/** Reads windows of a file and slices byte ranges out of them. */
class Window {
  private bytes: Uint8Array = new Uint8Array(0);
  private start = 0;

  constructor(private readonly source: ByteSource) {}

  /** `length` bytes at `offset` (the caller keeps within the file). */
  at(offset: number, length: number): Uint8Array {
    if (offset < this.start || offset + length > this.start + this.bytes.length) {
      this.start = offset;
      this.bytes = this.source.readSync(offset, Math.min(this.source.size - offset, Math.max(length, WINDOW)));
    }
    return this.bytes.subarray(offset - this.start, offset - this.start + length);
  }
}

/**
 * Walks a Riegeli/records file (an ArrayRecord file is one) chunk by chunk, yielding every chunk whose
 * headers, block headers and data hash are intact, in file order, and one `skipped` item per region
 * that is not (a cut-off end included). A chunk whose data is all there is kept even when the file
 * ends inside its padding. Chunk contents are not decoded; types are not checked beyond the file
 * signature at position 0.
 * @throws IoError when the file cannot be read; never for damaged contents.
 * @example
 * for (const item of scanChunks(LocalFile.open('damaged.array_record'))) {
 *   if (item.kind === 'skipped') console.log(`lost [${item.begin}, ${item.end}): ${item.reason}`);
 * }
 */
export function* scanChunks(source: ByteSource): Generator<ScanItem> {
  const size = source.size;
  const window = new Window(source);
  let pos = 0;
  while (pos < size) {
    let chunk: RawChunk;
    try {
      chunk = readChunkAt(window, size, pos, source.path);
    } catch (error) {
      if (!isChunkDamage(error)) throw error;
      const resume = endOfChunkWithIntactHeader(window, size, pos, source.path) ?? findNextChunk(source, pos);
      yield { kind: 'skipped', begin: pos, end: resume, reason: error.message };
      pos = resume;
      continue;
    }
    yield { kind: 'chunk', chunk };
    pos = chunk.end;
  }
}

/** The chunk at `begin` with its hashes verified. @throws CorruptFileError for any damage or a cut. */
function readChunkAt(window: Window, size: number, begin: number, path: string): RawChunk {
  const header = readHeaderAt(window, size, begin, path);
  if (begin === 0 && header.chunkType !== ChunkType.fileSignature) {
    throw new CorruptFileError(`the first chunk has type 0x${header.chunkType.toString(16)}, expected the file signature 's'`, { path, offset: 0 });
  }
  const span = chunkDataSpan(begin, header);
  if (begin + span > size) {
    throw new CorruptFileError(`the chunk at ${begin} needs ${span} bytes, the file ends after ${size - begin} (truncated)`, { path, offset: begin });
  }
  return readChunkFromBuffer(window.at(begin, span), begin, begin, path);
}

function readHeaderAt(window: Window, size: number, begin: number, path: string): ChunkHeader {
  const span = chunkHeaderSpan(begin);
  if (begin + span > size) {
    throw new CorruptFileError(`the file ends inside the header of the chunk at ${begin} (truncated)`, { path, offset: begin });
  }
  return readChunkHeaderFromBuffer(window.at(begin, span), begin, begin, path);
}

/**
 * Where the chunk at `begin` ends (at most the file size) when its header is intact: then its data is
 * what is damaged, and the next chunk is believed to follow it (Riegeli's kHaveChunk).
 */
function endOfChunkWithIntactHeader(window: Window, size: number, begin: number, path: string): number | undefined {
  try {
    const header = readHeaderAt(window, size, begin, path);
    return Math.min(size, chunkEnd(begin, header.dataSize, header.numRecords));
  } catch (error) {
    if (isChunkDamage(error)) return undefined;
    throw error;
  }
}
