// Starts a worker thread on one of this package's modules, from compiled JavaScript or, in development
// and tests, straight from the TypeScript source through tsx.

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker running `moduleUrl`. A `.ts` module (the source tree under tsx or vitest) is loaded through
 * a tiny bootstrap that registers tsx in the worker first; a `.js` module (the built package) is
 * loaded directly, so installed users need no TypeScript tooling.
 * @param options passed to the Worker (workerData, transferList, ...).
 */
export function startModuleWorker(moduleUrl: URL, options?: WorkerOptions): Worker {
  if (!moduleUrl.pathname.endsWith('.ts')) return new Worker(moduleUrl, options);
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(require.resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const bootstrap = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(moduleUrl.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), options);
}

/** The URL of a sibling module of `base`, with the extension `base` itself has (.ts in source, .js when built). */
export function siblingModule(base: string, name: string): URL {
  const extension = base.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, base);
}
