// Attacks on exact save/restore and elastic resume, as a job checkpointing for days meets them: states
// saved at random points (mid-prefetch, with a next() in flight, after a break, after the consumer threw,
// restored into the same loader while it iterates), with every sampler kind, mixes, filters, async maps and
// batching, must continue exactly like the uninterrupted run; elastic resume over chains of world sizes
// visits the rest of the epoch exactly once for every sampler kind; and states that cannot be compared, or
// belong to another rank or kind of loader, are refused with typed errors.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataLoader, LoaderError, filter, map, recordRng, type LoaderState, type SamplerFactory, type TransformContext } from '../../src/index.js';
import { InvalidArgumentError, StateMismatchError } from '../../src/format/errors.js';
import {
  DistributedSampler,
  IndexSampler,
  SequentialSampler,
  ShuffleSampler,
  StridedShardSampler,
  WindowShuffleSampler,
  restoreSamplerState,
  shardOptions,
  type Sampler,
} from '../../src/samplers/index.js';
import { drain, MemorySource, takeThenSave, text } from './loader-helpers.js';

type Kind = 'sequential' | 'shuffle' | 'grain' | 'torch' | 'window' | 'mix';
interface Config {
  kind: Kind;
  numRecords: number;
  numEpochs: number;
  seed: number;
  batchSize: number | undefined;
  dropRemainder: boolean;
  filtered: boolean;
  asyncMap: boolean;
  shard: [number, number, boolean];
  weights: number[];
  stopOnEmpty: boolean;
  style: 'all' | 'epochs';
}

const transformsFor = (c: Config) => [
  map((r: Uint8Array) => text(r), 'asText'),
  ...(c.filtered ? [filter((_: string, { rng }: TransformContext) => rng.random() < 0.6, 'keep')] : []),
  c.asyncMap
    ? map(async (v: string, { rng }: TransformContext) => {
        await new Promise((resolve) => setImmediate(resolve));
        return `${v}#${rng.int(0, 100)}`;
      }, 'tagAsync')
    : map((v: string, { rng }: TransformContext) => `${v}#${rng.int(0, 100)}`, 'tag'),
];

function samplerFor(c: Config): Sampler {
  const numRecords = c.numRecords;
  const { seed, numEpochs } = c;
  const [shardIndex, shardCount, drop] = c.shard;
  const rank = Math.min(shardIndex, shardCount - 1);
  switch (c.kind) {
    case 'sequential':
      return new SequentialSampler({ numRecords, numEpochs });
    case 'shuffle':
      return new ShuffleSampler({ numRecords, seed, numEpochs });
    case 'grain':
      return new IndexSampler({ numRecords, shardOptions: shardOptions(rank, shardCount, drop), shuffle: true, seed, numEpochs });
    case 'torch':
      return new DistributedSampler({ numRecords, numReplicas: shardCount, rank, shuffle: true, seed, numEpochs, dropLast: drop });
    case 'window':
      return new WindowShuffleSampler({ numRecords, windowSize: 3, seed, numEpochs, shuffleWindowOrder: true });
    default:
      throw new Error('a mix has no single sampler');
  }
}

function makeLoader(c: Config, tuning: { readSize: number; prefetch: number }, sources: MemorySource[]): DataLoader {
  const dropRemainder = c.batchSize === undefined ? undefined : c.dropRemainder;
  const common = { transforms: transformsFor(c), seed: 5, batchSize: c.batchSize, dropRemainder, ...tuning };
  if (c.kind === 'mix') {
    const components = c.weights.map((weight, j) => ({
      source: sources[j]!,
      sampler: new ShuffleSampler({ numRecords: sources[j]!.length, seed: c.seed + j, numEpochs: c.numEpochs }),
      weight,
    }));
    return new DataLoader({ mix: { components, seed: c.seed, stopOnEmpty: c.stopOnEmpty }, ...common }) as DataLoader;
  }
  return new DataLoader({ source: sources[0]!, sampler: samplerFor(c), ...common }) as DataLoader;
}

