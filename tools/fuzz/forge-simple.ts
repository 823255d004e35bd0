// Forged simple chunks ('r'): the record sizes, values, block prefixes or compression byte change, the
// blocks are recompressed and the file is rebuilt, so every hash verifies and only the encoding lies.

import { assembleSimple, assembleSimpleEncoded, encodeAs, varints } from './chunk-data.js';
import { ChunkType, CompressionType, decodeChunkFooter, decodeFooterMetadata, encodeChunkFooter, encodeFooterMetadata, VarintCursor, type EncodedChunkData } from './format.js';
import { hostileNear, showNumber, type Mutation, type MutationContext, type MutatorEntry } from './mutation.js';
import { rebuild, type RebuildPlan } from './rebuild.js';
import type { Rng } from './rng.js';
import { splitSimple } from './structure.js';

/** Varint encodings of sizes, one Uint8Array each, so a forgery can make any one of them malformed. */
function sizeEncodings(sizes: Uint8Array): Uint8Array[] {
  const cursor = new VarintCursor(sizes);
  const out: Uint8Array[] = [];
  while (!cursor.atEnd()) {
    const start = cursor.pos;
    cursor.readVarint('size');
    out.push(sizes.slice(start, cursor.pos));
  }
  return out;
}

function decodeVarint(bytes: Uint8Array): number {
  return new VarintCursor(bytes).readVarint('size');
}

/** A varint of `value` padded with continuation bytes to `length` bytes (overlong, still the same value). */
function overlong(value: number, length: number): Uint8Array {
  const plain = varints([value]);
  if (length <= plain.length) return plain;
  const out = new Uint8Array(length);
  out.set(plain);
  for (let i = 0; i < plain.length; i++) out[i] = out[i]! | 0x80;
  for (let i = plain.length; i < length - 1; i++) out[i] = 0x80;
  out[length - 1] = 0;
  return out;
}

/** The largest varints a parser may meet: ten bytes of 2^64-1, and eleven bytes (too long). */
const MAX_VARINT64 = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
const TOO_LONG_VARINT = Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);

