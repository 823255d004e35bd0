// Once per test run: the CLI bundled as the package's build bundles it (tools/bundle.ts) for the tests
// that spawn it (test/helpers/run-cli.ts), hundreds of times: plain node starts it several times faster
// than tsx, which would transpile every module on every start. Always built from the current sources,
// so never stale.

import fs from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPO_ROOT } from '../tools/repo.js';
import { bundleCli } from '../tools/bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The bundled CLI's entry point (as dist/lib, under node_modules/.cache). */
    cliEntry: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  // Under the repository's node_modules, so that packages resolve; one directory per run.
  const outDir = path.join(REPO_ROOT, 'node_modules/.cache', `array-record-test-cli-${process.pid}`);
  project.provide('cliEntry', await bundleCli(outDir));
  return () => fs.rmSync(outDir, { recursive: true, force: true });
}
