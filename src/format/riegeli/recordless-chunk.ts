// Chunks that hold no records (file signature, file metadata, padding): what their headers must say.
// Riegeli's chunk decoder refuses such a chunk whose header announces records; a reader that skipped
// it instead would drop those records without a word.

import { CorruptFileError } from '../errors.js';
import type { ChunkHeader } from './chunk-header.js';
import { ChunkType } from './constants.js';
import type { Where } from '../place.js';

/** The header fields that must be zero, by chunk type (from Riegeli's ChunkDecoder::Parse). */
const ZERO_FIELDS: ReadonlyMap<number, readonly (keyof ChunkHeader)[]> = new Map([
  [ChunkType.fileSignature, ['dataSize', 'numRecords', 'decodedDataSize']],
  [ChunkType.padding, ['numRecords', 'decodedDataSize']],
  // A metadata chunk's decoded size is that of its one RecordsMetadata, which it still counts as 0 records.
  [ChunkType.fileMetadata, ['numRecords']],
]);

const FIELD_NAMES: Readonly<Record<keyof ChunkHeader, string>> = {
  dataSize: 'data size',
  chunkType: 'chunk type',
  numRecords: 'record count',
  decodedDataSize: 'decoded data size',
};

/**
 * True for the chunk types that hold no records.
 * @example isRecordless(ChunkType.padding) // true
 */
export function isRecordless(chunkType: number): boolean {
  return ZERO_FIELDS.has(chunkType);
}

/**
 * Checks that a signature, metadata or padding chunk's header says what its type requires (no records,
 * and for signature and padding no decoded bytes); other types are left to their decoders.
 * @throws CorruptFileError naming the field and its value.
 * @example verifyRecordlessChunk(header, new Place('chunk', path, 64));
 */
export function verifyRecordlessChunk(header: ChunkHeader, where: Where): void {
  for (const field of ZERO_FIELDS.get(header.chunkType) ?? []) {
    if (header[field] !== 0) {
      throw new CorruptFileError(
        `${where} is a chunk of type '${String.fromCharCode(header.chunkType)}' with ${FIELD_NAMES[field]} ${header[field]}, expected 0`,
      );
    }
  }
}
