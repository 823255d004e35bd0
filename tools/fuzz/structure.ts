// Reads the structure of a Riegeli/ArrayRecord file with its own hash checks (not the reader under test):
// which chunks lie where, which are hash-valid, and what the ArrayRecord footer and postscript say.

import {
  addWithOverhead,
  BLOCK_HEADER_SIZE,
  BLOCK_SIZE,
  CHUNK_HEADER_SIZE,
  chunkEnd,
  ChunkType,
  decodeBlock,
  decodeChunkFooter,
  decodeFooterMetadata,
  decodePostscript,
  hashMatches,
  isBlockBoundary,
  readU32,
  remainingInBlock,
  USABLE_BLOCK_SIZE,
  VarintCursor,
  type ChunkFooter,
  type FooterMetadata,
} from './format.js';

/** A chunk whose header hash and data hash both verify. */
export interface ChunkSite {
  readonly begin: number;
  /** Where the next chunk begins, by the spec's formula (may lie beyond the file for a forged header). */
  readonly end: number;
  /** The 40 header bytes, block headers removed. */
  readonly header: Uint8Array;
  /** The data bytes, block headers removed. */
  readonly data: Uint8Array;
  readonly chunkType: number;
  readonly numRecords: number;
  readonly decodedDataSize: number;
}

const TWO_32 = 0x1_0000_0000;

/** `length` content bytes from `pos`, skipping block headers; undefined when the file ends first. */
export function contentAt(bytes: Uint8Array, pos: number, length: number): Uint8Array | undefined {
  if (addWithOverhead(pos, length) > bytes.length) return undefined;
  const out = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    if (isBlockBoundary(pos)) pos += BLOCK_HEADER_SIZE;
    const take = Math.min(length - filled, remainingInBlock(pos));
    out.set(bytes.subarray(pos, pos + take), filled);
    filled += take;
    pos += take;
  }
  return out;
}

/** Writes content bytes from `pos`, skipping block headers; bytes past the file end are dropped. */
export function writeContentAt(bytes: Uint8Array, pos: number, content: Uint8Array): void {
  let taken = 0;
  while (taken < content.length && pos < bytes.length) {
    if (isBlockBoundary(pos)) pos += BLOCK_HEADER_SIZE;
    const take = Math.min(content.length - taken, remainingInBlock(pos), Math.max(0, bytes.length - pos));
    bytes.set(content.subarray(taken, taken + take), pos);
    taken += take;
    pos += take;
  }
}

/** The fields of a 40-byte chunk header (hash not checked). */
export function headerFields(header: Uint8Array): { dataSize: number; chunkType: number; numRecords: number; decodedDataSize: number } {
  const u64 = (offset: number): number => readU32(header, offset + 4) * TWO_32 + readU32(header, offset);
  const low = readU32(header, 24);
  return {
    dataSize: u64(8),
    chunkType: low & 0xff,
    numRecords: readU32(header, 28) * (TWO_32 / 256) + (low >>> 8),
    decodedDataSize: u64(32),
  };
}

/** The chunk at `begin` when its header and data hashes verify, else undefined. */
export function chunkAt(bytes: Uint8Array, begin: number): ChunkSite | undefined {
  // A chunk cannot begin inside a block header (nor right after one: that is the boundary itself).
  if (begin < 0 || remainingInBlock(begin) >= USABLE_BLOCK_SIZE) return undefined;
  const header = contentAt(bytes, begin, CHUNK_HEADER_SIZE);
  if (header === undefined || !hashMatches(header.subarray(8), header, 0)) return undefined;
  const fields = headerFields(header);
  if (fields.dataSize > bytes.length) return undefined;
  const data = contentAt(bytes, addWithOverhead(begin, CHUNK_HEADER_SIZE), fields.dataSize);
  if (data === undefined || !hashMatches(data, header, 16)) return undefined;
  return { begin, end: chunkEnd(begin, fields.dataSize, fields.numRecords), header, data, ...fields };
}

