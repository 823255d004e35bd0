// Collects a DataLoader's statistics: additive tallies (over its life and per epoch) that its runs update
// per block and per output, never per record, and the snapshots `loader.stats()` returns.

import type { Block } from './block-producer.js';
import type { LoaderEpochStats, LoaderStats, LoaderStatsPeriod } from './loader-stats.js';
import type { StatsReporter } from './stats-reporter.js';
import { periodOf, Tally } from './stats-tally.js';
import type { TransformTiming } from './transform-timing.js';

/** What a collector needs to know about its loader. */
export interface CollectorSettings {
  /** The prefetch limit. */
  readonly prefetch: number;
  readonly workers: number;
  /** Names of the transform steps, when the loader has the list. */
  readonly stepNames: readonly string[] | undefined;
}

/** A loader's statistics. Its runs report through a RunStats each; one run at a time is timed. */
export class StatsCollector {
  readonly total = new Tally();
  private epochs = new Map<number, Tally>();
  /** The consumer's time while the epoch of its next block is unknown: the epoch gets it once known. */
  private readonly limbo = new Tally();
  private inLimbo = true;
  /** The epoch of the latest block the consumer took. */
  private consumerEpoch: number | undefined;
  private previous: LoaderEpochStats | undefined;
  /** Bumped when the position is restored: runs of earlier generations no longer count per epoch. */
  private generation = 0;
  private running = false;
  /** Up to when time has been charged. */
  private since = 0;
  private ready = 0;
  private pending = 0;
  /** The tally tallyOf found last, and its epoch. */
  private lastKey: number | undefined;
  private lastTally: Tally | undefined;
  /** The periodic report (`onStats`), started and stopped with the runs. */
  reporter: StatsReporter | undefined;

  constructor(private readonly settings: CollectorSettings) {}

  /** A run starts: time counts from now until `RunStats.ended()`. */
  startRun(): RunStats {
    this.running = true;
    this.since = performance.now();
    this.ready = this.pending = 0;
    this.limbo.clear();
    this.inLimbo = true;
    this.reporter?.start();
    return new RunStats(this, this.generation);
  }

  /** The position was restored (setState): the per-epoch figures start over; the totals go on. */
  restored(): void {
    this.advance(performance.now());
    this.generation++;
    this.epochs = new Map();
    this.lastKey = undefined;
    this.consumerEpoch = undefined;
    this.previous = undefined;
    this.inLimbo = true;
  }

  /** The snapshot `loader.stats()` returns. */
  stats(): LoaderStats {
    this.advance(performance.now());
    const { prefetch, workers, stepNames } = this.settings;
    const epoch = this.consumerEpoch;
    return {
      ...periodOf(this.total, prefetch, stepNames),
      epoch: epoch === undefined ? undefined : { epoch, ...this.period(this.tallyOf(epoch)) },
      previousEpoch: this.previous,
      prefetch: { limit: prefetch, pending: this.running ? this.pending : 0, ready: this.running ? this.ready : 0 },
      workers,
    };
  }

  /** A period's public figures. */
  period(tally: Tally): LoaderStatsPeriod {
    return periodOf(tally, this.settings.prefetch, this.settings.stepNames, this.total);
  }

  /** Where a run's event of `epoch` counts besides the total: the epoch's tally, unless the run is stale. */
  epochTally(epoch: number, generation: number): Tally | undefined {
    return generation === this.generation ? this.tallyOf(epoch) : undefined;
  }

  /** Charges the time since the last charge: wall time, prefetch fill, and the loader's wait for the consumer. */
  advance(now: number): void {
    if (!this.running) return;
    const elapsed = now - this.since;
    this.since = now;
    if (elapsed <= 0) return;
    this.charge(this.total, elapsed);
    const epoch = this.inLimbo ? this.limbo : this.consumerEpoch === undefined ? undefined : this.tallyOf(this.consumerEpoch);
    if (epoch !== undefined) this.charge(epoch, elapsed);
  }

  private charge(tally: Tally, elapsed: number): void {
    tally.ms += elapsed;
    tally.filled += this.ready * elapsed;
    if (this.ready >= this.settings.prefetch) tally.waitForConsumer += elapsed;
  }

  /** A block of the prefetch buffer finished: it holds `pending` blocks, `ready` of them finished. */
  finished(ready: number, pending: number, generation: number): void {
    if (generation !== this.generation || !this.running) return;
    this.advance(performance.now());
    this.ready = ready;
    this.pending = pending;
  }

  /** The consumer starts waiting for the block after an epoch's last one: its epoch is not known yet. */
  epochEnded(now: number, generation: number): void {
    if (generation !== this.generation) return;
    this.advance(now);
    this.inLimbo = true;
  }

