// Everything the fuzzer takes from src/format, in one place: when the format layer moves or renames a
// helper, this file is the one to adapt. Only leaf codecs and framing formulas are used for forging, so
// that forged files do not depend on the reader code under test.

export {
  BLOCK_HEADER_SIZE,
  BLOCK_SIZE,
  CHUNK_HEADER_SIZE,
  ChunkType,
  CompressionType,
  USABLE_BLOCK_SIZE,
  type CompressionTypeCode,
} from '../../src/format/riegeli/constants.js';
export { readU32, writeU64, writeVarint, varintLength, VarintCursor } from '../../src/format/riegeli/bytes.js';
export { hashMatches, writeHash } from '../../src/format/riegeli/highway-hash.js';
export { buildChunkHeader } from '../../src/format/riegeli/chunk-header.js';
export { buildBlockHeader } from '../../src/format/riegeli/block-header.js';
export {
  addWithOverhead,
  chunkEnd,
  distanceWithoutOverhead,
  isBlockBoundary,
  posAfterPadding,
  remainingInBlock,
} from '../../src/format/riegeli/block.js';
export { frameChunk } from '../../src/format/riegeli/chunk-frame.js';
export type { EncodedChunkData } from '../../src/format/riegeli/decoded-chunk.js';
export { encodeBlock, decodeBlock, type CompressorOptions } from '../../src/format/riegeli/compression.js';
export { encodeSimpleChunk } from '../../src/format/riegeli/simple-chunk.js';
export { encodeTransposedChunk } from '../../src/format/riegeli/transpose/index.js';
export { encodeMetadataChunk } from '../../src/format/riegeli/records-metadata.js';
export {
  decodeChunkFooter,
  decodeFooterMetadata,
  decodePostscript,
  encodeChunkFooter,
  encodeFooterMetadata,
  encodePostscript,
  type ChunkFooter,
  type FooterMetadata,
} from '../../src/format/arrayrecord/layout.js';
