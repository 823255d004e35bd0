// Forged ArrayRecord footers and postscripts: the footer's records (RiegeliFooterMetadata, one
// ArrayRecordFooter per chunk) or the postscript's lie about counts and offsets, and the footer and
// postscript chunks are written with valid hashes, so only the index lies.

import { varints } from './chunk-data.js';
import type { CorpusFile } from './corpus.js';
import {
  BLOCK_SIZE,
  ChunkType,
  CompressionType,
  decodeChunkFooter,
  decodeFooterMetadata,
  encodeChunkFooter,
  encodeFooterMetadata,
  encodePostscript,
  type FooterMetadata,
} from './format.js';
import { HOSTILE_COUNTS, hostileNear, showNumber, type Mutation, type MutationContext, type MutatorEntry } from './mutation.js';
import { rebuildArrayRecord, type FooterContext } from './rebuild.js';
import type { Rng } from './rng.js';

/** Offsets that lie: out of the file, before the first chunk, mid-chunk, on other chunks, out of order. */
function hostileOffset(rng: Rng, file: CorpusFile, context: FooterContext, current: number): number {
  const others = file.chunks.map((site) => site.begin);
  return rng.pick([
    0,
    1,
    63,
    64,
    current + 1,
    current + 40,
    Math.max(0, current - 1),
    rng.pick(others),
    rng.pick(context.dataOffsets.length > 0 ? context.dataOffsets : [64]),
    context.footerPos,
    file.bytes.length,
    file.bytes.length - BLOCK_SIZE,
    file.bytes.length + 1_000_000,
    Math.ceil(current / BLOCK_SIZE) * BLOCK_SIZE,
    2 ** 32,
    2 ** 40,
    2 ** 53 - 1,
  ]);
}

/** Encodes a proto field by hand, for encodings the layout encoders never produce. */
function field(number: number, wireType: number, payload: Uint8Array): Uint8Array {
  return Buffer.concat([varints([number * 8 + wireType]), payload]);
}

