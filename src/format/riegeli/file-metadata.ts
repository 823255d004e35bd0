// Finding a file's metadata chunk: Riegeli writers put it right after the 64-byte signature.

import type { ByteSource } from '../io/byte-source.js';
import { asDecodingError } from './chunk-codec.js';
import { chunkDataSpan, chunkHeaderSpan, readChunkFromBuffer, readChunkHeaderFromBuffer, verifyChunkEnd } from './chunk-frame.js';
import { ChunkType } from './constants.js';
import { decodeMetadataChunk, type RecordsMetadata } from './records-metadata.js';
import { verifyRecordlessChunk } from './recordless-chunk.js';
import { Place } from '../place.js';

/** Where the chunk after the file signature begins. */
const FIRST_CHUNK = 64;

/**
 * Reads the file's RecordsMetadata, or undefined when the chunk after the signature is not a
 * metadata chunk (files written without metadata).
 * @throws CorruptFileError when that chunk is damaged.
 */
export function readFileMetadata(source: ByteSource): RecordsMetadata | undefined {
  if (source.size < FIRST_CHUNK + chunkHeaderSpan(FIRST_CHUNK)) return undefined;
  const header = readChunkHeaderFromBuffer(source.readSync(FIRST_CHUNK, chunkHeaderSpan(FIRST_CHUNK)), FIRST_CHUNK, FIRST_CHUNK, source.path);
  if (header.chunkType !== ChunkType.fileMetadata) return undefined;
  verifyRecordlessChunk(header, new Place('chunk', source.path, FIRST_CHUNK));
  const span = chunkDataSpan(FIRST_CHUNK, header);
  const chunk = readChunkFromBuffer(source.readSync(FIRST_CHUNK, Math.min(span, source.size - FIRST_CHUNK)), FIRST_CHUNK, FIRST_CHUNK, source.path);
  verifyChunkEnd(chunk, source.size, source.path);
  try {
    return decodeMetadataChunk(chunk.data, chunk.header.decodedDataSize, `metadata chunk at ${FIRST_CHUNK} of ${source.path}`);
  } catch (cause) {
    throw asDecodingError(cause, 'metadata chunk', source.path, FIRST_CHUNK);
  }
}
