// Forged file structure: whole chunks swapped, duplicated, dropped, re-encoded or inserted (padding,
// empty simple chunks, metadata, signatures, unknown types), with every offset and hash made consistent,
// so a reader sees a well-formed file whose layout is unusual or lies.

import { compressorFor } from './chunk-data.js';
import { ChunkType, CompressionType, decodeFooterMetadata, encodeFooterMetadata, encodeMetadataChunk, encodeSimpleChunk, encodeTransposedChunk, type EncodedChunkData } from './format.js';
import type { Mutation, MutationContext, MutatorEntry } from './mutation.js';
import { rebuild, type BodyChunk } from './rebuild.js';
import type { Rng } from './rng.js';
import { simpleRecords } from './structure.js';

/** A chunk to insert: what a hostile or unusual writer might put between data chunks. */
function insertedChunk(rng: Rng): { chunk: EncodedChunkData; isData: boolean; what: string } {
  const none = compressorFor(CompressionType.none);
  switch (rng.int(6)) {
    case 0:
      return { chunk: { chunkType: ChunkType.padding, data: new Uint8Array(rng.pick([0, 1, 100, 70_000])), numRecords: 0, decodedDataSize: 0 }, isData: false, what: 'padding' };
    case 1:
      return { chunk: encodeSimpleChunk([], none), isData: false, what: 'empty simple chunk' };
    case 2:
      return { chunk: encodeMetadataChunk({ fileComment: 'inserted' }, none), isData: false, what: 'metadata chunk' };
    case 3:
      return { chunk: { chunkType: ChunkType.fileSignature, data: new Uint8Array(0), numRecords: 0, decodedDataSize: 0 }, isData: false, what: 'signature chunk' };
    case 4:
      return { chunk: { chunkType: 0x78, data: rng.bytes(rng.range(0, 50)), numRecords: rng.int(3), decodedDataSize: rng.int(100) }, isData: false, what: 'unknown chunk type' };
    default:
      return { chunk: encodeSimpleChunk([Uint8Array.of(1, 2, 3)], none), isData: true, what: 'extra data chunk' };
  }
}

/** The same records encoded differently: another codec, or transposed instead of simple. */
function reencoded(rng: Rng, item: BodyChunk): { chunk: EncodedChunkData; what: string } | undefined {
  if (item.chunk.chunkType !== ChunkType.simple) return undefined;
  const records = simpleRecords(item.chunk);
  if (records === undefined) return undefined;
  const codec = compressorFor(rng.pick([CompressionType.none, CompressionType.zstd, CompressionType.brotli, CompressionType.snappy]));
  if (rng.chance(0.5)) return { chunk: encodeTransposedChunk(records, codec, 256), what: `re-encoded transposed (0x${codec.type.toString(16)})` };
  return { chunk: encodeSimpleChunk(records, codec), what: `re-encoded simple (0x${codec.type.toString(16)})` };
}

function forgeStructure(context: MutationContext): Mutation | undefined {
  const { rng, file } = context;
  const what = rng.weighted({ swap: 3, duplicate: 2, drop: 2, insert: 4, reencode: 2, splitChunk: 1 });
  let detail = '';
  // Whether the footer metadata is updated to match a changed chunk count.
  const matchCounts = rng.chance(0.5);
  let chunkDelta = 0;
  let recordDelta = 0;
  const bytes = rebuild(file, {
    body: (chunks) => {
      const data = chunks.map((item, i) => (item.isData ? i : -1)).filter((i) => i >= 0);
      if (data.length === 0 && what !== 'insert') return chunks;
      const a = data.length === 0 ? -1 : rng.pick(data);
      switch (what) {
        case 'swap': {
          if (data.length < 2) return chunks;
          const b = rng.pick(data.filter((i) => i !== a));
          [chunks[a], chunks[b]] = [chunks[b]!, chunks[a]!];
          detail = `data chunks ${data.indexOf(a)} and ${data.indexOf(b)} swapped`;
          return chunks;
        }
        case 'duplicate':
          chunks.splice(a, 0, { ...chunks[a]!, origin: undefined });
          chunkDelta = 1;
          recordDelta = chunks[a]!.chunk.numRecords;
          detail = `data chunk ${data.indexOf(a)} duplicated`;
          return chunks;
        case 'drop':
          chunkDelta = -1;
          recordDelta = -chunks[a]!.chunk.numRecords;
          detail = `data chunk ${data.indexOf(a)} dropped`;
          chunks.splice(a, 1);
          return chunks;
        case 'insert': {
          const inserted = insertedChunk(rng);
          const at = rng.int(chunks.length + 1);
          chunks.splice(at, 0, { origin: undefined, chunk: inserted.chunk, isData: inserted.isData });
          if (inserted.isData) {
            chunkDelta = 1;
            recordDelta = inserted.chunk.numRecords;
          }
          detail = `${inserted.what} inserted before body chunk ${at}`;
          return chunks;
        }
        case 'reencode': {
          const changed = reencoded(rng, chunks[a]!);
          if (changed === undefined) return chunks;
          chunks[a] = { ...chunks[a]!, origin: undefined, chunk: changed.chunk };
          detail = `data chunk ${data.indexOf(a)} ${changed.what}`;
          return chunks;
        }
        case 'splitChunk': {
          const item = chunks[a]!;
          const records = item.chunk.chunkType === ChunkType.simple ? simpleRecords(item.chunk) : undefined;
          if (records === undefined || records.length < 2) return chunks;
          const cut = rng.range(1, records.length - 1);
          const codec = compressorFor(item.chunk.data[0]!);
          chunks.splice(
            a,
            1,
            { origin: undefined, chunk: encodeSimpleChunk(records.slice(0, cut), codec), isData: true },
            { origin: undefined, chunk: encodeSimpleChunk(records.slice(cut), codec), isData: true },
          );
          chunkDelta = 1;
          detail = `data chunk ${data.indexOf(a)} split after record ${cut}`;
          return chunks;
        }
      }
      return chunks;
    },
    footer: (records) => {
      if (!matchCounts || (chunkDelta === 0 && recordDelta === 0)) return records;
      const metadata = decodeFooterMetadata(records[0]!, 'metadata');
      if (metadata === undefined) return records;
      detail += ', footer counts updated';
      return [encodeFooterMetadata({ ...metadata, numChunks: metadata.numChunks + chunkDelta, numRecords: metadata.numRecords + recordDelta }), ...records.slice(1)];
    },
  });
  if (detail === '') return undefined;
  return { type: `structure.${what}`, detail, bytes };
}

/** The structure mutators. */
export const STRUCTURE_MUTATORS: readonly MutatorEntry[] = [{ name: 'structure', family: 'forged', weight: 10, run: forgeStructure }];