function forgeFooter(context: MutationContext): Mutation | undefined {
  const { rng, file } = context;
  if (file.layout === undefined) return undefined;
  const what = rng.weighted({
    metaNumRecords: 4,
    metaNumChunks: 3,
    metaVersion: 1,
    metaOptions: 1,
    metaMissing: 1,
    entryOffset: 6,
    entryNumRecords: 3,
    entryDecodedSize: 2,
    entrySwap: 2,
    entryDrop: 2,
    entryDuplicate: 1,
    entryRaw: 2,
    extraRecord: 1,
    compression: 1,
  });
  let detail = '';
  // A footer in another codec is legitimate: readers must take it like the writer's own.
  const footerCompression = what === 'compression' ? rng.pick([CompressionType.none, CompressionType.zstd, CompressionType.brotli, CompressionType.snappy]) : undefined;
  const bytes = rebuildArrayRecord(file, {
    footerCompression,
    footer: (records, footerContext) => {
      const metadata = decodeFooterMetadata(records[0]!, 'metadata');
      const entries = records.slice(1);
      const entryIndex = entries.length === 0 ? -1 : rng.int(entries.length);
      const withMeta = (change: Partial<FooterMetadata>): Uint8Array[] => {
        if (metadata === undefined) return records;
        return [encodeFooterMetadata({ ...metadata, ...change }), ...entries];
      };
      switch (what) {
        case 'metaNumRecords': {
          if (metadata === undefined) return records;
          const value = rng.chance(0.4) ? rng.pick([0, 1, metadata.numRecords + 1, 2 ** 24, 2 ** 32, 2 ** 40]) : hostileNear(rng, metadata.numRecords);
          // Sometimes with a matching chunk count, so the footer's own consistency check passes.
          const group = entries.length === 0 ? 1 : Math.max(1, decodeChunkFooter(entries[0]!, 'entry').numRecords);
          const matching = rng.chance(0.4);
          detail = `metadata num_records ${metadata.numRecords} -> ${showNumber(value)}${matching ? ', num_chunks to match' : ''}`;
          return withMeta(matching ? { numRecords: value, numChunks: Math.ceil(value / group) } : { numRecords: value });
        }
        case 'metaNumChunks': {
          if (metadata === undefined) return records;
          const value = hostileNear(rng, metadata.numChunks);
          detail = `metadata num_chunks ${metadata.numChunks} -> ${showNumber(value)}`;
          return withMeta({ numChunks: value });
        }
        case 'metaVersion': {
          const value = rng.pick([0, 2, 2 ** 32]);
          detail = `metadata version -> ${showNumber(value)}`;
          return withMeta({ version: value });
        }
        case 'metaOptions': {
          const value = rng.pick(['', 'group_size:0', 'group_size:-1,zstd:99', 'x'.repeat(100_000), 'transpose:maybe']);
          detail = `writer options -> ${JSON.stringify(value.slice(0, 30))}${value.length > 30 ? '...' : ''}`;
          return withMeta({ writerOptions: value });
        }
        case 'metaMissing': {
          const choice = rng.int(3);
          detail = ['metadata record empty', 'metadata record is an entry', 'metadata record has field 1 as a varint'][choice]!;
          const replacement = choice === 0 ? new Uint8Array(0) : choice === 1 ? entries[0] ?? new Uint8Array(0) : field(1, 0, varints([1]));
          return [replacement, ...entries];
        }
        case 'entryOffset':
        case 'entryNumRecords':
        case 'entryDecodedSize': {
          if (entryIndex < 0) return records;
          const entry = decodeChunkFooter(entries[entryIndex]!, 'entry');
          const changed =
            what === 'entryOffset'
              ? { ...entry, chunkOffset: hostileOffset(rng, file, footerContext, entry.chunkOffset) }
              : what === 'entryNumRecords'
                ? { ...entry, numRecords: hostileNear(rng, entry.numRecords) }
                : { ...entry, decodedDataSize: hostileNear(rng, entry.decodedDataSize) };
          const field = what === 'entryOffset' ? 'chunk_offset' : what === 'entryNumRecords' ? 'num_records' : 'decoded_data_size';
          const before = what === 'entryOffset' ? entry.chunkOffset : what === 'entryNumRecords' ? entry.numRecords : entry.decodedDataSize;
          const after = what === 'entryOffset' ? changed.chunkOffset : what === 'entryNumRecords' ? changed.numRecords : changed.decodedDataSize;
          if (before === after) return records;
          detail = `entry ${entryIndex} ${field} ${before} -> ${showNumber(after)}`;
          entries[entryIndex] = encodeChunkFooter(changed);
          return [records[0]!, ...entries];
        }
        case 'entrySwap': {
          if (entries.length < 2) return records;
          const other = (entryIndex + 1 + rng.int(entries.length - 1)) % entries.length;
          [entries[entryIndex], entries[other]] = [entries[other]!, entries[entryIndex]!];
          detail = `entries ${entryIndex} and ${other} swapped`;
          return [records[0]!, ...entries];
        }
        case 'entryDrop': {
          if (entryIndex < 0) return records;
          entries.splice(entryIndex, 1);
          const matching = metadata !== undefined && rng.chance(0.5);
          detail = `entry ${entryIndex} removed${matching ? ', num_chunks to match' : ''}`;
          return matching ? [encodeFooterMetadata({ ...metadata, numChunks: entries.length }), ...entries] : [records[0]!, ...entries];
        }
        case 'entryDuplicate': {
          if (entryIndex < 0) return records;
          entries.splice(entryIndex, 0, entries[entryIndex]!);
          detail = `entry ${entryIndex} duplicated`;
          return metadata === undefined ? [records[0]!, ...entries] : [encodeFooterMetadata({ ...metadata, numChunks: entries.length }), ...entries];
        }
        case 'entryRaw': {
          if (entryIndex < 0) return records;
          const entry = decodeChunkFooter(entries[entryIndex]!, 'entry');
          const choice = rng.int(5);
          const raw = [
            // chunk_offset as fixed64 (wrong wire type): a reader skips it and sees no offset.
            field(1, 1, new Uint8Array(8)),
            // A repeated chunk_offset: protobuf keeps the last one.
            Buffer.concat([encodeChunkFooter(entry), field(1, 0, varints([entry.chunkOffset + 1]))]),
            // An unknown field, which readers must skip.
            Buffer.concat([encodeChunkFooter(entry), field(15, 2, Uint8Array.of(3, 1, 2, 3))]),
            // A truncated varint.
            Uint8Array.of(0x08, 0x80),
            // A group start (wire type 3), which ArrayRecordFooter never holds.
            field(2, 3, new Uint8Array(0)),
          ][choice]!;
          detail = `entry ${entryIndex} ${['chunk_offset as fixed64', 'chunk_offset twice', 'unknown field', 'truncated varint', 'group wire type'][choice]}`;
          entries[entryIndex] = raw;
          return [records[0]!, ...entries];
        }
        case 'extraRecord': {
          detail = 'an extra record after the entries';
          return [...records, rng.chance(0.5) ? new Uint8Array(0) : rng.bytes(8)];
        }
        case 'compression': {
          detail = `footer compressed as 0x${footerCompression!.toString(16)}`;
          return records;
        }
      }
      return records;
    },
  });
  if (detail === '') return undefined;
  return { type: `footer.${what}`, detail, bytes };
}

