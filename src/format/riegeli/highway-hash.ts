// Riegeli's 64-bit HighwayHash with its fixed key, computed by our WebAssembly SIMD module
// (highway-hash.wat). It replaced the native `highwayhash` addon: 2-3.5x faster on chunk headers and
// small chunks (no native call, no result string), no compiler needed at install, and no process abort
// when a worker thread is stopped while the addon loads.

import { HIGHWAY_HASH_WASM } from './highway-hash-wasm.js';

/** The part of the WebAssembly global used here (its types come with the DOM lib, which Node code leaves out). */
declare const WebAssembly: {
  Module: new (binary: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
};

interface HighwayHashExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  reset(): void;
  absorb(length: number): void;
  finish(length: number): void;
  hash(length: number): void;
}

/** Where the module takes its input, and how much at a time (its memory never grows). */
const INPUT = 64;
const WINDOW = 65536;

const wasm = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(HIGHWAY_HASH_WASM, 'base64')))
  .exports as unknown as HighwayHashExports;
/** The module's memory: the hash lands in bytes [0, 8), little-endian as files store it. */
const memory = new Uint8Array(wasm.memory.buffer);

/** Hashes `bytes` into memory[0..8). */
function computeHash(bytes: Uint8Array): void {
  const length = bytes.length;
  if (length <= WINDOW) {
    memory.set(bytes, INPUT);
    wasm.hash(length);
    return;
  }
  wasm.reset();
  let start = 0;
  // Whole windows while more than one remains; the last piece (1 to WINDOW bytes) finishes the hash.
  for (; length - start > WINDOW; start += WINDOW) {
    memory.set(bytes.subarray(start, start + WINDOW), INPUT);
    wasm.absorb(WINDOW);
  }
  memory.set(bytes.subarray(start), INPUT);
  wasm.finish(length - start);
}

/** True when `bytes` hash to the u64 stored little-endian at `stored[offset]`. */
export function hashMatches(bytes: Uint8Array, stored: Uint8Array, offset: number): boolean {
  computeHash(bytes);
  for (let i = 0; i < 8; i++) if (memory[i] !== stored[offset + i]) return false;
  return true;
}

/** Writes the hash of `bytes` little-endian at `target[offset]`. */
export function writeHash(bytes: Uint8Array, target: Uint8Array, offset: number): void {
  computeHash(bytes);
  for (let i = 0; i < 8; i++) target[offset + i] = memory[i]!;
}

/** The hash as 16 hex digits (most significant first), for error messages. */
export function hashHex(bytes: Uint8Array): string {
  const stored = new Uint8Array(8);
  writeHash(bytes, stored, 0);
  return storedHashHex(stored, 0);
}

/** The u64 hash stored little-endian at `stored[offset]` as 16 hex digits, for error messages. */
export function storedHashHex(stored: Uint8Array, offset: number): string {
  let text = '0x';
  for (let i = 7; i >= 0; i--) text += stored[offset + i]!.toString(16).padStart(2, '0');
  return text;
}