  /** The consumer took a block of `epoch`, having waited since `started`; the buffer now holds `pending`, `ready` of them finished. */
  took(epoch: number, started: number, ready: number, pending: number, generation: number): void {
    const now = performance.now();
    if (generation === this.generation && this.running) {
      this.advance(now);
      this.ready = ready;
      this.pending = pending;
      if (epoch !== this.consumerEpoch) this.enter(epoch);
      if (this.inLimbo) {
        this.tallyOf(epoch).add(this.limbo);
        this.limbo.clear();
        this.inLimbo = false;
      }
    }
    this.total.waitForInput += now - started;
    const tally = this.epochTally(epoch, generation);
    if (tally !== undefined) tally.waitForInput += now - started;
  }

  ended(generation: number): void {
    this.reporter?.stop();
    if (generation === this.generation) this.advance(performance.now());
    this.running = false;
    this.ready = this.pending = 0;
  }

  private enter(epoch: number): void {
    const left = this.consumerEpoch;
    if (left !== undefined) this.previous = { epoch: left, ...this.period(this.tallyOf(left)) };
    // Forward, the epochs before are done; back (epoch(e) of an earlier epoch), so are those after.
    const back = left !== undefined && epoch < left;
    for (const key of [...this.epochs.keys()]) if (key < epoch || (back && key > epoch)) this.epochs.delete(key);
    this.consumerEpoch = epoch;
    this.lastKey = undefined;
  }

  private tallyOf(epoch: number): Tally {
    if (epoch === this.lastKey) return this.lastTally!;
    let tally = this.epochs.get(epoch);
    if (tally === undefined) this.epochs.set(epoch, (tally = new Tally()));
    this.lastKey = epoch;
    this.lastTally = tally;
    return tally;
  }
}

function addTransform(tally: Tally, { ms, sampled }: TransformTiming): void {
  tally.transform += ms;
  if (sampled === undefined) return;
  for (let step = 0; step < sampled.length; step++) tally.sampled[step] = (tally.sampled[step] ?? 0) + sampled[step]!;
}

/** What one run reports: block by block, and output by output. */
export class RunStats {
  private afterLast = false;

  constructor(
    private readonly collector: StatsCollector,
    private readonly generation: number,
  ) {}

  /** A block of `epoch` was read: `records` arrived, after `ms`. */
  read(epoch: number, records: number, ms: number): void {
    const { total } = this.collector;
    total.records += records;
    total.read += ms;
    const tally = this.collector.epochTally(epoch, this.generation);
    if (tally === undefined) return;
    tally.records += records;
    tally.read += ms;
  }

  /** A block of `epoch` was transformed. */
  transformed(epoch: number, timing: TransformTiming | undefined): void {
    if (timing === undefined) return;
    addTransform(this.collector.total, timing);
    const tally = this.collector.epochTally(epoch, this.generation);
    if (tally !== undefined) addTransform(tally, timing);
  }

  /** The consumer starts waiting for a block; returns when. */
  waiting(): number {
    const now = performance.now();
    if (this.afterLast) this.collector.epochEnded(now, this.generation);
    return now;
  }

  /** The consumer took `block`, having waited since `started` (from `waiting()`); the buffer now holds `pending`, `ready` of them finished. */
  took(block: Block, started: number, ready: number, pending: number): void {
    this.afterLast = block.last;
    this.collector.took(block.epoch, started, ready, pending, this.generation);
  }

  /** `collate` of a batch of `epoch` took `ms`. */
  collated(epoch: number, ms: number): void {
    this.collector.total.collate += ms;
    const tally = this.collector.epochTally(epoch, this.generation);
    if (tally !== undefined) tally.collate += ms;
  }

  /** The consumer received an output of `elements` elements of `epoch`. */
  delivered(epoch: number, elements: number): void {
    const { total } = this.collector;
    total.elements += elements;
    total.batches++;
    const tally = this.collector.epochTally(epoch, this.generation);
    if (tally === undefined) return;
    tally.elements += elements;
    tally.batches++;
  }

  /** A block of the prefetch buffer finished: it holds `pending` blocks, `ready` of them finished. */
  finished(ready: number, pending: number): void {
    this.collector.finished(ready, pending, this.generation);
  }

  /**
   * Throws what the periodic report's `onStats` threw, once.
   * @throws what `onStats` threw.
   */
  throwIfReportFailed(): void {
    this.collector.reporter?.throwIfFailed();
  }

  /** The run is over: time stops. */
  ended(): void {
    this.collector.ended(this.generation);
  }
}
