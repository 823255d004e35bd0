// The read workers never keep a process alive: one that has used some of them, or none, exits on its own.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'read-pool-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const index = new URL('../../src/index.ts', import.meta.url).href;

/** Runs a module that writes a small file and reads it with `readerOptions`; returns its exit status (null when killed). */
function runReader(readerOptions: string, indices: string): { status: number | null; stdout: string; stderr: string } {
  const script = path.join(dir, `reader-${readerOptions.replace(/\W/g, '_')}-${indices.length}.mts`);
  fs.writeFileSync(
    script,
    [
      `import { ArrayRecordReader, ArrayRecordWriter } from ${JSON.stringify(index)};`,
      `const file = ${JSON.stringify(path.join(dir, 'data.array_record'))};`,
      `const writer = new ArrayRecordWriter(file, 'group_size:1');`,
      `for (let i = 0; i < 300; i++) writer.write('record ' + i);`,
      `writer.close();`,
      `const reader = new ArrayRecordReader(file, ${JSON.stringify(readerOptions)});`,
      `const records = await reader.readAsync(${indices});`,
      `console.log(records.length, new TextDecoder().decode(records[0]));`,
      `reader.close();`,
    ].join('\n'),
  );
  return spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
}

describe('read pool', () => {
  it.each([
    ['a small batch that one worker serves', '', '[5, 6]'],
    ['max_parallelism:1, which uses one worker of the pool', 'max_parallelism:1', 'Array.from({ length: 300 }, (_, i) => i)'],
    ['a batch split among all workers', '', 'Array.from({ length: 300 }, (_, i) => 299 - i)'],
  ])('lets the process exit after %s', (_, options, indices) => {
    const result = runReader(options, indices);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^(2 record 5|300 record 0|300 record 299)\n$/);
  });
});
