// A ByteSink that keeps what a ChunkWriter frames, in memory, for tests that build files by hand.

import type { ByteSink } from '../../src/format/riegeli/chunk-writer.js';

/**
 * A sink whose regions start out filled with `fill`, as a reused write buffer's do (framing must
 * overwrite every byte); `bytes()` joins what was written.
 */
export function memorySink(fill = 0xee): ByteSink & { bytes(): Buffer } {
  const parts: Uint8Array[] = [];
  return {
    append: (length) => parts[parts.push(new Uint8Array(length).fill(fill)) - 1]!,
    bytes: () => Buffer.concat(parts),
  };
}
