// What `loader.stats()` returns: counts, rates and the time spent per stage of the loader's pipeline, over
// its life and per epoch, with which side of the loop sets the pace (as tf.data's and Grain's statistics).

import { InvalidArgumentError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';

/**
 * Which side of the training loop sets the pace over a period, from the share of the iteration's wall
 * time the consumer spent waiting inside `next()` for data (the thresholds of TensorFlow's profiler):
 * `'input'` at 20% or more (the loader holds training up: more workers, prefetch or readSize may help),
 * `'consumer'` under 5% (the loader keeps up: the training step is the limit), `'balanced'` in between,
 * and `'unknown'` before the first output.
 * @example if (loader.stats().bottleneck === 'input') console.warn('the input pipeline slows training down');
 */
export type LoaderBottleneck = 'input' | 'consumer' | 'balanced' | 'unknown';

/**
 * Seconds spent per stage of the pipeline. Stages overlap: reads of prefetched blocks run concurrently
 * (and with the transforms and the consumer), so `read` may exceed the period's wall time, up to
 * `prefetch` times; so may `transform` with async steps or on workers. The stages on this thread
 * (synchronous transforms, collate) and the two waits each stay within it.
 * @example
 * const { read, transform, waitForInput } = loader.stats().stages;
 * console.log(`read ${read.toFixed(2)} s, transform ${transform.toFixed(2)} s, waited ${waitForInput.toFixed(2)} s`);
 */
export interface LoaderStageTimes {
  /** The source reads (`getItemsAsync`): wall time of each block's read, summed over blocks. */
  readonly read: number;
  /**
   * The transforms: each block's time from its first step to its last element's result, summed over
   * blocks. On this thread it is measured here; on worker threads, the workers measure it and send it
   * with their results (summed over workers, so up to `workers` times the wall time).
   */
  readonly transform: number;
  /** `collate` (building each batch's value; 0 without a `collate` option). */
  readonly collate: number;
  /** The consumer waited inside `next()` for an output that was not ready: the time input held training up. */
  readonly waitForInput: number;
  /** The prefetch buffer was full of finished blocks: the loader had nothing to do until the consumer took one. */
  readonly waitForConsumer: number;
}

/**
 * The time of one transform step: its share of `stages.transform`, split by the synchronous time of
 * its calls on the elements of one block in 32 (timing every call would cost more than a cheap step
 * does). An async step counts the time its calls take to return their promise.
 * @example
 * const slowest = [...loader.stats().steps].sort((a, b) => b.seconds - a.seconds)[0];
 * console.log(`slowest step: ${slowest?.name} (${slowest?.seconds.toFixed(2)} s)`);
 */
export interface LoaderStepTime {
  /** The step's place in the transform list. */
  readonly step: number;
  /** Its name (`map(fn, 'name')`); empty when unknown (workers' steps without a `transforms` option). */
  readonly name: string;
  /** Its estimated time, in seconds. */
  readonly seconds: number;
}

/**
 * The loader's figures over a period: its whole life, one epoch, or the window between two periodic
 * reports. Time counts only while an iteration runs (from its first `next()` to its end, `break` or
 * `return()`), so pauses between `epoch()` loops do not lower the rates.
 * @example
 * const { recordsPerSecond, elementsPerSecond, bottleneck } = loader.stats();
 * console.log(`${recordsPerSecond.toFixed(0)} records/s, ${elementsPerSecond.toFixed(0)} elements/s, ${bottleneck}-bound`);
 */
export interface LoaderStatsPeriod {
  /** Wall time iterating, in seconds. */
  readonly seconds: number;
  /**
   * Records read from the sources, including the read-ahead of the prefetch (also of iterations that
   * were stopped before using it) and records a filter dropped later; records a source skipped are not.
   */
  readonly records: number;
  /** Elements the consumer received (in its batches). */
  readonly elements: number;
  /** Outputs the consumer received: batches with `batchSize`, else elements. */
  readonly batches: number;
  /** `records / seconds` (0 before any time has passed). */
  readonly recordsPerSecond: number;
  /** `elements / seconds`: the rate at which the consumer received elements. */
  readonly elementsPerSecond: number;
  /** Seconds per stage of the pipeline. */
  readonly stages: LoaderStageTimes;
  /** Seconds per transform step (empty without transforms). */
  readonly steps: readonly LoaderStepTime[];
  /** How full of finished blocks the prefetch buffer was on average, from 0 (empty) to 1 (`prefetch` blocks). */
  readonly prefetchFill: number;
  /** Which side set the pace (see LoaderBottleneck). */
  readonly bottleneck: LoaderBottleneck;
}

/**
 * The figures of one epoch: the consumer's time from asking for the epoch's first output to receiving
 * its last, and the reads, transforms and outputs of that epoch's blocks.
 * @example
 * for await (const batch of loader.epoch(e)) train(batch);
 * console.log(`epoch ${loader.stats().epoch?.epoch}: ${loader.stats().epoch?.elementsPerSecond.toFixed(0)} elements/s`);
 */
export interface LoaderEpochStats extends LoaderStatsPeriod {
  /** Which epoch. */
  readonly epoch: number;
}

/**
 * The prefetch buffer right now.
 * @example const { ready, limit } = loader.stats().prefetch; // ready === limit: the consumer is the slow side
 */
export interface LoaderPrefetchState {
  /** Blocks read or transformed ahead at most (the `prefetch` option). */
  readonly limit: number;
  /** Blocks started and not yet taken by the consumer (reading, transforming or finished). */
  readonly pending: number;
  /** Of those, the finished ones. */
  readonly ready: number;
}

/**
 * A snapshot of a loader's statistics (`loader.stats()`): the figures over its whole life, over the
 * epoch the consumer is in and the one before, the prefetch buffer now, and where the transforms run.
 * Plain data: it can be logged as JSON, and `formatLoaderStats` words it in one line.
 * @example
 * const stats = loader.stats();
 * console.log(stats.bottleneck, stats.stages.waitForInput / stats.seconds, JSON.stringify(stats.epoch));
 */
export interface LoaderStats extends LoaderStatsPeriod {
  /**
   * The epoch of the latest output the consumer received (or is waiting for), so far; undefined before
   * the first. After an `epoch(e)` loop has completed, epoch `e` as a whole.
   */
  readonly epoch: LoaderEpochStats | undefined;
  /** The epoch the consumer received outputs of before `epoch`; undefined in the first. */
  readonly previousEpoch: LoaderEpochStats | undefined;
  /** The prefetch buffer at the time of the snapshot (empty between iterations). */
  readonly prefetch: LoaderPrefetchState;
  /** Transform worker threads (0: the transforms run on this thread). */
  readonly workers: number;
}

/**
 * The `onStats` option of DataLoader: called every `statsIntervalMs` while an iteration runs, with a
 * snapshot and the figures of the window since the previous report (or since the iteration started).
 * What it throws ends the iteration: the consumer's next `next()` throws it.
 * @example
 * const onStats: LoaderStatsCallback = (stats, window) => console.log(`last 10 s: ${formatLoaderStats(window)}`);
 * const loader = new DataLoader({ source, sampler, batchSize: 32, onStats, statsIntervalMs: 10_000 });
 */
export type LoaderStatsCallback = (stats: LoaderStats, window: LoaderStatsPeriod) => void;

/** Below this share of the wall time spent waiting for input, the consumer sets the pace. */
const CONSUMER_BOUND = 0.05;
/** From this share on, the input does. */
const INPUT_BOUND = 0.2;

/**
 * Which side set the pace, from the consumer's wait for input over the wall time (see LoaderBottleneck).
 * @example bottleneckOf(0.5, 1, 10); // 'input'
 */
export function bottleneckOf(waitForInput: number, seconds: number, batches: number): LoaderBottleneck {
  if (batches === 0 || !(seconds > 0)) return 'unknown';
  const share = waitForInput / seconds;
  return share >= INPUT_BOUND ? 'input' : share < CONSUMER_BOUND ? 'consumer' : 'balanced';
}

const VERDICTS: Readonly<Record<LoaderBottleneck, string>> = {
  input: 'input-bound',
  consumer: 'consumer-bound',
  balanced: 'balanced',
  unknown: 'too early to tell',
};

function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function seconds(value: number): string {
  if (value >= 1) return `${value.toFixed(2)} s`;
  return value >= 0.01 ? `${Math.round(value * 1000)} ms` : `${(value * 1000).toFixed(1)} ms`;
}

function share(part: number, whole: number): string {
  return `${whole > 0 ? Math.round((100 * part) / whole) : 0}%`;
}

/**
 * The figures of a period in one line: counts and rates (elements too when they are not the records:
 * a filter or `dropRemainder` left some out, or the prefetch read ahead), time
 * per stage (per step when there are several; stages that took no time are left out), how much of the
 * time each side waited for the other, how full the prefetch buffer was, and the verdict.
 * @throws InvalidArgumentError for anything but such a period, such as `loader.stats().epoch` before the
 *   first output (undefined).
 * @example
 * console.log(formatLoaderStats(loader.stats()));
 * // 9,600 records, 300 batches in 1.93 s (4,974 records/s) | read 410 ms, transform 880 ms (decode 610 ms,
 * // augment 270 ms) | waited for input 3%, for the consumer 71%, prefetch 88% full | consumer-bound
 */
export function formatLoaderStats(stats: LoaderStatsPeriod): string {
  // `loader.stats().epoch` is undefined before the first output: a TypeError from inside would not say so.
  const period = stats as Partial<LoaderStatsPeriod> | null | undefined;
  if (typeof period !== 'object' || period === null || typeof period.stages !== 'object' || !Array.isArray(period.steps)) {
    throw new InvalidArgumentError(`formatLoaderStats takes loader.stats(), or its epoch or previousEpoch once there is one (got ${describeFound(stats)})`);
  }
  const { stages } = stats;
  const dropped = stats.elements !== stats.records;
  const counts = `${count(stats.records)} records${dropped ? ` (${count(stats.elements)} elements)` : ''}, ${count(stats.batches)} batches in ${seconds(stats.seconds)}`;
  const rates = `${count(stats.recordsPerSecond)} records/s${dropped ? `, ${count(stats.elementsPerSecond)} elements/s` : ''}`;
  const named = (step: LoaderStepTime): string => `${step.name === '' ? `step ${step.step}` : step.name} ${seconds(step.seconds)}`;
  const steps = stats.steps.length < 2 ? '' : ` (${stats.steps.map(named).join(', ')})`;
  const times = [`read ${seconds(stages.read)}`];
  if (stats.steps.length > 0 || stages.transform > 0) times.push(`transform ${seconds(stages.transform)}${steps}`);
  if (stages.collate > 0) times.push(`collate ${seconds(stages.collate)}`);
  const waits = `waited for input ${share(stages.waitForInput, stats.seconds)}, for the consumer ${share(stages.waitForConsumer, stats.seconds)}`;
  return `${counts} (${rates}) | ${times.join(', ')} | ${waits}, prefetch ${Math.round(stats.prefetchFill * 100)}% full | ${VERDICTS[stats.bottleneck]}`;
}
