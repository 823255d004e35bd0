// Every small program in examples/ runs to completion and prints what it promises.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

function runExample(name: string): string {
  const file = fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 60_000 });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

describe('examples', () => {
  it('write-and-read.ts', () => {
    const out = runExample('write-and-read.ts');
    expect(out).toContain("by indices: [ 'record number 999', 'record number 0', 'record number 500' ]");
    expect(out).toContain("async: [ 'record number 1', 'record number 2' ]");
    expect(out).toContain("scratch [500, 502): [ 'record number 500', 'record number 501' ]");
    expect(out).toContain("moved to another thread: [ 'record number 7', 'record number 8' ]");
  });

  it('sharded-epochs.ts', () => {
    const out = runExample('sharded-epochs.ts');
    expect(out).toContain('rank 0, epoch 0: record 0, record 3, record 1, record 2');
    expect(out).toContain('rank 2, epoch 1: record 8, record 9, record 7');
  });

  it('checkpoint-resume.ts', () => {
    const out = runExample('checkpoint-resume.ts');
    expect(out).toContain('batch 3 (resumed):');
    expect(out).toContain("resumed batches equal the uninterrupted run's: true");
  });

  it('train-tfjs.ts (the training program of docs/tfjs.md): on the wasm backend, without tfjs-node', () => {
    const out = runExample('train-tfjs.ts');
    expect(out).toMatch(/^backend: wasm\n/);
    expect(out).toContain('epoch 4: loss');
    expect(Number(/accuracy on 500 random records: ([\d.]+)%/.exec(out)?.[1])).toBeGreaterThan(90);
    // The documentation shows the program as it is.
    const page = fs.readFileSync(new URL('../../docs/tfjs.md', import.meta.url), 'utf8');
    expect(page).toContain(`\`\`\`ts\n${fs.readFileSync(new URL('../../examples/train-tfjs.ts', import.meta.url), 'utf8')}\`\`\``);
  });

  it('tfds-train.ts: writes a TFDS dataset directory, selects splits, decodes on a worker and trains', () => {
    const out = runExample('tfds-train.ts');
    expect(out).toContain('shapes 1.0.0: train 800 in 2 shards, test 200 in 1 shards');
    expect(out).toContain('label: horizontal, vertical, diagonal, box; supervised keys {"xs":"image","ys":"label"}');
    expect(out).toContain('train[:90%]: 720 records, train[90%:]: 80');
    expect(out).toContain('epoch 3: loss');
    expect(Number(/accuracy on 100 random test records: ([\d.]+)%/.exec(out)?.[1])).toBeGreaterThan(90);
    expect(out).toMatch(/test\[0\]: (horizontal|vertical|diagonal|box) \(a \1 shape of size \d+ at \(\d+, \d+\)\), image 28x28x1/);
  });

  it('random-access-evaluation.ts', () => {
    expect(runExample('random-access-evaluation.ts')).toContain('accuracy on 100 random records of 5000: 100%');
  });
});
