// Round trips through the transposed encoder and decoder: generated protos, non-protos, every codec and bucket size.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompressionType } from '../../../src/format/riegeli/constants.js';
import type { CompressorOptions } from '../../../src/format/riegeli/compression.js';
import { recordOf } from '../../../src/format/riegeli/decoded-chunk.js';
import { decodeTransposedChunk, DEFAULT_TRANSPOSE_BUCKET_SIZE, encodeTransposedChunk } from '../../../src/format/riegeli/transpose/index.js';
import { parseTransposedChunk } from '../../../src/format/riegeli/transpose/layout.js';
import { deeplyNested, record } from './arbitraries.js';
import { kinds } from './layout-view.js';
import { goldenExample, lengthDelimited, tag, varint } from './proto-builders.js';

const CODECS: readonly [string, CompressorOptions][] = [
  ['none', { type: CompressionType.none, level: 0 }],
  ['zstd', { type: CompressionType.zstd, level: 3, windowLog: 20 }],
  ['brotli', { type: CompressionType.brotli, level: 5 }],
  ['snappy', { type: CompressionType.snappy, level: 0 }],
];

function roundTrip(records: readonly Uint8Array[], options: CompressorOptions, bucketSize: number): Uint8Array[] {
  const encoded = encodeTransposedChunk(records, options, bucketSize);
  expect(encoded.numRecords).toBe(records.length);
  expect(encoded.decodedDataSize).toBe(records.reduce((sum, r) => sum + r.length, 0));
  const decoded = decodeTransposedChunk(encoded.data, encoded.numRecords, encoded.decodedDataSize, 'test chunk');
  return Array.from({ length: records.length }, (_, i) => recordOf(decoded, i));
}

function expectSameRecords(actual: readonly Uint8Array[], expected: readonly Uint8Array[]): void {
  expect(actual.map((r) => Buffer.from(r).toString('hex'))).toEqual(expected.map((r) => Buffer.from(r).toString('hex')));
}

