// Saved positions: round trip through JSON, refusal to restore into another sampler, bounds.

import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, OutOfRangeError, StateMismatchError } from '../../src/format/errors.js';
import {
  BatchSampler,
  DistributedSampler,
  IndexSampler,
  ShuffleSampler,
  describeFingerprint,
  restoreSamplerState,
  saveSamplerState,
  shardOptions,
} from '../../src/samplers/index.js';

describe('sampler state', () => {
  it('round-trips through JSON', () => {
    const sampler = new IndexSampler({ numRecords: 100, shardOptions: shardOptions(1, 4), shuffle: true, seed: 3 });
    const saved = JSON.stringify(saveSamplerState(sampler, 1234));
    const twin = new IndexSampler({ numRecords: 100, shardOptions: shardOptions(1, 4), shuffle: true, seed: 3 });
    expect(restoreSamplerState(twin, JSON.parse(saved))).toBe(1234);
  });

  it('refuses a state written for another sampler, showing both descriptions', () => {
    const saved = saveSamplerState(new ShuffleSampler({ numRecords: 10, seed: 1 }), 3);
    const other = new ShuffleSampler({ numRecords: 10, seed: 2 });
    expect(() => restoreSamplerState(other, saved)).toThrow(StateMismatchError);
    expect(() => restoreSamplerState(other, saved)).toThrow(
      'sampler state was saved for {"kind":"ShuffleSampler","numEpochs":1,"numRecords":10,"seed":1} but is restored into {"kind":"ShuffleSampler","numEpochs":1,"numRecords":10,"seed":2}',
    );
    const rank0 = new DistributedSampler({ numRecords: 10, numReplicas: 2, rank: 0 });
    const rank1 = new DistributedSampler({ numRecords: 10, numReplicas: 2, rank: 1 });
    expect(() => restoreSamplerState(rank1, saveSamplerState(rank0, 1))).toThrow(/"rank":0.*"rank":1/);
  });

  it('saves batch positions of a BatchSampler, nested description included', () => {
    const batches = new BatchSampler(new ShuffleSampler({ numRecords: 10, seed: 1 }), { batchSize: 4 });
    const state = saveSamplerState(batches, 3);
    expect(state.sampler).toMatchObject({ kind: 'BatchSampler', sampler: { kind: 'ShuffleSampler' } });
    expect(restoreSamplerState(batches, state)).toBe(3);
    const other = new BatchSampler(new ShuffleSampler({ numRecords: 10, seed: 1 }), { batchSize: 5 });
    expect(() => restoreSamplerState(other, state)).toThrow(StateMismatchError);
  });

  it('fingerprints ignore key order', () => {
    expect(describeFingerprint({ kind: 'X', b: 1, a: { d: [1, { f: 2, e: null }], c: true } })).toBe(
      describeFingerprint({ a: { c: true, d: [1, { e: null, f: 2 }] }, kind: 'X', b: 1 }),
    );
  });

  it('checks positions and the shape of the state', () => {
    const sampler = new ShuffleSampler({ numRecords: 10, seed: 1 });
    expect(saveSamplerState(sampler, 10).position).toBe(10);
    expect(() => saveSamplerState(sampler, 11)).toThrow(OutOfRangeError);
    expect(() => saveSamplerState(sampler, -1)).toThrow(InvalidArgumentError);
    // A string shows as one: "3" (with its quotes) is not the number 3.
    expect(() => saveSamplerState(sampler, '3' as never)).toThrow(/non-negative integer \(got "3"\)/);
    expect(() => sampler.epochRange('0' as never)).toThrow(/\(got "0"\)/);
    expect(() => restoreSamplerState(sampler, { position: 11, sampler: sampler.describe() })).toThrow(OutOfRangeError);
    expect(() => restoreSamplerState(sampler, { position: 1.5, sampler: sampler.describe() })).toThrow(InvalidArgumentError);
    expect(() => restoreSamplerState(sampler, 7)).toThrow(/not a sampler state: 7/);
    expect(() => restoreSamplerState(sampler, { position: 1, sampler: null })).toThrow(InvalidArgumentError);
    // A misspelt or extra field would be ignored: refused, as a DataLoader state's are.
    expect(() => restoreSamplerState(sampler, { position: 1, sampler: sampler.describe(), epoch: 2 })).toThrow(
      /not a sampler state: unknown field epoch; the fields are position, sampler/,
    );
  });

  it('refuses states JSON cannot print with InvalidArgumentError (no TypeError from the message)', () => {
    const sampler = new ShuffleSampler({ numRecords: 10, seed: 1 });
    const cyclic: Record<string, unknown> = { position: 'x' };
    cyclic.self = cyclic;
    for (const state of [{ position: 1n, sampler: sampler.describe() }, 5n, cyclic]) {
      expect(() => restoreSamplerState(sampler, state)).toThrow(InvalidArgumentError);
    }
    expect(() => restoreSamplerState(sampler, { position: 1n, sampler: sampler.describe() })).toThrow(/not a sampler state: .*position/);
  });
});
