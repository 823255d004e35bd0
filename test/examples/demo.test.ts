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

  it('trains on the wasm backend without tfjs-node, on the CPU one when asked, and prints no tfjs banner', () => {
    const script = path.join(dir, 'backend.mts');
    const helper = JSON.stringify(new URL('../../examples/demo/tfjs-backend.ts', import.meta.url).href);
    fs.writeFileSync(script, `import { loadTensorFlow } from ${helper};\nconst { tf, backend, note } = await loadTensorFlow();\nconsole.log(backend, note, tf.getBackend(), (await tf.tensor([1, 2]).square().data()).join());\n`);
    for (const [wanted, expected] of [
      [undefined, 'wasm WebAssembly; @tensorflow/tfjs-node is not installed wasm 1,4\n'],
      ['cpu', 'cpu pure JavaScript cpu 1,4\n'],
    ] as const) {
      const env = { ...process.env };
      if (wanted === undefined) delete env['TFJS_BACKEND'];
      else env['TFJS_BACKEND'] = wanted;
      const result = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000, env });
      expect(result.stdout).toBe(expected);
      expect(result.stderr.replace(/.*nodedir.*\n/g, '')).toBe('');
    }
  });
});