describe('transposed round trip', () => {
  for (const [name, options] of CODECS) {
    it(`generated records survive (${name}, several bucket sizes)`, () => {
      fc.assert(
        fc.property(fc.array(record, { maxLength: 30 }), fc.constantFrom(1, 16, DEFAULT_TRANSPOSE_BUCKET_SIZE, 4096, Infinity), (records, bucketSize) => {
          expectSameRecords(roundTrip(records, options, bucketSize), records);
        }),
        { numRuns: name === 'none' ? 300 : 60 },
      );
    });
  }

  it('tf.Examples of mixed sizes survive with every codec', () => {
    const records = Array.from({ length: 40 }, (_, i) => goldenExample(i * 37));
    for (const [, options] of CODECS) {
      for (const bucketSize of [1, 100, DEFAULT_TRANSPOSE_BUCKET_SIZE, 1 << 20]) expectSameRecords(roundTrip(records, options, bucketSize), records);
    }
  });

  it('no records, only empty records, a single record', () => {
    for (const [, options] of CODECS) {
      expectSameRecords(roundTrip([], options, DEFAULT_TRANSPOSE_BUCKET_SIZE), []);
      const empties = [new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)];
      expectSameRecords(roundTrip(empties, options, DEFAULT_TRANSPOSE_BUCKET_SIZE), empties);
      const single = [goldenExample(3)];
      expectSameRecords(roundTrip(single, options, DEFAULT_TRANSPOSE_BUCKET_SIZE), single);
    }
  });

  it('non-proto records are stored whole, between proto records', () => {
    const records = [Uint8Array.of(0xff, 0xff), goldenExample(1), Buffer.from('not a proto'), new Uint8Array(0), Uint8Array.of(0x08)];
    expectSameRecords(roundTrip(records, CODECS[0]![1], DEFAULT_TRANSPOSE_BUCKET_SIZE), records);
  });

  it('messages nested beyond the depth limit are kept as strings below it', () => {
    const records = [deeplyNested(99), deeplyNested(100), deeplyNested(101), deeplyNested(150)];
    for (const [, options] of CODECS) expectSameRecords(roundTrip(records, options, DEFAULT_TRANSPOSE_BUCKET_SIZE), records);
  });

  it('large records and large strings', () => {
    const big = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);
    const records = [Uint8Array.from(lengthDelimited(1, Array.from(big.subarray(0, 70_000)))), big, goldenExample(9)];
    for (const [, options] of CODECS) expectSameRecords(roundTrip(records, options, DEFAULT_TRANSPOSE_BUCKET_SIZE), records);
  });

  it('many distinct fields build no-op trees in the public list', () => {
    // Fields 1..300 in a different pseudo-random order per record, after a fixed prefix: rare
    // transitions go through the public list (far more than 64 states), frequent ones are private.
    let seed = 12345;
    const random = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const records = Array.from({ length: 60 }, (_, r) => {
      const order = Array.from({ length: 300 }, (_, k) => k + 1);
      for (let i = order.length - 1; i > 0; i--) {
        const j = random(i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      return Uint8Array.from([1000, 1001, 1002, ...order].flatMap((field) => [...tag(field, 0), ...varint(1000 + r)]));
    });
    const size = records.reduce((s, r) => s + r.length, 0);
    const layout = parseTransposedChunk(encodeTransposedChunk(records, CODECS[0]![1], 1).data, records.length, size, 't');
    expect(layout.numStates).toBeGreaterThan(300);
    expect(kinds(layout).filter((kind) => kind === 0).length).toBeGreaterThanOrEqual(4);
    for (const [, options] of CODECS) expectSameRecords(roundTrip(records, options, DEFAULT_TRANSPOSE_BUCKET_SIZE), records);
  });

  it('a field with many frequent successors builds no-op trees in its private list', () => {
    // Field 200 follows each of 100 fields at least 10 times: 100 private destinations of one state.
    const records: Uint8Array[] = [];
    for (let repeat = 0; repeat < 12; repeat++) {
      for (let k = 1; k <= 100; k++) records.push(Uint8Array.from([...tag(k, 0), ...varint(5 + k), ...tag(200, 0), ...varint(300)]));
    }
    const size = records.reduce((s, r) => s + r.length, 0);
    const layout = parseTransposedChunk(encodeTransposedChunk(records, CODECS[0]![1], 1).data, records.length, size, 't');
    expect(kinds(layout).filter((kind) => kind === 0).length).toBeGreaterThanOrEqual(1);
    for (const [, options] of CODECS) expectSameRecords(roundTrip(records, options, DEFAULT_TRANSPOSE_BUCKET_SIZE), records);
  });

  it('a state with frequent and rare successors reaches the rare ones through a no-op to the public list', () => {
    // Field 500 follows field 501 thirty times (a private state) and fields 1..50 once each (public).
    const records: Uint8Array[] = [];
    for (let i = 0; i < 30; i++) records.push(Uint8Array.from([...tag(501, 0), ...varint(9), ...tag(500, 0), ...varint(7)]));
    for (let k = 1; k <= 50; k++) records.push(Uint8Array.from([...tag(k, 5), 1, 2, 3, 4, ...tag(500, 0), ...varint(7)]));
    for (const [, options] of CODECS) expectSameRecords(roundTrip(records, options, DEFAULT_TRANSPOSE_BUCKET_SIZE), records);
  });

  it('the encoding is deterministic', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 20 }), (records) => {
        const a = encodeTransposedChunk(records, CODECS[0]![1], DEFAULT_TRANSPOSE_BUCKET_SIZE);
        const b = encodeTransposedChunk(records.map((r) => r.slice()), CODECS[0]![1], DEFAULT_TRANSPOSE_BUCKET_SIZE);
        expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects a bucket size that is not positive', () => {
    expect(() => encodeTransposedChunk([], CODECS[1]![1], 0)).toThrow(/bucket size must be positive/);
    expect(() => encodeTransposedChunk([], CODECS[1]![1], Number.NaN)).toThrow(/bucket size must be positive/);
  });
});