function forgePostscript(context: MutationContext): Mutation | undefined {
  const { rng, file } = context;
  if (file.layout === undefined) return undefined;
  const what = rng.weighted({ footerOffset: 5, magic: 2, copies: 2, position: 1 });
  let detail = '';
  const bytes = rebuildArrayRecord(file, {
    postscript: (records, footerOffset) => {
      if (what === 'footerOffset') {
        const value = rng.pick([0, 63, 64, footerOffset - 1, footerOffset + 1, footerOffset + 40, ...file.chunks.map((site) => site.begin), file.bytes.length, ...HOSTILE_COUNTS.slice(6)]);
        if (value === footerOffset) return records;
        detail = `footer_offset ${footerOffset} -> ${showNumber(value)}`;
        const forged = encodePostscript(value);
        return rng.chance(0.7) ? [forged, forged, forged] : [forged, records[1]!, records[2]!];
      }
      if (what === 'magic') {
        const choice = rng.int(3);
        detail = ['magic changed', 'magic missing', 'magic as fixed64'][choice]!;
        const offsetField = field(1, 0, varints([footerOffset]));
        const forged = choice === 0 ? Buffer.concat([offsetField, field(2, 0, varints([0x4fdae05e]))]) : choice === 1 ? offsetField : Buffer.concat([offsetField, field(2, 1, new Uint8Array(8))]);
        return [forged, forged, forged];
      }
      const choice = rng.int(3);
      detail = ['no postscript records', 'one postscript record', 'the first copy is garbage'][choice]!;
      return choice === 0 ? [] : choice === 1 ? [records[0]!] : [rng.bytes(rng.range(1, 12)), records[1]!, records[2]!];
    },
    ...(what === 'position' ? { beforePostscript: { chunkType: ChunkType.padding, data: new Uint8Array(rng.range(0, 100)), numRecords: 0, decodedDataSize: 0 } } : {}),
  });
  if (what === 'position') detail = 'a padding chunk before the postscript in the last block';
  if (detail === '') return undefined;
  return { type: `postscript.${what}`, detail, bytes };
}

/** The footer and postscript mutators. */
export const FOOTER_MUTATORS: readonly MutatorEntry[] = [
  { name: 'footer', family: 'forged', weight: 14, run: forgeFooter },
  { name: 'postscript', family: 'forged', weight: 6, run: forgePostscript },
];
