// repair(): a valid ArrayRecord file made of every intact chunk of a damaged or unfinished one (a
// writer that died before close(), a file cut inside its footer, a damaged middle), found by scanning
// the file by its block headers as Riegeli's recovery does, and, where the footer survives, by the chunk
// offsets it lists: past a damaged chunk header the scan only finds its way again at the next 64 KiB block
// boundary, while the footer says where each chunk in between begins.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { readChunkOffsets } from '../arrayrecord/chunk-index.js';
import { readFileLayout, type FileLayout, type OpenedLayout } from '../arrayrecord/footer.js';
import { describeFileKind, sniffFileKind, SNIFF_LENGTH, startsLikeRiegeli } from '../arrayrecord/file-kind.js';
import { decodeChunkFooter, decodeFooterMetadata, decodePostscript, ARRAY_RECORD_VERSION, POSTSCRIPT_MAGIC } from '../arrayrecord/layout.js';
import { OpenedFile } from '../arrayrecord/opened-file.js';
import { parseWriterOptions } from '../arrayrecord/writer-options.js';
import { ArrayRecordWriter } from '../arrayrecord/writer.js';
import { NotArrayRecordError } from '../errors.js';
import { checkOptions, optionNames, requireFunction } from '../options-check.js';
import { LocalFile, type ByteSource } from '../io/byte-source.js';
import { SHARED_SLABS } from '../io/output-arena.js';
import { PendingFile } from '../io/pending-file.js';
import { decodeChunk, holdsRecords } from '../riegeli/chunk-codec.js';
import { chunkDataSpan, readChunkFromBuffer, type RawChunk } from '../riegeli/chunk-frame.js';
import type { ChunkHeader } from '../riegeli/chunk-header.js';
import { scanChunks } from '../riegeli/chunk-scan.js';
import { BLOCK_SIZE, ChunkType, CompressionType } from '../riegeli/constants.js';
import { recordCount, recordOf, type DecodedChunk } from '../riegeli/decoded-chunk.js';
import { decodeMetadataChunk, type RecordsMetadata } from '../riegeli/records-metadata.js';
import { isChunkDamage, type SkippedRegion } from '../riegeli/recovery.js';
import { assertOutputsAreFiles, assertOutputsAreNotInputs } from './same-file.js';

/** How to repair. */
export interface RepairOptions {
  /** Writer options for the repaired file; by default the original's (from its footer, else from its chunks). */
  readonly writerOptions?: string | undefined;
  /** Called now and then (at most ~10 times a second) with how far the work is. */
  readonly onProgress?: ((progress: RepairProgress) => void) | undefined;
}

const REPAIR_KEYS = optionNames<RepairOptions>({ writerOptions: true, onProgress: true });

/** How far a repair is: `scanning` walks the input's chunks, `writing` copies the records of the intact ones. */
export interface RepairProgress {
  /** `scanning` (walking the input's chunks) or `writing` (copying the intact ones' records). */
  readonly phase: 'scanning' | 'writing';
  /** Input bytes done so far in this phase. */
  readonly bytesDone: number;
  /** The input's size in bytes. */
  readonly totalBytes: number;
}

/** Where the writer options of the repaired file come from. */
export type RepairOptionsSource = 'given' | 'footer' | 'chunks';

/** What `repair` saved and lost. */
export interface RepairReport {
  /** The damaged file's path. */
  readonly input: string;
  /** The repaired file's path. */
  readonly output: string;
  /** The damaged file's size in bytes. */
  readonly inputSize: number;
  /** Records written to the output, in their original order. */
  readonly recordsSaved: number;
  /** Data chunks whose records were saved. */
  readonly chunksSaved: number;
  /** Input bytes in regions that held no intact chunk (cut ends included). */
  readonly bytesLost: number;
  /** Those regions, in file order, with what was wrong at each. */
  readonly lost: readonly SkippedRegion[];
  /** The footer: `intact` (found through the postscript), `found` (by scanning: the postscript is gone) or `missing`. */
  readonly footer: 'intact' | 'found' | 'missing';
  /** The record count the original footer gives, when it was found. */
  readonly recordsExpected: number | undefined;
  /** The writer options string stored in the repaired file. */
  readonly writerOptions: string;
  /** Where `writerOptions` came from: `given`, the original `footer`, or inferred from the `chunks`. */
  readonly writerOptionsFrom: RepairOptionsSource;
  /** True when the original's RecordsMetadata was carried over. */
  readonly metadata: boolean;
}

