// Inline decoders for Features laid out as serializers write them; anything else falls back to FeatureCursor.

/**
 * When `bytes[start, end)` is a Feature holding exactly one list field with tag `listTag`, whose
 * payload is exactly one field with tag 0x0a (a bytes value, or a packed list), each with a 1- or
 * 2-byte length, returns where that inner payload starts (it runs to `end`); otherwise -1.
 * Written flat, without helper calls, because it runs once per feature per record and V8's
 * inlining budget is spent by then.
 */
function canonicalInnerPayload(bytes: Uint8Array, start: number, end: number, listTag: number): number {
  if (end - start < 4 || bytes[start] !== listTag) return -1;
  let pos = start + 1;
  let length = bytes[pos++]!;
  if (length >= 0x80) {
    const high = bytes[pos++]!;
    if (high >= 0x80) return -1;
    length = (length & 0x7f) | (high << 7);
  }
  if (pos + length !== end || end - pos < 2 || bytes[pos] !== 0x0a) return -1;
  pos++;
  length = bytes[pos++]!;
  if (length >= 0x80) {
    if (pos >= end) return -1;
    const high = bytes[pos++]!;
    if (high >= 0x80) return -1;
    length = (length & 0x7f) | (high << 7);
  }
  return pos + length === end ? pos : -1;
}

/**
 * Decodes a Feature that is `int64_list { value: [packed] }` with exactly `size` values, each a
 * non-negative int32, into `out` at `offset`. Returns false (having maybe written part of the
 * row) for any other layout or value, so the caller reruns the general decoder, which also
 * produces the precise error.
 */
export function decodeCanonicalInt32(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Int32Array,
  offset: number,
  size: number,
): boolean {
  let pos = canonicalInnerPayload(bytes, start, end, 0x1a);
  if (pos < 0) return false;
  let count = 0;
  // A short loop rather than an unrolled varint: this runs inside the scan loop, whose inlining
  // budget it shares.
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

/**
 * The start of the value when a Feature is `bytes_list { value: [one value of byteLength] }`
 * laid out canonically, else -1 (the caller then uses the general decoder).
 */
export function canonicalSingleBytes(bytes: Uint8Array, start: number, end: number, byteLength: number): number {
  const value = canonicalInnerPayload(bytes, start, end, 0x0a);
  return value >= 0 && end - value === byteLength ? value : -1;
}
