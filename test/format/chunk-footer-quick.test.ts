// The allocation-free reading of footer entries agrees with the general parser, and leaves it every
// entry of another form.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeChunkFooter, encodeChunkFooter, readChunkFooterQuickly } from '../../src/format/arrayrecord/layout.js';

describe('readChunkFooterQuickly', () => {
  it('reads what encodeChunkFooter writes as decodeChunkFooter does', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 40 }), fc.nat({ max: 2 ** 40 }), fc.nat({ max: 2 ** 31 }), (chunkOffset, decodedDataSize, numRecords) => {
        const bytes = encodeChunkFooter({ chunkOffset, decodedDataSize, numRecords });
        const padded = new Uint8Array([9, ...bytes, 9]);
        const fields = new Float64Array(3);
        expect(readChunkFooterQuickly(padded, 1, 1 + bytes.length, fields)).toBe(true);
        const general = decodeChunkFooter(bytes, 'entry');
        expect([...fields]).toEqual([general.chunkOffset, general.decodedDataSize, general.numRecords]);
      }),
    );
  });

  it('leaves other forms to the general parser', () => {
    const fields = new Float64Array(3);
    // An unknown field, a length-delimited field, a truncated varint, a value of 2^56.
    for (const bytes of [[0x20, 1], [0x0a, 1, 0], [0x08, 0x80], [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]]) {
      expect(readChunkFooterQuickly(Uint8Array.from(bytes), 0, bytes.length, fields)).toBe(false);
    }
    // No field at all: no offset.
    expect(readChunkFooterQuickly(new Uint8Array(0), 0, 0, fields)).toBe(true);
    expect([...fields]).toEqual([-1, 0, 0]);
  });
});
