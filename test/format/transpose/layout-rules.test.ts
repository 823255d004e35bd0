// Layout rules of Riegeli's TransposeEncoder that the golden tf.Examples do not exercise, checked on the parsed chunk.

import { describe, expect, it } from 'vitest';
import { CompressionType } from '../../../src/format/riegeli/constants.js';
import { encodeTransposedChunk } from '../../../src/format/riegeli/transpose/index.js';
import { NodeKind, parseTransposedChunk, StateField, type TransposedLayout } from '../../../src/format/riegeli/transpose/layout.js';
import { isProtoMessage } from '../../../src/format/riegeli/transpose/proto-scan.js';
import { buffersOf, kinds, stateFields } from './layout-view.js';
import { lengthDelimited, tag, varint } from './proto-builders.js';

const NONE = { type: CompressionType.none, level: 0 } as const;

function layoutOf(records: readonly number[][], bucketSize = 256, options: { type: 0 | 0x7a; level: number } = NONE): TransposedLayout {
  const bytes = records.map((r) => Uint8Array.from(r));
  const size = bytes.reduce((sum, r) => sum + r.length, 0);
  return parseTransposedChunk(encodeTransposedChunk(bytes, options, bucketSize).data, bytes.length, size, 'test');
}

describe('transposed layout rules', () => {
  it('varints whose single byte is at most 3 are inline, larger ones go to a buffer by length', () => {
    const inline = layoutOf([[...tag(1, 0), 3]]);
    expect(kinds(inline)).toContain(NodeKind.copyTag);
    expect(buffersOf(inline)).toHaveLength(0);
    const buffered = layoutOf([[...tag(1, 0), 4]]);
    expect(kinds(buffered)).toContain(NodeKind.varint);
    expect(Array.from(buffersOf(buffered)[0]!)).toEqual([4]);
    const long = layoutOf([[...tag(1, 0), ...varint(300)]]);
    const state = kinds(long).indexOf(NodeKind.varint);
    expect(stateFields(long, StateField.dataLength)[state]).toBe(2);
    // Stored with continuation bits cleared.
    expect(Array.from(buffersOf(long)[0]!)).toEqual([300 & 0x7f, 300 >> 7]);
  });

  it('an empty length-delimited field is a string, a non-empty valid message a submessage', () => {
    expect(kinds(layoutOf([lengthDelimited(1, [])]))).toContain(NodeKind.string);
    const nested = kinds(layoutOf([lengthDelimited(1, [...tag(2, 0), 1])]));
    expect(nested).toContain(NodeKind.submessageStart);
    expect(nested).toContain(NodeKind.submessageEnd);
    expect(nested).not.toContain(NodeKind.string);
  });

  it('records with non-canonical varints or unbalanced groups are not protos', () => {
    expect(isProtoMessage(Uint8Array.of(0x08, 0x85, 0x00), 0, 3)).toBe(false);
    expect(isProtoMessage(Uint8Array.of(0x88, 0x00, 0x01), 0, 3)).toBe(false);
    expect(isProtoMessage(Uint8Array.from([...tag(1, 3)]), 0, 1)).toBe(false);
    expect(isProtoMessage(Uint8Array.from([...tag(1, 3), ...tag(2, 4)]), 0, 2)).toBe(false);
    expect(isProtoMessage(Uint8Array.from([...tag(1, 3), ...tag(1, 4)]), 0, 2)).toBe(true);
    expect(isProtoMessage(Uint8Array.of(0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), 0, 11)).toBe(true);
    expect(isProtoMessage(Uint8Array.of(0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02), 0, 11)).toBe(false);
    expect(isProtoMessage(new Uint8Array(0), 0, 0)).toBe(true);
    expect(kinds(layoutOf([[0x08, 0x85, 0x00]]))).toContain(NodeKind.nonProto);
  });

  it('buffers are ordered by kind (varint, fixed32, fixed64, string), each kind smallest first; non-proto lengths come last', () => {
    const layout = layoutOf([
      [...lengthDelimited(9, [1, 2, 3, 4, 5, 6]), ...tag(8, 1), 1, 2, 3, 4, 5, 6, 7, 8, ...tag(7, 5), 1, 2, 3, 4, ...tag(6, 0), 0x7f, ...tag(5, 0), 0x80, 0x01, ...tag(4, 0), 0x10],
      [0xff],
    ]);
    const buffers = buffersOf(layout);
    expect(buffers.map((b) => b.length)).toEqual([1, 1, 2, 4, 8, 7, 1, 1]);
    // Equal sizes: the smaller tag under the same parent first.
    expect(Array.from(buffers[0]!)).toEqual([0x10]);
    expect(Array.from(buffers[1]!)).toEqual([0x7f]);
    expect(Array.from(buffers[6]!)).toEqual([0xff]);
    expect(layout.nonProtoLengthsBuffer).toBe(7);
  });

  it('the last state to decode reads a transition byte even with a single destination', () => {
    // Two empty records: the start-of-message state only ever leads to itself.
    const layout = layoutOf([[], []]);
    expect(layout.numStates).toBe(1);
    expect(stateFields(layout, StateField.implicit)).toEqual([0]);
    expect(Array.from(layout.transitions)).toEqual([0]);
  });

  it('no records give a single no-op state and no transitions', () => {
    const layout = layoutOf([]);
    expect(kinds(layout)).toEqual([NodeKind.noOp]);
    expect(layout.transitions).toHaveLength(0);
    expect(buffersOf(layout)).toHaveLength(0);
  });
});
