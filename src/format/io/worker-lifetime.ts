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
 * Whether `worker`'s thread has stopped, seen from a thread that may be blocked (Atomics.wait) and so
 * cannot get the worker's 'exit' event: Node reports a stopped thread's event-loop idle time as -1. A
 * thread stopped without running its own exit code (out of memory, terminated) is seen too. Known only
 * once this thread's event loop has seen the worker come online; false before.
 * @example if (threadStopped(worker)) failItsRequests();
 */
export function threadStopped(worker: Worker): boolean {
  return worker.performance.eventLoopUtilization().idle < 0;
}
