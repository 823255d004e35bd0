// The read and encode workers of a built tree (dist/src, or a transpiled copy) bundled in place, each
// into one file. A worker started from separate modules spends most of its start-up resolving and
// opening them (~70 of the package's own files: 100-200 ms on a busy 2-core machine against 40-70 ms
// for one file), and that start-up is part of the first read or write a user times. Only our own code
// is bundled: packages (zstd-napi's native binding, aws4fetch) stay imports. Both workers start their
// siblings by a URL relative to their own module, so they stay in the folder they were built into.
// Run: tsx tools/bundle-workers.ts <built src folder> (the package's build runs it on dist/src).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The worker entry points, relative to the built src folder. */
export const WORKER_ENTRIES = ['format/arrayrecord/read-worker.js', 'format/arrayrecord/encode-worker.js'] as const;

/** Rewrites each worker entry of `builtSrc` (a folder of per-module ES modules) as one bundled module. */
export async function bundleWorkers(builtSrc: string): Promise<void> {
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  for (const entry of WORKER_ENTRIES) {
    const file = path.join(builtSrc, entry);
    if (!fs.existsSync(file)) throw new Error(`bundle-workers: ${file} is missing (build first)`);
    const result = await esbuild.build({
      entryPoints: [file],
      bundle: true,
      packages: 'external',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      outfile: file,
      logLevel: 'silent',
    });
    const [output] = result.outputFiles;
    if (output === undefined) throw new Error(`bundle-workers: esbuild wrote nothing for ${file}`);
    fs.writeFileSync(file, output.contents);
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const builtSrc = process.argv[2];
  if (builtSrc === undefined) {
    console.error('usage: tsx tools/bundle-workers.ts <built src folder>');
    process.exit(2);
  }
  await bundleWorkers(builtSrc);
}