/** Forges a simple chunk's data; returns the new chunk (header counts kept, adjusted or hostile) and a description. */
export function forgeSimpleChunk(rng: Rng, chunk: EncodedChunkData): { chunk: EncodedChunkData; detail: string; what: string } | undefined {
  const parts = splitSimple(chunk.data);
  const { compression } = parts;
  const sizes = sizeEncodings(parts.sizes);
  let values = parts.values;
  let data: Uint8Array | undefined;
  let detail: string;
  const what = rng.weighted({
    overlong: 2,
    hugeSize: 3,
    shiftSizes: 2,
    sizeDelta: 2,
    dropSize: 1,
    addSize: 1,
    truncatedVarint: 1,
    values: 2,
    blockPrefix: 2,
    compressedByte: 2,
    sizesLength: 2,
    compression: 2,
    empty: 1,
  });
  const index = sizes.length === 0 ? -1 : rng.int(sizes.length);
  switch (what) {
    case 'overlong': {
      if (index < 0) return undefined;
      const length = rng.pick([2, 5, 10, 11]);
      sizes[index] = overlong(decodeVarint(sizes[index]!), length);
      detail = `size ${index} as an overlong ${length}-byte varint`;
      break;
    }
    case 'hugeSize': {
      if (index < 0) return undefined;
      const choice = rng.int(4);
      if (choice === 0) sizes[index] = MAX_VARINT64;
      else if (choice === 1) sizes[index] = TOO_LONG_VARINT;
      else {
        const value = hostileNear(rng, decodeVarint(sizes[index]!));
        sizes[index] = varints([value]);
      }
      detail = `size ${index} -> ${choice === 0 ? '2^64-1' : choice === 1 ? '11-byte varint' : showNumber(decodeVarint(sizes[index]!))}`;
      break;
    }
    case 'shiftSizes': {
      if (sizes.length < 2) return undefined;
      const other = (index + 1 + rng.int(sizes.length - 1)) % sizes.length;
      const a = decodeVarint(sizes[index]!);
      const delta = rng.range(1, Math.max(1, a));
      if (delta > a) return undefined;
      sizes[index] = varints([a - delta]);
      sizes[other] = varints([decodeVarint(sizes[other]!) + delta]);
      detail = `${delta} bytes moved from record ${index} to record ${other} (sum kept)`;
      break;
    }
    case 'sizeDelta': {
      if (index < 0) return undefined;
      const delta = rng.pick([-1, 1]);
      sizes[index] = varints([Math.max(0, decodeVarint(sizes[index]!) + delta)]);
      detail = `size ${index} ${delta > 0 ? '+1' : '-1'}`;
      break;
    }
    case 'dropSize':
      if (index < 0) return undefined;
      sizes.splice(index, 1);
      detail = `size ${index} removed`;
      break;
    case 'addSize':
      sizes.push(varints([rng.pick([0, 1, values.length])]));
      detail = 'a size appended';
      break;
    case 'truncatedVarint':
      sizes.push(Uint8Array.of(0x80));
      detail = 'sizes end inside a varint';
      break;
    case 'values': {
      const choice = rng.int(3);
      if (choice === 0) values = values.subarray(0, Math.max(0, values.length - rng.range(1, 3)));
      else if (choice === 1) values = Buffer.concat([values, rng.bytes(rng.range(1, 3))]);
      else if (values.length > 0) {
        values = values.slice();
        const at = rng.int(values.length);
        values[at] = values[at]! ^ 0x20;
      }
      detail = ['values shortened', 'values lengthened', 'a value byte changed'][choice]!;
      break;
    }
    case 'blockPrefix': {
      // The varint decompressed size in front of a compressed block.
      if (compression === CompressionType.none) return undefined;
      const target = rng.chance(0.5) ? 'sizes' : 'values';
      const decoded = target === 'sizes' ? Buffer.concat(sizes) : values;
      const claimed = hostileNear(rng, decoded.length);
      const block = encodeAs(compression, decoded);
      const prefixLength = varints([decoded.length]).length;
      const forged = Buffer.concat([varints([claimed]), block.subarray(prefixLength)]);
      const sizesBlock = target === 'sizes' ? forged : encodeAs(compression, Buffer.concat(sizes));
      const valuesBlock = target === 'values' ? forged : encodeAs(compression, values);
      data = assembleSimpleEncoded(compression, sizesBlock, valuesBlock);
      detail = `${target} block claims ${showNumber(claimed)} decompressed bytes (has ${decoded.length})`;
      break;
    }
    case 'compressedByte': {
      if (compression === CompressionType.none) return undefined;
      const sizesBlock = encodeAs(compression, Buffer.concat(sizes));
      const valuesBlock = encodeAs(compression, values).slice();
      if (valuesBlock.length < 2) return undefined;
      const at = rng.range(1, valuesBlock.length - 1);
      valuesBlock[at] = rng.int(256);
      data = assembleSimpleEncoded(compression, sizesBlock, valuesBlock);
      detail = `compressed values byte ${at} changed`;
      break;
    }
    case 'sizesLength': {
      const sizesBlock = encodeAs(compression, Buffer.concat(sizes));
      const claimed = hostileNear(rng, sizesBlock.length);
      data = assembleSimpleEncoded(compression, sizesBlock, encodeAs(compression, values), claimed);
      detail = `sizes block length ${sizesBlock.length} -> ${showNumber(claimed)}`;
      break;
    }
    case 'compression': {
      const other = rng.pick([CompressionType.none, CompressionType.zstd, CompressionType.brotli, CompressionType.snappy, 0x01, 0xff].filter((t) => t !== compression));
      if (rng.chance(0.5)) {
        // Recompressed with another codec: a legitimate chunk with the same records.
        data = assembleSimple(other, Buffer.concat(sizes), values);
        detail = `recompressed as 0x${other.toString(16)}`;
      } else {
        data = chunk.data.slice();
        data[0] = other;
        detail = `compression byte 0x${compression.toString(16)} -> 0x${other.toString(16)}`;
      }
      break;
    }
    case 'empty':
      data = rng.chance(0.5) ? new Uint8Array(0) : Uint8Array.of(compression);
      detail = data.length === 0 ? 'empty data' : 'only the compression byte';
      break;
  }
  data ??= assembleSimple(compression, Buffer.concat(sizes), values);
  // Header counts: as they were, matching the forged data, or hostile.
  const headerChoice = rng.weighted({ keep: 5, match: 4, hostile: 1 });
  let numRecords = chunk.numRecords;
  let decodedDataSize = chunk.decodedDataSize;
  if (headerChoice === 'match') {
    numRecords = sizes.length;
    decodedDataSize = values.length;
  } else if (headerChoice === 'hostile') {
    numRecords = hostileNear(rng, numRecords);
    decodedDataSize = hostileNear(rng, decodedDataSize);
  }
  // Padding after a chunk is its num_records bytes at most: keep files small.
  if (numRecords > 1 << 20) numRecords = chunk.numRecords + 1;
  return {
    chunk: { chunkType: chunk.chunkType, data, numRecords, decodedDataSize },
    what,
    detail: `${detail}; header ${headerChoice} (${numRecords} records, ${showNumber(decodedDataSize)} bytes)`,
  };
}

