// One `for await` over a DataLoader: serialises its calls, starts the loader's run lazily, and reports
// each delivered output back so the loader's position is always what the consumer has received.

import { RUN_END, type LoaderRun } from './loader-run.js';

/** What an iterator needs from its loader. */
export interface IterationHost {
  /** Resolves when earlier iterations have nothing in flight. */
  readonly waitFor: Promise<void>;
  start(): LoaderRun;
  isActive(): boolean;
  /** The consumer is about to receive the run's latest output. */
  delivered(run: LoaderRun): void;
  /** The run produced everything. */
  finished(): void;
  /** The iterator is done and holds nothing. */
  released(): void;
}

/**
 * One `for await` over a loader. Calls are serialised; `return()` (what `break` calls) and `cancel()`
 * resolve only once the run's reads and transforms have settled, so nothing is left in flight.
 */
export class LoaderIterator<Out> implements AsyncIterableIterator<Out> {
  private run: LoaderRun | undefined;
  private done = false;
  private cancelled = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: IterationHost) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<Out> {
    return this;
  }

  next(): Promise<IteratorResult<Out>> {
    const result = this.tail.then(() => this.step());
    this.tail = result.catch(() => undefined);
    return result;
  }

  return(): Promise<IteratorResult<Out>> {
    const result = this.tail.then(async () => {
      await this.finish();
      return { done: true as const, value: undefined };
    });
    this.tail = result;
    return result;
  }

  /** Ends the iteration from the loader's side (another iteration started, or a state was restored). */
  cancel(): Promise<void> {
    this.cancelled = true;
    const finished = this.tail.then(() => this.finish());
    this.tail = finished;
    return finished;
  }

  private async step(): Promise<IteratorResult<Out>> {
    if (this.done || this.cancelled) return { done: true, value: undefined };
    if (this.run === undefined) {
      await this.host.waitFor;
      if (this.cancelled || !this.host.isActive()) return { done: true, value: undefined };
      try {
        this.run = this.host.start();
      } catch (error) {
        await this.finish();
        throw error;
      }
    }
    let value: unknown;
    try {
      value = await this.run.next();
    } catch (error) {
      await this.finish();
      // A stopped iteration ends as one that was not stopped does: close() fails the blocks still on the
      // transform workers, which is no failure of the consumer's.
      if (this.cancelled) return { done: true, value: undefined };
      throw error;
    }
    if (this.cancelled || !this.host.isActive()) return { done: true, value: undefined };
    if (value === RUN_END) {
      this.host.finished();
      await this.finish();
      return { done: true, value: undefined };
    }
    this.host.delivered(this.run);
    return { done: false, value: value as Out };
  }

  private async finish(): Promise<void> {
    this.done = true;
    const run = this.run;
    this.run = undefined;
    await run?.close();
    this.host.released();
  }
}
