// The 40-byte chunk header: hashes, data size, chunk type, record count, decoded size.

import { CorruptFileError } from '../errors.js';
import { readU32, readU64, writeU32, writeU64 } from './bytes.js';
import { CHUNK_HEADER_SIZE, MAX_NUM_RECORDS } from './constants.js';
import { hashHex, hashMatches, storedHashHex, writeHash } from './highway-hash.js';
import { partOf, type Where } from '../place.js';

/** The fields of a chunk header (hashes are checked on parse and computed on build). */
export interface ChunkHeader {
  readonly dataSize: number;
  readonly chunkType: number;
  readonly numRecords: number;
  readonly decodedDataSize: number;
}

const TWO_32 = 0x1_0000_0000;

/**
 * Parses and verifies a chunk header; the data hash is returned separately as the offset of the
 * stored hash so the caller can check the data once it has it.
 * @param where names the chunk in errors ("chunk at 64 of file.array_record").
 * @throws CorruptFileError when the header hash does not match or a field is impossible.
 */
export function parseChunkHeader(bytes: Uint8Array, where: Where): ChunkHeader {
  if (!hashMatches(bytes.subarray(8, CHUNK_HEADER_SIZE), bytes, 0)) {
    throw new CorruptFileError(
      `chunk header hash mismatch (computed ${hashHex(bytes.subarray(8, CHUNK_HEADER_SIZE))}, stored ${storedHashHex(bytes, 0)}), ${where}`,
    );
  }
  // The u64 fields are read as halves here, their names built only for an error (a header is parsed
  // per chunk read; readU64 would want the name up front).
  if (readU32(bytes, 12) >= 0x20_0000) readU64(bytes, 8, partOf('data size', where));
  const dataSize = readU32(bytes, 12) * TWO_32 + readU32(bytes, 8);
  const typeAndCountLow = readU32(bytes, 24);
  const countHigh = readU32(bytes, 28);
  const chunkType = typeAndCountLow & 0xff;
  // num_records is the upper 56 bits of the u64; it must stay below 2^53 to be a safe number.
  if (countHigh >= 0x20_0000 << 8) throw new CorruptFileError(`record count of ${where} is beyond 2^53`);
  const numRecords = countHigh * (TWO_32 / 256) + (typeAndCountLow >>> 8);
  if (readU32(bytes, 36) >= 0x20_0000) readU64(bytes, 32, partOf('decoded data size', where));
  const decodedDataSize = readU32(bytes, 36) * TWO_32 + readU32(bytes, 32);
  return { dataSize, chunkType, numRecords, decodedDataSize };
}

/** True when `data` hashes to the data hash stored in the header bytes. */
export function chunkDataHashMatches(headerBytes: Uint8Array, data: Uint8Array): boolean {
  return hashMatches(data, headerBytes, 16);
}

/** The error for chunk data whose hash differs from its header's. */
export function dataHashMismatch(headerBytes: Uint8Array, data: Uint8Array, where: Where): CorruptFileError {
  return new CorruptFileError(
    `chunk data hash mismatch (computed ${hashHex(data)}, stored ${storedHashHex(headerBytes, 16)}), ${where} with data size ${data.length}`,
  );
}

/** Builds the 40 header bytes of a chunk holding `data`. */
export function buildChunkHeader(header: ChunkHeader, data: Uint8Array): Uint8Array {
  if (header.numRecords > MAX_NUM_RECORDS) throw new RangeError(`a chunk holds at most ${MAX_NUM_RECORDS} records`);
  const bytes = new Uint8Array(CHUNK_HEADER_SIZE);
  writeU64(bytes, 8, header.dataSize);
  writeHash(data, bytes, 16);
  writeU32(bytes, 24, ((header.numRecords % (TWO_32 / 256)) * 256 + header.chunkType) >>> 0);
  writeU32(bytes, 28, Math.floor(header.numRecords / (TWO_32 / 256)));
  writeU64(bytes, 32, header.decodedDataSize);
  writeHash(bytes.subarray(8), bytes, 0);
  return bytes;
}