function forgeSimple(context: MutationContext): Mutation | undefined {
  const { rng, file } = context;
  const layout = file.layout;
  const target = layout !== undefined ? rng.weighted({ data: 6, footer: 2, postscript: 1 }) : 'data';
  if (target === 'data') {
    const sites = file.chunks.filter((site) => site.begin > 0 && site.chunkType === ChunkType.simple && (layout === undefined || site.begin < layout.footerOffset));
    if (sites.length === 0) return undefined;
    const site = rng.pick(sites);
    let detail = '';
    let what = '';
    let counts: { numRecords: number; decodedDataSize: number; delta: number } | undefined;
    // Half the time the footer is made to agree with the forged counts, so the reader's footer checks pass
    // and the forged chunk reaches the decoder as a chunk the index vouches for.
    const agreeingFooter = layout !== undefined && rng.chance(0.5);
    const dataIndex = layout?.entries.findIndex((entry) => entry.chunkOffset === site.begin) ?? -1;
    const plan: RebuildPlan = {
      body: (chunks) =>
        chunks.map((item) => {
          if (item.origin !== site.begin) return item;
          const forged = forgeSimpleChunk(rng, item.chunk);
          if (forged === undefined) return item;
          detail = forged.detail;
          what = forged.what;
          counts = { numRecords: forged.chunk.numRecords, decodedDataSize: forged.chunk.decodedDataSize, delta: forged.chunk.numRecords - item.chunk.numRecords };
          return { ...item, chunk: forged.chunk };
        }),
      footer: (records) => {
        if (!agreeingFooter || counts === undefined || dataIndex < 0 || records[dataIndex + 1] === undefined) return records;
        const metadata = decodeFooterMetadata(records[0]!, 'metadata');
        const entry = decodeChunkFooter(records[dataIndex + 1]!, 'entry');
        const out = records.slice();
        out[dataIndex + 1] = encodeChunkFooter({ ...entry, numRecords: counts.numRecords, decodedDataSize: counts.decodedDataSize });
        if (metadata !== undefined) out[0] = encodeFooterMetadata({ ...metadata, numRecords: metadata.numRecords + counts.delta });
        detail += '; footer agrees';
        return out;
      },
    };
    const bytes = rebuild(file, plan);
    return detail === '' ? undefined : { type: `simple.data.${what}`, detail: `chunk at ${site.begin}: ${detail}`, bytes };
  }
  let detail = '';
  let what = '';
  const forge = (chunk: EncodedChunkData): EncodedChunkData => {
    const forged = forgeSimpleChunk(rng, chunk);
    if (forged === undefined) return chunk;
    detail = forged.detail;
    what = forged.what;
    return forged.chunk;
  };
  const bytes = rebuild(file, target === 'footer' ? { footerChunk: forge } : { postscriptChunk: forge });
  return detail === '' ? undefined : { type: `simple.${target}.${what}`, detail, bytes };
}

/** The simple-chunk mutators. */
export const SIMPLE_MUTATORS: readonly MutatorEntry[] = [{ name: 'simple', family: 'forged', weight: 14, run: forgeSimple }];
