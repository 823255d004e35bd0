// Test-only builder of uncompressed transposed chunk data from explicit header fields, to hand-craft corrupt chunks.

import { varint } from './proto-builders.js';

/** The header fields and data of a transposed chunk, as the layout in src/format/riegeli/transpose/layout.ts describes. */
export interface ChunkSpec {
  /** Buffers, all in one bucket. */
  readonly buffers?: readonly (readonly number[])[];
  readonly tags: readonly number[];
  readonly bases: readonly number[];
  readonly subtypes?: readonly number[];
  readonly bufferIndices?: readonly number[];
  readonly first: number;
  readonly transitions?: readonly number[];
}

/** Uncompressed chunk data for `spec`. */
export function buildChunk(spec: ChunkSpec): Uint8Array {
  const buffers = spec.buffers ?? [];
  const bucket = buffers.flat();
  const header = [
    ...varint(buffers.length > 0 ? 1 : 0),
    ...varint(buffers.length),
    ...(buffers.length > 0 ? varint(bucket.length) : []),
    ...buffers.flatMap((buffer) => varint(buffer.length)),
    ...varint(spec.tags.length),
    ...spec.tags.flatMap(varint),
    ...spec.bases.flatMap(varint),
    ...(spec.subtypes ?? []),
    ...(spec.bufferIndices ?? []).flatMap(varint),
    ...varint(spec.first),
  ];
  return Uint8Array.from([0, ...varint(header.length), ...header, ...bucket, ...(spec.transitions ?? [])]);
}

/**
 * A valid chunk of one record, `08 05` (field 1, varint 5): state 0 writes the field from buffer 0
 * and moves implicitly to state 1, the start of the record.
 */
export const ONE_RECORD: ChunkSpec = {
  buffers: [[0x05]],
  tags: [0x08, 3],
  bases: [1 + 2, 0],
  subtypes: [0],
  bufferIndices: [0],
  first: 0,
};
