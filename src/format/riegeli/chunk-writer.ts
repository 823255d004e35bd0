// Appends chunks to a byte sink at the right positions: the file signature first, block headers
// inside chunks, and padding chunks on request (Riegeli's DefaultChunkWriter).

import { BLOCK_SIZE, CHUNK_HEADER_SIZE, ChunkType } from './constants.js';
import { distanceWithoutOverhead, posAfterPadding } from './block.js';
import { frameChunk } from './chunk-frame.js';
import type { EncodedChunkData } from './decoded-chunk.js';

/** Where framed chunk bytes go (a buffered file in practice). */
export interface ByteSink {
  /** The next `length` bytes of output, for the caller to fill before it calls the sink again. */
  append(length: number): Uint8Array;
}

const SIGNATURE: EncodedChunkData = { chunkType: ChunkType.fileSignature, data: new Uint8Array(0), numRecords: 0, decodedDataSize: 0 };

/** Writes chunks one after another, starting a new file with the signature chunk. */
export class ChunkWriter {
  private position = 0;

  constructor(private readonly sink: ByteSink) {
    this.writeChunk(SIGNATURE);
  }

  /** The file position where the next chunk begins. */
  get pos(): number {
    return this.position;
  }

  /** Writes a chunk at the current position and returns that position. */
  writeChunk(chunk: EncodedChunkData): number {
    const begin = this.position;
    this.position = frameChunk(begin, chunk, (length) => this.sink.append(length));
    return begin;
  }

  /** Writes a padding chunk so the next chunk begins at a block boundary (nothing if it already does). */
  padToBlockBoundary(): void {
    const target = posAfterPadding(this.position, BLOCK_SIZE);
    if (target === this.position) return;
    const dataLength = distanceWithoutOverhead(this.position, target) - CHUNK_HEADER_SIZE;
    this.writeChunk({ chunkType: ChunkType.padding, data: new Uint8Array(dataLength), numRecords: 0, decodedDataSize: 0 });
  }
}
