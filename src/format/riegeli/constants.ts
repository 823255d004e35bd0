// Values frozen by the Riegeli/records file format; changing any of them breaks every existing file.

/** Size of a block: a block header interrupts the chunk sequence at every multiple of it. */
export const BLOCK_SIZE = 1 << 16;
/** Block header: header_hash, previous_chunk, next_chunk (3 × u64). */
export const BLOCK_HEADER_SIZE = 24;
/** Bytes of a block available to chunks. */
export const USABLE_BLOCK_SIZE = BLOCK_SIZE - BLOCK_HEADER_SIZE;
/** Chunk header: header_hash, data_size, data_hash, chunk_type + num_records, decoded_data_size. */
export const CHUNK_HEADER_SIZE = 40;

/** Every file begins with a block header and the signature chunk's header: other chunks begin after them. */
export const FIRST_CHUNK_OFFSET = BLOCK_HEADER_SIZE + CHUNK_HEADER_SIZE;

/** Chunk types, stored in the chunk header's type byte. */
export const ChunkType = {
  fileSignature: 0x73, // 's'
  fileMetadata: 0x6d, // 'm'
  padding: 0x70, // 'p'
  simple: 0x72, // 'r'
  transposed: 0x74, // 't'
} as const;
export type ChunkTypeCode = (typeof ChunkType)[keyof typeof ChunkType];

/** Compression types, stored as the first byte of simple and transposed chunk data. */
export const CompressionType = {
  none: 0,
  brotli: 0x62, // 'b'
  zstd: 0x7a, // 'z'
  snappy: 0x73, // 's'
} as const;
export type CompressionTypeCode = (typeof CompressionType)[keyof typeof CompressionType];

/** HighwayHash-64 key: 'Riegeli/', 'records\n', 'Riegeli/', 'records\n'. */
export const HASH_KEY_TEXT = 'Riegeli/records\nRiegeli/records\n';

/** A chunk header's num_records is 7 bytes wide. */
export const MAX_NUM_RECORDS = 2 ** 56 - 1;
