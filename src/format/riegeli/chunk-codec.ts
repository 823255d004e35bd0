// Chunk data <-> records, by chunk type: the one place that knows which encodings exist.

import { ArrayRecordError, CorruptFileError, UnsupportedError, withLocation } from '../errors.js';
import { SHARED_SLABS, type ByteAllocator } from '../io/output-arena.js';
import type { CompressorOptions } from './compression.js';
import { ChunkType } from './constants.js';
import type { DecodedChunk, EncodedChunkData } from './decoded-chunk.js';
import type { RawChunk } from './chunk-frame.js';
import { decodeSimpleChunk, encodeSimpleChunk } from './simple-chunk.js';
import { decodeTransposedChunk, encodeTransposedChunk } from './transpose/index.js';
import { Place } from '../place.js';

/** How records are laid out in the chunks a writer produces. */
export interface ChunkEncoding {
  readonly compression: CompressorOptions;
  /** Column-wise (transposed) chunks for proto records, with this bucket size; simple chunks when undefined. */
  readonly transposeBucketSize?: number | undefined;
}

/**
 * Encodes records as one chunk of the given encoding.
 * @param values the records back to back, when the caller has them so: simple chunks store them without
 *   copying them together again.
 */
export function encodeChunk(records: readonly Uint8Array[], encoding: ChunkEncoding, values?: Uint8Array): EncodedChunkData {
  if (encoding.transposeBucketSize !== undefined) {
    return encodeTransposedChunk(records, encoding.compression, encoding.transposeBucketSize);
  }
  return encodeSimpleChunk(records, encoding.compression, values);
}

/** True for chunk types that hold records. */
export function holdsRecords(chunkType: number): boolean {
  return chunkType === ChunkType.simple || chunkType === ChunkType.transposed;
}

/**
 * Decodes the records of a simple or transposed chunk.
 * @param output where the decoded records are written (records of uncompressed simple chunks stay
 *   views of the chunk data).
 * @param neededRecords only records [0, neededRecords) will be read: a simple chunk may then decode
 *   its values only that far (see decodeSimpleChunk).
 * @throws UnsupportedError for chunk types that hold no records or are unknown;
 *   CorruptFileError when the data contradicts the header.
 */
export function decodeChunk(chunk: RawChunk, where: string, output: ByteAllocator = SHARED_SLABS, neededRecords?: number): DecodedChunk {
  const { chunkType, numRecords, decodedDataSize } = chunk.header;
  const place = new Place('chunk', where, chunk.begin);
  try {
    if (chunkType === ChunkType.simple) return decodeSimpleChunk(chunk.data, numRecords, decodedDataSize, place, output, neededRecords);
    if (chunkType === ChunkType.transposed) return decodeTransposedChunk(chunk.data, numRecords, decodedDataSize, place, output);
  } catch (cause) {
    throw asDecodingError(cause, 'chunk', where, chunk.begin);
  }
  const location = { path: where, offset: chunk.begin };
  if (chunkType === ChunkType.padding || chunkType === ChunkType.fileSignature || chunkType === ChunkType.fileMetadata) {
    throw withLocation(new CorruptFileError(`${place} is a chunk of type '${String.fromCharCode(chunkType)}', expected records`), location);
  }
  throw withLocation(new UnsupportedError(`${place} has unknown chunk type 0x${chunkType.toString(16)}`), location);
}

/**
 * What a decoder's failure on a file's bytes is reported as: our typed errors keep their class and
 * message, and get `path` and `offset` where they have none; anything else (a RangeError from an
 * impossible allocation, a TypeError) means a lie in the bytes that no check named, and becomes a
 * CorruptFileError at the chunk rather than escaping untyped (a read worker would otherwise hand back
 * a plain Error).
 * @param what names the chunk, e.g. "footer chunk".
 * @example try { decode() } catch (cause) { throw asDecodingError(cause, 'chunk', path, offset) }
 */
export function asDecodingError(cause: unknown, what: string, path: string, offset: number): Error {
  // The package's errors name the chunk in words already; programs get the file and offset as fields.
  if (cause instanceof ArrayRecordError) return withLocation(cause, { path, offset });
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new CorruptFileError(`${what} at ${offset} cannot be decoded: ${reason}`, { path, offset }, { cause });
}
