// RANK / WORLD_SIZE parsing with every error path, and ShardOptions / evenSplit.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../src/format/errors.js';
import { NO_SHARDING, evenSplit, placementFromEnv, shardOptions, shardOptionsFromEnv } from '../../src/samplers/index.js';

describe('placementFromEnv / shardOptionsFromEnv', () => {
  it('reads torchrun’s variables, or a single process when neither is set', () => {
    expect(placementFromEnv({ RANK: '3', WORLD_SIZE: '8' })).toEqual({ rank: 3, worldSize: 8 });
    expect(placementFromEnv({ RANK: ' 0 ', WORLD_SIZE: '1\n' })).toEqual({ rank: 0, worldSize: 1 });
    expect(placementFromEnv({ LOCAL_RANK: '2' })).toEqual({ rank: 0, worldSize: 1 });
    expect(shardOptionsFromEnv({ RANK: '1', WORLD_SIZE: '2' }, { dropRemainder: true })).toEqual({
      shardIndex: 1,
      shardCount: 2,
      dropRemainder: true,
    });
    expect(shardOptionsFromEnv({})).toEqual(NO_SHARDING);
  });

  it('reads process.env by default', () => {
    const saved = { RANK: process.env.RANK, WORLD_SIZE: process.env.WORLD_SIZE };
    try {
      process.env.RANK = '2';
      process.env.WORLD_SIZE = '5';
      expect(placementFromEnv()).toEqual({ rank: 2, worldSize: 5 });
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('rejects malformed values with the variable and value in the message', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ RANK: '1' }, /RANK is set \('1'\) but WORLD_SIZE is not/],
      [{ WORLD_SIZE: '4' }, /WORLD_SIZE is set \('4'\) but RANK is not/],
      [{ RANK: '', WORLD_SIZE: '4' }, /RANK must be a non-negative decimal integer \(got ''\)/],
      [{ RANK: '-1', WORLD_SIZE: '4' }, /RANK must be a non-negative decimal integer \(got '-1'\)/],
      [{ RANK: '1.0', WORLD_SIZE: '4' }, /got '1\.0'/],
      [{ RANK: '01', WORLD_SIZE: '4' }, /got '01'/],
      [{ RANK: '0x1', WORLD_SIZE: '4' }, /got '0x1'/],
      [{ RANK: '1', WORLD_SIZE: 'four' }, /WORLD_SIZE must be a non-negative decimal integer \(got 'four'\)/],
      [{ RANK: '1', WORLD_SIZE: '99999999999999999999' }, /WORLD_SIZE must be/],
      [{ RANK: '0', WORLD_SIZE: '0' }, /WORLD_SIZE must be at least 1/],
      [{ RANK: '4', WORLD_SIZE: '4' }, /RANK \(4\) must be below WORLD_SIZE \(4\)/],
    ];
    for (const [env, message] of cases) {
      expect(() => placementFromEnv(env)).toThrow(InvalidOptionsError);
      expect(() => placementFromEnv(env)).toThrow(message);
    }
  });
});

describe('shardOptions / evenSplit', () => {
  it('split like Grain’s even_split', () => {
    expect(evenSplit(10, shardOptions(0, 3))).toEqual({ start: 0, end: 4 });
    expect(evenSplit(10, shardOptions(1, 3))).toEqual({ start: 4, end: 7 });
    expect(evenSplit(10, shardOptions(2, 3))).toEqual({ start: 7, end: 10 });
    expect(evenSplit(10, shardOptions(2, 3, true))).toEqual({ start: 6, end: 9 });
    expect(evenSplit(0, NO_SHARDING)).toEqual({ start: 0, end: 0 });
  });

  it('tile the records, or drop exactly the remainder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 64 }), fc.boolean(), (numRecords, count, drop) => {
        let next = 0;
        const lengths: number[] = [];
        for (let index = 0; index < count; index++) {
          const { start, end } = evenSplit(numRecords, shardOptions(index, count, drop));
          expect(start).toBe(next);
          next = end;
          lengths.push(end - start);
        }
        expect(next).toBe(drop ? numRecords - (numRecords % count) : numRecords);
        expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(drop ? 0 : 1);
      }),
    );
  });

  it('reject bad shard options', () => {
    expect(() => shardOptions(0, 0)).toThrow(/shardCount must be a positive integer \(got 0\)/);
    expect(() => shardOptions(3, 3)).toThrow(/shardIndex must be an integer in \[0, 2\] \(got 3\)/);
    expect(() => shardOptions(-1, 3)).toThrow(InvalidOptionsError);
    expect(() => shardOptions(0, 1.5)).toThrow(InvalidOptionsError);
    expect(() => shardOptions(0, 2, 'no' as never)).toThrow(/dropRemainder must be a boolean/);
    expect(() => evenSplit(-1, NO_SHARDING)).toThrow(/numRecords must be a non-negative integer/);
    expect(() => evenSplit(5, null as never)).toThrow(/ShardOptions must be an object/);
  });
});
