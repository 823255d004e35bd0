// A bounded, ordered prefetch: runs tasks ahead of the consumer, at most `limit` started and not yet
// taken, and hands results back in the order the tasks were created, whatever order they finish in.

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

function settle<T>(run: () => Promise<T>): Promise<Settled<T>> {
  try {
    return run().then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({ ok: false, error }),
    );
  } catch (error) {
    return Promise.resolve({ ok: false, error });
  }
}

/**
 * Keeps up to `limit` tasks running or finished-but-untaken (the one being awaited by `next()` counts). `nextTask()` creates the next task (or
 * returns undefined when there is none); it is only called while there is room, so memory held by
 * results is bounded by `limit` tasks' worth. A task that fails delivers its error at its turn.
 * `close()` stops starting tasks and waits for the running ones, so nothing outlives it.
 * @example
 * const prefetch = new OrderedPrefetch(() => (i < 10 ? () => read(i++) : undefined), 4);
 * for (let result = await prefetch.next(); !result.done; result = await prefetch.next()) use(result.value);
 */
export class OrderedPrefetch<T> {
  private readonly slots: Promise<Settled<T>>[] = [];
  private exhausted = false;
  private closed = false;
  /** Tasks finished and not yet taken (counted only with an `observe` function). */
  private finished = 0;

  /**
   * @param observe when given, told the finished and the started tasks not yet taken whenever a task
   *   finishes (the caller of `next()` knows when one is taken: see `ready` and `pending`).
   */
  constructor(
    private readonly nextTask: () => (() => Promise<T>) | undefined,
    readonly limit: number,
    private readonly observe?: (ready: number, pending: number) => void,
  ) {}

  /** Tasks started and not yet taken (running or finished). */
  get pending(): number {
    return this.slots.length;
  }

  /** Tasks finished and not yet taken (counted only with an `observe` function). */
  get ready(): number {
    return this.finished;
  }

  /**
   * The next result in creation order; `done` once every task was taken (or after close).
   * @throws (rejects with) the error of the task whose turn it is, or of `nextTask`.
   */
  async next(): Promise<IteratorResult<T, undefined>> {
    this.fill();
    const slot = this.slots.shift();
    if (slot === undefined) return { done: true, value: undefined };
    const settled = await slot;
    if (this.observe !== undefined && !this.closed) this.finished--;
    if (!settled.ok) throw settled.error;
    // Refill only now: the task just taken counted against the limit until it finished.
    this.fill();
    return { done: false, value: settled.value };
  }

  /** Starts no more tasks and resolves once every started one has settled (their results are dropped). */
  async close(): Promise<void> {
    this.closed = true;
    this.finished = 0;
    const running = this.slots.splice(0);
    await Promise.all(running);
  }

  private fill(): void {
    while (!this.closed && !this.exhausted && this.slots.length < this.limit) {
      let task: (() => Promise<T>) | undefined;
      try {
        task = this.nextTask();
      } catch (error) {
        this.exhausted = true;
        this.slots.push(this.watch(Promise.resolve({ ok: false, error })));
        return;
      }
      if (task === undefined) {
        this.exhausted = true;
        return;
      }
      this.slots.push(this.watch(settle(task)));
    }
  }

  /** Counts the task among the finished ones once it settles. */
  private watch(slot: Promise<Settled<T>>): Promise<Settled<T>> {
    const observe = this.observe;
    if (observe === undefined) return slot;
    void slot.then(() => {
      if (!this.closed) observe(++this.finished, this.slots.length);
    });
    return slot;
  }
}
