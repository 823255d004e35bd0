// Snappy streams for the decoders' tests: built from tag bytes, and decoded as the format's
// description reads, one byte at a time (the reference the decoders are compared with).

/** `value` as a little-endian base-128 varint (a stream's leading decoded size). */
export function varint(value: number): number[] {
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  bytes.push(value);
  return bytes;
}

/** A stream of `size` output bytes from tag bytes. */
export function stream(size: number, ...tags: number[]): Uint8Array {
  return Uint8Array.from([...varint(size), ...tags]);
}

/** The decoded bytes of `src`, or undefined for a stream that is not valid snappy. */
export function referenceDecode(src: Uint8Array): Uint8Array | undefined {
  let pos = 0;
  let size = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= src.length || shift > 28) return undefined;
    const byte = src[pos++]!;
    size += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  const out: number[] = [];
  while (pos < src.length) {
    const tag = src[pos++]!;
    if ((tag & 3) === 0) {
      let len = (tag >> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        if (pos + extra > src.length) return undefined;
        len = 1;
        for (let i = 0; i < extra; i++) len += src[pos + i]! * 256 ** i;
        pos += extra;
      }
      if (pos + len > src.length) return undefined;
      for (let i = 0; i < len; i++) out.push(src[pos + i]!);
      pos += len;
    } else {
      const offsetBytes = [0, 1, 2, 4][tag & 3]!;
      if (pos + offsetBytes > src.length) return undefined;
      const len = (tag & 3) === 1 ? ((tag >> 2) & 7) + 4 : (tag >> 2) + 1;
      let offset = (tag & 3) === 1 ? (tag >> 5) << 8 : 0;
      for (let i = 0; i < offsetBytes; i++) offset += src[pos + i]! * 256 ** i;
      pos += offsetBytes;
      if (offset === 0 || offset > out.length) return undefined;
      for (let i = 0; i < len; i++) out.push(out[out.length - offset]!);
    }
    if (out.length > size) return undefined;
  }
  return out.length === size ? Uint8Array.from(out) : undefined;
}
