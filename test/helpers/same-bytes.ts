// Byte-for-byte comparison of large buffers. toEqual walks a typed array element by element through
// vitest's generic equality: ~3 µs a byte on an idle machine and several times that on a loaded one,
// where comparing a 4.5 MB file took 87 s, past the test's timeout. Buffer.equals compares in native
// code; a mismatch still fails with a diff, of the lengths and of the bytes where the two first differ.

import { expect } from 'vitest';

/** Expects `actual` to hold exactly the bytes of `expected`. */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array, label?: string): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(b)) return;
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  const around = (bytes: Buffer): { length: number; firstDifference: number; bytes: string } => ({
    length: bytes.length,
    firstDifference: at,
    bytes: bytes.subarray(at, at + 32).toString('hex'),
  });
  expect(around(a), label).toEqual(around(b));
}
