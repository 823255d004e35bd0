// Riegeli's HighwayHash in WebAssembly: against Google's C++ (the native `highwayhash` addon, a dev
// dependency) at every input size around the packet and window edges and on random inputs, and the
// embedded module against its .wat source.

import fs from 'node:fs';
import fc from 'fast-check';
import highwayhash from 'highwayhash';
import { describe, expect, it } from 'vitest';
import { HASH_KEY_TEXT } from '../../src/format/riegeli/constants.js';
import { hashHex, hashMatches, storedHashHex, writeHash } from '../../src/format/riegeli/highway-hash.js';
import { assemble, embeddingModule, WASM_MODULES } from '../../tools/assemble-wasm.js';

const KEY = Buffer.from(HASH_KEY_TEXT, 'latin1');

/** Bytes that differ at every position and between lengths. */
function patterned(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 131 + length * 7 + (i >> 8)) & 255);
}

/** The hash the C++ code computes, as our hashHex words it. */
function nativeHex(bytes: Uint8Array): string {
  const data = Buffer.from(bytes);
  const high = highwayhash.asUInt32High(KEY, data).toString(16).padStart(8, '0');
  const low = highwayhash.asUInt32Low(KEY, data).toString(16).padStart(8, '0');
  return `0x${high}${low}`;
}

describe('HighwayHash', () => {
  it('equals the C++ hash for every length up to 300 bytes (all packet remainders, both tail layouts)', () => {
    for (let length = 0; length <= 300; length++) expect(hashHex(patterned(length)), `length ${length}`).toBe(nativeHex(patterned(length)));
  });

  it('equals the C++ hash around the 64 KiB window the module hashes at a time', () => {
    const window = 65536;
    for (const length of [window - 33, window - 1, window, window + 1, window + 31, window + 32, 2 * window, 2 * window + 17, 5 * window + 100]) {
      expect(hashHex(patterned(length)), `length ${length}`).toBe(nativeHex(patterned(length)));
    }
  });

  it('hashes views at any offset of a larger buffer', () => {
    const buffer = patterned(4000);
    for (const [start, end] of [[1, 41], [3, 3 + 65], [777, 3999], [0, 4000]] as const) {
      expect(hashHex(buffer.subarray(start, end))).toBe(nativeHex(buffer.slice(start, end)));
    }
  });

  it('embeds exactly what each .wat file assembles to (run `npm run assemble-wasm` after editing one)', async () => {
    for (const { source, embedded, name } of WASM_MODULES) {
      const committed = fs.readFileSync(new URL(`../../${embedded}`, import.meta.url), 'utf8');
      expect(committed, embedded).toBe(embeddingModule(source, name, await assemble(source)));
    }
  });

  it('writes the u64 the C++ code computes, little-endian, and matches it back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(16), (bytes, offset) => {
        const stored = new Uint8Array(offset + 8);
        writeHash(bytes, stored, offset);
        const view = new DataView(stored.buffer);
        const data = Buffer.from(bytes);
        expect(view.getUint32(offset, true)).toBe(highwayhash.asUInt32Low(KEY, data));
        expect(view.getUint32(offset + 4, true)).toBe(highwayhash.asUInt32High(KEY, data));
        expect(hashMatches(bytes, stored, offset)).toBe(true);
        expect(hashHex(bytes)).toBe(storedHashHex(stored, offset));
      }),
    );
  });

  it('rejects a stored hash that differs in any one bit', () => {
    const bytes = new TextEncoder().encode('riegeli chunk data');
    const stored = new Uint8Array(8);
    writeHash(bytes, stored, 0);
    for (let bit = 0; bit < 64; bit++) {
      stored[bit >> 3]! ^= 1 << (bit & 7);
      expect(hashMatches(bytes, stored, 0)).toBe(false);
      stored[bit >> 3]! ^= 1 << (bit & 7);
    }
    expect(hashMatches(bytes, stored, 0)).toBe(true);
  });

  it('reads hashes as most significant digit first', () => {
    const stored = Uint8Array.from([0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01]);
    expect(storedHashHex(stored, 0)).toBe('0x0123456789abcdef');
  });
});
