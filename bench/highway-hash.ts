// Benchmark: our WebAssembly HighwayHash against the native `highwayhash` addon it replaced (the C++
// reference code), at the sizes Riegeli hashes: a 40-byte chunk header, small and record-sized chunks,
// a 64 KiB block and a 1 MiB chunk. The addon is timed the way we used it: one hex-string call per hash.
// Run: npx tsx bench/highway-hash.ts

import highwayhash from 'highwayhash';
import { HASH_KEY_TEXT } from '../src/format/riegeli/constants.js';
import { hashHex, writeHash } from '../src/format/riegeli/highway-hash.js';

const KEY = Buffer.from(HASH_KEY_TEXT, 'latin1');
const ROUNDS = 5;

/** Nanoseconds per call of `hash` on `input`, best of ROUNDS after a warm-up. */
function nanosPerHash(input: Uint8Array, hash: (input: Uint8Array) => void): number {
  const calls = Math.max(200, Math.round(20_000_000 / (input.length + 64)));
  let best = Infinity;
  for (let round = 0; round <= ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) hash(input);
    const nanos = Number(process.hrtime.bigint() - start) / calls;
    if (round > 0) best = Math.min(best, nanos);
  }
  return best;
}

const target = new Uint8Array(8);
for (const size of [40, 500, 1300, 65536, 1 << 20]) {
  // A view into a larger buffer, as chunk data is: the addon needs a Buffer made over it per call.
  const input = new Uint8Array(size + 16).map((_, i) => (i * 131) & 255).subarray(8, 8 + size);
  const native = Buffer.from(input);
  const expected = `0x${highwayhash.asUInt32High(KEY, native).toString(16).padStart(8, '0')}${highwayhash.asUInt32Low(KEY, native).toString(16).padStart(8, '0')}`;
  if (hashHex(input) !== expected) throw new Error(`hash of ${size} bytes differs from the addon's`);
  const ours = nanosPerHash(input, (bytes) => writeHash(bytes, target, 0));
  const addon = nanosPerHash(input, (bytes) => highwayhash.asHexString(KEY, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
  const gigabytes = (nanos: number) => (size / nanos).toFixed(2);
  console.log(
    `HighwayHash of ${size} B: ours ${ours.toFixed(0)} ns (${gigabytes(ours)} GB/s), native addon ${addon.toFixed(0)} ns (${gigabytes(addon)} GB/s): ${(addon / ours).toFixed(2)}x`,
  );
}
