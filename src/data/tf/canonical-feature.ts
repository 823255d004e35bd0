// Inline decoders for Features laid out as serializers write them; anything else falls back to FeatureCursor.

/**
 * When `bytes[start, end)` is exactly one length-delimited field with tag `tag` (1- or 2-byte
 * length prefix), returns where its payload starts; otherwise -1.
 */
function singleField(bytes: Uint8Array, start: number, end: number, tag: number): number {
  if (end - start < 2 || bytes[start] !== tag) return -1;
  let length = bytes[start + 1]!;
  let pos = start + 2;
  if (length >= 0x80) {
    if (pos >= end) return -1;
    const second = bytes[pos++]!;
    if (second >= 0x80) return -1;
    length = (length & 0x7f) | (second << 7);
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
  const list = singleField(bytes, start, end, 0x1a);
  if (list < 0) return false;
  let pos = singleField(bytes, list, end, 0x0a);
  if (pos < 0) return false;
  let count = 0;
  while (pos < end) {
    if (count === size) return false;
    let byte = bytes[pos++]!;
    let value = byte & 0x7f;
    if (byte >= 0x80) {
      byte = bytes[pos++]!;
      value |= (byte & 0x7f) << 7;
      if (byte >= 0x80) {
        byte = bytes[pos++]!;
        value |= (byte & 0x7f) << 14;
        if (byte >= 0x80) {
          byte = bytes[pos++]!;
          value |= (byte & 0x7f) << 21;
          if (byte >= 0x80) {
            byte = bytes[pos++]!;
            if (byte >= 0x08) return false;
            value |= byte << 28;
          }
        }
      }
      if (pos > end) return false;
    }
    out[offset + count++] = value;
  }
  return count === size;
}

/**
 * The start of the value when a Feature is `bytes_list { value: [one value of byteLength] }`
 * laid out canonically, else -1 (the caller then uses the general decoder).
 */
export function canonicalSingleBytes(bytes: Uint8Array, start: number, end: number, byteLength: number): number {
  const list = singleField(bytes, start, end, 0x0a);
  if (list < 0) return -1;
  const value = singleField(bytes, list, end, 0x0a);
  return value >= 0 && end - value === byteLength ? value : -1;
}
