// Place: error-message locations built only when text is needed, reading as the eager strings did.

import { describe, expect, it } from 'vitest';
import { CorruptFileError } from '../../src/format/errors.js';
import { VarintCursor } from '../../src/format/riegeli/bytes.js';
import { locationOf, Place, partOf } from '../../src/format/place.js';

describe('Place', () => {
  it('reads "what at position of file", nested parts outermost last', () => {
    const chunk = new Place('chunk', 'data.array_record', 64);
    expect(String(chunk)).toBe('chunk at 64 of data.array_record');
    expect(String(chunk.of('data'))).toBe('data of chunk at 64 of data.array_record');
    expect(String(partOf('decompressed size', partOf('record sizes', chunk)))).toBe(
      'decompressed size of record sizes of chunk at 64 of data.array_record',
    );
    expect(`${new Place('block', 'f', 65536)}`).toBe('block at 65536 of f');
  });

  it('gives the file and the nearest position as error fields', () => {
    const chunk = new Place('chunk', 'data.array_record', 64);
    expect(chunk.location()).toEqual({ path: 'data.array_record', offset: 64 });
    expect(locationOf(partOf('record sizes', chunk))).toEqual({ path: 'data.array_record', offset: 64 });
    expect(locationOf('footer of f.array_record')).toEqual({});
  });

  it('keeps plain strings plain', () => {
    expect(partOf('footer', 'f.array_record')).toBe('footer of f.array_record');
  });

  it('names the place in the error it ends up in', () => {
    const cursor = new VarintCursor(new Uint8Array([0x80]));
    const place = partOf('record sizes', new Place('chunk', 'x.array_record', 128));
    expect(() => cursor.readVarint(place)).toThrow(CorruptFileError);
    expect(() => cursor.readVarint(place)).toThrow(/record sizes of chunk at 128 of x\.array_record/);
  });
});
