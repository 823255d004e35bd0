// When a worker thread may keep the process alive, and when it may be stopped.
//
// A worker is referenced while it loads its modules and while it has work in flight; idle, it lets the
// process exit. Loading counts because of native addons: one built with C++ exceptions on an older
// node-addon-api aborts the whole process ("terminate called after throwing an instance of
// 'Napi::Error'") when its thread is terminated while the addon initializes. The `highwayhash` addon we
// once used did that to processes that exited under a read worker still loading; a transform module
// may load such an addon today.

import type { Worker } from 'node:worker_threads';

export class WorkerLifetime {
  private loading = true;
  private busy = false;
  private markLoaded!: () => void;
  /** Settles once the worker has reported its modules loaded, or has exited. */
  readonly loaded = new Promise<void>((resolve) => {
    this.markLoaded = resolve;
  });

  /**
   * Call after adding the worker's 'message' listener, which references the worker again.
   * @param loadWaitMs how long `terminate` waits for a worker still loading before stopping it anyway:
   *   a module whose loading never ends must not make `close()` hang forever.
   */
  constructor(
    private readonly worker: Worker,
    private readonly loadWaitMs = 30_000,
  ) {
    worker.once('exit', () => this.finishedLoading());
    this.update();
  }

  /** The worker's modules (native addons included) are loaded: from now on it may be stopped. */
  finishedLoading(): void {
    if (!this.loading) return;
    this.loading = false;
    this.markLoaded();
    this.update();
  }

  /** Whether the worker has work in flight, which keeps the process alive until it is answered. */
  setBusy(busy: boolean): void {
    if (busy === this.busy) return;
    this.busy = busy;
    this.update();
  }

  /**
   * Stops the worker once it has finished loading (never in the middle of loading a native addon), or
   * after `loadWaitMs` if its loading has not ended by then.
   */
  async terminate(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const givenUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.loadWaitMs);
    });
    await Promise.race([this.loaded, givenUp]);
    clearTimeout(timer);
    await this.worker.terminate();
  }

  private update(): void {
    if (this.loading || this.busy) this.worker.ref();
    else this.worker.unref();
  }
}

/**
 * Whether a worker's thread has stopped, for a thread that may be blocked (Atomics.wait) and so cannot
 * get the worker's 'exit' event; a thread stopped without running its own exit code (out of memory,
 * terminated) is seen too. Node reports a stopped thread's event-loop idle time as -1, but only to a
 * caller that read the worker's event-loop times while the thread ran (Node keeps the loop's start
 * then; read first after the stop, every time is 0): `observe()` while it runs, `stopped()` later.
 * @example const watch = new ThreadWatch(worker); watch.observe(); ... if (watch.stopped()) failItsRequests();
 */
export class ThreadWatch {
  private observed = false;

  constructor(private readonly worker: Worker) {}

  /** Reads the worker's event-loop times, until once after this thread has seen it come online. */
  observe(): void {
    if (this.observed) return;
    const { idle, active } = this.worker.performance.eventLoopUtilization();
    this.observed = idle !== 0 || active !== 0;
  }

  /** True once the thread has stopped; false before, and when it was never observed running. */
  stopped(): boolean {
    return this.observed && this.worker.performance.eventLoopUtilization().idle < 0;
  }
}
