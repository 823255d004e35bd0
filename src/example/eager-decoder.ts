// Decoding a wanted Feature straight into the batch output while the map scan passes over it.

/** The scanner calls the decoder's `decodeEager`. */
export const EAGER_BY_CALL = 0;
/** One bytes value of `eagerSize` bytes, copied with `set` (which also widens bytes to numbers). */
export const EAGER_SINGLE_BYTES = 1;
/** `eagerSize` packed int64 values that fit in int32, written into an Int32Array. */
export const EAGER_INT32_LIST = 2;

/** Tag of a Feature's bytes_list field. */
export const BYTES_LIST_TAG = 0x0a;
const INT64_LIST_TAG = 0x1a;

/**
 * A column that decodes its values during the scan when a Feature has the layout serializers
 * write: one list field whose payload is one field 1 (a bytes value, or a packed list). Anything
 * else (and every error) is left to the column's own decoder after the scan. The two commonest
 * cases are decoded by `decodeEagerly` itself, the rest through `decodeEager`.
 */
export interface EagerDecoder {
  /** EAGER_BY_CALL, EAGER_SINGLE_BYTES or EAGER_INT32_LIST; may change per batch. */
  readonly eagerKind: number;
  /** Elements of `eagerOutput` per record. */
  readonly eagerSize: number;
  /** This batch's output; record `r` owns elements `[r * eagerSize, (r + 1) * eagerSize)`. */
  readonly eagerOutput: Uint8Array | Int32Array | Float32Array;
  /**
   * Required with EAGER_BY_CALL: decodes into row `record` the Feature whose list field has tag
   * `listTag` and whose single value (or packed payload) is `bytes[start, end)`.
   */
  decodeEager?(bytes: Uint8Array, listTag: number, start: number, end: number, record: number): boolean;
}

/**
 * Decodes into row `record` of the decoder's output the Feature whose list field has tag
 * `listTag` and whose single value (or packed payload) is `bytes[start, end)`; false (possibly
 * having written part of the row) when it holds something else.
 */
export function decodeEagerly(
  decoder: EagerDecoder,
  bytes: Uint8Array,
  listTag: number,
  start: number,
  end: number,
  record: number,
): boolean {
  const kind = decoder.eagerKind;
  const size = decoder.eagerSize;
  if (kind === EAGER_SINGLE_BYTES) {
    if (listTag !== BYTES_LIST_TAG || end - start !== size) return false;
    decoder.eagerOutput.set(bytes.subarray(start, end), record * size);
    return true;
  }
  if (kind === EAGER_INT32_LIST) {
    return listTag === INT64_LIST_TAG && decodeInt32Varints(bytes, start, end, decoder.eagerOutput as Int32Array, record * size, size);
  }
  return decoder.decodeEager!(bytes, listTag, start, end, record);
}

/**
 * Writes the varints of `bytes[start, end)` into `out` at `offset` when they are exactly `size`
 * values in [0, 2^31); false (having maybe written part of the row) otherwise, so the column's
 * own decoder reruns and produces negative values, 64-bit values and errors.
 */
function decodeInt32Varints(bytes: Uint8Array, start: number, end: number, out: Int32Array, offset: number, size: number): boolean {
  let pos = start;
  let count = 0;
  // A short loop rather than an unrolled varint: it runs inside the scan loop and shares its
  // inlining budget.
  while (pos < end && count < size) {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[pos++]!;
      value |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte >= 0x80 && shift < 35);
    // Stop at a varint past the end, longer than 5 bytes, or above 2^31 - 1 (bit 31 set).
    if (byte >= 0x80 || pos > end || (shift === 35 && byte >= 0x08)) return false;
    out[offset + count++] = value;
  }
  return pos === end && count === size;
}
