// Placement from each launcher's variables (torchrun, Open MPI, MPICH, Slurm, Kubernetes) with precedence and
// every error path, and ShardOptions / evenSplit.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../src/format/errors.js';
import { DistributedSampler, NO_SHARDING, evenSplit, placementFromEnv, shardOptions, shardOptionsFromEnv, StridedShardSampler, SequentialSampler } from '../../src/samplers/index.js';
import { resolvePlacement } from '../../src/samplers/env.js';
import { LAUNCHER_VARIABLES } from '../helpers/launcher-variables.js';

describe('placementFromEnv / shardOptionsFromEnv', () => {
  it('reads torchrun’s variables, or a single process when neither is set', () => {
    expect(placementFromEnv({ RANK: '3', WORLD_SIZE: '8' })).toEqual({ rank: 3, worldSize: 8, localRank: undefined, localWorldSize: undefined, launcher: 'torchrun' });
    expect(placementFromEnv({ RANK: ' 0 ', WORLD_SIZE: '1\n' })).toMatchObject({ rank: 0, worldSize: 1 });
    expect(placementFromEnv({})).toEqual({ rank: 0, worldSize: 1, localRank: 0, localWorldSize: 1, launcher: undefined });
    expect(shardOptionsFromEnv({ RANK: '1', WORLD_SIZE: '2' }, { dropRemainder: true })).toEqual({
      shardIndex: 1,
      shardCount: 2,
      dropRemainder: true,
    });
    expect(shardOptionsFromEnv({})).toEqual(NO_SHARDING);
  });

  it('reads process.env by default', () => {
    const saved = { RANK: process.env.RANK, WORLD_SIZE: process.env.WORLD_SIZE };
    for (const name of LAUNCHER_VARIABLES) if (process.env[name] !== undefined) (saved as Record<string, string | undefined>)[name] = process.env[name];
    try {
      process.env.RANK = '2';
      process.env.WORLD_SIZE = '5';
      expect(placementFromEnv()).toMatchObject({ rank: 2, worldSize: 5 });
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

  it('refuses an environment that is not an object of strings, naming the variable (no TypeError)', () => {
    // Plain JavaScript callers write numbers ({ RANK: 0 }); process.env only ever holds strings.
    const numbers = { RANK: 0, WORLD_SIZE: 2 } as unknown as Record<string, string>;
    expect(() => placementFromEnv(numbers)).toThrow(InvalidOptionsError);
    expect(() => placementFromEnv(numbers)).toThrow(/environment variable RANK must be a string .*\(got 0\)/);
    expect(() => placementFromEnv({ RANK: '0', WORLD_SIZE: 2 as unknown as string })).toThrow(/WORLD_SIZE must be a string .*\(got 2\)/);
    expect(() => placementFromEnv({ RANK: '0', WORLD_SIZE: '2', LOCAL_RANK: null as unknown as string })).toThrow(/LOCAL_RANK must be a string/);
    expect(() => new DistributedSampler({ numRecords: 4, env: numbers })).toThrow(InvalidOptionsError);
    expect(() => shardOptionsFromEnv(numbers)).toThrow(InvalidOptionsError);
    for (const env of [null, 'RANK=0', 3]) {
      expect(() => placementFromEnv(env as never)).toThrow(InvalidOptionsError);
      expect(() => shardOptionsFromEnv(env as never)).toThrow(/env must be an object of environment variables/);
    }
  });
});

describe('placementFromEnv: launchers', () => {
  it('reads each launcher, with its local rank', () => {
    expect(placementFromEnv({ RANK: '5', WORLD_SIZE: '8', LOCAL_RANK: '1', LOCAL_WORLD_SIZE: '4' })).toEqual({
      rank: 5, worldSize: 8, localRank: 1, localWorldSize: 4, launcher: 'torchrun',
    });
    expect(placementFromEnv({ OMPI_COMM_WORLD_RANK: '3', OMPI_COMM_WORLD_SIZE: '4', OMPI_COMM_WORLD_LOCAL_RANK: '1', OMPI_COMM_WORLD_LOCAL_SIZE: '2' })).toEqual({
      rank: 3, worldSize: 4, localRank: 1, localWorldSize: 2, launcher: 'openmpi',
    });
    expect(placementFromEnv({ PMI_RANK: '6', PMI_SIZE: '7' })).toEqual({ rank: 6, worldSize: 7, localRank: undefined, localWorldSize: undefined, launcher: 'mpich' });
    expect(placementFromEnv({ PMI_RANK: '6', PMI_SIZE: '7', MPI_LOCALRANKID: '2', MPI_LOCALNRANKS: '3' })).toMatchObject({ localRank: 2, localWorldSize: 3 });
    expect(placementFromEnv({ SLURM_PROCID: '9', SLURM_NTASKS: '16', SLURM_LOCALID: '1' })).toEqual({
      rank: 9, worldSize: 16, localRank: 1, localWorldSize: undefined, launcher: 'slurm',
    });
    expect(placementFromEnv({ JOB_COMPLETION_INDEX: '2' }, { worldSize: 4 })).toEqual({
      rank: 2, worldSize: 4, localRank: undefined, localWorldSize: undefined, launcher: 'kubernetes',
    });
    expect(placementFromEnv({ RANK: '1', WORLD_SIZE: '4' }, { worldSize: 4 })).toMatchObject({ rank: 1, worldSize: 4 });
    expect(placementFromEnv({}, { worldSize: 1 })).toMatchObject({ rank: 0, worldSize: 1 });
  });

  it('takes the innermost launcher when several are set: torchrun, Open MPI, MPICH, Slurm, Kubernetes', () => {
    const kubernetes = { JOB_COMPLETION_INDEX: '1' };
    const slurm = { ...kubernetes, SLURM_PROCID: '0', SLURM_NTASKS: '2', SLURM_LOCALID: '0' };
    const mpich = { ...slurm, PMI_RANK: '3', PMI_SIZE: '4' };
    const openmpi = { ...mpich, OMPI_COMM_WORLD_RANK: '5', OMPI_COMM_WORLD_SIZE: '6' };
    const torchrun = { ...openmpi, RANK: '7', WORLD_SIZE: '8', LOCAL_RANK: '3' };
    expect(placementFromEnv(torchrun)).toMatchObject({ rank: 7, worldSize: 8, localRank: 3, launcher: 'torchrun' });
    expect(placementFromEnv(openmpi)).toMatchObject({ rank: 5, worldSize: 6, launcher: 'openmpi' });
    expect(placementFromEnv(mpich)).toMatchObject({ rank: 3, worldSize: 4, launcher: 'mpich' });
    expect(placementFromEnv(slurm)).toMatchObject({ rank: 0, worldSize: 2, localRank: 0, launcher: 'slurm' });
    expect(placementFromEnv(kubernetes, { worldSize: 3 })).toMatchObject({ rank: 1, worldSize: 3, launcher: 'kubernetes' });
    // An outer launcher's half-set variables do not matter once an inner one is complete (torchrun in an sbatch script without -n),
    // nor another launcher's local variables.
    expect(placementFromEnv({ SLURM_PROCID: '0', RANK: '2', WORLD_SIZE: '4' })).toMatchObject({ rank: 2, launcher: 'torchrun' });
    expect(placementFromEnv({ RANK: '1', WORLD_SIZE: '4', OMPI_COMM_WORLD_LOCAL_RANK: '9' })).toMatchObject({ rank: 1, localRank: undefined });
  });

  it('refuses half-set and contradictory variables, naming them', () => {
    const cases: [Record<string, string>, RegExp, { worldSize?: number }?][] = [
      [{ LOCAL_RANK: '2' }, /LOCAL_RANK is set \('2'\) but RANK and WORLD_SIZE are not \(torchrun\)/],
      [{ OMPI_COMM_WORLD_RANK: '1' }, /OMPI_COMM_WORLD_RANK is set \('1'\) but OMPI_COMM_WORLD_SIZE is not \(openmpi\)/],
      [{ PMI_SIZE: '4' }, /PMI_SIZE is set \('4'\) but PMI_RANK is not \(mpich\)/],
      [{ SLURM_PROCID: '0' }, /SLURM_PROCID is set \('0'\) but SLURM_NTASKS is not \(slurm\)/],
      [{ SLURM_LOCALID: '0' }, /SLURM_LOCALID is set \('0'\) but SLURM_PROCID and SLURM_NTASKS are not \(slurm\)/],
      [{ JOB_COMPLETION_INDEX: '3' }, /JOB_COMPLETION_INDEX is set \('3'\) but the job's size is not in the environment; pass worldSize/],
      [{ JOB_COMPLETION_INDEX: '4' }, /JOB_COMPLETION_INDEX \(4\) must be below worldSize \(4\)/, { worldSize: 4 }],
      [{ RANK: '1', WORLD_SIZE: '4' }, /worldSize 8 disagrees with environment variable WORLD_SIZE \(4, torchrun\)/, { worldSize: 8 }],
      [{}, /worldSize is 4 but no launcher variable gives this process's rank/, { worldSize: 4 }],
      [{ RANK: '1', WORLD_SIZE: '4', LOCAL_RANK: '2', LOCAL_WORLD_SIZE: '2' }, /LOCAL_RANK \(2\) must be below LOCAL_WORLD_SIZE \(2\)/],
      [{ RANK: '1', WORLD_SIZE: '4', LOCAL_RANK: '4' }, /LOCAL_RANK \(4\) must be below WORLD_SIZE \(4\)/],
      [{ RANK: '1', WORLD_SIZE: '4', LOCAL_RANK: '0', LOCAL_WORLD_SIZE: '8' }, /LOCAL_WORLD_SIZE \(8\) exceeds WORLD_SIZE \(4\)/],
      [{ RANK: '1', WORLD_SIZE: '4', LOCAL_WORLD_SIZE: '2' }, /LOCAL_WORLD_SIZE is set but LOCAL_RANK is not/],
      [{ SLURM_PROCID: '8', SLURM_NTASKS: '8' }, /SLURM_PROCID \(8\) must be below SLURM_NTASKS \(8\)/],
      [{ OMPI_COMM_WORLD_RANK: 'x', OMPI_COMM_WORLD_SIZE: '2' }, /OMPI_COMM_WORLD_RANK must be a non-negative decimal integer \(got 'x'\)/],
      [{ RANK: '0', WORLD_SIZE: '1', LOCAL_RANK: '-1' }, /LOCAL_RANK must be a non-negative decimal integer/],
    ];
    for (const [env, message, options] of cases) {
      expect(() => placementFromEnv(env, options)).toThrow(InvalidOptionsError);
      expect(() => placementFromEnv(env, options)).toThrow(message);
    }
    expect(() => placementFromEnv({}, { world_size: 2 } as never)).toThrow(/unknown option world_size; did you mean worldSize\?/);
    expect(() => placementFromEnv({}, { worldSize: 0 })).toThrow(/worldSize must be an integer >= 1/);
  });

  it('places samplers and loaders: the world size alone takes the rank from the launcher', () => {
    expect(resolvePlacement('DataLoader', undefined, 4, { JOB_COMPLETION_INDEX: '3' })).toEqual({ rank: 3, worldSize: 4 });
    expect(resolvePlacement('DataLoader', undefined, undefined, { SLURM_PROCID: '1', SLURM_NTASKS: '2', SLURM_LOCALID: '1' })).toEqual({ rank: 1, worldSize: 2 });
    expect(() => resolvePlacement('DistributedSampler', undefined, 3, { RANK: '0', WORLD_SIZE: '2' }, 'rank', 'numReplicas')).toThrow(
      /^DistributedSampler: numReplicas 3 disagrees with environment variable WORLD_SIZE \(2, torchrun\)/,
    );
    const sampler = new DistributedSampler({ numRecords: 10, env: { OMPI_COMM_WORLD_RANK: '1', OMPI_COMM_WORLD_SIZE: '2' } });
    expect([sampler.rank, sampler.numReplicas]).toEqual([1, 2]);
    const strided = new StridedShardSampler(new SequentialSampler({ numRecords: 10 }), { worldSize: 5, env: { JOB_COMPLETION_INDEX: '4' } });
    expect(strided.keyAt(0)).toBe(4);
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
