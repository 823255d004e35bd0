// The additive figures of a period of a DataLoader's statistics (times in milliseconds), and the public
// figures (rates, shares, verdict) derived from them.

import { bottleneckOf, type LoaderStatsPeriod } from './loader-stats.js';

/** The additive figures of a period; times in milliseconds. */
export class Tally {
  ms = 0;
  records = 0;
  elements = 0;
  batches = 0;
  read = 0;
  transform = 0;
  collate = 0;
  waitForInput = 0;
  waitForConsumer = 0;
  /** Finished blocks in the prefetch buffer, integrated over time (block-milliseconds). */
  filled = 0;
  /** Per transform step: the synchronous time of its sampled calls (which split `transform` over the steps). */
  sampled: number[] = [];

  /** Adds `other` (scaled by `sign`) into this tally. */
  add(other: Tally, sign = 1): this {
    this.ms += sign * other.ms;
    this.records += sign * other.records;
    this.elements += sign * other.elements;
    this.batches += sign * other.batches;
    this.read += sign * other.read;
    this.transform += sign * other.transform;
    this.collate += sign * other.collate;
    this.waitForInput += sign * other.waitForInput;
    this.waitForConsumer += sign * other.waitForConsumer;
    this.filled += sign * other.filled;
    for (let step = 0; step < other.sampled.length; step++) this.sampled[step] = (this.sampled[step] ?? 0) + sign * other.sampled[step]!;
    return this;
  }

  copy(): Tally {
    return new Tally().add(this);
  }

  clear(): void {
    this.add(this, -1);
  }
}

/**
 * The public figures of a tally. The transform time is split over the steps by their shares of its
 * sampled time, or of `overall`'s when it has no sample of its own (evenly when neither has).
 */
export function periodOf(tally: Tally, limit: number, names: readonly string[] | undefined, overall: Tally = tally): LoaderStatsPeriod {
  const seconds = tally.ms / 1000;
  const own = tally.sampled.reduce((sum, ms) => sum + ms, 0);
  const shares = own > 0 ? tally.sampled : overall.sampled;
  const sampled = own > 0 ? own : overall.sampled.reduce((sum, ms) => sum + ms, 0);
  const share = (step: number): number => (sampled > 0 ? (shares[step] ?? 0) / sampled : 1 / shares.length);
  const count = Math.max(tally.sampled.length, tally.transform > 0 ? overall.sampled.length : 0);
  const perSecond = (value: number): number => (seconds > 0 ? value / seconds : 0);
  return {
    seconds,
    records: tally.records,
    elements: tally.elements,
    batches: tally.batches,
    recordsPerSecond: perSecond(tally.records),
    elementsPerSecond: perSecond(tally.elements),
    stages: {
      read: tally.read / 1000,
      transform: tally.transform / 1000,
      collate: tally.collate / 1000,
      waitForInput: tally.waitForInput / 1000,
      waitForConsumer: tally.waitForConsumer / 1000,
    },
    steps: Array.from({ length: count }, (_, step) => ({ step, name: names?.[step] ?? '', seconds: (tally.transform * share(step)) / 1000 })),
    prefetchFill: tally.ms > 0 ? Math.min(1, tally.filled / (tally.ms * limit)) : 0,
    bottleneck: bottleneckOf(tally.waitForInput, tally.ms, tally.batches),
  };
}
