// Forged chunk headers and block headers, patched in place: one field changes, then the header hash,
// the data hash and the block headers the chunk covers are recomputed, so every hash verifies.

import { BLOCK_SIZE, buildBlockHeader, ChunkType } from './format.js';
import { patchChunk, type HeaderPatch } from './frame.js';
import { HOSTILE_COUNTS, hostileNear, showNumber, type Mutation, type MutationContext, type MutatorEntry } from './mutation.js';
import type { Rng } from './rng.js';
import type { ChunkSite } from './structure.js';

/** The chunk a header forgery targets: mostly data chunks, sometimes the footer, postscript or others. */
export function pickChunk(rng: Rng, context: MutationContext): ChunkSite | undefined {
  const { file } = context;
  const chunks = file.chunks.filter((site) => site.begin > 0);
  if (chunks.length === 0) return undefined;
  const data = chunks.filter((site) => site.chunkType === ChunkType.simple || site.chunkType === ChunkType.transposed);
  const layout = file.layout;
  const choice = rng.int(20);
  if (layout !== undefined && choice < 3) return layout.footer;
  if (layout !== undefined && choice < 5) return layout.postscript;
  if (choice < 8 || data.length === 0) return rng.pick(chunks);
  return rng.pick(data);
}

function describe(site: ChunkSite): string {
  return `chunk '${String.fromCharCode(site.chunkType)}' at ${site.begin}`;
}

const CHUNK_TYPES = [ChunkType.padding, ChunkType.fileMetadata, ChunkType.fileSignature, ChunkType.simple, ChunkType.transposed, 0x00, 0xff, 0x52];

function forgeHeader(context: MutationContext): Mutation | undefined {
  const { rng, file } = context;
  const site = pickChunk(rng, context);
  if (site === undefined) return undefined;
  const field = rng.weighted({ numRecords: 4, decodedDataSize: 3, chunkType: 3, dataSize: 2 });
  const dataSize = site.data.length;
  let patch: HeaderPatch;
  let value: number;
  if (field === 'numRecords') {
    value = rng.chance(0.3) ? rng.pick([0, 1, site.numRecords + 1, 2 ** 24, 2 ** 32, 2 ** 40]) : hostileNear(rng, site.numRecords);
    patch = { numRecords: value };
  } else if (field === 'decodedDataSize') {
    value = hostileNear(rng, site.decodedDataSize);
    patch = { decodedDataSize: value };
  } else if (field === 'chunkType') {
    value = rng.pick(CHUNK_TYPES.filter((type) => type !== site.chunkType));
    patch = { chunkType: value };
  } else {
    value = rng.pick([0, 1, Math.max(0, dataSize - 1), dataSize + 1, dataSize + 40, file.bytes.length, 2 ** 40]);
    patch = { dataSize: value };
  }
  const current = { dataSize, chunkType: site.chunkType, numRecords: site.numRecords, decodedDataSize: site.decodedDataSize };
  if (value === current[field]) return undefined;
  const bytes = file.bytes.slice();
  patchChunk(bytes, site.begin, current, patch);
  const shown = field === 'chunkType' ? `0x${value.toString(16)}` : showNumber(value);
  return { type: `header.${field}`, detail: `${describe(site)}: ${field} -> ${shown}`, bytes };
}

/** Both a header field and the data, for a chunk whose records and counts agree with each other but not the file. */
function forgeDataByte(context: MutationContext): Mutation | undefined {
  const { rng, file } = context;
  const site = pickChunk(rng, context);
  if (site === undefined || site.data.length === 0) return undefined;
  const bytes = file.bytes.slice();
  // Same length, different bytes: the data hash is recomputed, so only decoding can notice.
  const data = site.data.slice();
  const at = rng.int(data.length);
  data[at] = rng.chance(0.5) ? data[at]! ^ 0x80 : rng.pick([0, 0x7f, 0x80, 0xff]);
  const current = { dataSize: data.length, chunkType: site.chunkType, numRecords: site.numRecords, decodedDataSize: site.decodedDataSize };
  patchChunk(bytes, site.begin, current, {}, data);
  return { type: 'header.dataByte', detail: `${describe(site)}: data byte ${at} -> 0x${data[at]!.toString(16)}, hashes recomputed`, bytes };
}

function forgeBlockHeader({ rng, file }: MutationContext): Mutation | undefined {
  const blocks = Math.floor(file.bytes.length / BLOCK_SIZE);
  if (blocks < 2) return undefined;
  const boundary = rng.range(1, blocks - 1) * BLOCK_SIZE;
  const next = file.chunks.find((site) => site.begin >= boundary);
  const previousChunk = rng.pick([0, 1, boundary, boundary + 1, rng.int(boundary), 2 ** 40]);
  const nextChunk = rng.pick([0, 1, 24, next === undefined ? 64 : next.begin - boundary + 1, rng.int(2 * BLOCK_SIZE), ...HOSTILE_COUNTS.slice(2, 4)]);
  const bytes = file.bytes.slice();
  bytes.set(buildBlockHeader(previousChunk, nextChunk), boundary);
  return { type: 'header.block', detail: `block header at ${boundary}: previous ${showNumber(previousChunk)}, next ${showNumber(nextChunk)}`, bytes };
}

/** The header mutators. */
export const HEADER_MUTATORS: readonly MutatorEntry[] = [
  { name: 'header.field', family: 'forged', weight: 12, run: forgeHeader },
  { name: 'header.dataByte', family: 'forged', weight: 4, run: forgeDataByte },
  { name: 'header.block', family: 'forged', weight: 4, run: forgeBlockHeader },
];
