// Finding a file's metadata chunk: Riegeli writers put it right after the 64-byte signature.

import type { ByteSource } from '../io/byte-source.js';
import { runAsync, runSync, type ReadSteps } from '../io/read-steps.js';
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
  return runSync(metadataSteps(source.path, source.size), source);
}

/** `readFileMetadata` with asynchronous reads (libuv's pool, or a remote file's requests). */
export function readFileMetadataAsync(source: ByteSource): Promise<RecordsMetadata | undefined> {
  return runAsync(metadataSteps(source.path, source.size), source);
}

function* metadataSteps(path: string, size: number): ReadSteps<RecordsMetadata | undefined> {
  if (size < FIRST_CHUNK + chunkHeaderSpan(FIRST_CHUNK)) return undefined;
  const header = readChunkHeaderFromBuffer(yield { offset: FIRST_CHUNK, length: chunkHeaderSpan(FIRST_CHUNK) }, FIRST_CHUNK, FIRST_CHUNK, path);
  if (header.chunkType !== ChunkType.fileMetadata) return undefined;
  verifyRecordlessChunk(header, new Place('chunk', path, FIRST_CHUNK));
  const span = chunkDataSpan(FIRST_CHUNK, header);
  const chunk = readChunkFromBuffer(yield { offset: FIRST_CHUNK, length: Math.min(span, size - FIRST_CHUNK) }, FIRST_CHUNK, FIRST_CHUNK, path);
  verifyChunkEnd(chunk, size, path);
  try {
    return decodeMetadataChunk(chunk.data, chunk.header.decodedDataSize, `metadata chunk at ${FIRST_CHUNK} of ${path}`);
  } catch (cause) {
    throw asDecodingError(cause, 'metadata chunk', path, FIRST_CHUNK);
  }
}
