// A pool of child processes that read mutants, with a time limit per path, a V8 heap limit and a resident
// memory check: a hang, a crash or a memory blow-up is recorded against the path that was running, the
// child is replaced, and the mutant's remaining paths go on in the new child.

import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_TIMEOUT_FACTOR } from './cli-runner.js';
import { CLI_PATHS, type ChildMessage, type LimitSettings, type PathName, type PathOutcome, type RunRequest } from './protocol.js';
import { REPO_ROOT } from '../repo.js';
import { rssMb } from './rss.js';

const CHILD_MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.ts');
/** A fresh child imports the package through tsx and warms up its read workers: allow for that. */
const STARTUP_TIMEOUT_MS = 120_000;
/** How often resident memory is checked. */
const RSS_POLL_MS = 100;

/** One mutant to read. */
export type Job = Omit<RunRequest, 'type'>;

function failure(status: 'hang' | 'memory' | 'crash', detail: string, ms: number): PathOutcome {
  return { status, keyKind: 'none', keys: [], digests: [], complete: false, detail, ms };
}

/** One child process, replaced when it has to be killed. */
class Slot {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private stderr = '';
  /** Children started, for the report (restarts mean hangs, crashes or blow-ups). */
  starts = 0;

  constructor(
    private readonly limits: LimitSettings,
    private readonly env: Readonly<Record<string, string>>,
  ) {}

  private start(): Promise<void> {
    this.starts++;
    this.stderr = '';
    const child = fork(CHILD_MODULE, [], {
      cwd: REPO_ROOT,
      execArgv: ['--import', 'tsx', '--no-warnings', `--max-old-space-size=${this.limits.maxOldSpaceMb}`],
      env: { ...process.env, ...this.env, ARRAY_RECORD_FUZZ_LIMITS: JSON.stringify(this.limits) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    child.stderr!.on('data', (data: Buffer) => {
      this.stderr = (this.stderr + data.toString('utf8')).slice(-8192);
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fuzz child did not start')), STARTUP_TIMEOUT_MS);
      child.once('message', (message: ChildMessage) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve();
        else reject(new Error(`fuzz child said ${message.type} before ready`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`fuzz child exited with ${code} while starting: ${this.stderr.slice(-2000)}`));
      });
    });
  }

  private discard(): void {
    this.child?.removeAllListeners();
    this.child?.kill('SIGKILL');
    this.child = undefined;
    this.ready = undefined;
  }

  close(): void {
    this.discard();
  }

  /** Runs every path of a job, across as many children as it takes. */
  async run(job: Job): Promise<Map<PathName, PathOutcome>> {
    const results = new Map<PathName, PathOutcome>();
    let remaining = [...job.paths];
    while (remaining.length > 0) {
      this.ready ??= this.start();
      await this.ready;
      const ended = await this.runOnce({ ...job, type: 'run', paths: remaining }, results);
      if (ended !== undefined) {
        results.set(ended.path, ended.outcome);
        this.discard();
      }
      remaining = remaining.filter((name) => !results.has(name));
    }
    return results;
  }

  /** Runs paths in the current child until done, or until it has to die: then returns which path and why. */
  private runOnce(request: RunRequest, results: Map<PathName, PathOutcome>): Promise<{ path: PathName; outcome: PathOutcome } | undefined> {
    const child = this.child!;
    return new Promise((resolve) => {
      let current: PathName | undefined;
      let started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (value: { path: PathName; outcome: PathOutcome } | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(poll);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(value);
      };
      // A child that dies between paths is charged to the path it was about to run.
      const blame = (): PathName => current ?? request.paths.find((name) => !results.has(name)) ?? request.paths[0]!;
      const kill = (status: 'hang' | 'memory', detail: string): void => {
        finish({ path: blame(), outcome: failure(status, detail, Math.round(performance.now() - started)) });
      };
      const onMessage = (message: ChildMessage): void => {
        if (message.type === 'begin') {
          current = message.path;
          started = performance.now();
          clearTimeout(timer);
          // CLI paths have their own limit inside the child; this one only catches a stuck child.
          const timeout = CLI_PATHS.has(message.path) ? CLI_TIMEOUT_FACTOR * this.limits.timeoutMs + 10_000 : this.limits.timeoutMs;
          timer = setTimeout(() => kill('hang', `no result after ${timeout} ms`), timeout);
        } else if (message.type === 'result') {
          clearTimeout(timer);
          results.set(message.path, message.outcome);
          current = undefined;
        } else if (message.type === 'done') finish(undefined);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        const tail = this.stderr.trim().split('\n').slice(-4).join(' | ');
        const outOfMemory = /heap out of memory|Reached heap limit|Allocation failed|ERR_OUT_OF_MEMORY/i.test(this.stderr);
        finish({
          path: blame(),
          outcome: failure(outOfMemory ? 'memory' : 'crash', `exit ${code ?? signal}: ${tail.slice(0, 600)}`, Math.round(performance.now() - started)),
        });
      };
      const poll = setInterval(() => {
        const rss = child.pid === undefined ? undefined : rssMb(child.pid);
        if (rss !== undefined && rss > this.limits.maxRssMb) kill('memory', `resident memory ${rss} MiB > ${this.limits.maxRssMb} MiB`);
      }, RSS_POLL_MS);
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send(request);
    });
  }
}

/** A fixed number of children; jobs wait for a free one. */
export class ChildPool {
  private readonly slots: Slot[];
  private readonly idle: Slot[];
  private readonly waiting: ((slot: Slot) => void)[] = [];

  /** @param env extra environment of the children (ARRAY_RECORD_FUZZ_CLI: the built CLI). */
  constructor(size: number, limits: LimitSettings, env: Readonly<Record<string, string>> = {}) {
    this.slots = Array.from({ length: size }, () => new Slot(limits, env));
    this.idle = [...this.slots];
  }

  /** Child processes started so far (more than the pool size means some were killed or died). */
  get starts(): number {
    return this.slots.reduce((total, slot) => total + slot.starts, 0);
  }

  async run(job: Job): Promise<Map<PathName, PathOutcome>> {
    const slot = this.idle.pop() ?? (await new Promise<Slot>((resolve) => this.waiting.push(resolve)));
    try {
      return await slot.run(job);
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next(slot);
      else this.idle.push(slot);
    }
  }

  close(): void {
    for (const slot of this.slots) slot.close();
  }
}
