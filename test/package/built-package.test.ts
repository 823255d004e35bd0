// The package as users install it: bundled to JavaScript as `npm run build` bundles it (read, encode
// and transform workers load .js modules, no tsx), driven from a plain .mjs program.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundle, PACKAGE_ENTRIES } from '../../tools/bundle.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'built-package-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the built package', () => {
  it('writes, reads on its read workers and runs transforms on worker threads from compiled JavaScript', async () => {
    // Bundled from the current sources into a scratch directory, as `npm run build` bundles them.
    const { index } = await bundle(path.join(dir, 'dist/lib'), PACKAGE_ENTRIES);
    const entry = new URL(`file://${index}`).href;
    // The compiled files resolve their dependencies from the repository's node_modules.
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    fs.writeFileSync(path.join(dir, 'transforms.mjs'), `import { map } from ${JSON.stringify(entry)};\nexport const transforms = [map((record) => new TextDecoder().decode(record).toUpperCase(), 'upper')];\n`);
    const program = path.join(dir, 'program.mjs');
    fs.writeFileSync(
      program,
      `import { ArrayRecordDataSource, ArrayRecordReader, ArrayRecordWriter, DataLoader, SequentialSampler } from ${JSON.stringify(entry)};
const file = ${JSON.stringify(path.join(dir, 'data.array_record'))};
const writer = new ArrayRecordWriter(file, 'group_size:1,zstd:3');
for (let i = 0; i < 300; i++) writer.write('record ' + i);
writer.close();
const reader = new ArrayRecordReader(file);
const all = await reader.readAllAsync();
const some = await reader.readAsync([299, 0, 150]);
reader.close();
const source = new ArrayRecordDataSource(file);
const loader = new DataLoader({ source, sampler: new SequentialSampler({ numRecords: 300 }), batchSize: 100, workers: 2,
  transformModule: new URL('./transforms.mjs', import.meta.url) });
const batches = [];
for await (const batch of loader.epoch(0)) batches.push(batch);
await loader.close();
source.close();
console.log(JSON.stringify({ all: all.length, last: new TextDecoder().decode(all[299]), some: some.map((r) => new TextDecoder().decode(r)),
  batches: batches.length, first: batches[0][0], lastOfAll: batches[2][99] }));
`,
    );
    const result = spawnSync(process.execPath, [program], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      all: 300,
      last: 'record 299',
      some: ['record 299', 'record 0', 'record 150'],
      batches: 3,
      first: 'RECORD 0',
      lastOfAll: 'RECORD 299',
    });
  });
});
