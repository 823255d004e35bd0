// Hand-built protobuf bytes for tests: any field order, packed or not, unknown fields, malformed data.

/** Concatenates byte parts (numbers are single bytes). */
export function bytes(...parts: (Uint8Array | number[] | number)[]): Uint8Array {
  const flat: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') flat.push(part);
    else flat.push(...part);
  }
  return Uint8Array.from(flat);
}

/** The varint encoding of a non-negative integer or a bigint (negative bigints as 64-bit two's complement). */
export function varint(value: number | bigint): number[] {
  let rest = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return out;
}

/** A tag: field number and wire type. */
export function tag(field: number, wireType: number): number[] {
  return varint((field << 3) | wireType);
}

/** A length-delimited field. */
export function delimited(field: number, ...payload: (Uint8Array | number[] | number)[]): Uint8Array {
  const body = bytes(...payload);
  return bytes(tag(field, 2), varint(body.length), body);
}

/** A little-endian float32. */
export function float32(value: number): number[] {
  return Array.from(new Uint8Array(new Float32Array([value]).buffer));
}

/** An Example holding the given map entries (each `entry(key, feature)`) in one Features message. */
export function example(...entries: Uint8Array[]): Uint8Array {
  return delimited(1, ...entries);
}

/** A Features map entry: key field then value field. */
export function entry(key: string, feature: Uint8Array): Uint8Array {
  return delimited(1, delimited(1, new TextEncoder().encode(key)), delimited(2, feature));
}

/** Feature bodies (the Feature message's bytes). */
export const feature = {
  int64Packed: (...values: (number | bigint)[]) => delimited(3, delimited(1, ...values.map(varint))),
  int64Unpacked: (...values: (number | bigint)[]) => delimited(3, ...values.map((value) => bytes(tag(1, 0), varint(value)))),
  floatPacked: (...values: number[]) => delimited(2, delimited(1, ...values.map(float32))),
  floatUnpacked: (...values: number[]) => delimited(2, ...values.map((value) => bytes(tag(1, 5), float32(value)))),
  bytes: (...values: (string | number[])[]) =>
    delimited(1, ...values.map((value) => delimited(1, typeof value === 'string' ? [...new TextEncoder().encode(value)] : value))),
};