/** A data chunk found intact by the scan, to be decoded and copied. */
interface DataChunk {
  readonly begin: number;
  readonly end: number;
  readonly header: ChunkHeader;
  /** The first byte of its data: the compression type of simple and transposed chunks. */
  readonly compression: number;
  /** True when a padding chunk follows it (written with pad_to_block_boundary). */
  paddedAfter: boolean;
}

/**
 * A data chunk the footer lists inside a region the scan lost: chunk `chunk` of the footer's list,
 * [begin, end) of the input (clipped to that region), read and checked on its own.
 */
interface ListedChunk {
  readonly begin: number;
  readonly end: number;
  readonly chunk: number;
}

/** A data chunk to copy, [begin, end) of the input; lost, for the reason its decoding gives, when that fails. */
interface Copy {
  readonly begin: number;
  readonly end: number;
  decode(): DecodedChunk;
}

const PROGRESS_INTERVAL_MS = 100;

/**
 * Writes `output`, a valid ArrayRecord file holding the records of every intact data chunk of `input`
 * in their original order, with the original writer options where they can be known (from the footer
 * when it survives, else group_size from the chunks' record counts and the codec from their data;
 * a codec's level is not stored in the data, so its default is used) and the original metadata. The
 * output is written under a temporary name and renamed when complete; an output that is the input is
 * refused. Works on any Riegeli/records file, a plain one too.
 * @throws InvalidOptionsError for an unknown option (named, with the nearest known one) or bad writer
 *   options; InvalidArgumentError when the output is the input or a directory; IoError; NotArrayRecordError when the
 *   input is not a Riegeli/ArrayRecord file at all (nothing to recover).
 * @example
 * const report = await repair('crashed.array_record', 'saved.array_record');
 * console.log(`${report.recordsSaved} records saved, ${report.bytesLost} bytes lost`);
 */
export async function repair(input: string, output: string, options: RepairOptions = {}): Promise<RepairReport> {
  checkOptions('repair', options, REPAIR_KEYS, { aliases: { options: { option: 'writerOptions' } } });
  if (options.onProgress !== undefined) requireFunction('repair', 'onProgress', options.onProgress);
  if (options.writerOptions !== undefined) parseWriterOptions(options.writerOptions);
  assertOutputsAreNotInputs([output], [input]);
  assertOutputsAreFiles([output]);
  const source = LocalFile.open(input);
  try {
    const clock = new Clock(options.onProgress, source.size);
    const scan = await scanFile(source, clock);
    const ends = findFooter(source, scan);
    const data = scan.records.filter((chunk) => !ends.excluded.has(chunk.begin));
    const scanLost = regionsBefore(scan.lost, ends.verifiedFrom);
    const listed = ends.index === undefined ? { chunks: [], lost: scanLost } : chunksListedIn(scanLost, ends.index.offsets, data);
    const start = source.readSync(0, Math.min(source.size, SNIFF_LENGTH));
    if (scan.sawNoChunk && !startsLikeRiegeli(start)) {
      throw new NotArrayRecordError(`not a Riegeli/ArrayRecord file, nothing to repair: it looks like ${describeFileKind(sniffFileKind(start))}`, {
        path: input,
      });
    }
    const [writerOptions, writerOptionsFrom] =
      options.writerOptions !== undefined
        ? [options.writerOptions, 'given' as const]
        : ends.writerOptions !== undefined
          ? [ends.writerOptions, 'footer' as const]
          : [optionsFromChunks(data), 'chunks' as const];
    const file = PendingFile.beside(output);
    const lost = [...listed.lost];
    let recordsSaved = 0;
    let chunksSaved = 0;
    let writer: ArrayRecordWriter | undefined;
    let footerFile: OpenedFile | undefined;
    try {
      // The chunks only the footer locates are read by the reader's own code, an OpenedFile on the footer's offsets.
      footerFile = ends.index === undefined || listed.chunks.length === 0 ? undefined : OpenedFile.openWithLayout(input, '', ends.index);
      writer = new ArrayRecordWriter(file.tempPath, writerOptions, scan.metadata === undefined ? {} : { metadata: scan.metadata });
      for (const copy of copiesInOrder(source, data, listed.chunks, footerFile)) {
        let records: DecodedChunk;
        try {
          records = copy.decode();
        } catch (error) {
          if (!isChunkDamage(error)) throw error;
          lost.push({ begin: copy.begin, end: copy.end, reason: error.message });
          continue;
        }
        for (let i = 0; i < recordCount(records); i++) writer.write(recordOf(records, i));
        recordsSaved += recordCount(records);
        chunksSaved++;
        await clock.tick('writing', copy.end);
      }
      writer.close();
      const stored = writer.writerOptionsString();
      file.commit();
      lost.sort((a, b) => a.begin - b.begin);
      return {
        input,
        output,
        inputSize: source.size,
        recordsSaved,
        chunksSaved,
        bytesLost: lost.reduce((sum, region) => sum + (region.end - region.begin), 0),
        lost,
        footer: ends.footer,
        recordsExpected: ends.recordsExpected,
        writerOptions: stored,
        writerOptionsFrom,
        metadata: scan.metadata !== undefined,
      };
    } catch (error) {
      file.discard();
      try {
        writer?.close();
      } catch {
        // The failure being handled is the one to report.
      }
      throw error;
    } finally {
      footerFile?.close();
    }
  } finally {
    source.close();
  }
}

