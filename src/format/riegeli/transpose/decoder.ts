// Decodes a transposed chunk ('t') by running its state machine, which rebuilds the records back to front.

import { constants as bufferConstants } from 'node:buffer';
import { SHARED_SLABS, type ByteAllocator } from '../../io/output-arena.js';
import type { DecodedChunk } from '../decoded-chunk.js';
import { ChunkScratch } from '../../io/chunk-scratch.js';
import { parseTransposedChunk, type TransposedLayout } from './layout.js';
import { runStateMachine, type Room } from './run-machine.js';
import { Walked } from './walk.js';
import type { Where } from '../../place.js';
import { fail } from './fail.js';
import { TRANSPOSE_SCRATCH_BYTES } from './constants.js';

/** The decompressed blocks and the walk's output of the chunk being decoded; dead once its records are copied out. */
const blocks = new ChunkScratch(TRANSPOSE_SCRATCH_BYTES);

/**
 * The most steps the machine can take: a transition byte covers at most four explicit transitions,
 * each followed by a chain of implicit ones shorter than the state count (implicit chains cannot loop).
 */
function maxSteps(layout: TransposedLayout): number {
  return (4 * layout.transitions.length + 1) * layout.numStates;
}

/**
 * The most bytes the machine can write: all buffer bytes (each reappears once in the records, or as a
 * non-proto record length) plus, per step, a tag and a submessage length (11 bytes).
 */
function maxOutputSize(layout: TransposedLayout): number {
  return layout.bufferBytes + 11 * maxSteps(layout);
}

/**
 * Decodes a transposed chunk's data into its records.
 *
 * The chunk stores proto records column by column: a state machine (one state per field path and
 * kind) walks the fields of all records from the last byte of the last record to the first byte of
 * the first, writing tags and taking field values from per-column buffers. Records that are not
 * proto messages are stored whole. Every index, length and transition is checked, and the walk has
 * a step budget derived from the sizes, so corrupt data fails instead of looping or writing a wrong
 * record.
 *
 * @param numRecords record count from the chunk header (1 for a metadata chunk).
 * @param decodedDataSize total record bytes from the chunk header.
 * @param where names the chunk in errors, e.g. "chunk at 64 of data.array_record".
 * @param output where the records go, in one copy once they are complete.
 * @throws CorruptFileError when the data contradicts itself or the header counts.
 * @example
 * const chunk = decodeTransposedChunk(data, header.numRecords, header.decodedDataSize, 'chunk at 64');
 * const first = recordOf(chunk, 0);
 */
export function decodeTransposedChunk(
  data: Uint8Array,
  numRecords: number,
  decodedDataSize: number,
  where: Where,
  output: ByteAllocator = SHARED_SLABS,
): DecodedChunk {
  blocks.reset();
  const layout = parseTransposedChunk(data, numRecords, decodedDataSize, where, blocks);
  // Checked before allocating: both counts come from the chunk header.
  if (decodedDataSize > bufferConstants.MAX_LENGTH || decodedDataSize > maxOutputSize(layout)) {
    fail(where, `the chunk header announces ${decodedDataSize} record bytes, more than this chunk data can produce`);
  }
  if (numRecords > maxSteps(layout)) {
    fail(where, `the chunk header announces ${numRecords} records, more than this chunk data can produce`);
  }
  // Both counts are still claims, bounded only by a product of sizes: the first attempt gets room for
  // what such data usually produces, and only output the machine really writes earns it more.
  let room = initialRoom(layout, numRecords, decodedDataSize);
  for (;;) {
    const result = runStateMachine(layout, numRecords, decodedDataSize, room, where, blocks, output);
    if (result === Walked.needsBytes) room = { bytes: grown(room.bytes, decodedDataSize), records: room.records };
    else if (result === Walked.needsRecords) room = { bytes: room.bytes, records: grown(room.records, numRecords) };
    else return result;
  }
}

/**
 * Room for what a chunk usually yields: each transition byte leads to at most four steps, each state
 * may follow once by implicit transitions, and a step writes buffer bytes plus at most 11 of its own.
 * Chunks whose implicit chains repeat (many fields per record without buffers) need another run.
 */
function initialRoom(layout: TransposedLayout, numRecords: number, size: number): Room {
  const steps = 4 * layout.transitions.length + layout.numStates + 1;
  return { bytes: Math.min(size, layout.bufferBytes + 11 * steps), records: Math.min(numRecords, steps) };
}

/** The next room of a kind: four times more, at most the claim, so a few runs reach any true size. */
function grown(room: number, claim: number): number {
  return Math.min(claim, Math.max(4 * room, 4096));
}