/** True when two chunks have the same header and data (so they decode to the same records). */
export function sameChunk(a: ChunkSite, b: ChunkSite): boolean {
  return Buffer.compare(a.header, b.header) === 0 && Buffer.compare(a.data, b.data) === 0;
}

/** The chunks from the start of the file, following each chunk's end, while they verify. */
export function walkChunks(bytes: Uint8Array): ChunkSite[] {
  const chunks: ChunkSite[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const chunk = chunkAt(bytes, pos);
    if (chunk === undefined) break;
    chunks.push(chunk);
    pos = chunk.end;
  }
  return chunks;
}

/** The records of a hash-valid simple chunk, copied out; undefined when they do not decode. */
export function simpleRecords(chunk: { readonly data: Uint8Array }): Uint8Array[] | undefined {
  try {
    const parts = splitSimple(chunk.data);
    const sizes = parts.sizes;
    const cursor = new VarintCursor(sizes);
    const records: Uint8Array[] = [];
    let offset = 0;
    while (!cursor.atEnd()) {
      const size = cursor.readVarint('record size');
      if (offset + size > parts.values.length) return undefined;
      records.push(parts.values.slice(offset, offset + size));
      offset += size;
    }
    return records;
  } catch {
    return undefined;
  }
}

/** A simple chunk's data cut into its parts, blocks decompressed (copies, safe to keep). */
export interface SimpleParts {
  readonly compression: number;
  readonly sizes: Uint8Array;
  readonly values: Uint8Array;
}

/** Cuts simple chunk data into compression byte, decoded sizes and decoded values. @throws on bad data. */
export function splitSimple(data: Uint8Array): SimpleParts {
  const compression = data[0]!;
  const cursor = new VarintCursor(data, 1);
  const sizesLength = cursor.readVarint('sizes length');
  const sizesEnd = cursor.pos + sizesLength;
  if (sizesEnd > data.length) throw new Error('sizes block beyond the chunk data');
  // decodeBlock may return views of shared slabs that later calls overwrite: copy.
  const sizes = decodeBlock(compression, data.subarray(cursor.pos, sizesEnd), 'sizes').slice();
  const values = decodeBlock(compression, data.subarray(sizesEnd), 'values').slice();
  return { compression, sizes, values };
}

/** What the end of an ArrayRecord file says, read with the fuzzer's own checks. */
export interface ArrayRecordStructure {
  readonly postscript: ChunkSite;
  readonly footerOffset: number;
  readonly footer: ChunkSite;
  readonly metadata: FooterMetadata | undefined;
  readonly entries: readonly ChunkFooter[];
  /** Records of the footer chunk (0 is the metadata). */
  readonly footerRecords: readonly Uint8Array[];
}

/** The postscript and footer of an ArrayRecord file; undefined when they do not verify or decode. */
export function arrayRecordStructure(bytes: Uint8Array): ArrayRecordStructure | undefined {
  if (bytes.length < 2 * BLOCK_SIZE || bytes.length % BLOCK_SIZE !== 0) return undefined;
  try {
    const postscript = chunkAt(bytes, bytes.length - BLOCK_SIZE);
    if (postscript === undefined || postscript.chunkType !== ChunkType.simple) return undefined;
    const copies = simpleRecords(postscript);
    if (copies === undefined || copies.length === 0) return undefined;
    const footerOffset = decodePostscript(copies[0]!, 'postscript').footerOffset;
    if (footerOffset === undefined) return undefined;
    const footer = chunkAt(bytes, footerOffset);
    if (footer === undefined || footer.chunkType !== ChunkType.simple) return undefined;
    const footerRecords = simpleRecords(footer);
    if (footerRecords === undefined || footerRecords.length === 0) return undefined;
    const metadata = decodeFooterMetadata(footerRecords[0]!, 'footer metadata');
    const entries = footerRecords.slice(1).map((record) => decodeChunkFooter(record, 'footer entry'));
    return { postscript, footerOffset, footer, metadata, entries, footerRecords };
  } catch {
    return undefined;
  }
}
