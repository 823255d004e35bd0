// `npm run fuzz`: a seeded, bounded fuzzer of the ArrayRecord and Riegeli readers (see tools/fuzz/README.md).

import { parseOptions, USAGE } from './options.js';
import { runFuzz } from './runner.js';

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2), (line) => console.log(line));
  } catch (error) {
    console.error(`fuzz: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const result = await runFuzz(options);
  console.log(`\n${result.report}`);
  if (result.bad > 0) console.log(`\nBAD mutants and the report: ${result.outDir}`);
  return result.bad > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`fuzz: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 2;
  },
);
