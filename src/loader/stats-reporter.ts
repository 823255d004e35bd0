// The periodic report of a DataLoader's statistics (its `onStats` option): every `statsIntervalMs` while
// an iteration runs, on a timer that never keeps the process alive and stops with the iteration.

import type { LoaderStatsCallback } from './loader-stats.js';
import type { StatsCollector } from './stats-collector.js';
import type { Tally } from './stats-tally.js';

/** Calls `onStats` with a snapshot and the window since the previous report (or the iteration's start). */
export class StatsReporter {
  private timer: ReturnType<typeof setInterval> | undefined;
  private last: Tally | undefined;
  /** What `onStats` threw, until the run throws it to the consumer. */
  private failed: { readonly error: unknown } | undefined;

  constructor(
    private readonly collector: StatsCollector,
    private readonly onStats: LoaderStatsCallback,
    private readonly intervalMs: number,
  ) {}

  /** An iteration started. */
  start(): void {
    this.stop();
    this.failed = undefined;
    this.last = this.collector.total.copy();
    this.timer = setInterval(() => this.report(), this.intervalMs);
    this.timer.unref();
  }

  /** The iteration ended. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Throws what `onStats` threw (once): the iteration ends with it, as with a failing transform.
   * @throws what `onStats` threw.
   */
  throwIfFailed(): void {
    const failed = this.failed;
    if (failed === undefined) return;
    this.failed = undefined;
    throw failed.error;
  }

  private report(): void {
    const stats = this.collector.stats();
    const total = this.collector.total.copy();
    const window = this.collector.period(total.copy().add(this.last ?? total, -1));
    this.last = total;
    try {
      this.onStats(stats, window);
    } catch (error) {
      this.failed = { error };
      this.stop();
    }
  }
}
