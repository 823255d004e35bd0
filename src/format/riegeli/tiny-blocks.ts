// Encoded blocks of a few bytes, kept once encoded. Riegeli compresses even a one-record chunk's list of
// record sizes (one to three bytes) with the chunk's codec, and that call costs as much as a small
// record's: brotli through node:zlib takes ~6 µs for 2 bytes (brotli itself 0.2 µs), zstd-napi ~1 µs.
// Codecs are deterministic, so a block already encoded with the same codec, settings and bytes is taken
// from here, byte for byte what encoding it again would give.

import type { CompressorOptions } from './compression.js';

/** Blocks up to this many bytes are kept: their bytes fit a number key exactly. */
export const TINY_BLOCK_SIZE = 4;
/** Entries per codec instance and settings; the table starts over when full, so memory stays bounded. */
const MAX_ENTRIES = 1 << 12;

/** By codec instance (so a zstd codec swapped in is asked again), then by settings and bytes. */
const tables = new WeakMap<object, Map<string, Map<number, Uint8Array>>>();
/** The table of the last call's codec and options (objects a writer keeps), found without a lookup. */
let last: { codec: object; options: CompressorOptions; table: Map<number, Uint8Array> } | undefined;

function tableOf(codec: object, options: CompressorOptions): Map<number, Uint8Array> {
  if (last?.codec === codec && last.options === options) return last.table;
  let byOptions = tables.get(codec);
  if (byOptions === undefined) tables.set(codec, (byOptions = new Map()));
  const settings = `${options.type}:${options.level}:${options.windowLog}`;
  let table = byOptions.get(settings);
  if (table === undefined) byOptions.set(settings, (table = new Map()));
  last = { codec, options, table };
  return table;
}

/**
 * The block `encode` gives for `data` (at most TINY_BLOCK_SIZE bytes), encoded once per `codec`
 * instance, `options` and bytes. Returns a copy, which the caller may change.
 */
export function tinyBlock(codec: object, options: CompressorOptions, data: Uint8Array, encode: () => Uint8Array): Uint8Array {
  const table = tableOf(codec, options);
  // The length, then the bytes (little-endian) below it, so that [0] and [0, 0] differ.
  let key = data.length;
  for (let i = data.length - 1; i >= 0; i--) key = key * 256 + data[i]!;
  let block = table.get(key);
  if (block === undefined) {
    // A copy: the codec's output may be a view of a shared pool.
    block = new Uint8Array(encode());
    if (table.size >= MAX_ENTRIES) table.clear();
    table.set(key, block);
  }
  return new Uint8Array(block);
}
