// Loader statistics: exact counts, consistent times, the bottleneck verdict for a slow consumer and a
// slow transform (here and on workers), per-epoch figures across epochs and restores, and the periodic report.

import { afterAll, describe, expect, it } from 'vitest';
import { DataLoader, filter, formatLoaderStats, InvalidArgumentError, InvalidOptionsError, map, type LoaderStats, type LoaderStatsPeriod } from '../../src/index.js';
import { SequentialSampler } from '../../src/samplers/index.js';
import { applyTransforms } from '../../src/loader/apply-transforms.js';
import { TimedSteps, timeTransforms } from '../../src/loader/transform-timing.js';
import { SLOW_MS, sleepSync, slowTransforms } from './fixtures/stats-transforms.js';
import { MemorySource, text } from './loader-helpers.js';

/** Slack for clock reads taken at slightly different points: 20 ms. */
const TOLERANCE = 0.02;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const loaders: DataLoader[] = [];
afterAll(() => Promise.all(loaders.map((loader) => loader.close())));

function keep<T extends DataLoader>(loader: T): T {
  loaders.push(loader as DataLoader);
  return loader;
}

/** Every time is finite and >= 0, and the stages that cannot overlap with themselves stay within the wall time. */
function expectConsistent(period: LoaderStatsPeriod, wallSeconds?: number): void {
  const { stages } = period;
  for (const value of [period.seconds, ...Object.values(stages), ...period.steps.map((step) => step.seconds)]) {
    expect(Number.isFinite(value) && value >= 0, String(value)).toBe(true);
  }
  if (wallSeconds !== undefined) expect(period.seconds).toBeLessThanOrEqual(wallSeconds + TOLERANCE);
  expect(stages.waitForInput).toBeLessThanOrEqual(period.seconds + TOLERANCE);
  expect(stages.waitForConsumer).toBeLessThanOrEqual(period.seconds + TOLERANCE);
  expect(stages.collate).toBeLessThanOrEqual(period.seconds + TOLERANCE);
  const stepSum = period.steps.reduce((sum, step) => sum + step.seconds, 0);
  if (period.steps.length > 0) expect(stepSum).toBeCloseTo(stages.transform, 6);
  expect(period.prefetchFill).toBeGreaterThanOrEqual(0);
  expect(period.prefetchFill).toBeLessThanOrEqual(1);
  if (period.seconds > 0) {
    expect(period.recordsPerSecond).toBeCloseTo(period.records / period.seconds, 6);
    expect(period.elementsPerSecond).toBeCloseTo(period.elements / period.seconds, 6);
  }
}

function counts(period: LoaderStatsPeriod | undefined): { records: number; elements: number; batches: number } | undefined {
  return period === undefined ? undefined : { records: period.records, elements: period.elements, batches: period.batches };
}