interface Scan {
  /** Intact simple and transposed chunks, in file order (the footer and postscript among them). */
  readonly records: DataChunk[];
  readonly lost: SkippedRegion[];
  readonly metadata: RecordsMetadata | undefined;
  /** True when no chunk at all was intact. */
  readonly sawNoChunk: boolean;
}

async function scanFile(source: ByteSource, clock: Clock): Promise<Scan> {
  const records: DataChunk[] = [];
  const lost: SkippedRegion[] = [];
  let metadata: RecordsMetadata | undefined;
  let sawNoChunk = true;
  let previous: DataChunk | undefined;
  for (const item of scanChunks(source)) {
    if (item.kind === 'skipped') {
      lost.push({ begin: item.begin, end: item.end, reason: item.reason });
      previous = undefined;
      await clock.tick('scanning', item.end);
      continue;
    }
    sawNoChunk = false;
    const { chunk } = item;
    const type = chunk.header.chunkType;
    if (holdsRecords(type)) {
      records.push({ begin: chunk.begin, end: chunk.end, header: chunk.header, compression: chunk.data[0] ?? CompressionType.none, paddedAfter: false });
    } else if (type === ChunkType.fileMetadata) {
      if (metadata === undefined) {
        try {
          metadata = decodeMetadataChunk(chunk.data, chunk.header.decodedDataSize, `metadata chunk at ${chunk.begin} of ${source.path}`);
        } catch (error) {
          lost.push({ begin: chunk.begin, end: chunk.end, reason: (error as Error).message });
        }
      }
    } else if (type === ChunkType.padding) {
      if (previous !== undefined) previous.paddedAfter = true;
    } else if (type !== ChunkType.fileSignature) {
      lost.push({ begin: chunk.begin, end: chunk.end, reason: `chunk at ${chunk.begin} has unknown type 0x${type.toString(16)}` });
    }
    previous = holdsRecords(type) ? records.at(-1) : undefined;
    await clock.tick('scanning', chunk.end);
  }
  return { records, lost, metadata, sawNoChunk };
}

interface FileEnds {
  /** Begins of the footer and postscript chunks, which hold no data records. */
  readonly excluded: Set<number>;
  readonly footer: RepairReport['footer'];
  readonly writerOptions: string | undefined;
  readonly recordsExpected: number | undefined;
  /** The footer's layout and chunk offsets, checked as the reader checks them; undefined without a footer. */
  readonly index: OpenedLayout | undefined;
  /** Where the footer begins when it is intact: from there to the end every byte was verified. The file size otherwise. */
  readonly verifiedFrom: number;
}

