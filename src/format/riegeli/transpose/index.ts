// Transposed chunks ('t'): records stored column by column, as Riegeli's `transpose` writer option does.

export { DEFAULT_TRANSPOSE_BUCKET_SIZE } from './constants.js';
export { decodeTransposedChunk } from './decoder.js';
export { encodeTransposedChunk } from './encoder.js';
