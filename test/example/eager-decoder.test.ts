// The scan-time decoders in isolation: they must decode exactly the layouts they claim and refuse the rest.

import { describe, expect, it } from 'vitest';
import {
  EAGER_BY_CALL,
  EAGER_INT32_LIST,
  EAGER_SINGLE_BYTES,
  decodeEagerly,
  type EagerDecoder,
} from '../../src/example/eager-decoder.js';
import { exampleColumn } from '../../src/example/example-columns.js';
import { fixedLen, fixedLenRaw } from '../../src/example/index.js';
import { varint } from './proto-bytes.js';

const BYTES_LIST = 0x0a;
const FLOAT_LIST = 0x12;
const INT64_LIST = 0x1a;

function decoder(eagerKind: number, eagerSize: number, eagerOutput: Uint8Array | Int32Array | Float32Array): EagerDecoder {
  return { eagerKind, eagerSize, eagerOutput };
}

describe('EAGER_SINGLE_BYTES', () => {
  it('copies a value of the right length into its row, widening bytes to floats', () => {
    const out = new Float32Array(6).fill(-1);
    const bytes = Uint8Array.of(9, 1, 2, 255, 9);
    expect(decodeEagerly(decoder(EAGER_SINGLE_BYTES, 3, out), bytes, BYTES_LIST, 1, 4, 1)).toBe(true);
    expect(Array.from(out)).toEqual([-1, -1, -1, 1, 2, 255]);
  });

  it('refuses another list kind or another length', () => {
    const out = new Uint8Array(3);
    const bytes = Uint8Array.of(1, 2, 3, 4);
    expect(decodeEagerly(decoder(EAGER_SINGLE_BYTES, 3, out), bytes, FLOAT_LIST, 0, 3, 0)).toBe(false);
    expect(decodeEagerly(decoder(EAGER_SINGLE_BYTES, 3, out), bytes, BYTES_LIST, 0, 4, 0)).toBe(false);
    expect(decodeEagerly(decoder(EAGER_SINGLE_BYTES, 3, out), bytes, BYTES_LIST, 0, 2, 0)).toBe(false);
    expect(Array.from(out)).toEqual([0, 0, 0]);
  });
});

describe('EAGER_INT32_LIST', () => {
  const decodeInts = (values: (number | bigint)[], size: number, listTag = INT64_LIST): number[] | false => {
    const bytes = Uint8Array.from(values.flatMap((value) => varint(value)));
    const out = new Int32Array(size);
    return decodeEagerly(decoder(EAGER_INT32_LIST, size, out), bytes, listTag, 0, bytes.length, 0) && Array.from(out);
  };

  it('decodes exactly `size` values in [0, 2^31)', () => {
    expect(decodeInts([5, 300, 2 ** 31 - 1], 3)).toEqual([5, 300, 2 ** 31 - 1]);
    expect(decodeInts([0], 1)).toEqual([0]);
  });

  it('leaves everything else to the general decoder', () => {
    expect(decodeInts([2 ** 31], 1)).toBe(false);
    expect(decodeInts([-1], 1)).toBe(false);
    expect(decodeInts([2n ** 40n], 1)).toBe(false);
    expect(decodeInts([1, 2], 1)).toBe(false);
    expect(decodeInts([1], 2)).toBe(false);
    expect(decodeInts([1], 1, BYTES_LIST)).toBe(false);
    const truncated = Uint8Array.of(0x81);
    expect(decodeEagerly(decoder(EAGER_INT32_LIST, 1, new Int32Array(1)), truncated, INT64_LIST, 0, 1, 0)).toBe(false);
    const pastEnd = Uint8Array.of(0x81, 0x01);
    expect(decodeEagerly(decoder(EAGER_INT32_LIST, 1, new Int32Array(1)), pastEnd, INT64_LIST, 0, 1, 0)).toBe(false);
  });
});

describe('what the Example columns ask the scan for', () => {
  const words = Uint8Array.of(1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff);

  it('int32 words into an int32 output are copied as bytes', () => {
    const column = exampleColumn('w', fixedLenRaw([2], { rawType: 'int32' }), false);
    column.begin(1);
    const eager = column.eager!;
    expect(eager.eagerKind).toBe(EAGER_SINGLE_BYTES);
    expect(decodeEagerly(eager, words, BYTES_LIST, 0, 8, 0)).toBe(true);
    expect(Array.from(new Int32Array(eager.eagerOutput.buffer, eager.eagerOutput.byteOffset, 2))).toEqual([0x04030201, -1]);
  });

  it('int32 words widened to float32 go through the column', () => {
    const column = exampleColumn('w', fixedLenRaw([2], { rawType: 'int32', as: 'float32' }), false);
    column.begin(2);
    const eager = column.eager!;
    expect(eager.eagerKind).toBe(EAGER_BY_CALL);
    expect(decodeEagerly(eager, words, BYTES_LIST, 0, 8, 1)).toBe(true);
    expect(Array.from(eager.eagerOutput)).toEqual([0, 0, Math.fround(0x04030201), -1]);
    expect(decodeEagerly(eager, words, BYTES_LIST, 0, 4, 1)).toBe(false);
    expect(decodeEagerly(eager, words, INT64_LIST, 0, 8, 1)).toBe(false);
  });

  it('int64 features decode during the scan only as int32', () => {
    const ints = exampleColumn('n', fixedLen([2], 'int64'), false);
    ints.begin(1);
    expect(ints.eager?.eagerKind).toBe(EAGER_INT32_LIST);
    expect(exampleColumn('n', fixedLen([2], 'int64', { as: 'bigint' }), false).eager).toBeUndefined();
    expect(exampleColumn('f', fixedLen([2], 'float32'), false).eager).toBeUndefined();
  });
});