/** Finds the footer and postscript: through the postscript when intact, else by their contents. */
function findFooter(source: ByteSource, scan: Scan): FileEnds {
  try {
    const index = readFileLayout(source);
    const { layout } = index;
    return {
      excluded: new Set([layout.footerOffset, source.size - BLOCK_SIZE]),
      footer: 'intact',
      writerOptions: layout.writerOptions,
      recordsExpected: layout.numRecords,
      index,
      verifiedFrom: layout.footerOffset,
    };
  } catch {
    // Not intact: look at the last record chunks.
  }
  const excluded = new Set<number>();
  const chunks = scan.records;
  let last = chunks.length - 1;
  const postscript = last >= 0 ? postscriptIn(source, chunks[last]!) : undefined;
  if (postscript !== undefined) {
    excluded.add(chunks[last]!.begin);
    last--;
  }
  const candidate = chunks[last];
  if (candidate !== undefined && (postscript === undefined || postscript === candidate.begin)) {
    const index = footerIn(source, candidate, chunks.slice(0, last));
    if (index !== undefined) {
      excluded.add(candidate.begin);
      return { excluded, footer: 'found', writerOptions: index.layout.writerOptions, recordsExpected: index.layout.numRecords, index, verifiedFrom: source.size };
    }
  }
  return { excluded, footer: 'missing', writerOptions: undefined, recordsExpected: undefined, index: undefined, verifiedFrom: source.size };
}

/** The footer offset a chunk that is an ArrayRecord postscript points at; undefined for any other chunk. */
function postscriptIn(source: ByteSource, chunk: DataChunk): number | undefined {
  if (chunk.header.chunkType !== ChunkType.simple || chunk.compression !== CompressionType.none) return undefined;
  try {
    const records = decodeChunk(readIntactChunk(source, chunk), source.path);
    let footerOffset: number | undefined;
    for (let i = 0; i < recordCount(records); i++) {
      const postscript = decodePostscript(recordOf(records, i), 'postscript');
      if (postscript.magic?.low !== POSTSCRIPT_MAGIC.low || postscript.magic.high !== POSTSCRIPT_MAGIC.high) return undefined;
      footerOffset ??= postscript.footerOffset;
    }
    return footerOffset;
  } catch {
    return undefined;
  }
}

/**
 * The layout and chunk offsets of a chunk that is an ArrayRecord footer: its first record is the
 * metadata (version 1, one entry per chunk follows) and its entries pass the reader's checks (chunks
 * before it in increasing order, group_size records in each but the last), listing among them every
 * data chunk found before it.
 */
function footerIn(source: ByteSource, chunk: DataChunk, before: readonly DataChunk[]): OpenedLayout | undefined {
  if (chunk.header.chunkType !== ChunkType.simple) return undefined;
  try {
    const records = decodeChunk(readIntactChunk(source, chunk), source.path);
    if (recordCount(records) === 0) return undefined;
    const metadata = decodeFooterMetadata(recordOf(records, 0), 'footer metadata');
    if (metadata === undefined || metadata.version !== ARRAY_RECORD_VERSION || metadata.numChunks !== recordCount(records) - 1) return undefined;
    const { numChunks, numRecords, writerOptions } = metadata;
    const groupSize = numChunks === 0 ? 0 : decodeChunkFooter(recordOf(records, 1), 'footer entry').numRecords;
    const layout: FileLayout = { footerOffset: chunk.begin, numChunks, numRecords, groupSize, writerOptions };
    const offsets = readChunkOffsets(records, layout, source.path);
    const listed = new Set(offsets);
    if (!before.every((data) => listed.has(data.begin))) return undefined;
    return { layout, offsets };
  } catch {
    return undefined;
  }
}

/**
 * The data chunks the footer lists (`offsets`, the footer's last) that begin inside a region the scan
 * lost, where only the footer knows they are, to be read on their own; and what else of those regions
 * stays lost, for the scan's reason. A listed chunk is clipped to its region: past it lie what the
 * scan found, which the reader's check of the chunk lets be padding only. A listed chunk whose bytes
 * hold a data chunk the scan found is lost rather than read (its records would be written twice).
 */
function chunksListedIn(regions: readonly SkippedRegion[], offsets: Float64Array, scanned: readonly DataChunk[]): { chunks: ListedChunk[]; lost: SkippedRegion[] } {
  const chunks: ListedChunk[] = [];
  const lost: SkippedRegion[] = [];
  const numChunks = offsets.length - 1;
  let chunk = 0;
  for (const region of regions) {
    while (chunk < numChunks && offsets[chunk]! < region.begin) chunk++;
    let pos = region.begin;
    for (; chunk < numChunks && offsets[chunk]! < region.end; chunk++) {
      const begin = offsets[chunk]!;
      const listedEnd = offsets[chunk + 1]!;
      const end = Math.min(listedEnd, region.end);
      if (begin > pos) lost.push({ begin: pos, end: begin, reason: region.reason });
      const inside = end < listedEnd ? firstChunkFrom(scanned, end) : undefined;
      if (inside !== undefined && inside.begin < listedEnd) {
        lost.push({ begin, end, reason: `the footer puts chunk ${chunk} at [${begin}, ${listedEnd}), where the scan found the data chunk at ${inside.begin}` });
      } else {
        chunks.push({ begin, end, chunk });
      }
      pos = end;
    }
    if (pos < region.end) lost.push({ begin: pos, end: region.end, reason: region.reason });
  }
  return { chunks, lost };
}

