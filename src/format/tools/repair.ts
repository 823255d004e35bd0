// repair(): a valid ArrayRecord file made of every intact chunk of a damaged or unfinished one (a
// writer that died before close(), a file cut inside its footer, a damaged middle), found by scanning
// the file by its block headers as Riegeli's recovery does.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { readFileLayout } from '../arrayrecord/footer.js';
import { describeFileKind, sniffFileKind, SNIFF_LENGTH, startsLikeRiegeli } from '../arrayrecord/file-kind.js';
import { decodeChunkFooter, decodeFooterMetadata, decodePostscript, ARRAY_RECORD_VERSION, POSTSCRIPT_MAGIC } from '../arrayrecord/layout.js';
import { parseWriterOptions } from '../arrayrecord/writer-options.js';
import { ArrayRecordWriter } from '../arrayrecord/writer.js';
import { NotArrayRecordError } from '../errors.js';
import { checkOptions, optionNames, requireFunction } from '../options-check.js';
import { LocalFile, type ByteSource } from '../io/byte-source.js';
import { PendingFile } from '../io/pending-file.js';
import { decodeChunk, holdsRecords } from '../riegeli/chunk-codec.js';
import { chunkDataSpan, readChunkFromBuffer, type RawChunk } from '../riegeli/chunk-frame.js';
import type { ChunkHeader } from '../riegeli/chunk-header.js';
import { scanChunks } from '../riegeli/chunk-scan.js';
import { BLOCK_SIZE, ChunkType, CompressionType } from '../riegeli/constants.js';
import { recordCount, recordOf, type DecodedChunk } from '../riegeli/decoded-chunk.js';
import { decodeMetadataChunk, type RecordsMetadata } from '../riegeli/records-metadata.js';
import type { SkippedRegion } from '../riegeli/recovery.js';
import { assertOutputsAreNotInputs } from './same-file.js';

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

const PROGRESS_INTERVAL_MS = 100;

/**
 * Writes `output`, a valid ArrayRecord file holding the records of every intact data chunk of `input`
 * in their original order, with the original writer options where they can be known (from the footer
 * when it survives, else group_size from the chunks' record counts and the codec from their data;
 * a codec's level is not stored in the data, so its default is used) and the original metadata. The
 * output is written under a temporary name and renamed when complete; an output that is the input is
 * refused. Works on any Riegeli/records file, a plain one too.
 * @throws InvalidOptionsError for an unknown option (named, with the nearest known one) or bad writer
 *   options; InvalidArgumentError when the output is the input; IoError; NotArrayRecordError when the
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
  const source = LocalFile.open(input);
  try {
    const clock = new Clock(options.onProgress, source.size);
    const scan = await scanFile(source, clock);
    const ends = findFooter(source, scan);
    const data = scan.records.filter((chunk) => !ends.excluded.has(chunk.begin));
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
    const lost = [...scan.lost];
    let recordsSaved = 0;
    let chunksSaved = 0;
    let writer: ArrayRecordWriter | undefined;
    try {
      writer = new ArrayRecordWriter(file.tempPath, writerOptions, scan.metadata === undefined ? {} : { metadata: scan.metadata });
      for (const chunk of data) {
        let records: DecodedChunk;
        try {
          records = decodeChunk(readIntactChunk(source, chunk), input);
        } catch (error) {
          lost.push({ begin: chunk.begin, end: chunk.end, reason: (error as Error).message });
          continue;
        }
        for (let i = 0; i < recordCount(records); i++) writer.write(recordOf(records, i));
        recordsSaved += recordCount(records);
        chunksSaved++;
        await clock.tick('writing', chunk.end);
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
}

/** Finds the footer and postscript: through the postscript when intact, else by their contents. */
function findFooter(source: ByteSource, scan: Scan): FileEnds {
  try {
    const { layout } = readFileLayout(source);
    return {
      excluded: new Set([layout.footerOffset, source.size - BLOCK_SIZE]),
      footer: 'intact',
      writerOptions: layout.writerOptions,
      recordsExpected: layout.numRecords,
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
    const footer = footerIn(source, candidate, chunks.slice(0, last));
    if (footer !== undefined) {
      excluded.add(candidate.begin);
      return { excluded, footer: 'found', writerOptions: footer.writerOptions, recordsExpected: footer.numRecords };
    }
  }
  return { excluded, footer: 'missing', writerOptions: undefined, recordsExpected: undefined };
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
 * The footer metadata of a chunk that is an ArrayRecord footer: its first record is the metadata
 * (version 1, one entry per chunk follows) and its entries list chunks before it in increasing order,
 * among them every data chunk found before it.
 */
function footerIn(source: ByteSource, chunk: DataChunk, before: readonly DataChunk[]): { writerOptions: string | undefined; numRecords: number } | undefined {
  if (chunk.header.chunkType !== ChunkType.simple) return undefined;
  try {
    const records = decodeChunk(readIntactChunk(source, chunk), source.path);
    if (recordCount(records) === 0) return undefined;
    const metadata = decodeFooterMetadata(recordOf(records, 0), 'footer metadata');
    if (metadata === undefined || metadata.version !== ARRAY_RECORD_VERSION || metadata.numChunks !== recordCount(records) - 1) return undefined;
    const listed = new Set<number>();
    let previous = -1;
    for (let i = 1; i < recordCount(records); i++) {
      const offset = decodeChunkFooter(recordOf(records, i), 'footer entry').chunkOffset;
      if (offset <= previous || offset >= chunk.begin) return undefined;
      listed.add(offset);
      previous = offset;
    }
    if (!before.every((data) => listed.has(data.begin))) return undefined;
    return { writerOptions: metadata.writerOptions, numRecords: metadata.numRecords };
  } catch {
    return undefined;
  }
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
