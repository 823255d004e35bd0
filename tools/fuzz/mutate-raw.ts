// Raw mutations: bytes changed without recomputing any hash (flips, truncations, splices, fills). Hashes
// protect the data, so a reader may fail but must never return a record that differs from the original.

import { BLOCK_SIZE } from './format.js';
import type { Mutation, MutationContext, MutatorEntry } from './mutation.js';
import type { Rng } from './rng.js';

/** A position biased towards structure half the time: chunk headers, block headers, the file's end. */
function interestingPosition(rng: Rng, context: MutationContext, length: number): number {
  const { file } = context;
  if (rng.chance(0.5) || file.chunks.length === 0) return rng.int(length);
  const choice = rng.int(4);
  if (choice === 0) {
    const chunk = rng.pick(file.chunks);
    return Math.min(length - 1, chunk.begin + rng.int(40));
  }
  if (choice === 1) return Math.min(length - 1, rng.int(Math.ceil(length / BLOCK_SIZE)) * BLOCK_SIZE + rng.int(24));
  if (choice === 2 && file.layout !== undefined) return Math.min(length - 1, file.layout.footerOffset + rng.int(80));
  return Math.max(0, length - 1 - rng.int(Math.min(length, BLOCK_SIZE)));
}

function flip(context: MutationContext): Mutation {
  const { rng, file } = context;
  const bytes = file.bytes.slice();
  const count = rng.range(1, 4);
  const changes: string[] = [];
  for (let i = 0; i < count; i++) {
    const pos = interestingPosition(rng, context, bytes.length);
    const old = bytes[pos]!;
    bytes[pos] = rng.chance(0.5) ? old ^ (1 << rng.int(8)) : rng.int(256);
    if (bytes[pos] === old) bytes[pos] = old ^ 0x01;
    changes.push(`${pos}:${old.toString(16)}->${bytes[pos]!.toString(16)}`);
  }
  return { type: 'raw.flip', detail: changes.join(' '), bytes };
}

function truncate({ rng, file }: MutationContext): Mutation | undefined {
  const size = file.bytes.length;
  const choice = rng.int(5);
  let length: number;
  if (choice === 0) length = rng.int(size);
  else if (choice === 1) length = Math.max(0, size - BLOCK_SIZE * rng.range(1, 2));
  else if (choice === 2 && file.chunks.length > 1) length = rng.pick(file.chunks.slice(1)).begin;
  else if (choice === 3) length = size - rng.range(1, 64);
  else length = rng.int(Math.ceil(size / BLOCK_SIZE)) * BLOCK_SIZE;
  if (length >= size || length < 0) return undefined;
  return { type: 'raw.truncate', detail: `${size} -> ${length} bytes`, bytes: file.bytes.slice(0, length) };
}

function splice(context: MutationContext): Mutation | undefined {
  const { rng, file, corpus } = context;
  const donor = rng.chance(0.5) ? file : rng.pick(corpus);
  const size = file.bytes.length;
  const length = rng.chance(0.3) ? rng.range(1, 64) : rng.range(1, Math.min(2 * BLOCK_SIZE, donor.bytes.length));
  const from = rng.int(Math.max(1, donor.bytes.length - length));
  const piece = donor.bytes.subarray(from, from + length);
  // Block-aligned copies keep block headers where readers expect them, the hardest case for the hashes.
  let to = rng.chance(0.5) ? rng.int(size) : (from % BLOCK_SIZE) + rng.int(Math.ceil(size / BLOCK_SIZE)) * BLOCK_SIZE;
  if (to >= size) to = rng.int(size);
  const mode = rng.weighted({ overwrite: 6, insert: 2, remove: 2 });
  let bytes: Uint8Array;
  if (mode === 'overwrite') {
    bytes = file.bytes.slice();
    bytes.set(piece.subarray(0, size - to), to);
  } else if (mode === 'insert') {
    bytes = Buffer.concat([file.bytes.subarray(0, to), piece, file.bytes.subarray(to)]);
  } else {
    bytes = Buffer.concat([file.bytes.subarray(0, to), file.bytes.subarray(Math.min(size, to + length))]);
  }
  const source = mode === 'remove' ? '' : ` from ${donor === file ? 'itself' : donor.name}@${from}`;
  return { type: `raw.splice-${mode}`, detail: `${length} bytes at ${to}${source}`, bytes };
}

function fill({ rng, file }: MutationContext): Mutation {
  const bytes = file.bytes.slice();
  const value = rng.pick([0x00, 0xff, rng.int(256)]);
  const length = rng.range(1, rng.chance(0.5) ? 64 : BLOCK_SIZE);
  const at = rng.int(bytes.length);
  bytes.fill(value, at, at + length);
  return { type: 'raw.fill', detail: `${length} bytes of 0x${value.toString(16)} at ${at}`, bytes };
}

function append({ rng, file }: MutationContext): Mutation {
  const size = file.bytes.length;
  const choice = rng.int(3);
  let extra: Uint8Array;
  let what: string;
  if (choice === 0) {
    extra = new Uint8Array(rng.pick([1, 100, BLOCK_SIZE]));
    what = `${extra.length} zero bytes`;
  } else if (choice === 1) {
    extra = file.bytes.slice(Math.max(0, size - BLOCK_SIZE));
    what = 'a copy of the last block';
  } else {
    extra = rng.bytes(rng.range(1, BLOCK_SIZE));
    what = `${extra.length} random bytes`;
  }
  return { type: 'raw.append', detail: what, bytes: Buffer.concat([file.bytes, extra]) };
}

/** The raw mutators. */
export const RAW_MUTATORS: readonly MutatorEntry[] = [
  { name: 'raw.flip', family: 'raw', weight: 14, run: flip },
  { name: 'raw.truncate', family: 'raw', weight: 6, run: truncate },
  { name: 'raw.splice', family: 'raw', weight: 10, run: splice },
  { name: 'raw.fill', family: 'raw', weight: 3, run: fill },
  { name: 'raw.append', family: 'raw', weight: 2, run: append },
];
