// A worker is never cut off while it loads its modules: neither by the process exiting nor by terminate().

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-lifetime-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const lifetimeModule = new URL('../../src/format/io/worker-lifetime.ts', import.meta.url).href;

/**
 * Runs a program whose worker takes 300 ms to load (or never finishes), then waits for requests
 * forever; the program either just ends or terminates the worker at once. The wait for loading is 20 s
 * where the worker does load: its 300 ms come after the thread's own start-up, which took more than
 * 1 s on a loaded 2-core machine (the worker was stopped before it had loaded, and the test failed);
 * terminating at once, without waiting, still leaves it unloaded. It is 1 s where loading never ends.
 * Returns the exit status, whether loading finished, and how long the program ran.
 */
function runProgram(ending: 'end' | 'terminate' | 'terminate-never-loaded'): { status: number | null; loaded: boolean; stderr: string; ms: number } {
  const marker = path.join(dir, `${ending}.loaded`);
  const loadMs = ending === 'terminate-never-loaded' ? 600_000 : 300;
  const workerCode = [
    `import fs from 'node:fs';`,
    `import { parentPort } from 'node:worker_threads';`,
    `await new Promise((resolve) => setTimeout(resolve, ${loadMs}));`,
    `fs.writeFileSync(${JSON.stringify(marker)}, 'yes');`,
    `parentPort.on('message', () => {});`,
    `parentPort.postMessage('loaded');`,
  ].join('\n');
  const script = path.join(dir, `${ending}.mts`);
  fs.writeFileSync(
    script,
    [
      `import { Worker } from 'node:worker_threads';`,
      `import { WorkerLifetime } from ${JSON.stringify(lifetimeModule)};`,
      `const worker = new Worker(new URL('data:text/javascript,' + ${JSON.stringify(encodeURIComponent(workerCode))}));`,
      `worker.on('message', () => lifetime.finishedLoading());`,
      `const lifetime = new WorkerLifetime(worker, ${ending === 'terminate-never-loaded' ? 1000 : 20_000});`,
      ending === 'end' ? `` : `await lifetime.terminate();`,
    ].join('\n'),
  );
  const start = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 50_000 });
  return { status: result.status, loaded: fs.existsSync(marker), stderr: result.stderr, ms: Date.now() - start };
}

describe('WorkerLifetime', () => {
  it('keeps the process alive until the worker has loaded, then lets it exit', () => {
    const result = runProgram('end');
    expect(result.status, result.stderr).toBe(0);
    expect(result.loaded).toBe(true);
  });

  it('terminates a worker only once it has loaded', () => {
    const result = runProgram('terminate');
    expect(result.status, result.stderr).toBe(0);
    expect(result.loaded).toBe(true);
  });

  it('stops a worker whose loading never ends after the wait it was given, and lets the process exit', () => {
    const result = runProgram('terminate-never-loaded');
    expect(result.status, result.stderr).toBe(0);
    expect(result.loaded).toBe(false);
    expect(result.ms).toBeLessThan(20_000);
  });
});

describe('ThreadWatch', () => {
  it('sees a stopped worker from a blocked thread, whose event loop never gets its exit event', async () => {
    const { Worker } = await import('node:worker_threads');
    const { ThreadWatch } = await import('../../src/format/io/worker-lifetime.js');
    const worker = new Worker('setInterval(() => {}, 1000);', { eval: true });
    await new Promise((resolve) => worker.once('online', resolve));
    const watch = new ThreadWatch(worker);
    watch.observe();
    expect(watch.stopped()).toBe(false);
    void worker.terminate();
    // Blocked from here on, as a writer waiting for encoded chunks is: no event is delivered.
    const blocker = new Int32Array(new SharedArrayBuffer(4));
    let stopped = false;
    // Up to 20 s (terminating takes milliseconds, but the thread must be scheduled to stop); a watch that
    // never sees the stop still fails.
    for (let slice = 0; slice < 400 && !stopped; slice++) {
      Atomics.wait(blocker, 0, 0, 50);
      stopped = watch.stopped();
    }
    expect(stopped).toBe(true);
  });

  it('fails the writes of a parallel writer whose encode workers stop without running their exit code, where it waited forever', () => {
    // The workers are stopped with terminate(), as running out of memory stops them: none of their code
    // runs, and the writer, blocked waiting for their replies, cannot get their 'exit' events.
    const script = path.join(dir, 'encode-workers-stopped.mts');
    fs.writeFileSync(
      script,
      [
        `import { createRequire, syncBuiltinESMExports } from 'node:module';`,
        `const threads = createRequire(import.meta.url)('node:worker_threads');`,
        `const started = [];`,
        `const Original = threads.Worker;`,
        `threads.Worker = class extends Original { constructor(...args) { super(...args); started.push(this); } };`,
        `syncBuiltinESMExports();`,
        `const { ArrayRecordWriter } = await import(${JSON.stringify(new URL('../../src/index.ts', import.meta.url).href)});`,
        `const { encodeWorkersReady } = await import(${JSON.stringify(new URL('../../src/format/arrayrecord/encode-pool.ts', import.meta.url).href)});`,
        `await encodeWorkersReady(2);`,
        `const writer = new ArrayRecordWriter(${JSON.stringify(path.join(dir, 'stopped.array_record'))}, 'group_size:1,zstd:3,max_parallelism:2');`,
        `const record = new Uint8Array(200_000).map((_, i) => (i * 7919) % 251);`,
        `try {`,
        `  for (let i = 0; i < 400; i++) {`,
        `    if (i === 20) for (const worker of started) void worker.terminate();`,
        `    writer.write(record);`,
        `  }`,
        `  writer.close();`,
        `  console.log('no error');`,
        `} catch (error) {`,
        `  console.log(error.name, error.code);`,
        `}`,
      ].join('\n'),
    );
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 50_000 });
    expect(result.error, result.stderr).toBeUndefined();
    expect(result.stdout.trim(), result.stderr).toBe('WorkerExitedError ERR_WORKER_EXITED');
  });
});

describe('WorkerExitedError', () => {
  it('crosses a thread boundary as itself, as the failure of an encode request a dead worker held', async () => {
    const { deserializeError, serializeError, WorkerExitedError, ArrayRecordError } = await import('../../src/format/errors.js');
    const rebuilt = deserializeError(serializeError(new WorkerExitedError('a chunk encoding worker exited before it answered')));
    expect(rebuilt).toBeInstanceOf(WorkerExitedError);
    expect(rebuilt).toBeInstanceOf(ArrayRecordError);
    expect(rebuilt).toMatchObject({ code: 'ERR_WORKER_EXITED', message: 'a chunk encoding worker exited before it answered' });
  });
});
