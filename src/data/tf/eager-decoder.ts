// Decoding a wanted Feature straight into the batch output while the map scan passes over it.

import { canonicalSingleBytes, decodeCanonicalInt32 } from './canonical-feature.js';

/** The scanner calls the decoder's `decodeEager`. */
export const EAGER_BY_CALL = 0;
/** One bytes value of `eagerSize` bytes, copied with `set` (which also widens bytes to numbers). */
export const EAGER_SINGLE_BYTES = 1;
/** `eagerSize` packed int64 values that fit in int32, written into an Int32Array. */
export const EAGER_INT32_LIST = 2;

/**
 * A column that decodes its values during the scan when they have the layout serializers write;
 * anything else (and every error) is left to the column's own decoder after the scan. The two
 * commonest layouts are decoded by `decodeEagerly` itself, the rest through `decodeEager`.
 */
export interface EagerDecoder {
  /** EAGER_BY_CALL, EAGER_SINGLE_BYTES or EAGER_INT32_LIST; may change per batch. */
  readonly eagerKind: number;
  /** Elements of `eagerOutput` per record. */
  readonly eagerSize: number;
  /** This batch's output; record `r` owns elements `[r * eagerSize, (r + 1) * eagerSize)`. */
  readonly eagerOutput: Uint8Array | Int32Array | Float32Array;
  /** Required with EAGER_BY_CALL: decodes the Feature in `bytes[start, end)` into row `record`. */
  decodeEager?(bytes: Uint8Array, start: number, end: number, record: number): boolean;
}

/**
 * Decodes the Feature in `bytes[start, end)` into row `record` of the decoder's output; false
 * (possibly having written part of the row) when it has another layout.
 */
export function decodeEagerly(decoder: EagerDecoder, bytes: Uint8Array, start: number, end: number, record: number): boolean {
  const kind = decoder.eagerKind;
  const size = decoder.eagerSize;
  if (kind === EAGER_SINGLE_BYTES) {
    const value = canonicalSingleBytes(bytes, start, end, size);
    if (value < 0) return false;
    decoder.eagerOutput.set(bytes.subarray(value, end), record * size);
    return true;
  }
  if (kind === EAGER_INT32_LIST) {
    return decodeCanonicalInt32(bytes, start, end, decoder.eagerOutput as Int32Array, record * size, size);
  }
  return decoder.decodeEager!(bytes, start, end, record);
}
