// fast-check generators for transposed chunk tests: proto wire messages of every shape, and records that are not protos.

import fc from 'fast-check';
import { lengthDelimited, tag, varint } from './proto-builders.js';

/** A varint of a u64 given as a bigint (up to 10 bytes). */
function varint64(value: bigint): number[] {
  const out: number[] = [];
  while (value >= 0x80n) {
    out.push(Number(value & 0x7fn) | 0x80);
    value >>= 7n;
  }
  out.push(Number(value));
  return out;
}

/** Field numbers: mostly small (so fields repeat across records), sometimes up to the proto maximum. */
const fieldNumber = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 ** 29 - 1 }) },
);

/** Varint values covering inline (0..3), one-byte and up to ten-byte encodings. */
const varintValue = fc.oneof(
  fc.integer({ min: 0, max: 3 }).map(BigInt),
  fc.integer({ min: 0, max: 0x7f }).map(BigInt),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
);

const bytes = (maxLength: number): fc.Arbitrary<number[]> => fc.array(fc.integer({ min: 0, max: 255 }), { maxLength });
const fixedBytes = (length: number): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: length, maxLength: length });

/** Serialized proto messages with nested submessages, groups, packed fields and every wire type. */
export const protoMessage: fc.Arbitrary<number[]> = fc.letrec<{ message: number[]; field: number[] }>((tie) => ({
  message: fc.array(tie('field'), { maxLength: 6 }).map((fields) => fields.flat()),
  field: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fieldNumber, varintValue).map(([f, v]) => [...tag(f, 0), ...varint64(v)]),
    fc.tuple(fieldNumber, fixedBytes(4)).map(([f, b]) => [...tag(f, 5), ...b]),
    fc.tuple(fieldNumber, fixedBytes(8)).map(([f, b]) => [...tag(f, 1), ...b]),
    fc.tuple(fieldNumber, bytes(40)).map(([f, b]) => lengthDelimited(f, b)),
    fc.tuple(fieldNumber, fc.array(varintValue, { maxLength: 5 })).map(([f, values]) => lengthDelimited(f, values.flatMap(varint64))),
    fc.tuple(fieldNumber, tie('message')).map(([f, m]) => lengthDelimited(f, m)),
    fc.tuple(fieldNumber, tie('message')).map(([f, m]) => [...tag(f, 3), ...m, ...tag(f, 4)]),
  ),
})).message;

/** Records: proto messages, arbitrary bytes, empty records and near-protos that are not canonical. */
export const record: fc.Arbitrary<Uint8Array> = fc
  .oneof(
    { weight: 5, arbitrary: protoMessage },
    { weight: 2, arbitrary: bytes(60) },
    { weight: 1, arbitrary: fc.constant([]) },
    // A varint with a redundant trailing zero byte: valid wire format, but not canonical.
    { weight: 1, arbitrary: fc.tuple(fieldNumber, protoMessage).map(([f, m]) => [...m, ...tag(f, 0), 0x85, 0x00]) },
    // An unbalanced group.
    { weight: 1, arbitrary: fc.tuple(fieldNumber, protoMessage).map(([f, m]) => [...tag(f, 3), ...m]) },
  )
  .map((b) => Uint8Array.from(b));

/** A message nested `depth` levels deep, each level one length-delimited field 1. */
export function deeplyNested(depth: number): Uint8Array {
  let message = [...tag(2, 0), ...varint(7)];
  for (let i = 0; i < depth; i++) message = lengthDelimited(1, message);
  return Uint8Array.from(message);
}
