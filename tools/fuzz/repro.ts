// Runs one saved mutant through read paths, each in a child process with the fuzzer's limits, and prints
// every outcome: `npx tsx tools/fuzz/repro.ts tools/fuzz/out/.../m12-footer.entryOffset.array_record --paths readAll`.

import { parseArgs } from 'node:util';
import path from 'node:path';
import { DEFAULTS } from './options.js';
import { ChildPool } from './pool.js';
import { ARRAY_RECORD_PATHS, PATH_NAMES, type PathName } from './protocol.js';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { paths: { type: 'string' }, seed: { type: 'string' } } });
  const file = positionals[0];
  if (file === undefined) {
    console.error('usage: npx tsx tools/fuzz/repro.ts FILE [--paths a,b] [--seed N]');
    return 2;
  }
  const kind = file.endsWith('.riegeli') ? 'riegeli' : 'arrayrecord';
  const paths = (values.paths?.split(',') ?? PATH_NAMES.filter((name) => kind === 'arrayrecord' || !ARRAY_RECORD_PATHS.has(name))) as PathName[];
  const pool = new ChildPool(1, { timeoutMs: DEFAULTS.pathTimeoutS * 1000, maxRssMb: DEFAULTS.maxRssMb, maxOldSpaceMb: DEFAULTS.maxOldSpaceMb });
  try {
    const results = await pool.run({ id: 0, file: path.resolve(file), kind, paths, seed: Number(values.seed ?? 0) });
    for (const [name, outcome] of results) {
      console.log(`${name}: ${outcome.status}${outcome.error === undefined ? '' : ` ${outcome.error.name}${outcome.error.code === undefined ? '' : ` ${outcome.error.code}`}: ${outcome.error.message}`}`);
      if (outcome.error?.stack !== undefined) console.log(`    at ${outcome.error.stack}`);
      if (outcome.detail !== undefined) console.log(`    ${outcome.detail}`);
      if (outcome.keys.length > 0 || outcome.numRecords !== undefined) console.log(`    ${outcome.keys.length} records${outcome.numRecords === undefined ? '' : `, numRecords ${outcome.numRecords}`}${outcome.count === undefined ? '' : `, count ${outcome.count}`}`);
    }
  } finally {
    pool.close();
  }
  return 0;
}

main().then((code) => (process.exitCode = code));
