// Test-only proto wire builders: the golden README's tf.Example records and generic fields for generated messages.

import { contentRecord } from '../../helpers/golden.js';

/** Bytes of a varint of a non-negative integer below 2^53. */
export function varint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

/** A tag for a field number and wire type. */
export function tag(field: number, wireType: number): number[] {
  return varint(field * 8 + wireType);
}

/** A length-delimited field. */
export function lengthDelimited(field: number, payload: ArrayLike<number>): number[] {
  return [...tag(field, 2), ...varint(payload.length), ...Array.from(payload)];
}

function mapEntry(key: string, feature: number[]): number[] {
  return lengthDelimited(1, [...lengthDelimited(1, Buffer.from(key, 'ascii')), ...lengthDelimited(2, feature)]);
}

/**
 * tf.Example `i` of the golden files: features id, image, label, name, score (sorted by key),
 * int64 and float lists packed, as the golden README specifies.
 */
export function goldenExample(i: number): Uint8Array {
  const int64List = (value: number): number[] => lengthDelimited(3, lengthDelimited(1, varint(value)));
  const floats = new Uint8Array(8);
  const view = new DataView(floats.buffer);
  view.setFloat32(0, i * 0.5, true);
  view.setFloat32(4, -(i * 0.25), true);
  const features = [
    ...mapEntry('id', int64List(i)),
    ...mapEntry('image', lengthDelimited(1, lengthDelimited(1, contentRecord(i, 784)))),
    ...mapEntry('label', int64List(i % 10)),
    ...mapEntry('name', lengthDelimited(1, lengthDelimited(1, Buffer.from(`ex${i}`, 'ascii')))),
    ...mapEntry('score', lengthDelimited(2, lengthDelimited(1, floats))),
  ];
  return Uint8Array.from(lengthDelimited(1, features));
}
