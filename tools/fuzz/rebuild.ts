// Re-serialises a corpus file from its chunks after a forgery changed some of them: every chunk is framed
// again at its new position (valid block headers), and an ArrayRecord file gets a footer and postscript
// that point at the new positions, so all hashes verify and only the forged part lies.

import { compressorFor } from './chunk-data.js';
import type { CorpusFile } from './corpus.js';
import { Appender } from './frame.js';
import {
  ChunkType,
  CompressionType,
  decodeChunkFooter,
  encodeChunkFooter,
  encodePostscript,
  encodeSimpleChunk,
  type EncodedChunkData,
} from './format.js';
import { simpleRecords, type ChunkSite } from './structure.js';

/** A chunk to write, with the position it had in the corpus file (undefined for an inserted chunk). */
export interface BodyChunk {
  readonly origin: number | undefined;
  readonly chunk: EncodedChunkData;
  /** True for chunks the footer lists (data chunks). */
  readonly isData: boolean;
}

/** What the footer and postscript writers are told, so hooks can lie about it. */
export interface FooterContext {
  /** Where each data chunk now begins, in file order. */
  readonly dataOffsets: readonly number[];
  /** Where the footer chunk is about to begin. */
  readonly footerPos: number;
}

/** Changes a rebuild applies on top of the corpus file's own chunks. */
export interface RebuildPlan {
  /** Edits the list of chunks between the signature and the footer (padding chunks excluded). */
  readonly body?: (chunks: BodyChunk[]) => BodyChunk[];
  /** Edits the footer's records (0: metadata, then one entry per data chunk). */
  readonly footer?: (records: Uint8Array[], context: FooterContext) => Uint8Array[];
  /** The footer's compression type (default: the corpus file's). */
  readonly footerCompression?: number;
  /** Edits the postscript chunk's records (three copies of the postscript). */
  readonly postscript?: (records: Uint8Array[], footerOffset: number) => Uint8Array[];
  /** Replaces the footer chunk as encoded (to forge its simple-chunk encoding). */
  readonly footerChunk?: (chunk: EncodedChunkData) => EncodedChunkData;
  /** Replaces the postscript chunk as encoded. */
  readonly postscriptChunk?: (chunk: EncodedChunkData) => EncodedChunkData;
  /** A chunk written before the postscript in its block, so the postscript no longer begins the block. */
  readonly beforePostscript?: EncodedChunkData;
  /** Padding chunks are dropped from the body and written after every chunk when the corpus file had them. */
  readonly keepPadding?: boolean;
}

/** A hash-valid chunk as a writer would encode it. */
export function encodedOf(site: ChunkSite): EncodedChunkData {
  return { chunkType: site.chunkType, data: site.data, numRecords: site.numRecords, decodedDataSize: site.decodedDataSize };
}

function signaturePrefix(file: CorpusFile): Uint8Array {
  return file.bytes.slice(0, 64);
}

/** Rebuilds an ArrayRecord corpus file with the plan's changes. */
export function rebuildArrayRecord(file: CorpusFile, plan: RebuildPlan): Uint8Array {
  const layout = file.layout!;
  const dataBegins = new Set(layout.entries.map((entry) => entry.chunkOffset));
  const padded = file.chunks.some((site) => site.chunkType === ChunkType.padding && site.begin < layout.footerOffset);
  let body: BodyChunk[] = file.chunks
    .filter((site) => site.begin > 0 && site.begin < layout.footerOffset && site.chunkType !== ChunkType.padding)
    .map((site) => ({ origin: site.begin, chunk: encodedOf(site), isData: dataBegins.has(site.begin) }));
  if (plan.body !== undefined) body = plan.body(body);

  const out = new Appender(signaturePrefix(file));
  const entryOf = new Map(layout.entries.map((entry, i) => [entry.chunkOffset, layout.footerRecords[i + 1]!]));
  const dataOffsets: number[] = [];
  const entries: Uint8Array[] = [];
  for (const item of body) {
    const pos = out.writeChunk(item.chunk);
    if (padded && plan.keepPadding !== false) out.padToBlockBoundary();
    if (!item.isData) continue;
    dataOffsets.push(pos);
    // The entry of a moved chunk keeps its counts; an inserted data chunk gets counts from its header.
    const original = item.origin === undefined ? undefined : entryOf.get(item.origin);
    const counts = original === undefined ? { decodedDataSize: item.chunk.decodedDataSize, numRecords: item.chunk.numRecords } : decodeChunkFooter(original, 'entry');
    entries.push(encodeChunkFooter({ chunkOffset: pos, decodedDataSize: counts.decodedDataSize, numRecords: counts.numRecords }));
  }
  let footerRecords = [layout.footerRecords[0]!, ...entries];
  if (plan.footer !== undefined) footerRecords = plan.footer(footerRecords, { dataOffsets, footerPos: out.pos });
  const footerCompression = plan.footerCompression ?? layout.footer.data[0] ?? CompressionType.none;
  // Unchanged records keep the original chunk bytes (another compressor's output would make an intact
  // footer look forged and lose the strict oracle for every chunk).
  const footerChunk =
    plan.footerCompression === undefined && sameRecords(footerRecords, layout.footerRecords)
      ? encodedOf(layout.footer)
      : encodeSimpleChunk(footerRecords, compressorFor(footerCompression));
  const footerOffset = out.writeChunk(plan.footerChunk === undefined ? footerChunk : plan.footerChunk(footerChunk));
  out.padToBlockBoundary();
  if (plan.beforePostscript !== undefined) out.writeChunk(plan.beforePostscript);
  let postscripts = [0, 1, 2].map(() => encodePostscript(footerOffset));
  if (plan.postscript !== undefined) postscripts = plan.postscript(postscripts, footerOffset);
  const originalPostscripts = simpleRecords(layout.postscript);
  const postscriptChunk =
    footerOffset === layout.footerOffset && originalPostscripts !== undefined && sameRecords(postscripts, originalPostscripts)
      ? encodedOf(layout.postscript)
      : encodeSimpleChunk(postscripts, compressorFor(CompressionType.none));
  out.writeChunk(plan.postscriptChunk === undefined ? postscriptChunk : plan.postscriptChunk(postscriptChunk));
  out.padToBlockBoundary();
  return out.bytes();
}

function sameRecords(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((record, i) => Buffer.compare(record, b[i]!) === 0);
}

/** Rebuilds a plain Riegeli corpus file (every chunk after the signature, padding included). */
export function rebuildRiegeli(file: CorpusFile, plan: RebuildPlan): Uint8Array {
  let body: BodyChunk[] = file.chunks
    .filter((site) => site.begin > 0)
    .map((site) => ({ origin: site.begin, chunk: encodedOf(site), isData: site.chunkType === ChunkType.simple || site.chunkType === ChunkType.transposed }));
  if (plan.body !== undefined) body = plan.body(body);
  const out = new Appender(signaturePrefix(file));
  for (const item of body) out.writeChunk(item.chunk);
  return out.bytes();
}

/** Rebuilds either kind of corpus file. */
export function rebuild(file: CorpusFile, plan: RebuildPlan): Uint8Array {
  return file.kind === 'arrayrecord' ? rebuildArrayRecord(file, plan) : rebuildRiegeli(file, plan);
}
