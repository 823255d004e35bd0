// The zstd-napi native addon, loaded on first use: a process that never meets zstd data runs without it,
// and one that does but lacks the compiled addon gets an error that says how to build it, instead of a
// module-not-found error when the package is imported.

import { createRequire } from 'node:module';
import type * as ZstdBinding from 'zstd-napi/binding.js';
import { UnsupportedError } from '../errors.js';

export type Zstd = typeof ZstdBinding;

let loaded: Zstd | undefined;

/**
 * Runs `load` and turns its failure into an UnsupportedError naming the fix.
 * @throws UnsupportedError when the addon cannot be loaded.
 */
export function loadZstdBinding(load: () => Zstd): Zstd {
  try {
    return load();
  } catch (cause) {
    const reason = String((cause as Error).message).split('\n')[0];
    throw new UnsupportedError(
      `zstd needs the zstd-napi native addon, which could not be loaded (${reason}). It is compiled when the package ` +
        'installs (python3, make and a C++ compiler); with npm 11 or later, allow that first: ' +
        '`npm install-scripts approve zstd-napi && npm rebuild zstd-napi`',
      {},
      { cause },
    );
  }
}

/** The addon, loaded once. @throws UnsupportedError (see loadZstdBinding). */
export function zstdBinding(): Zstd {
  loaded ??= loadZstdBinding(() => createRequire(import.meta.url)('zstd-napi/binding.js') as Zstd);
  return loaded;
}
