// The repository's TypeScript transpiled to JavaScript once per run (esbuild, file by file, no bundling:
// the same transform tsx applies on every start), to run with plain node as the package's dist/ runs.
// Spawning the CLI that way takes a fraction of tsx's start-up, which would otherwise dominate the time
// of the fuzzer and of the CLI tests (both spawn it hundreds of times); and a benchmark's fresh process
// measures what a user's fresh process costs, not tsx compiling the reader and its workers. Read and
// transform workers load as .js siblings, as in the package, the read and encode workers bundled as the
// package's build bundles them (bundle-workers.ts).

import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkers } from './bundle-workers.js';
import { REPO_ROOT } from './repo.js';

/**
 * Transpiles the repository folders `dirs` into `outDir` (inside the repository, so node_modules
 * resolve) and returns the .js path of each of `entries` (.ts paths).
 */
export async function transpile(outDir: string, dirs: readonly string[], entries: readonly string[]): Promise<string[]> {
  // esbuild comes with tsx; it is loaded lazily so the fuzzer runs (with tsx) where it is missing.
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  const sources: string[] = [];
  const walk = (dir: string): void => {
    for (const entryName of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entryName.name);
      if (entryName.isDirectory()) walk(full);
      else if (entryName.name.endsWith('.ts') && !entryName.name.endsWith('.d.ts')) sources.push(full);
    }
  };
  for (const dir of dirs) if (fs.existsSync(path.join(REPO_ROOT, dir))) walk(path.join(REPO_ROOT, dir));
  fs.mkdirSync(outDir, { recursive: true });
  await esbuild.build({ entryPoints: sources, outdir: outDir, outbase: REPO_ROOT, bundle: false, format: 'esm', platform: 'node', target: 'node20', logLevel: 'silent' });
  fs.writeFileSync(path.join(outDir, 'package.json'), '{ "type": "module" }\n');
  if (dirs.includes('src')) await bundleWorkers(path.join(outDir, 'src'));
  return entries.map((entry) => {
    const built = path.join(outDir, path.relative(REPO_ROOT, entry).replace(/\.ts$/, '.js'));
    if (!fs.existsSync(built)) throw new Error(`esbuild did not produce ${built}`);
    return built;
  });
}

/** Transpiles src/ and bin/ into `outDir` and returns the CLI's .js path (`entry` is its .ts path). */
export async function buildCli(entry: string, outDir: string): Promise<string> {
  const [built] = await transpile(outDir, ['src', 'bin'], [entry]);
  return built!;
}
