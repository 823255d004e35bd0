// Writing forged files: appending chunks with valid block headers from any position, and patching a
// chunk in place with every hash recomputed (chunk header, data, and the block headers it covers).

import {
  addWithOverhead,
  BLOCK_HEADER_SIZE,
  BLOCK_SIZE,
  buildBlockHeader,
  buildChunkHeader,
  CHUNK_HEADER_SIZE,
  chunkEnd,
  ChunkType,
  distanceWithoutOverhead,
  frameChunk,
  posAfterPadding,
  type EncodedChunkData,
} from './format.js';
import { contentAt, writeContentAt } from './structure.js';

/** Builds a file by appending framed chunks after a prefix that ends where a chunk may begin. */
export class Appender {
  private readonly parts: Uint8Array[] = [];
  private position: number;

  constructor(prefix: Uint8Array) {
    this.parts.push(prefix);
    this.position = prefix.length;
  }

  get pos(): number {
    return this.position;
  }

  /** Appends a chunk (with the block headers and padding its position needs) and returns where it begins. */
  writeChunk(chunk: EncodedChunkData): number {
    const begin = this.position;
    this.position = frameChunk(begin, chunk, (length) => {
      const region = new Uint8Array(length);
      this.parts.push(region);
      return region;
    });
    return begin;
  }

  /** A padding chunk up to the next block boundary, as the writer emits after the footer and postscript. */
  padToBlockBoundary(): void {
    const target = posAfterPadding(this.position, BLOCK_SIZE);
    if (target === this.position) return;
    const length = distanceWithoutOverhead(this.position, target) - CHUNK_HEADER_SIZE;
    this.writeChunk({ chunkType: ChunkType.padding, data: new Uint8Array(length), numRecords: 0, decodedDataSize: 0 });
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

/** Header fields a forgery may set; absent ones keep the chunk's values. */
export interface HeaderPatch {
  readonly dataSize?: number;
  readonly chunkType?: number;
  readonly numRecords?: number;
  readonly decodedDataSize?: number;
}

/**
 * Rewrites the header of the chunk at `begin` in place (and its data when `data` is given with the same
 * length): the header hash and data hash are recomputed, so both verify, and every block header between
 * `begin` and the chunk's new end (by the spec's formula) is rewritten to point at this chunk. When the
 * forged data size runs past the file, the data hash covers what the file holds.
 */
export function patchChunk(
  bytes: Uint8Array,
  begin: number,
  current: { dataSize: number; chunkType: number; numRecords: number; decodedDataSize: number },
  patch: HeaderPatch,
  data?: Uint8Array,
): void {
  const fields = { ...current, ...patch };
  const dataBegin = addWithOverhead(begin, CHUNK_HEADER_SIZE);
  if (data !== undefined) writeContentAt(bytes, dataBegin, data);
  const hashed = contentAt(bytes, dataBegin, fields.dataSize) ?? contentTail(bytes, dataBegin);
  writeContentAt(bytes, begin, buildChunkHeader(fields, hashed));
  rewriteBlockHeaders(bytes, begin, chunkEnd(begin, fields.dataSize, fields.numRecords));
}

/** Block headers in [begin, end) rewritten to describe a chunk spanning exactly that range. */
export function rewriteBlockHeaders(bytes: Uint8Array, begin: number, end: number): void {
  for (let boundary = Math.ceil(begin / BLOCK_SIZE) * BLOCK_SIZE; boundary < end && boundary + BLOCK_HEADER_SIZE <= bytes.length; boundary += BLOCK_SIZE) {
    bytes.set(buildBlockHeader(boundary - begin, end - boundary), boundary);
  }
}

/** All content bytes from `pos` to the end of the file. */
function contentTail(bytes: Uint8Array, pos: number): Uint8Array {
  let length = 0;
  for (let at = pos; at < bytes.length; ) {
    if (at % BLOCK_SIZE === 0) at += BLOCK_HEADER_SIZE;
    const take = Math.min(BLOCK_SIZE - (at % BLOCK_SIZE), bytes.length - at);
    if (take <= 0) break;
    length += take;
    at += take;
  }
  return contentAt(bytes, pos, length) ?? new Uint8Array(0);
}
