// Corrupt transposed chunks: every bad index, length, transition and loop must give CorruptFileError naming the chunk.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptFileError } from '../../../src/format/errors.js';
import { CompressionType } from '../../../src/format/riegeli/constants.js';
import type { CompressorOptions } from '../../../src/format/riegeli/compression.js';
import { recordOf } from '../../../src/format/riegeli/decoded-chunk.js';
import { decodeTransposedChunk, DEFAULT_TRANSPOSE_BUCKET_SIZE, encodeTransposedChunk } from '../../../src/format/riegeli/transpose/index.js';
import { record } from './arbitraries.js';
import { buildChunk, ONE_RECORD, type ChunkSpec } from './chunk-builder.js';
import { goldenExample } from './proto-builders.js';

const WHERE = 'chunk at 1234 of test.array_record';

function decodeSpec(spec: ChunkSpec, numRecords = 1, decodedDataSize = 2): Uint8Array[] {
  const chunk = decodeTransposedChunk(buildChunk(spec), numRecords, decodedDataSize, WHERE);
  return Array.from({ length: numRecords }, (_, i) => recordOf(chunk, i));
}

function expectCorrupt(action: () => unknown, message: RegExp): void {
  let error: unknown;
  try {
    action();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(CorruptFileError);
  expect((error as Error).message).toContain(WHERE);
  expect((error as Error).message).toMatch(message);
}

// Decoding either succeeds or throws CorruptFileError; anything else (RangeError, TypeError, a hang) fails the test.
function decodeOrCorrupt(data: Uint8Array, numRecords: number, size: number): 'ok' | 'corrupt' {
  try {
    const chunk = decodeTransposedChunk(data, numRecords, size, WHERE);
    expect(chunk.ends).toHaveLength(numRecords);
    expect(chunk.values).toHaveLength(size);
    return 'ok';
  } catch (error) {
    if (!(error instanceof CorruptFileError)) throw error;
    expect(error.message).toContain(WHERE);
    return 'corrupt';
  }
}

describe('hand-built transposed chunks', () => {
  it('the valid one decodes', () => {
    expect(decodeSpec(ONE_RECORD).map((r) => Array.from(r))).toEqual([[0x08, 0x05]]);
  });

  const cases: readonly [string, Partial<ChunkSpec>, RegExp][] = [
    ['an implicit loop', { bases: [0 + 2, 0] }, /implicit transitions form a loop/],
    ['a base beyond the states', { bases: [5, 0] }, /base 5, expected below 4/],
    ['a first state beyond the states', { first: 2 }, /first state is 2, expected below 2/],
    ['the never-written root id as a tag', { tags: [4, 3], subtypes: [], bufferIndices: [] }, /state 0 has tag 4/],
    ['wire type 7', { tags: [0x0f, 3], subtypes: [], bufferIndices: [] }, /state 0 has tag 15/],
    ['field number 0 with the submessage-end wire type', { tags: [6, 3], subtypes: [], bufferIndices: [] }, /state 0 has tag 6/],
    ['a varint subtype beyond the inline range', { subtypes: [200] }, /subtype 200, expected 0-137/],
    ['a buffer index beyond the buffers', { bufferIndices: [1] }, /reads buffer 1, there are 1/],
    ['a transition to a state beyond the states', { bases: [3, 0], transitions: [0x10] }, /transition byte 0 leads to state 4, there are 2/],
    ['a buffer with bytes no state reads', { buffers: [[0x05, 0x06]] }, /buffer 0 has 1 bytes no state read/],
    ['a stored varint byte with its high bit set', { buffers: [[0x85]] }, /high bit set/],
    ['a submessage start without end', { tags: [2, 3], subtypes: [], bufferIndices: [], buffers: [] }, /starts a submessage that no state ended/],
    ['a submessage end without start', { tags: [0x0e, 3], subtypes: [], bufferIndices: [], buffers: [] }, /record starts while 1 submessages are open/],
    ['a header with bytes after the first state', { first: 0, transitions: [], bufferIndices: [0, 0] }, /bytes after the first state index/],
  ];
  for (const [name, change, message] of cases) {
    it(`rejects ${name}`, () => expectCorrupt(() => decodeSpec({ ...ONE_RECORD, ...change }), message));
  }

  it('rejects record counts and sizes that disagree with the chunk header', () => {
    expectCorrupt(() => decodeSpec(ONE_RECORD, 0, 2), /more records than the 0/);
    expectCorrupt(() => decodeSpec(ONE_RECORD, 2, 2), /1 records decoded, the chunk header announces 2/);
    expectCorrupt(() => decodeSpec(ONE_RECORD, 1, 3), /records fill 2 bytes, the chunk header announces 3/);
    expectCorrupt(() => decodeSpec(ONE_RECORD, 1, 1), /writes beyond the 1 record bytes/);
  });

  it('stops a machine that walks without writing (implicit no-op chains) by its step budget', () => {
    const chain = 50;
    const spec: ChunkSpec = {
      tags: Array.from({ length: chain }, () => 0),
      bases: Array.from({ length: chain }, (_, i) => (i + 1 < chain ? i + 1 + chain : 0)),
      first: 0,
      transitions: Array.from({ length: 100 }, () => 0x03),
    };
    expectCorrupt(() => decodeSpec(spec, 1, 0), /more steps than/);
  });

  it('rejects chunk data that is empty, has an unknown codec or a header longer than the data', () => {
    expectCorrupt(() => decodeTransposedChunk(new Uint8Array(0), 1, 2, WHERE), /no compression type byte/);
    expectCorrupt(() => decodeTransposedChunk(Uint8Array.of(0x41, 0), 1, 2, WHERE), /compression type 0x41/);
    expectCorrupt(() => decodeTransposedChunk(Uint8Array.of(0, 50, 1, 2), 1, 2, WHERE), /header claims 50 bytes, only 2 remain/);
  });

  it('rejects chunk header counts no data could produce before allocating for them', () => {
    expectCorrupt(() => decodeSpec(ONE_RECORD, 1, 2 ** 40), /announces 1099511627776 record bytes, more than this chunk data can produce/);
    expectCorrupt(() => decodeSpec(ONE_RECORD, 2 ** 50, 2), /announces 1125899906842624 records, more than this chunk data can produce/);
  });
});

describe('damaged encoder output', () => {
  const records = [goldenExample(1), Buffer.from('plain text record'), goldenExample(2), new Uint8Array(0), Uint8Array.of(8, 150, 1, 21, 1, 2, 3, 4)];
  const size = records.reduce((sum, r) => sum + r.length, 0);
  const codecs: readonly [string, CompressorOptions][] = [
    ['none', { type: CompressionType.none, level: 0 }],
    ['zstd', { type: CompressionType.zstd, level: 3 }],
    ['snappy', { type: CompressionType.snappy, level: 0 }],
  ];

  for (const [name, options] of codecs) {
    const data = encodeTransposedChunk(records, options, 64).data;

    it(`every truncation is corrupt (${name})`, () => {
      for (let length = 0; length < data.length; length++) {
        expect(decodeOrCorrupt(data.subarray(0, length), records.length, size), `truncated to ${length}`).toBe('corrupt');
      }
    });

    it(`every flipped byte decodes or is corrupt, and structure flips are caught (${name})`, () => {
      let corrupt = 0;
      for (let i = 0; i < data.length; i++) {
        for (const mask of [0x01, 0x10, 0x80, 0xff]) {
          const damaged = data.slice();
          damaged[i]! ^= mask;
          if (decodeOrCorrupt(damaged, records.length, size) === 'corrupt') corrupt++;
        }
      }
      expect(corrupt).toBeGreaterThan(0);
    });
  }

  it('random chunk data never escapes as another error (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 300 }), (data, numRecords, size) => {
        decodeOrCorrupt(Uint8Array.of(0, ...data.subarray(1)), numRecords, size);
      }),
      { numRuns: 2000 },
    );
  });

  it('random state machines never hang or escape as another error (fuzz)', () => {
    const spec = fc.integer({ min: 1, max: 12 }).chain((states) =>
      fc.record({
        buffers: fc.array(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }), { maxLength: 3 }),
        tags: fc.array(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom(0x08, 0x0a, 0x0d, 0x0e, 0x09, 0x0b, 0x0c, 0x10)), {
          minLength: states,
          maxLength: states,
        }),
        bases: fc.array(fc.integer({ min: 0, max: 2 * states - 1 }), { minLength: states, maxLength: states }),
        subtypes: fc.array(fc.integer({ min: 0, max: 140 }), { maxLength: states }),
        bufferIndices: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: states }),
        first: fc.integer({ min: 0, max: states - 1 }),
        transitions: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }),
      }),
    );
    fc.assert(
      fc.property(spec, fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 100 }), (chunkSpec, numRecords, size) => {
        decodeOrCorrupt(buildChunk(chunkSpec), numRecords, size);
      }),
      { numRuns: 3000 },
    );
  });

  it('flips in encoder output of generated records never escape as another error', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 8 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (generated, at, mask) => {
        const encoded = encodeTransposedChunk(generated, codecs[0]![1], DEFAULT_TRANSPOSE_BUCKET_SIZE);
        const damaged = encoded.data.slice();
        damaged[at % damaged.length]! ^= mask;
        decodeOrCorrupt(damaged, encoded.numRecords, encoded.decodedDataSize);
      }),
      { numRuns: 500 },
    );
  });
});