describe('loader.stats()', () => {
  it('is empty and undecided before the first iteration', () => {
    const loader = keep(new DataLoader({ source: new MemorySource('e', 10), sampler: new SequentialSampler({ numRecords: 10 }), prefetch: 3 }));
    const stats = loader.stats();
    expect(counts(stats)).toEqual({ records: 0, elements: 0, batches: 0 });
    expect(stats).toMatchObject({ seconds: 0, bottleneck: 'unknown', epoch: undefined, previousEpoch: undefined, workers: 0 });
    expect(stats.prefetch).toEqual({ limit: 3, pending: 0, ready: 0 });
    expect(formatLoaderStats(stats)).toBe(
      '0 records, 0 batches in 0.0 ms (0 records/s) | read 0.0 ms | waited for input 0%, for the consumer 0%, prefetch 0% full | too early to tell',
    );
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('counts records read, elements and batches delivered exactly, in total and per epoch', async () => {
    const source = new MemorySource('c', 50);
    const even = filter((record: Uint8Array) => Number(text(record).split(':')[1]) % 2 === 0, 'even');
    const loader = keep(
      new DataLoader({ source, sampler: new SequentialSampler({ numRecords: 50, numEpochs: 3 }), transforms: [even], batchSize: 4, readSize: 6 }),
    );
    const started = performance.now();
    let batches = 0;
    for await (const _ of loader) batches++;
    const wall = (performance.now() - started) / 1000;
    const stats = loader.stats();
    // 25 even records per epoch: 6 full batches and one of 1.
    expect(batches).toBe(21);
    expect(counts(stats)).toEqual({ records: 150, elements: 75, batches: 21 });
    expect(counts(stats.epoch)).toEqual({ records: 50, elements: 25, batches: 7 });
    expect(stats.epoch?.epoch).toBe(2);
    expect(counts(stats.previousEpoch)).toEqual({ records: 50, elements: 25, batches: 7 });
    expect(stats.previousEpoch?.epoch).toBe(1);
    expect(stats.steps.map((step) => step.name)).toEqual(['even']);
    // Epochs without a timed block of their own split their transform time as the whole run does.
    expect(stats.epoch!.steps.map((step) => step.name)).toEqual(['even']);
    expect(formatLoaderStats(stats)).toMatch(/^150 records \(75 elements\), 21 batches in .* \(.* records\/s, .* elements\/s\) \| read .*, transform .* \| /);
    expectConsistent(stats, wall);
    expectConsistent(stats.epoch!, wall);
    expect(stats.epoch!.seconds + stats.previousEpoch!.seconds).toBeLessThanOrEqual(stats.seconds + TOLERANCE);
    expect(stats.prefetch).toEqual({ limit: 4, pending: 0, ready: 0 });
  });

  it('counts elements one by one without batchSize, and times collate with one', async () => {
    const source = new MemorySource('o', 9);
    const single = keep(new DataLoader({ source, sampler: new SequentialSampler({ numRecords: 9 }) }));
    for await (const _ of single) void _;
    expect(counts(single.stats())).toEqual({ records: 9, elements: 9, batches: 9 });
    const collated = keep(
      new DataLoader({ source, sampler: new SequentialSampler({ numRecords: 9 }), batchSize: 4, collate: (items) => items.length }),
    );
    for await (const _ of collated) void _;
    const stats = collated.stats();
    expect(counts(stats)).toEqual({ records: 9, elements: 9, batches: 3 });
    expect(stats.stages.transform).toBe(0);
    expect(stats.steps).toEqual([]);
    expectConsistent(stats);
  });

  it('finds a slow consumer consumer-bound, with the prefetch buffer full', async () => {
    const loader = keep(new DataLoader({ source: new MemorySource('s', 60), sampler: new SequentialSampler({ numRecords: 60 }), batchSize: 4, prefetch: 2 }));
    const started = performance.now();
    const paused: LoaderStats['prefetch'][] = [];
    for await (const _ of loader) {
      await sleep(40);
      paused.push(loader.stats().prefetch);
    }
    const stats = loader.stats();
    expect(stats.batches).toBe(15);
    // Filled to its limit during the consumer's sleeps, and never past it. Every sleep but the last few
    // finds it full, unless this thread was stalled for the whole sleep in the few turns that fill it:
    // then the sleep's timer runs first, so the first sleep alone is not relied on.
    expect(paused).toContainEqual({ limit: 2, pending: 2, ready: 2 });
    for (const prefetch of paused) expect(prefetch.pending).toBeLessThanOrEqual(2);
    expect(stats.bottleneck).toBe('consumer');
    expect(stats.stages.waitForConsumer).toBeGreaterThan(stats.stages.waitForInput);
    expect(stats.prefetchFill).toBeGreaterThan(0.5);
    expectConsistent(stats, (performance.now() - started) / 1000);
    expect(formatLoaderStats(stats)).toMatch(/\| consumer-bound$/);
  });

  it('finds a slow transform input-bound, and names the slow step', async () => {
    const loader = keep(
      new DataLoader({ source: new MemorySource('t', 12), sampler: new SequentialSampler({ numRecords: 12 }), transforms: slowTransforms, batchSize: 2 }),
    );
    const started = performance.now();
    for await (const _ of loader) void _;
    const stats = loader.stats();
    expect(stats.bottleneck).toBe('input');
    // Each element sleeps SLOW_MS: a lower bound, whatever the machine's load.
    expect(stats.stages.transform).toBeGreaterThanOrEqual((0.9 * 12 * SLOW_MS) / 1000);
    expect(stats.stages.waitForInput).toBeGreaterThan(stats.stages.waitForConsumer);
    const [length, slow] = stats.steps;
    expect([length?.name, slow?.name]).toEqual(['length', 'slow']);
    expect(slow!.seconds).toBeGreaterThan(length!.seconds);
    expectConsistent(stats, (performance.now() - started) / 1000);
    // Synchronous transforms run on this thread, one block at a time: within the wall time.
    expect(stats.stages.transform + stats.stages.collate).toBeLessThanOrEqual(stats.seconds + TOLERANCE);
  });

  it('takes the transform time the workers report', async () => {
    const loader = keep(
      new DataLoader({
        source: new MemorySource('w', 8),
        sampler: new SequentialSampler({ numRecords: 8 }),
        transforms: slowTransforms,
        workers: 1,
        transformModule: new URL('./fixtures/stats-transforms.ts', import.meta.url),
        transformExport: 'slowTransforms',
        batchSize: 2,
      }),
    );
    for await (const _ of loader) void _;
    const stats = loader.stats();
    expect(stats.workers).toBe(1);
    expect(counts(stats)).toEqual({ records: 8, elements: 8, batches: 4 });
    expect(stats.stages.transform).toBeGreaterThanOrEqual((0.9 * 8 * SLOW_MS) / 1000);
    expect(stats.steps.map((step) => step.name)).toEqual(['length', 'slow']);
    expect(stats.steps[1]!.seconds).toBeGreaterThan(stats.steps[0]!.seconds);
    expectConsistent(stats);
  });
});

describe('formatLoaderStats', () => {
  it('words a period in one line, naming unnamed steps by place', () => {
    const period: LoaderStatsPeriod = {
      seconds: 2,
      records: 9600,
      elements: 9000,
      batches: 300,
      recordsPerSecond: 4800,
      elementsPerSecond: 4500,
      stages: { read: 0.41, transform: 0.9, collate: 0.0021, waitForInput: 0.5, waitForConsumer: 0.1 },
      steps: [
        { step: 0, name: 'decode', seconds: 0.6 },
        { step: 1, name: '', seconds: 0.3 },
      ],
      prefetchFill: 0.256,
      bottleneck: 'input',
    };
    expect(formatLoaderStats(period)).toBe(
      '9,600 records (9,000 elements), 300 batches in 2.00 s (4,800 records/s, 4,500 elements/s) | read 410 ms, ' +
        'transform 900 ms (decode 600 ms, step 1 300 ms), collate 2.1 ms | waited for input 25%, for the consumer 5%, prefetch 26% full | input-bound',
    );
  });

  it("refuses what is not a period, such as a fresh loader's stats().epoch, naming it", () => {
    for (const value of [undefined, null, {}, 3]) {
      expect(() => formatLoaderStats(value as never)).toThrow(InvalidArgumentError);
      expect(() => formatLoaderStats(value as never)).toThrow(/formatLoaderStats takes loader\.stats\(\), or its epoch or previousEpoch once there is one \(got .+\)/);
    }
  });
});

describe('timed transform steps', () => {
  const records = Array.from({ length: 10 }, (_, k) => new Uint8Array(k));
  const sources = new Int32Array(10);
  const keys = new Float64Array(records.map((_, k) => k));
  const steps = [
    // 50 ms: far above what the cheap steps take even on a loaded machine (5 ms was passed there).
    map((record: Uint8Array, { key }) => (key === 3 ? sleepSync(50) : undefined, record.length), 'length'),
    filter((length: number) => length % 2 === 0, 'even'),
    map(async (length: number) => length * 10, { name: 'async', concurrency: 2 }),
  ] as const;

  it('give the outputs of the steps themselves, timing one block in 32 from the first', async () => {
    const timed = new TimedSteps(steps);
    const plain = await applyTransforms(steps, records, 0, sources, keys, undefined);
    for (let block = 0; block < 33; block++) {
      const result = await timeTransforms(timed, records, 0, sources, keys, undefined);
      expect(result.values).toEqual(plain.values);
      expect(result.kept).toEqual(plain.kept);
      expect(result.timing!.ms).toBeGreaterThanOrEqual(block % 32 === 0 ? 45 : 0);
      if (block % 32 !== 0) {
        expect(result.timing!.sampled).toBeUndefined();
        continue;
      }
      const [length, even, async] = result.timing!.sampled!;
      // The 50 ms sleep is in step 0; the async step's calls only return their promise.
      expect(length).toBeGreaterThanOrEqual(45);
      expect(even! + async!).toBeLessThan(length!);
    }
  });

  it('share the steps\' concurrency gates, and pass their errors on', async () => {
    let running = 0;
    let most = 0;
    const slow = map(
      async (value: number) => {
        most = Math.max(most, ++running);
        await sleep(2);
        running--;
        return value;
      },
      { concurrency: 3 },
    );
    const timed = new TimedSteps([map((record: Uint8Array) => record.length), slow]);
    // The timed block (the first) and an untimed one in flight at once: 3 calls at most, in all.
    await Promise.all([timeTransforms(timed, records, 0, sources, keys, undefined), timeTransforms(timed, records, 0, sources, keys, undefined)]);
    expect(most).toBe(3);
    const failing = new TimedSteps([
      map((record: Uint8Array) => {
        if (record.length === 2) throw new RangeError('two');
        return record;
      }, 'strict'),
    ]);
    expect(() => timeTransforms(failing, records, 0, sources, keys, undefined)).toThrow(expect.objectContaining({ element: 2, stepName: 'strict', cause: new RangeError('two') }));
  });
});

describe('stats across epochs and restores', () => {
  const make = (): DataLoader<Uint8Array[]> => {
    const loader = new DataLoader({ source: new MemorySource('r', 40), sampler: new SequentialSampler({ numRecords: 40, numEpochs: 2 }), batchSize: 5 });
    return keep(loader);
  };

  it('keeps each epoch of epoch() loops, and starts the epoch figures over after setState', async () => {
    const loader = make();
    for await (const _ of loader.epoch(0)) void _;
    expect(loader.stats().epoch).toMatchObject({ epoch: 0, records: 40, elements: 40, batches: 8 });
    expect(loader.stats().previousEpoch).toBeUndefined();
    let taken = 0;
    for await (const _ of loader.epoch(1)) if (++taken === 3) break;
    const mid = loader.stats();
    expect(mid.epoch).toMatchObject({ epoch: 1, elements: 15, batches: 3 });
    expect(mid.previousEpoch).toMatchObject({ epoch: 0, records: 40, elements: 40, batches: 8 });
    const state = JSON.parse(JSON.stringify(loader.getState())) as unknown;

    // The same loader, restored: totals go on, the epoch figures start over from the restored position.
    loader.setState(state);
    expect(loader.stats().epoch).toBeUndefined();
    for await (const _ of loader.epoch(1)) void _;
    const after = loader.stats();
    expect(after.epoch).toMatchObject({ epoch: 1, records: 25, elements: 25, batches: 5 });
    expect(after.previousEpoch).toBeUndefined();
    expect(after.elements).toBe(40 + 15 + 25);
    expect(after.batches).toBe(8 + 3 + 5);
    expectConsistent(after);

    // A fresh loader restored from the state counts only what it reads and delivers.
    const fresh = make();
    fresh.setState(state);
    for await (const _ of fresh.epoch()) void _;
    expect(counts(fresh.stats())).toEqual({ records: 25, elements: 25, batches: 5 });
    expect(fresh.stats().epoch).toMatchObject({ epoch: 1, records: 25, elements: 25, batches: 5 });
  });

  it('does not count the time between iterations', async () => {
    const loader = make();
    for await (const _ of loader.epoch(0)) void _;
    const first = loader.stats().seconds;
    await sleep(60);
    expect(loader.stats().seconds).toBe(first);
    await loader.close();
    expect(loader.stats().seconds).toBe(first);
  });
});

describe('the periodic report (onStats)', () => {
  it('fires while an iteration runs, with windows that add up, and stops when it ends', async () => {
    const reports: { stats: LoaderStats; window: LoaderStatsPeriod }[] = [];
    const loader = keep(
      new DataLoader({
        source: new MemorySource('p', 40),
        sampler: new SequentialSampler({ numRecords: 40 }),
        batchSize: 4,
        onStats: (stats, window) => reports.push({ stats, window }),
        statsIntervalMs: 20,
      }),
    );
    await sleep(50);
    expect(reports).toEqual([]);
    for await (const _ of loader) await sleep(25);
    const fired = reports.length;
    expect(fired).toBeGreaterThanOrEqual(1);
    await sleep(80);
    expect(reports.length).toBe(fired);
    for (const { stats, window } of reports) {
      expectConsistent(window);
      expect(window.batches).toBeLessThanOrEqual(stats.batches);
    }
    const windows = reports.reduce((sum, { window }) => sum + window.batches, 0);
    expect(windows).toBe(reports.at(-1)!.stats.batches);
    expect(windows).toBeLessThanOrEqual(10);
  });

  it('stops on break, and its timer does not keep the process alive', async () => {
    let reports = 0;
    const loader = keep(
      new DataLoader({
        source: new MemorySource('u', 100),
        sampler: new SequentialSampler({ numRecords: 100 }),
        batchSize: 4,
        onStats: () => reports++,
        statsIntervalMs: 10,
      }),
    );
    const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const iterator = loader[Symbol.asyncIterator]();
    await iterator.next();
    // The report's timer runs, but is not among the resources keeping the event loop alive.
    expect(timers()).toBe(before);
    while (reports === 0) await sleep(5);
    await iterator.return!();
    const fired = reports;
    await sleep(50);
    expect(reports).toBe(fired);
  });

  it('ends the iteration with what onStats throws', async () => {
    const loader = keep(
      new DataLoader({
        source: new MemorySource('x', 100),
        sampler: new SequentialSampler({ numRecords: 100 }),
        batchSize: 4,
        onStats: () => {
          throw new RangeError('bad report');
        },
        statsIntervalMs: 5,
      }),
    );
    await expect(
      (async () => {
        for await (const _ of loader) await sleep(10);
      })(),
    ).rejects.toThrow(/bad report/);
  });

  it('rejects unknown and misplaced options', () => {
    const base = { source: new MemorySource('k', 4), sampler: new SequentialSampler({ numRecords: 4 }) };
    const build = (extra: Record<string, unknown>) => () => new DataLoader({ ...base, ...extra } as never);
    expect(build({ onStat: () => undefined })).toThrow(InvalidOptionsError);
    expect(build({ onStat: () => undefined })).toThrow(/unknown option onStat; did you mean onStats\?/);
    expect(build({ onStats: () => undefined, statsInterval: 5 })).toThrow(/unknown option statsInterval; did you mean statsIntervalMs\?/);
    expect(build({ statsIntervalMs: 1000 })).toThrow(/statsIntervalMs sets how often onStats is called: give onStats too/);
    expect(build({ onStats: 'log' })).toThrow(/onStats must be a function of \(stats, window\) \(got "log"\)/);
    expect(build({ onStats: () => undefined, statsIntervalMs: 0 })).toThrow(/statsIntervalMs must be an integer in \[1, 2147483647\] \(got 0\)/);
    expect(build({ onStats: () => undefined, statsIntervalMs: 1000 })).not.toThrow();
  });
});
