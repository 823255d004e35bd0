// Riegeli's HighwayHash: the hex-string path against the addon's 32-bit halves, and against a stored header.

import fc from 'fast-check';
import highwayhash from 'highwayhash';
import { describe, expect, it } from 'vitest';
import { HASH_KEY_TEXT } from '../../src/format/riegeli/constants.js';
import { hashHex, hashMatches, storedHashHex, writeHash } from '../../src/format/riegeli/highway-hash.js';

const KEY = Buffer.from(HASH_KEY_TEXT, 'latin1');

describe('HighwayHash', () => {
  it('writes the u64 the addon computes, little-endian, and matches it back', () => {
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