async function fullRun(loader: DataLoader, style: Config['style']): Promise<unknown[]> {
  if (style === 'all') return drain(loader);
  const out: unknown[] = [];
  let guard = 0;
  while (loader.currentEpoch < loader.numEpochs && guard++ < 20) out.push(...(await drain(loader.epoch())));
  return out;
}

type Stop = 'break' | 'throw' | 'pending' | 'live';

/** Takes `count` outputs with the given style, then stops the way `stop` says; returns the outputs and the state. */
async function take(loader: DataLoader, c: Config, count: number, stop: Stop): Promise<{ taken: unknown[]; state: LoaderState }> {
  const taken: unknown[] = [];
  const iterable = (): AsyncIterable<unknown> => (c.style === 'all' ? loader : loader.epoch());
  let guard = 0;
  while (taken.length < count && loader.currentEpoch < loader.numEpochs && guard++ < 20) {
    if (stop === 'pending') {
      const iterator = iterable()[Symbol.asyncIterator]();
      let ended = false;
      while (taken.length < count) {
        const r = await iterator.next();
        if (r.done) { ended = true; break; }
        taken.push(r.value);
      }
      if (!ended) {
        // A next() in flight: the state must not count what it will return.
        const pending = iterator.next();
        const state = JSON.parse(JSON.stringify(loader.getState())) as LoaderState;
        await pending;
        await iterator.return!();
        return { taken, state };
      }
      continue;
    }
    try {
      for await (const value of iterable()) {
        taken.push(value);
        if (taken.length === count) {
          if (stop === 'throw') throw new Error('consumer failed');
          break;
        }
      }
    } catch (error) {
      if ((error as Error).message !== 'consumer failed') throw error;
    }
  }
  return { taken, state: JSON.parse(JSON.stringify(loader.getState())) as LoaderState };
}

const configArb: fc.Arbitrary<Config> = fc.record({
  kind: fc.constantFrom<Kind>('sequential', 'shuffle', 'grain', 'torch', 'window', 'mix'),
  numRecords: fc.integer({ min: 3, max: 25 }),
  numEpochs: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 0, max: 1000 }),
  batchSize: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  dropRemainder: fc.boolean(),
  filtered: fc.boolean(),
  asyncMap: fc.boolean(),
  shard: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.boolean()),
  weights: fc.array(fc.double({ min: 0.1, max: 3, noNaN: true }), { minLength: 2, maxLength: 3 }),
  stopOnEmpty: fc.boolean(),
  style: fc.constantFrom<Config['style']>('all', 'epochs'),
});
const tuningArb = fc.record({ readSize: fc.integer({ min: 1, max: 8 }), prefetch: fc.integer({ min: 1, max: 4 }) });

