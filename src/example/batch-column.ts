// The contract between the parsers and the per-feature column decoders, and what they share.

import { KIND_NONE, type FeatureCursor } from './feature-cursor.js';
import type { EagerDecoder } from './eager-decoder.js';
import type { SlotTable } from './feature-map-scan.js';
import type { RecordNames } from './parse-errors.js';
import type { ParsedFeature } from './parsed-feature.js';

/** What every column of one batch shares: the records, where their features lie, a cursor. */
export interface BatchInput {
  readonly records: readonly Uint8Array[];
  readonly count: number;
  readonly slots: SlotTable;
  readonly names: RecordNames;
  readonly cursor: FeatureCursor;
}

/**
 * Decodes one spec feature (slot column `feature` of the slot table) for a whole batch: `begin`
 * runs before the scan (which may already decode values through `eager`), `decodeBatch` after.
 */
export interface Column {
  readonly eager: EagerDecoder | undefined;
  begin(count: number): void;
  decodeBatch(input: BatchInput, feature: number): ParsedFeature;
}

/** Largest number of values one output array may hold. */
export const MAX_VALUES = 0x7fff_ffff;

/** Opens slot `feature` of record `index`; KIND_NONE when absent or when no list is set. */
export function openSlot(input: BatchInput, index: number, feature: number): number {
  const slots = input.slots;
  const slot = index * slots.width + feature;
  const start = slots.start[slot]!;
  if (start < 0) return KIND_NONE;
  return input.cursor.open(slots.bufferOf(slot, input.records[index]!), start, slots.end[slot]!);
}
