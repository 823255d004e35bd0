// BatchSampler: batch boundaries, remainder handling, buffers, errors.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidOptionsError, OutOfRangeError } from '../../src/format/errors.js';
import { BatchSampler, SequentialSampler, ShuffleSampler, SliceSampler, keysInto, keysOf } from '../../src/samplers/index.js';

describe('BatchSampler', () => {
  it('cuts the steps into batches, keeping or dropping the short last one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 50 }), fc.boolean(), (numRecords, batchSize, dropRemainder) => {
        const inner = new ShuffleSampler({ numRecords, seed: 1, numEpochs: 2 });
        const batches = new BatchSampler(inner, { batchSize, dropRemainder });
        const flat = Array.from({ length: batches.length }, (_, b) => batches.keysAt(b)).flat();
        const all = [...keysOf(inner)];
        const kept = dropRemainder ? all.length - (all.length % batchSize) : all.length;
        expect(flat).toEqual(all.slice(0, kept));
        for (let b = 0; b < batches.length; b++) {
          const size = batches.keysAt(b).length;
          expect(size === batchSize || (!dropRemainder && b === batches.length - 1)).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('fills a caller’s buffer without allocating', () => {
    const batches = new BatchSampler(new SequentialSampler({ numRecords: 5 }), { batchSize: 2 });
    const buffer = new Float64Array(2);
    expect(batches.keysInto(2, buffer)).toBe(1);
    expect(buffer[0]).toBe(4);
    expect(() => batches.keysInto(0, new Float64Array(1))).toThrow(/too small for batch 0 of 2 keys/);
    expect(batches.stepRange(1)).toEqual({ start: 2, end: 4 });
  });

  it('batches one epoch at a time through a slice', () => {
    const inner = new SequentialSampler({ numRecords: 5, numEpochs: 2 });
    const epoch1 = new BatchSampler(new SliceSampler(inner, inner.epochRange(1)), { batchSize: 2 });
    expect(Array.from({ length: epoch1.length }, (_, b) => epoch1.keysAt(b))).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('counts batches of an unbounded sampler as Infinity and describes itself', () => {
    const batches = new BatchSampler(new SequentialSampler({ numRecords: 5, numEpochs: Infinity }), {
      batchSize: 3,
      dropRemainder: true,
    });
    expect(batches.length).toBe(Infinity);
    expect(batches.keysAt(1e9)).toHaveLength(3);
    expect(batches.describe()).toEqual({
      kind: 'BatchSampler',
      batchSize: 3,
      dropRemainder: true,
      sampler: { kind: 'SequentialSampler', numRecords: 5, numEpochs: null },
    });
  });

  it('rejects bad options and batch numbers', () => {
    const inner = new SequentialSampler({ numRecords: 5 });
    expect(() => new BatchSampler(inner, { batchSize: 0 })).toThrow(InvalidOptionsError);
    expect(() => new BatchSampler(inner, { batchSize: 2, dropRemainder: 1 as never })).toThrow(InvalidOptionsError);
    const batches = new BatchSampler(inner, { batchSize: 2, dropRemainder: true });
    expect(batches.length).toBe(2);
    expect(() => batches.keysAt(2)).toThrow(OutOfRangeError);
    expect(() => batches.keysAt(-1)).toThrow(InvalidArgumentError);
  });

  it('refuses a key buffer that is not one, with InvalidArgumentError (no TypeError)', () => {
    const inner = new SequentialSampler({ numRecords: 5 });
    const batches = new BatchSampler(inner, { batchSize: 2 });
    for (const out of [undefined, null, 3, 'ab', {}, Object.freeze([0, 0])]) {
      expect(() => batches.keysInto(0, out as never)).toThrow(InvalidArgumentError);
      expect(() => keysInto(inner, 0, out as never)).toThrow(InvalidArgumentError);
    }
    expect(() => keysInto(inner, 0, undefined as never)).toThrow(/out must be a writable array or typed array of keys \(got undefined\)/);
    // A symbol where a step belongs is named, not turned into a TypeError by the message.
    expect(() => [...keysOf(inner, Symbol('s') as never)]).toThrow(InvalidArgumentError);
    expect(() => keysInto(inner, Symbol('s') as never, new Float64Array(2))).toThrow(InvalidArgumentError);
  });
});