/**
 * `regions` without what lies at `end` or later: the footer, its padding and the postscript of an
 * intact footer, which reading the footer verified, though a scan lost at a damaged chunk before the
 * footer may only find its way again at the postscript.
 */
function regionsBefore(regions: readonly SkippedRegion[], end: number): SkippedRegion[] {
  return regions.filter((region) => region.begin < end).map((region) => (region.end <= end ? region : { ...region, end }));
}

/** The first of `chunks` (in file order) that begins at `pos` or later. */
function firstChunkFrom(chunks: readonly DataChunk[], pos: number): DataChunk | undefined {
  let low = 0;
  let high = chunks.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (chunks[middle]!.begin < pos) low = middle + 1;
    else high = middle;
  }
  return chunks[low];
}

/** The data chunks to copy, in file order: those the scan found and those only the footer locates, read through `footerFile`. */
function copiesInOrder(source: ByteSource, scanned: readonly DataChunk[], listed: readonly ListedChunk[], footerFile: OpenedFile | undefined): Copy[] {
  const copies: Copy[] = scanned.map((chunk) => ({ begin: chunk.begin, end: chunk.end, decode: () => decodeChunk(readIntactChunk(source, chunk), source.path) }));
  if (footerFile !== undefined) {
    for (const { begin, end, chunk } of listed) copies.push({ begin, end, decode: () => decodeListedChunk(footerFile, chunk) });
  }
  return copies.sort((a, b) => a.begin - b.begin);
}

/**
 * Chunk `chunk` of the footer's list, read, checked and decoded by the reader's code: header and data
 * hashes, block headers, only padding up to the next listed chunk, the record count the footer implies.
 */
function decodeListedChunk(file: OpenedFile, chunk: number): DecodedChunk {
  const start = file.index.start(chunk);
  const end = file.index.end(chunk);
  return file.decodeFrom(file.requireOpen().readSync(start, end - start), start, chunk, SHARED_SLABS);
}

/** Writer options that reproduce the data chunks' layout: group size, transposition, codec, padding. */
function optionsFromChunks(chunks: readonly DataChunk[]): string {
  // The footer is padded whatever the options; data chunks only with pad_to_block_boundary.
  const padded = chunks.some((chunk) => chunk.paddedAfter);
  const groupSize = Math.max(1, ...chunks.map((chunk) => chunk.header.numRecords));
  const transpose = chunks.some((chunk) => chunk.header.chunkType === ChunkType.transposed);
  const codecs: Readonly<Record<number, string>> = {
    [CompressionType.none]: 'uncompressed',
    [CompressionType.brotli]: 'brotli',
    [CompressionType.zstd]: 'zstd',
    [CompressionType.snappy]: 'snappy',
  };
  const codec = chunks.length === 0 ? 'zstd' : (codecs[chunks[0]!.compression] ?? 'zstd');
  return `group_size:${groupSize},transpose:${transpose},pad_to_block_boundary:${padded},${codec}`;
}

/** Reads again a chunk the scan found intact (its hashes are verified again). */
function readIntactChunk(source: ByteSource, chunk: DataChunk): RawChunk {
  const span = chunkDataSpan(chunk.begin, chunk.header);
  return readChunkFromBuffer(source.readSync(chunk.begin, span), chunk.begin, chunk.begin, source.path);
}

/** Reports progress at most every PROGRESS_INTERVAL_MS, and lets the event loop run (signals) as often. */
class Clock {
  private last = Date.now();

  constructor(
    private readonly report: RepairOptions['onProgress'],
    private readonly totalBytes: number,
  ) {}

  async tick(phase: RepairProgress['phase'], bytesDone: number): Promise<void> {
    const now = Date.now();
    if (now - this.last < PROGRESS_INTERVAL_MS) return;
    this.last = now;
    this.report?.({ phase, bytesDone, totalBytes: this.totalBytes });
    await yieldToEventLoop();
  }
}
