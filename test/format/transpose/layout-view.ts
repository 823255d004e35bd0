// Test-only readers of a parsed transposed layout: per-state fields and buffers as plain arrays.

import { STATE_SHIFT, StateField, type TransposedLayout } from '../../../src/format/riegeli/transpose/layout.js';

/** Field `field` (a StateField) of every state. */
export function stateFields(layout: TransposedLayout, field: number): number[] {
  return Array.from({ length: layout.numStates }, (_, state) => layout.states[(state << STATE_SHIFT) + field]!);
}

/** The NodeKind of every state. */
export function kinds(layout: TransposedLayout): number[] {
  return stateFields(layout, StateField.kind);
}

/** The decoded buffers, in header order. */
export function buffersOf(layout: TransposedLayout): Uint8Array[] {
  return Array.from({ length: layout.bounds.length / 2 }, (_, b) => layout.source.subarray(layout.bounds[2 * b], layout.bounds[2 * b + 1]));
}
