// The package's JavaScript: every entry point bundled from the TypeScript sources by esbuild into one
// folder, the code two entries share split into chunks there, so that each of our modules exists once
// (one CorruptFileError class for `array-record` and `array-record/tfds` alike, and for a user's
// transform module and the transform worker that imports it). A fresh process importing the package
// read some two hundred separate modules, and Node 20's ES module loader spent 120-200 ms of CPU
// resolving them (most of it looking for each one's package.json); bundled, it imports about fifteen
// files. Workers start by a URL relative to the module that starts them (siblingModule), which
// holds once every entry and chunk lies in one folder. Only our own code is bundled: packages
// (zstd-napi's native binding, aws4fetch, commander, tfjs) stay imports.
// Run: tsx tools/bundle.ts <out folder> (the package's build bundles into dist/lib).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './repo.js';

/** The package's entry points (package.json's exports and bin), by output name, as repository paths. */
export const PACKAGE_ENTRIES = {
  index: 'src/index.ts',
  tfjs: 'src/tfjs/index.ts',
  tfds: 'src/tfds/index.ts',
  'array-record': 'bin/array-record.ts',
} as const;

/** The modules a worker thread starts on (each named as siblingModule names it), as repository paths. */
export const WORKER_ENTRIES = {
  'read-worker': 'src/format/arrayrecord/read-worker.ts',
  'encode-worker': 'src/format/arrayrecord/encode-worker.ts',
  'transform-worker': 'src/loader/transform-worker.ts',
  'decode-transforms': 'src/tfds/decode-transforms.ts',
} as const;

/**
 * Bundles `entries` (output name to repository path) and every worker entry into `outDir`, and returns
 * the output path of each of `entries`. `outDir` must lie in the repository (or a package holding its
 * node_modules), so that the packages left as imports resolve.
 * @example const { 'array-record': cli } = await bundle('node_modules/.cache/cli', { 'array-record': 'bin/array-record.ts' });
 */
export async function bundle<Name extends string>(outDir: string, entries: Readonly<Record<Name, string>>): Promise<Record<Name, string>> {
  // esbuild comes with tsx; loaded lazily so that the fuzzer runs (with tsx) where it is missing.
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  const all: Record<string, string> = { ...WORKER_ENTRIES, ...entries };
  await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(all).map(([name, source]) => [name, path.join(REPO_ROOT, source)])),
    bundle: true,
    splitting: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: outDir,
    logLevel: 'silent',
  });
  // The folder says its own module type: Node looks no further up than a node_modules folder for a
  // package.json (the tests' and benchmarks' bundles lie in node_modules/.cache).
  fs.writeFileSync(path.join(outDir, 'package.json'), '{ "type": "module" }\n');
  const outputs = {} as Record<Name, string>;
  for (const name of Object.keys(entries) as Name[]) outputs[name] = path.join(outDir, `${name}.js`);
  return outputs;
}

/** The command's entry point bundled into `outDir` (for the tests and the fuzzer, which spawn it hundreds of times). */
export async function bundleCli(outDir: string): Promise<string> {
  return (await bundle(outDir, { 'array-record': PACKAGE_ENTRIES['array-record'] }))['array-record'];
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2];
  if (outDir === undefined) {
    console.error('usage: tsx tools/bundle.ts <out folder>');
    process.exit(2);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  await bundle(path.resolve(outDir), PACKAGE_ENTRIES);
}
