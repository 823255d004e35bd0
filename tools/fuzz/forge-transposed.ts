// Forged transposed chunks ('t', and the metadata chunk 'm' which is transposed too): the state machine
// (node tags, transitions, bases, subtypes, buffer indices), bucket and buffer sizes, or buffer bytes change,
// blocks are recompressed and the file rebuilt, so every hash verifies and only the state machine lies.

import { assembleTransposed, encodeAs, splitTransposed, type HeaderField, type HeaderRole, type TransposedParts } from './chunk-data.js';
import { ChunkType, CompressionType, decodeBlock, type EncodedChunkData } from './format.js';
import { HOSTILE_COUNTS, hostileNear, showNumber, type Mutation, type MutationContext, type MutatorEntry } from './mutation.js';
import { rebuild } from './rebuild.js';
import type { Rng } from './rng.js';

/** Hostile values for one header field, by what the field means. */
function hostileFor(rng: Rng, field: HeaderField, numStates: number): number {
  switch (field.role) {
    case 'tag':
      // Message ids 0-3, invalid wire types (3, 4, 6, 7), field number 0, huge field numbers.
      return rng.pick([0, 1, 2, 3, 4, 5, 6, 7, (field.value & ~7) | 3, (field.value & ~7) | 4, (field.value & ~7) | 6, (field.value & ~7) | 7, 8, 2 ** 29 * 8, 2 ** 32 + 8]);
    case 'base':
      // Bases at or beyond the state count mark implicit transitions; 2 * numStates is out of range.
      return rng.pick([0, numStates - 1, numStates, numStates + rng.int(Math.max(1, numStates)), 2 * numStates, 2 * numStates + 1, field.value + 1, 2 ** 32]);
    case 'subtype':
      return rng.pick([0, 9, 10, 11, 137, 138, 255]);
    case 'firstState':
    case 'bufferIndex':
      return rng.pick([0, field.value + 1, numStates, 2 ** 31, 2 ** 32]);
    default:
      return hostileNear(rng, field.value);
  }
}

const ROLE_WEIGHTS: Readonly<Record<HeaderRole, number>> = {
  numBuckets: 1,
  numBuffers: 1,
  bucketLength: 2,
  bufferLength: 2,
  numStates: 1,
  tag: 4,
  base: 4,
  subtype: 2,
  bufferIndex: 2,
  firstState: 1,
};

/** Which bucket each buffer lies in: buffers fill buckets in order, never spanning two. */
function bufferBuckets(parts: TransposedParts): { bucketOf: number[]; bufferFields: number[] } {
  const bucketSizes = parts.buckets.map((bucket) => decodeBlock(parts.compression, bucket, 'bucket').length);
  const bufferFields = parts.fields.flatMap((field, i) => (field.role === 'bufferLength' ? [i] : []));
  const bucketOf: number[] = [];
  let bucket = 0;
  let used = 0;
  for (const i of bufferFields) {
    while (bucket < bucketSizes.length - 1 && used >= bucketSizes[bucket]!) {
      bucket++;
      used = 0;
    }
    bucketOf.push(bucket);
    used += parts.fields[i]!.value;
  }
  return { bucketOf, bufferFields };
}

