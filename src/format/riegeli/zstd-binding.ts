// The zstd-napi native addon, loaded on first use. It is an optional dependency: an install without
// a compiler, or with install scripts skipped, has no compiled addon, and zstd then runs on one of
// the other paths of zstd-codec.ts.

import { createRequire } from 'node:module';
import type * as ZstdBinding from 'zstd-napi/binding.js';

export type Zstd = typeof ZstdBinding;

/** The addon, or why it could not be loaded (the first line of the loader's message). */
export function loadZstdBinding(load: () => Zstd = () => createRequire(import.meta.url)('zstd-napi/binding.js') as Zstd): Zstd | string {
  try {
    return load();
  } catch (cause) {
    return String((cause as Error).message).split('\n')[0]!;
  }
}
