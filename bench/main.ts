// `npm run bench`: runs every benchmark in turn (pass --quick for a shorter run).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const benches = fs
  .readdirSync(here)
  .filter((name) => name.endsWith('.ts') && !['main.ts', 'workload.ts'].includes(name))
  .sort();
for (const bench of benches) {
  console.log(`\n=== ${bench} ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, bench), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.status !== 0) process.exitCode = 1;
}
