// SequentialSampler and ShuffleSampler: orders, epochs, descriptions, errors.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidOptionsError, OutOfRangeError } from '../../src/format/errors.js';
import { IndexSampler, SequentialSampler, ShuffleSampler, keysInto, keysOf } from '../../src/samplers/index.js';

describe('SequentialSampler', () => {
  it('repeats 0..n-1 for each epoch', () => {
    const sampler = new SequentialSampler({ numRecords: 3, numEpochs: 2 });
    expect([...keysOf(sampler)]).toEqual([0, 1, 2, 0, 1, 2]);
    expect(sampler.epochAt(4)).toBe(1);
    expect(sampler.epochRange(1)).toEqual({ start: 3, end: 6 });
    expect(sampler.describe()).toEqual({ kind: 'SequentialSampler', numRecords: 3, numEpochs: 2 });
  });

  it('defaults to one epoch and can be unbounded', () => {
    expect(new SequentialSampler({ numRecords: 4 }).length).toBe(4);
    const forever = new SequentialSampler({ numRecords: 4, numEpochs: Infinity });
    expect(forever.length).toBe(Infinity);
    expect(forever.keyAt(2 ** 53 - 1)).toBe((2 ** 53 - 1) % 4);
    expect(forever.describe().numEpochs).toBeNull();
  });

  it('rejects bad options and steps', () => {
    expect(() => new SequentialSampler({ numRecords: 0 })).toThrow(InvalidOptionsError);
    expect(() => new SequentialSampler({ numRecords: 2.5 })).toThrow(/numRecords must be an integer >= 1/);
    expect(() => new SequentialSampler({ numRecords: 3, numEpochs: -1 })).toThrow(InvalidOptionsError);
    expect(() => new SequentialSampler({ numRecords: 2 ** 40, numEpochs: 2 ** 14 })).toThrow(/exceeds 2\^53/);
    const sampler = new SequentialSampler({ numRecords: 3 });
    expect(() => sampler.keyAt(3)).toThrow(OutOfRangeError);
    expect(() => sampler.keyAt(Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => sampler.epochRange(-1)).toThrow(InvalidArgumentError);
    expect(() => sampler.epochRange(1)).toThrow(/epoch 1 has no steps \(epochs 0\.\.0\)/);
  });
});

describe('ShuffleSampler', () => {
  it('is Grain’s IndexSampler with one shard', () => {
    const shuffle = new ShuffleSampler({ numRecords: 5, seed: 32, numEpochs: 2 });
    expect([...keysOf(shuffle)]).toEqual([2, 4, 3, 0, 1, 0, 2, 4, 1, 3]);
    const grain = new IndexSampler({ numRecords: 777, shuffle: true, seed: 5, numEpochs: 2 });
    const ours = new ShuffleSampler({ numRecords: 777, seed: 5, numEpochs: 2 });
    expect([...keysOf(ours)]).toEqual([...keysOf(grain)]);
  });

  it('visits every record once per epoch, the same way for the same seed, differently per epoch', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 2000 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (numRecords, seed) => {
        const sampler = new ShuffleSampler({ numRecords, seed, numEpochs: 2 });
        const epochs = [0, 1].map((epoch) => {
          const keys = new Float64Array(numRecords);
          expect(keysInto(sampler, sampler.epochRange(epoch).start, keys)).toBe(numRecords);
          return Array.from(keys);
        });
        for (const keys of epochs) expect([...keys].sort((a, b) => a - b)).toEqual([...keys.keys()]);
        expect(epochs[0]).not.toEqual(epochs[1]);
        const again = new ShuffleSampler({ numRecords, seed, numEpochs: 2 });
        expect([...keysOf(again, 0, numRecords)]).toEqual(epochs[0]);
      }),
      { numRuns: 20 },
    );
  });

  it('stays a permutation where Grain’s shuffle is not (2^16 + 1 records)', () => {
    const numRecords = 65537;
    const shuffle = new ShuffleSampler({ numRecords, seed: 8 });
    const seen = new Uint8Array(numRecords);
    for (let step = 0; step < numRecords; step++) seen[shuffle.keyAt(step)]! += 1;
    expect(seen.every((n) => n === 1)).toBe(true);
    const grain = new IndexSampler({ numRecords, shuffle: true, seed: 8, numEpochs: 1 });
    const grainSeen = new Uint8Array(numRecords);
    for (let step = 0; step < numRecords; step++) grainSeen[grain.keyAt(step)]! += 1;
    expect(grainSeen[numRecords - 1]).toBe(0); // Grain's behaviour, reproduced on purpose
  });

  it('answers steps in any order (random access)', () => {
    const sampler = new ShuffleSampler({ numRecords: 1000, seed: 3, numEpochs: 3 });
    const forward = [...keysOf(sampler)];
    for (const step of [2999, 0, 1500, 999, 1000, 42]) expect(sampler.keyAt(step)).toBe(forward[step]);
  });

  it('refuses to shuffle without a seed', () => {
    expect(() => new ShuffleSampler({ numRecords: 5 } as never)).toThrow(/seed must be an integer/);
    expect(() => new ShuffleSampler({ numRecords: 5, seed: 1.5 })).toThrow(InvalidOptionsError);
    expect(new ShuffleSampler({ numRecords: 5, seed: 1 }).describe()).toEqual({
      kind: 'ShuffleSampler',
      numRecords: 5,
      seed: 1,
      numEpochs: 1,
    });
  });
});

describe('keysOf / keysInto', () => {
  it('check their ranges', () => {
    const sampler = new SequentialSampler({ numRecords: 3 });
    expect([...keysOf(sampler, 1, 3)]).toEqual([1, 2]);
    expect(() => [...keysOf(sampler, 2, 1)]).toThrow(InvalidArgumentError);
    expect(() => [...keysOf(sampler, 0, 4)]).toThrow(/past the sampler's 3 steps/);
    expect(keysInto(sampler, 3, new Float64Array(2))).toBe(0);
    expect(() => keysInto(sampler, 4, new Float64Array(2))).toThrow(InvalidArgumentError);
  });
});