describe('resume continues exactly like the uninterrupted run', () => {
  it('for every sampler kind and mixes, stopped by break, a consumer error, a pending next() or a live restore', async () => {
    await fc.assert(
      fc.asyncProperty(
        configArb,
        fc.array(tuningArb, { minLength: 3, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat({ max: 25 }), fc.constantFrom<Stop>('break', 'throw', 'pending', 'live'), fc.boolean()), { minLength: 1, maxLength: 3 }),
        async (c, tunings, cuts) => {
          const sources = c.kind === 'mix' ? c.weights.map((_, j) => new MemorySource(`m${j}`, c.numRecords + j * 3)) : [new MemorySource('s', c.numRecords)];
          const reference = makeLoader(c, tunings[0]!, sources);
          const expected = await fullRun(reference, c.style);
          let made = 0;
          let loader = makeLoader(c, tunings[made++ % 3]!, sources);
          const got: unknown[] = [];
          for (const [cut, stop, fresh] of cuts) {
            const { taken, state } = await take(loader, c, cut, stop);
            got.push(...taken);
            if (stop === 'live' && !fresh) {
              loader.setState(state);
            } else {
              await loader.close();
              loader = makeLoader(c, tunings[made++ % 3]!, sources);
              loader.setState(state);
            }
          }
          got.push(...(await fullRun(loader, c.style)));
          await loader.close();
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
  it('transient transform failure, then continue on the same loader', async () => {
    for (const batchSize of [undefined, 1, 3, 4]) for (const readSize of [1, 2, 5]) for (const prefetch of [1, 3]) {
      const source = new MemorySource('t', 17);
      const sampler = new ShuffleSampler({ numRecords: 17, seed: 3, numEpochs: 2 });
      const fails = new Set<string>(['1:5', '0:9']);
      const transforms = [map((r: Uint8Array, { epoch }: TransformContext) => {
        const t = text(r);
        const id = `${epoch}:${t.split(':')[1]}`;
        if (fails.delete(id)) throw new Error(`transient ${id}`);
        return t;
      }, 'flaky')];
      const expected = await drain(new DataLoader({ source, sampler, batchSize, readSize, prefetch, transforms: [map((r: Uint8Array) => text(r))] }));
      const loader = new DataLoader({ source, sampler, batchSize, readSize, prefetch, transforms });
      const got: unknown[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          for await (const v of loader) got.push(v);
          break;
        } catch (e) {
          expect(e).toBeInstanceOf(LoaderError);
          // resume through JSON too
          const state = JSON.parse(JSON.stringify(loader.getState()));
          loader.setState(state);
        }
      }
      expect(got).toEqual(expected);
    }
  });

  it('PyTorch setEpoch idiom with a checkpoint mid-epoch', async () => {
    const source = new MemorySource('d', 23);
    const mk = () => new DistributedSampler({ numRecords: 23, numReplicas: 2, rank: 1, shuffle: true, seed: 4 });
    const s0 = mk();
    const ref = new DataLoader({ source, sampler: s0, batchSize: 3 });
    const expected: unknown[] = [];
    for (let e = 0; e < 3; e++) { s0.setEpoch(e); expected.push(...(await drain(ref))); }
    const s1 = mk();
    const l1 = new DataLoader({ source, sampler: s1, batchSize: 3 });
    const got: unknown[] = [];
    let saved: { epoch: number; state: LoaderState } | undefined;
    outer: for (let e = 0; e < 3; e++) {
      s1.setEpoch(e);
      for await (const b of l1) {
        got.push(b);
        if (e === 1 && got.length === 7) { saved = { epoch: e, state: JSON.parse(JSON.stringify(l1.getState())) }; break outer; }
      }
    }
    const s2 = mk();
    const l2 = new DataLoader({ source, sampler: s2, batchSize: 3 });
    s2.setEpoch(saved!.epoch);
    l2.setState(saved!.state);
    for (let e = saved!.epoch; e < 3; e++) { s2.setEpoch(e); got.push(...(await drain(l2))); }
    expect(got).toEqual(expected);
  });

  it('setState while a next() is pending, restoring twice', async () => {
    const source = new MemorySource('p', 30, { delayTurns: 3 });
    const sampler = new SequentialSampler({ numRecords: 30, numEpochs: 2 });
    const loader = new DataLoader({ source, sampler, batchSize: 4, transforms: [map((r: Uint8Array) => text(r))] });
    const expected = await drain(new DataLoader({ source, sampler, batchSize: 4, transforms: [map((r: Uint8Array) => text(r))] }));
    const it1 = loader[Symbol.asyncIterator]();
    const a = await it1.next();
    const state = JSON.parse(JSON.stringify(loader.getState()));
    const pending = it1.next();
    loader.setState(state);
    loader.setState(state);
    const p = await pending;
    expect(p).toEqual({ done: true, value: undefined });
    const rest = await drain(loader);
    expect([a.value, ...rest]).toEqual(expected);
    expect(loader.getState()).toMatchObject({ epoch: 2, offset: 0 });
  });

  it('getState called twice, epoch(e) after restore', async () => {
    const source = new MemorySource('q', 10);
    const sampler = new ShuffleSampler({ numRecords: 10, seed: 1, numEpochs: 3 });
    const l = new DataLoader({ source, sampler, batchSize: 3, transforms: [map((r: Uint8Array) => text(r))] });
    const ref = new DataLoader({ source, sampler, batchSize: 3, transforms: [map((r: Uint8Array) => text(r))] });
    const e0 = await drain(ref.epoch(0)); const e1 = await drain(ref.epoch(1)); const e2 = await drain(ref.epoch(2));
    for await (const _ of l.epoch(1)) break;
    const st = l.getState();
    expect(l.getState()).toEqual(st);
    const l2 = new DataLoader({ source, sampler, batchSize: 3, transforms: [map((r: Uint8Array) => text(r))] });
    l2.setState(st);
    expect(await drain(l2.epoch(0))).toEqual(e0); // another epoch: from its start
    expect(l2.getState()).toMatchObject({ epoch: 1, offset: 0 });
    l2.setState(st);
    expect(await drain(l2.epoch(1))).toEqual(e1.slice(1));
    expect(await drain(l2.epoch())).toEqual(e2);
  });
});

const SEED = 21;
const toKey = map((record: Uint8Array) => Number(text(record).split(':')[1]), 'toKey');
const randomKeep = filter((_: number, { rng }: TransformContext) => rng.random() < 0.7, 'randomKeep');
const kept = (key: number, epoch: number): boolean => recordRng(SEED, epoch, 0, key).random() < 0.7;
type FactoryKind = 'strided' | 'grain' | 'grainDrop' | 'torchDrop' | 'torchPad' | 'window';

function factory(kind: FactoryKind, numRecords: number, seed: number): SamplerFactory {
  const global = new ShuffleSampler({ numRecords, seed, numEpochs: 3 });
  const common = { numRecords, seed, numEpochs: 3 };
  return ({ rank, worldSize }) => {
    switch (kind) {
      case 'strided':
        return new StridedShardSampler(global, { rank, worldSize });
      case 'grain':
      case 'grainDrop':
        return new IndexSampler({ ...common, shardOptions: shardOptions(rank, worldSize, kind === 'grainDrop'), shuffle: true });
      case 'torchDrop':
      case 'torchPad':
        return new DistributedSampler({ ...common, numReplicas: worldSize, rank, shuffle: true, dropLast: kind === 'torchDrop' });
      case 'window':
        return new WindowShuffleSampler({ ...common, windowSize: 3, shardOptions: shardOptions(rank, worldSize) });
    }
  };
}
const keysOfEpoch = (sampler: Sampler, epoch: number): number[] => {
  try {
    const { start, end } = sampler.epochRange(epoch);
    return Array.from({ length: end - start }, (_, k) => sampler.keyAt(start + k));
  } catch { return []; }
};
const jobArb = fc.integer({ min: 1, max: 4 }).chain((w) => fc.record({
  worldSize: fc.constant(w),
  cuts: fc.array(fc.nat({ max: 10 }), { minLength: w, maxLength: w }),
  restoreSame: fc.boolean(),
  tuning: fc.record({ readSize: fc.integer({ min: 1, max: 5 }), prefetch: fc.integer({ min: 1, max: 3 }) }),
}));

describe('elastic resume', () => {
  it('visits the rest of the epoch exactly once for every sampler kind, through chains of world sizes and same-size restores', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 4, max: 40 }),
      fc.constantFrom<FactoryKind>('strided', 'grain', 'grainDrop', 'torchDrop', 'torchPad', 'window'),
      fc.integer({ min: 0, max: 1000 }),
      fc.constantFrom(0, 1),
      fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      fc.boolean(),
      fc.array(jobArb, { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 4 }),
      async (n, kind, seed, E, batchSize, filtered, jobs, finalW) => {
        const source = new MemorySource('x', n);
        const samplerFor = factory(kind, n, seed);
        const transforms = filtered ? [toKey, randomKeep] : [toKey];
        const make = (rank: number, worldSize: number, tuning = { readSize: 3, prefetch: 2 }): DataLoader =>
          new DataLoader({ source, sampler: samplerFor, rank, worldSize, batchSize, transforms, seed: SEED, ...tuning });
        const flat = (o: unknown[]): number[] => (batchSize === undefined ? (o as number[]) : (o as number[][]).flat());
        let origin = jobs[0]!.worldSize;
        const visited: number[] = [];
        let states: LoaderState[] | undefined;
        for (const job of jobs) {
          const saved: LoaderState[] = [];
          for (let rank = 0; rank < job.worldSize; rank++) {
            let loader = make(rank, job.worldSize, job.tuning);
            if (states !== undefined) {
              loader.setElasticState(states);
              if (loader.getState().elastic === undefined && loader.currentEpoch === E) origin = job.worldSize;
            } else if (E > 0) await drain(loader.epoch(0));
            const outputs: unknown[] = [];
            if (job.cuts[rank]! > 0 && loader.currentEpoch === E) {
              for await (const o of loader.epoch(E)) { outputs.push(o); if (outputs.length === job.cuts[rank]) break; }
            }
            visited.push(...flat(outputs));
            let state = JSON.parse(JSON.stringify(loader.getState())) as LoaderState;
            if (job.restoreSame) {
              await loader.close();
              loader = make(rank, job.worldSize);
              loader.setState(state);
              state = JSON.parse(JSON.stringify(loader.getState())) as LoaderState;
            }
            saved.push(state);
          }
          states = saved.reverse();
        }
        for (let rank = 0; rank < finalW; rank++) {
          const loader = make(rank, finalW);
          loader.setElasticState(states!);
          // Nothing of the epoch consumed: the new ranks run their own epoch, as a fresh job would.
          if (loader.getState().elastic === undefined && loader.currentEpoch === E) origin = finalW;
          if (loader.currentEpoch === E) visited.push(...flat(await drain(loader.epoch())));
          if (E + 1 < loader.numEpochs) {
            expect(loader.currentEpoch).toBe(E + 1);
            const reference = make(rank, finalW);
            expect(await drain(loader.epoch())).toEqual(await drain(reference.epoch(E + 1)));
          }
        }
        const expected = Array.from({ length: origin }, (_, r) => keysOfEpoch(samplerFor({ rank: r, worldSize: origin }), E)).flat()
          .filter((k) => !filtered || kept(k, E));
        expect([...visited].sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
      }), { numRuns: 150 });
  }, 60_000);
});