/** Forges a transposed chunk; returns the new chunk and what was done. */
export function forgeTransposedChunk(rng: Rng, chunk: EncodedChunkData): { chunk: EncodedChunkData; what: string; detail: string } | undefined {
  const parts = splitTransposed(chunk.data);
  const numStates = parts.fields.find((field) => field.role === 'numStates')?.value ?? 0;
  const what = rng.weighted({ field: 10, insertField: 1, removeField: 1, swapStates: 1, transitions: 3, bucketBytes: 3 });
  let detail: string;
  switch (what) {
    case 'field': {
      const role = rng.weighted(ROLE_WEIGHTS);
      const candidates = parts.fields.filter((field) => field.role === role);
      if (candidates.length === 0) return undefined;
      const field = rng.pick(candidates);
      const old = field.value;
      field.value = hostileFor(rng, field, numStates);
      if (field.value === old) return undefined;
      detail = `${role} ${old} -> ${showNumber(field.value)}`;
      break;
    }
    case 'insertField': {
      const at = rng.int(parts.fields.length + 1);
      parts.fields.splice(at, 0, { role: 'tag', value: rng.pick([0, 1, 3, 8, 0x80, ...HOSTILE_COUNTS.slice(0, 3)]) });
      detail = `a varint inserted at header field ${at}`;
      break;
    }
    case 'removeField': {
      if (parts.fields.length === 0) return undefined;
      const at = rng.int(parts.fields.length);
      detail = `header field ${at} (${parts.fields[at]!.role}) removed`;
      parts.fields.splice(at, 1);
      break;
    }
    case 'swapStates': {
      const tags = parts.fields.filter((field) => field.role === 'tag');
      if (tags.length < 2) return undefined;
      const a = rng.int(tags.length);
      const b = (a + 1 + rng.int(tags.length - 1)) % tags.length;
      [tags[a]!.value, tags[b]!.value] = [tags[b]!.value, tags[a]!.value];
      detail = `tags of states ${a} and ${b} swapped`;
      break;
    }
    case 'transitions': {
      const choice = rng.int(5);
      const t = parts.transitions;
      if (choice === 0) parts.transitions = rng.bytes(rng.range(0, Math.max(4, t.length * 2)));
      else if (choice === 1) parts.transitions = t.subarray(0, rng.int(t.length + 1));
      else if (choice === 2) parts.transitions = Buffer.concat([t, rng.bytes(rng.range(1, 8))]);
      else if (choice === 3) parts.transitions = new Uint8Array(t.length).fill(rng.pick([0x00, 0xff, 0x03, 0xfc]));
      else if (t.length > 0) {
        parts.transitions = t.slice();
        parts.transitions[rng.int(t.length)] = rng.int(256);
      }
      detail = `transitions ${['replaced by random bytes', 'truncated', 'extended', 'filled', 'one byte changed'][choice]} (${t.length} -> ${parts.transitions.length} bytes)`;
      break;
    }
    case 'bucketBytes': {
      if (parts.buckets.length === 0) return undefined;
      const bucketIndex = rng.int(parts.buckets.length);
      const decoded = decodeBlock(parts.compression, parts.buckets[bucketIndex]!, 'bucket').slice();
      const choice = rng.int(3);
      let changed: Uint8Array;
      if (choice === 0 && decoded.length > 0) {
        changed = decoded.slice();
        changed[rng.int(changed.length)] = rng.pick([0x00, 0x7f, 0x80, 0xff, rng.int(256)]);
      } else if (choice === 1) changed = decoded.subarray(0, Math.max(0, decoded.length - rng.range(1, 4)));
      else changed = Buffer.concat([decoded, rng.bytes(rng.range(1, 4))]);
      const stored = encodeAs(parts.compression, changed);
      // Consistent sizes most of the time, so the forgery reaches the state machine.
      const consistent = rng.chance(0.7);
      if (consistent) {
        const bucketFields = parts.fields.filter((field) => field.role === 'bucketLength');
        bucketFields[bucketIndex]!.value = stored.length;
        const { bucketOf, bufferFields } = bufferBuckets(parts);
        const last = bufferFields.filter((_, i) => bucketOf[i] === bucketIndex).pop();
        if (last !== undefined) parts.fields[last]!.value = Math.max(0, parts.fields[last]!.value + changed.length - decoded.length);
      }
      parts.buckets[bucketIndex] = stored;
      detail = `bucket ${bucketIndex} ${['byte changed', 'shortened', 'lengthened'][choice]}${consistent ? ', lengths updated' : ''}`;
      break;
    }
  }
  const data = assembleTransposed(parts);
  const headerChoice = rng.weighted({ keep: 7, hostile: 1 });
  const numRecords = headerChoice === 'keep' ? chunk.numRecords : Math.min(1 << 20, hostileNear(rng, chunk.numRecords));
  const decodedDataSize = headerChoice === 'keep' ? chunk.decodedDataSize : hostileNear(rng, chunk.decodedDataSize);
  return {
    chunk: { chunkType: chunk.chunkType, data, numRecords, decodedDataSize },
    what,
    detail: `${detail}; header ${headerChoice} (${numRecords} records, ${showNumber(decodedDataSize)} bytes)`,
  };
}

function forgeTransposed(context: MutationContext): Mutation | undefined {
  const { rng, file } = context;
  const sites = file.chunks.filter((site) => site.chunkType === ChunkType.transposed || site.chunkType === ChunkType.fileMetadata);
  if (sites.length === 0) return undefined;
  const site = rng.pick(sites);
  // The rebuild calls back with the chunk as encoded; the forgery's description comes out through this box.
  const box: { result?: ReturnType<typeof forgeTransposedChunk> } = {};
  const bytes = rebuild(file, {
    body: (chunks) =>
      chunks.map((item) => {
        if (item.origin !== site.begin) return item;
        box.result = forgeTransposedChunk(rng, item.chunk);
        return box.result === undefined ? item : { ...item, chunk: box.result.chunk };
      }),
  });
  const result = box.result;
  if (result === undefined) return undefined;
  const kind = site.chunkType === ChunkType.fileMetadata ? 'metadata' : 'data';
  const codec = site.data[0] === CompressionType.none ? 'uncompressed' : `0x${site.data[0]!.toString(16)}`;
  return { type: `transposed.${kind}.${result.what}`, detail: `${kind} chunk at ${site.begin} (${codec}): ${result.detail}`, bytes };
}

/** The transposed-chunk mutators. */
export const TRANSPOSED_MUTATORS: readonly MutatorEntry[] = [{ name: 'transposed', family: 'forged', weight: 12, run: forgeTransposed }];
