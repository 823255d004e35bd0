// The DataLoader's lifecycle with transform workers, as a training program hits it: close() while a worker
// never answers, results a worker cannot send back, close() called twice, and loaders dropped without close().

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataLoader, LoaderError, SequentialSampler } from '../../src/index.js';
import { InvalidArgumentError } from '../../src/format/errors.js';
import { MemorySource } from './loader-helpers.js';

const MODULE = new URL('./fixtures/lifecycle-transforms.ts', import.meta.url);
const loaders: DataLoader<unknown>[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-attack-'));
afterAll(async () => {
  await Promise.all(loaders.map((loader) => loader.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

function make(transformExport: string, extra: Record<string, unknown> = {}): DataLoader<unknown> {
  const loader = new DataLoader<unknown>({
    source: new MemorySource('m', 16),
    sampler: new SequentialSampler({ numRecords: 16 }),
    workers: 1,
    transformModule: MODULE,
    transformExport,
    ...extra,
  });
  loaders.push(loader);
  return loader;
}

describe('DataLoader lifecycle with transform workers', () => {
  it('close() ends an iteration whose worker transform never settles; the pending next() resolves done', async () => {
    const loader = make('hang', { batchSize: 4 });
    const iterator = loader[Symbol.asyncIterator]();
    const pending = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await loader.close(); // hung forever: it waited for the block the worker never answers
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
  }, 15_000);

  it('a worker transform putting a module-level array in its results fails at that element instead of hanging', async () => {
    // prefetch 1: the first block's results take the array's buffer along before the second block runs,
    // whose message postMessage then dropped without a word.
    const loader = make('constantMask', { readSize: 2, prefetch: 1 });
    const received: unknown[] = [];
    const error = await (async () => {
      for await (const element of loader) received.push(element);
    })().catch((caught: unknown) => caught);
    expect(received).toEqual([
      { length: 3, mask: new Uint8Array([1, 1, 0, 0]) },
      { length: 3, mask: new Uint8Array([1, 1, 0, 0]) },
    ]);
    expect(error).toBeInstanceOf(LoaderError);
    expect(error).toMatchObject({ stage: 'transform', offset: 2, key: 2, step: 0, stepName: 'withMask' });
    expect((error as LoaderError).cause).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/cannot be sent back from the transform worker: .*detached.*not views of buffers the module keeps/);
  }, 15_000);

  it('a worker transform returning a function is named at its element, after the elements before it', async () => {
    const loader = make('returnsFunction', { batchSize: 1 });
    const received: unknown[] = [];
    const error = await (async () => {
      for await (const batch of loader) received.push(batch);
    })().catch((caught: unknown) => caught);
    expect(received).toEqual([[3], [3]]);
    expect(error).toMatchObject({ stage: 'transform', offset: 2, key: 2, stepName: 'callback' });
    expect((error as LoaderError).cause).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/could not be cloned/);
  }, 15_000);

  it('close() called twice resolves each call only once the workers are stopped', async () => {
    const loader = make('lengths', { batchSize: 4 });
    for await (const batch of loader) {
      expect(batch).toEqual([3, 3, 3, 3]);
      break;
    }
    let firstDone = false;
    void loader.close().then(() => (firstDone = true));
    await loader.close(); // resolved before the first, while the workers were still being stopped
    expect(firstDone).toBe(true);
  }, 15_000);

  it.skipIf(process.platform !== 'linux')(
    'stops the workers of a loader no iteration has used for a few seconds, unclosed, and starts new ones for its next iteration',
    async () => {
      const threads = (): number => fs.readdirSync('/proc/self/task').length;
      // The earlier tests' loaders closed first: none of their threads may end while these are counted.
      await Promise.all(loaders.map((loader) => loader.close()));
      const before = threads();
      // Held, never closed: before, their workers ran until close() or a full collection of this heap.
      const idle = [make('lengths', { batchSize: 4 }), make('lengths', { batchSize: 4 })];
      // Both iterations run at once and are counted before either ends, when no idle stop can have come:
      // it is timed from an iteration's end. One after the other, the first loader's stop (5 s after its
      // break) came before the count whenever the second's worker took over 5 s to start (the two took
      // 7 s on a loaded 2-core machine).
      const iterators = idle.map((loader) => loader[Symbol.asyncIterator]());
      for (const first of await Promise.all(iterators.map((iterator) => iterator.next()))) expect(first).toEqual({ done: false, value: [3, 3, 3, 3] });
      expect(threads()).toBeGreaterThanOrEqual(before + 2);
      // As a `break` out of a for-await ends them.
      await Promise.all(iterators.map((iterator) => iterator.return!()));
      // Up to 30 s for the 5 s idle stop, on a loaded machine.
      for (let turn = 0; turn < 300 && threads() > before; turn++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(threads()).toBeLessThanOrEqual(before);
      const again: unknown[] = [];
      for await (const batch of idle[0]!) again.push(batch);
      // The rest of the epoch after the first batch: records 4..15 of MemorySource ('m:4' .. 'm:15'), on new workers.
      expect(again).toEqual([[3, 3, 3, 3], [3, 3, 4, 4], [4, 4, 4, 4]]);
    },
    45_000,
  );

  it.skipIf(process.platform !== 'linux')(
    "stops the workers of loaders dropped without close() once they are collected, and the process exits by itself",
    () => {
      const script = path.join(dir, 'dropped.mts');
      const index = new URL('../../src/index.ts', import.meta.url).href;
      fs.writeFileSync(
        script,
        [
          `import fs from 'node:fs';`,
          `import { DataLoader, SequentialSampler } from ${JSON.stringify(index)};`,
          `const threads = () => fs.readdirSync('/proc/self/task').length;`,
          `const source = { length: 8, getItemsAsync: async (keys) => Array.from(keys, () => new Uint8Array(3)), describe: () => ({ kind: 'Bytes' }) };`,
          `const before = threads();`,
          // Each loader in a function of its own, as a training step would use it: nothing holds it afterwards.
          // The two run at once and the threads are counted while both iterate: counted after one after the
          // other, the first loader's workers could be gone already (collected, or idle for 5 s while the
          // second's started on a loaded machine), and the count came out 1.
          `let iterating = 0;`,
          `let started = 0;`,
          `let bothIterating;`,
          `const counted = new Promise((resolve) => (bothIterating = resolve));`,
          `async function use() {`,
          `  const loader = new DataLoader({ source, sampler: new SequentialSampler({ numRecords: 8 }), workers: 1, transformModule: ${JSON.stringify(MODULE.href)}, transformExport: 'lengths', batchSize: 2 });`,
          `  for await (const batch of loader) {`,
          `    if (++iterating === 2) {`,
          `      started = threads() - before;`,
          `      bothIterating();`,
          `    }`,
          `    await counted;`,
          `    break;`,
          `  }`,
          `}`,
          `await Promise.all([use(), use()]);`,
          `let left = started;`,
          // Up to 20 s: a loaded CI machine may take a while to collect the loaders and end their threads.
          `for (let turn = 0; turn < 400 && left > 0; turn++) {`,
          `  globalThis.gc();`,
          `  await new Promise((resolve) => setTimeout(resolve, 50));`,
          `  left = threads() - before;`,
          `}`,
          `console.log(JSON.stringify({ started, left }));`,
        ].join('\n'),
      );
      const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], { encoding: 'utf8', timeout: 50_000 });
      expect(result.status, result.stderr).toBe(0);
      const { started, left } = JSON.parse(result.stdout) as { started: number; left: number };
      expect(started).toBeGreaterThanOrEqual(2);
      expect(left).toBeLessThanOrEqual(0);
    },
    55_000,
  );
});
