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

  it('train-tfjs.ts (the README\'s training program): on the wasm backend, without tfjs-node', () => {
    const out = runExample('train-tfjs.ts');
    expect(out).toMatch(/^backend: wasm\n/);
    expect(out).toContain('epoch 4: loss');
    expect(Number(/accuracy on 500 random records: ([\d.]+)%/.exec(out)?.[1])).toBeGreaterThan(90);
    // The README shows the program as it is.
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${fs.readFileSync(new URL('../../examples/train-tfjs.ts', import.meta.url), 'utf8')}\`\`\``);
  });

  it('random-access-evaluation.ts', () => {
    expect(runExample('random-access-evaluation.ts')).toContain('accuracy on 100 random records of 5000: 100%');
  });
});
