// The README's main job, reduced: the demo builds its data, learns (> 90% held-out), and resumes exactly.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-demo-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const DEMO = fileURLToPath(new URL('../../examples/demo/main.ts', import.meta.url));

describe('npm run demo (reduced)', () => {
  it('writes sharded files, trains on two ranks, evaluates above 90% and resumes exactly', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', DEMO, '--small', '--dir', dir], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'digits-test.array_record-00000-of-00001',
      'digits-train.array_record-00000-of-00004',
      'digits-train.array_record-00001-of-00004',
      'digits-train.array_record-00002-of-00004',
      'digits-train.array_record-00003-of-00004',
    ]);
    expect(result.stdout).toMatch(/epoch 5\/5: loss/);
    expect(result.stdout).toMatch(/the same records as the uninterrupted run/);
    const accuracy = Number(/Held-out accuracy ([\d.]+)%/.exec(result.stdout)?.[1]);
    expect(accuracy).toBeGreaterThan(90);
  });
});