describe('refusing states that cannot be compared, or that belong to another rank or kind of loader', () => {
  const source = new MemorySource('r', 20);
  const sampler = new ShuffleSampler({ numRecords: 20, seed: 1, numEpochs: 2 });

  it('refuses a description holding a BigInt, a cycle or absurd nesting with InvalidArgumentError, not a TypeError or RangeError', async () => {
    const loader = new DataLoader({ source, sampler });
    const { state } = await takeThenSave(new DataLoader({ source, sampler }), 3);
    const cyclic: Record<string, unknown> = { kind: 'ShuffleSampler' };
    cyclic.self = cyclic;
    // What JSON.parse gives for a tampered or corrupted checkpoint: valid JSON, nested far too deep to compare.
    const depth = 100_000;
    const deep = JSON.parse(`{"kind":"ShuffleSampler","seed":${'['.repeat(depth)}${']'.repeat(depth)}}`) as LoaderState['sampler'];
    const bad: unknown[] = [
      { ...state, sampler: { ...state.sampler, seed: 1n } },
      { ...state, sampler: cyclic },
      { ...state, source: cyclic },
      { ...state, sampler: deep },
    ];
    for (const value of bad) {
      expect(() => loader.setState(value)).toThrow(InvalidArgumentError);
      expect(() => new DataLoader({ source, sampler: () => sampler, rank: 0, worldSize: 1 }).setElasticState([{ ...(value as object), placement: { rank: 0, worldSize: 1 } }])).toThrow(InvalidArgumentError);
    }
    expect(() => loader.setState(bad[0])).toThrow(/sampler .*BigInt|sampler .*1n/);
    expect(() => loader.setState(bad[1])).toThrow(/sampler .*cycle/);
    expect(() => loader.setState(bad[3])).toThrow(/sampler .*nest/);
    // The sampler-level state too.
    for (const description of [{ kind: 'ShuffleSampler', seed: 1n }, cyclic, deep]) {
      expect(() => restoreSamplerState(sampler, { position: 1, sampler: description })).toThrow(InvalidArgumentError);
    }
    loader.setState(state); // the loader is untouched
    expect(loader.getState()).toMatchObject({ epoch: 0, offset: 3 });
  });

  it('refuses a state saved by another rank, even when the samplers describe themselves alike', async () => {
    // A factory whose sampler does not depend on the rank: the descriptions match, but an elastic chain's
    // share does (rank 0 and rank 1 of a resumed job read different parts of the rest of the epoch).
    const samplerFor: SamplerFactory = () => sampler;
    const old = await Promise.all([0, 1].map(async (rank) => (await takeThenSave(new DataLoader({ source, sampler: samplerFor, rank, worldSize: 2 }), 2)).state));
    const resumed0 = new DataLoader<Uint8Array>({ source, sampler: samplerFor, rank: 0, worldSize: 3 });
    resumed0.setElasticState(old);
    const { state } = await takeThenSave(resumed0, 1);
    expect(state.elastic).toBeDefined();
    const rank1 = new DataLoader({ source, sampler: samplerFor, rank: 1, worldSize: 3 });
    expect(() => rank1.setState(state)).toThrow(StateMismatchError);
    expect(() => rank1.setState(state)).toThrow(/placement: saved by rank 0 of 3 but restored into rank 1 of 3/);
    const rank0 = new DataLoader({ source, sampler: samplerFor, rank: 0, worldSize: 3 });
    rank0.setState(state);
  });

  it('refuses mix counts in the state of a loader that is not a mix', async () => {
    const loader = new DataLoader({ source, sampler });
    const { state } = await takeThenSave(new DataLoader({ source, sampler }), 3);
    expect(() => loader.setState({ ...state, counts: [2, 1] })).toThrow(InvalidArgumentError);
    expect(() => loader.setState({ ...state, counts: [2, 1] })).toThrow(/counts/);
    const elastic = new DataLoader({ source, sampler: () => sampler, rank: 0, worldSize: 1 });
    const own = { ...elastic.getState(), offset: 3 };
    expect(() => elastic.setElasticState([{ ...own, counts: [3] }])).toThrow(/counts/);
    loader.setState(state);
  });

  it('refuses a state saved under another transform seed, whose random filter would give another stream', async () => {
    const keepHalf = [map((record: Uint8Array) => text(record)), filter((_: string, { rng }: TransformContext) => rng.random() < 0.5, 'keepHalf')];
    const make = (seed: number | undefined): DataLoader => new DataLoader({ source, sampler, transforms: keepHalf, batchSize: 2, ...(seed === undefined ? {} : { seed }) });
    const { state } = await takeThenSave(make(1), 2);
    expect(state.seed).toBe(1);
    expect(() => make(2).setState(state)).toThrow(StateMismatchError);
    expect(() => make(2).setState(state)).toThrow(/seed: saved with seed 1 but restored into a loader with seed 2/);
    expect(() => make(undefined).setState(state)).toThrow(/seed: saved with seed 1 but restored into a loader with none/);
    expect(() => make(1).setState({ ...state, seed: '1' })).toThrow(/seed must be an integer in \[0, 2\^32\)/);
    // A state written before the field existed has no seed: accepted, as before.
    const { seed: _seed, ...older } = state;
    const resumed = make(1);
    resumed.setState(older);
    const uninterrupted = await drain(make(1));
    expect([...(await takeThenSave(make(1), 2)).taken, ...(await drain(resumed))]).toEqual(uninterrupted);
    // Elastic resume compares each rank's seed too.
    const factory: SamplerFactory = ({ rank, worldSize }) => new StridedShardSampler(sampler, { rank, worldSize });
    const ranks = await Promise.all([0, 1].map(async (rank) => (await takeThenSave(new DataLoader({ source, sampler: factory, rank, worldSize: 2, seed: 1 }), 1)).state));
    expect(() => new DataLoader({ source, sampler: factory, rank: 0, worldSize: 1, seed: 2 }).setElasticState(ranks)).toThrow(/seed: saved with seed 1/);
  });
});
