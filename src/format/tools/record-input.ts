// Opening anything that holds records: an ArrayRecord file (random access), or a stream read front
// to back (plain Riegeli, ArrayRecord from a pipe, TFRecord, gzip/zlib-compressed, JSON lines, text
// lines, length-framed), its format told from its first bytes unless given.

import fs from 'node:fs';
import { ArrayRecordReader } from '../arrayrecord/reader.js';
import { describeFileKind, sniffFileKind, SNIFF_LENGTH, startsLikeRiegeli, type FileKind } from '../arrayrecord/file-kind.js';
import { ARRAY_RECORD_VERSION, decodeChunkFooter, decodeFooterMetadata, decodePostscript, POSTSCRIPT_MAGIC } from '../arrayrecord/layout.js';
import { CorruptFileError, InvalidOptionsError, IoError, NotArrayRecordError, UnsupportedError } from '../errors.js';
import { ByteStream } from '../io/byte-stream.js';
import { isRemotePath, localPath } from '../io/location.js';
import { RemoteFile } from '../io/remote/remote-file.js';
import { resolveRemoteOptions } from '../io/remote/remote-options.js';
import { checkOptions, requireBoolean } from '../options-check.js';
import { decodeChunk, holdsRecords } from '../riegeli/chunk-codec.js';
import { readChunkStream } from '../riegeli/chunk-stream.js';
import type { RawChunk } from '../riegeli/chunk-frame.js';
import { ChunkType, CompressionType } from '../riegeli/constants.js';
import { recordCount, recordOf, type DecodedChunk } from '../riegeli/decoded-chunk.js';
import { readTFRecordStream } from '../tfrecord/tfrecord-stream.js';
import { decompressedBytes } from './decompressed-input.js';
import { readFramed, readJsonLines, readLines } from './text-records.js';

/** Formats records can be read from. */
export const RECORD_FORMATS = ['array_record', 'riegeli', 'tfrecord', 'jsonl', 'lines', 'framed'] as const;
/** A format records can be read from: one of `RECORD_FORMATS`. */
export type RecordFormat = (typeof RECORD_FORMATS)[number];
/** Compression a stream input can have (told from its first bytes). */
export type InputCompression = 'gzip' | 'zlib';

/** Where records come from: a path (any file, a FIFO, /dev/stdin), a URL (http(s)://, s3://, gs://, file://) or a named stream of bytes. */
export type InputSource =
  | string
  | {
      /** The name errors and reports give the input (`-` for stdin). */
      readonly name: string;
      /** The input's bytes. */
      readonly stream: AsyncIterable<Uint8Array>;
    };

/** How to open an input. */
export interface OpenInputOptions {
  /** The input's format; told from its first bytes when undefined. */
  readonly from?: RecordFormat | undefined;
  /**
   * Whether text (JSON lines, plain lines) and empty inputs are taken when `from` is undefined; when
   * false (commands that expect a file of records) they are refused with NotArrayRecordError.
   */
  readonly acceptText?: boolean;
}

/** File bytes an ArrayRecord batch read should cover: enough to keep reads efficient, little enough for memory. */
const BATCH_BYTES = 16 << 20;
const MAX_BATCH = 4096;

/**
 * How many records of an ArrayRecord file of `size` bytes and `numRecords` records to read per batch:
 * about 16 MiB of the file (fewer records when they are large), at least one.
 * @example for (let i = 0; i < n; i += step) reader.read(i, Math.min(n, i + step)); // step = recordBatchSize(...)
 */
export function recordBatchSize(size: number, numRecords: number): number {
  if (numRecords === 0) return 1;
  return Math.max(1, Math.min(MAX_BATCH, Math.floor((BATCH_BYTES * numRecords) / Math.max(1, size))));
}
/** Stream reads from files fetch this much at a time. */
const STREAM_CHUNK = 1 << 20;

/** An opened input: its format, what is known about it up front, and its records. */
export interface RecordInput {
  /** The input's path or stream name. */
  readonly name: string;
  /** The format the input is read as. */
  readonly format: RecordFormat;
  /** The input's compression (gzip, zlib), told from its first bytes; undefined when none. */
  readonly compression: InputCompression | undefined;
  /** The ArrayRecord reader, for random access, when the input is an ArrayRecord file on disk. */
  readonly reader: ArrayRecordReader | undefined;
  /** Number of records when known without reading them all (ArrayRecord files). */
  readonly numRecords: number | undefined;
  /** Size in bytes of a regular file; undefined for streams. */
  readonly size: number | undefined;
  /** Why a file that starts like ArrayRecord is read as plain Riegeli (it has no ArrayRecord footer). */
  readonly note: string | undefined;
  /** Input bytes consumed so far (compressed bytes for compressed input), out of `size`. */
  bytesRead(): number;
  /** The records in order, from the start; call once. */
  records(): AsyncIterable<Uint8Array>;
  /** Closes the file or stream; idempotent. */
  close(): Promise<void>;
}

/**
 * Opens `source` for reading its records: an ArrayRecord file on disk by its footer (random access
 * through `reader`), anything else as a stream read once from the front, so pipes, FIFOs and stdin
 * work. gzip and zlib compression are undone first; ArrayRecord data from a pipe is read as the
 * Riegeli file it is, its footer and postscript left out.
 * @throws InvalidOptionsError for an unknown option (named, with the nearest known one) or a bad value;
 *   IoError when it cannot be opened; InvalidArgumentError for a directory; NotArrayRecordError
 *   when its format cannot be told (or is text and text is not accepted); what ArrayRecordReader throws.
 * @example
 * const input = await openRecordInput('-' === arg ? { name: 'stdin', stream: process.stdin } : arg);
 * for await (const record of input.records()) use(record);
 * await input.close();
 */
export async function openRecordInput(source: InputSource, options: OpenInputOptions = {}): Promise<RecordInput> {
  checkOptions('openRecordInput', options, ['from', 'acceptText']);
  requireBoolean('openRecordInput', 'acceptText', options.acceptText, true);
  const from = options.from;
  if (from !== undefined && !(RECORD_FORMATS as readonly string[]).includes(from)) {
    throw new InvalidOptionsError(`the input format must be one of ${RECORD_FORMATS.join(', ')}; got "${String(from)}"`);
  }
  let name: string;
  let stream: AsyncIterable<Uint8Array>;
  let size: number | undefined;
  let note: string | undefined;
  if (typeof source === 'string' && isRemotePath(source)) return openRemoteInput(source, options);
  if (typeof source === 'string') {
    source = localPath(source);
    name = source;
    const stat = statInput(source);
    if (stat.isDirectory()) throw new IoError('is a directory, not a file of records', { path: source });
    if (stat.isFile()) {
      size = stat.size;
      const opened = await openArrayRecordFile(source, from);
      if (typeof opened !== 'string') return opened;
      note = opened || undefined;
    }
    stream = fs.createReadStream(source, { highWaterMark: STREAM_CHUNK });
  } else {
    name = source.name;
    stream = source.stream;
  }
  return openStream(name, new ByteStream(stream), size, note, options);
}

function statInput(path: string): fs.Stats {
  try {
    return fs.statSync(path);
  } catch (cause) {
    throw new IoError(`cannot open file: ${(cause as Error).message}`, { path }, cause);
  }
}

/**
 * An ArrayRecord file opened by its footer; else, when `from` allows reading it as something else, why
 * not ('' when it does not start like Riegeli, the reader's message when it has no ArrayRecord footer).
 */
async function openArrayRecordFile(path: string, from: RecordFormat | undefined, remote?: RemoteFile): Promise<RecordInput | string> {
  if (from !== undefined && from !== 'array_record') return '';
  const start = remote === undefined ? readStart(path, SNIFF_LENGTH) : await remote.read(0, Math.min(SNIFF_LENGTH, remote.size));
  if (from === undefined && !startsLikeRiegeli(start)) return '';
  let reader: ArrayRecordReader;
  try {
    reader = await ArrayRecordReader.open(path);
  } catch (error) {
    // A plain Riegeli file: read below as a stream. Anything else (a cut ArrayRecord file) is an error.
    if (from === undefined && error instanceof NotArrayRecordError) return error.message.replace(/ \([^()]*\)$/, '');
    throw error;
  }
  const numRecords = reader.numRecords();
  const size = remote?.size ?? fs.statSync(path).size;
  let done = 0;
  return {
    name: path,
    format: 'array_record',
    compression: undefined,
    reader,
    numRecords,
    size,
    note: undefined,
    bytesRead: () => (numRecords === 0 ? size : Math.round((size * done) / numRecords)),
    async *records() {
      const step = recordBatchSize(size, numRecords);
      for (let start = 0; start < numRecords; start += step) {
        const end = Math.min(numRecords, start + step);
        for (const record of await reader.readRangeAsync(start, end)) {
          done++;
          yield record;
        }
      }
    },
    close: async () => reader.close(),
  };
}

/**
 * A remote input: an ArrayRecord file read by its footer, anything else streamed front to back with
 * ranged GETs of a few MiB (retried, and checked to be of the version first seen).
 */
async function openRemoteInput(url: string, options: OpenInputOptions): Promise<RecordInput> {
  const file = await RemoteFile.open(url, resolveRemoteOptions());
  let input: RecordInput;
  try {
    const opened = await openArrayRecordFile(url, options.from, file);
    if (typeof opened !== 'string') {
      file.close();
      return opened;
    }
    input = await openStream(url, new ByteStream(file.stream()), file.size, opened || undefined, options);
  } catch (error) {
    file.close();
    throw error;
  }
  return {
    ...input,
    close: async () => {
      try {
        await input.close();
      } finally {
        file.close();
      }
    },
  };
}

function readStart(path: string, length: number): Uint8Array {
  const fd = fs.openSync(path, 'r');
  try {
    const bytes = new Uint8Array(length);
    return bytes.subarray(0, fs.readSync(fd, bytes, 0, length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

async function openStream(name: string, outer: ByteStream, size: number | undefined, note: string | undefined, options: OpenInputOptions): Promise<RecordInput> {
  let bytes = outer;
  let compression: InputCompression | undefined;
  let kind = sniffFileKind(await bytes.peek(SNIFF_LENGTH));
  // gzip's magic is unambiguous; zlib's two bytes are taken only when nothing else fits (or for TFRecord, as TensorFlow writes it).
  if (kind === 'gzip' || (kind === 'zlib' && (options.from === undefined || options.from === 'tfrecord'))) {
    compression = kind;
    bytes = new ByteStream(decompressedBytes(outer, kind, name));
    kind = sniffFileKind(await bytes.peek(SNIFF_LENGTH));
  }
  const format = options.from ?? formatOf(kind, name, options.acceptText === true);
  const inner = bytes;
  return {
    name,
    format,
    compression,
    reader: undefined,
    numRecords: undefined,
    size,
    note,
    bytesRead: () => outer.bytesReceived,
    // The length of an uncompressed input bounds its records: a bogus length is refused unread.
    records: () => streamRecords(format, inner, name, compression === undefined ? size : undefined),
    close: async () => {
      await inner.close();
      if (inner !== outer) await outer.close();
    },
  };
}

/** The format of a stream whose first bytes are of `kind`. */
function formatOf(kind: FileKind, name: string, acceptText: boolean): RecordFormat {
  if (kind === 'riegeli') return 'riegeli';
  if (kind === 'tfrecord') return 'tfrecord';
  if (acceptText) {
    if (kind === 'json') return 'jsonl';
    if (kind === 'text' || kind === 'empty') return 'lines';
  }
  const hint = acceptText ? '' : kind === 'json' || kind === 'text' ? ' (records in text are read when the format is given: jsonl or lines)' : '';
  throw new NotArrayRecordError(`not a file of records: it looks like ${describeFileKind(kind)}${hint}`, { path: name });
}

function streamRecords(format: RecordFormat, bytes: ByteStream, name: string, size: number | undefined): AsyncIterable<Uint8Array> {
  switch (format) {
    case 'array_record':
    case 'riegeli':
      return riegeliRecords(bytes, name);
    case 'tfrecord':
      return readTFRecordStream(bytes, name, size);
    case 'jsonl':
      return readJsonLines(bytes, name);
    case 'lines':
      return readLines(bytes);
    case 'framed':
      return readFramed(bytes, name);
  }
}

/**
 * The records of a Riegeli stream. An ArrayRecord file is a Riegeli file whose last two record chunks
 * are its footer and postscript: each chunk's records are held back until the next record chunk
 * shows that the held one is not a footer (a postscript that points at it), so they are left out.
 */
async function* riegeliRecords(bytes: ByteStream, name: string): AsyncGenerator<Uint8Array> {
  let held: { readonly chunk: RawChunk; readonly records: DecodedChunk } | undefined;
  /** Where the record chunks before `held` begin, to recognise a footer that lost its postscript. */
  const begins: number[] = [];
  for await (const chunk of readChunkStream(bytes, name)) {
    const type = chunk.header.chunkType;
    if (!holdsRecords(type)) {
      if (type !== ChunkType.padding && type !== ChunkType.fileSignature && type !== ChunkType.fileMetadata) {
        throw new UnsupportedError(`chunk at ${chunk.begin} has unknown type 0x${type.toString(16)}`, { path: name, offset: chunk.begin });
      }
      continue;
    }
    const records = decodeChunk(chunk, name);
    if (held !== undefined && isPostscriptFor(chunk, records, held.chunk.begin)) {
      held = undefined;
      continue;
    }
    if (held !== undefined) {
      begins.push(held.chunk.begin);
      yield* recordsOf(held.records);
    }
    held = { chunk, records };
  }
  if (held === undefined) return;
  if (isFooterOf(held.chunk, held.records, begins)) {
    throw new CorruptFileError('the file ends after an ArrayRecord footer whose postscript is missing (truncated?); repair recovers every record', {
      path: name,
      offset: held.chunk.begin,
    });
  }
  yield* recordsOf(held.records);
}

/** True for an ArrayRecord footer chunk that indexes exactly the record chunks at `begins`. */
function isFooterOf(chunk: RawChunk, records: DecodedChunk, begins: readonly number[]): boolean {
  if (chunk.header.chunkType !== ChunkType.simple || recordCount(records) !== begins.length + 1) return false;
  try {
    const metadata = decodeFooterMetadata(recordOf(records, 0), 'footer metadata');
    if (metadata?.version !== ARRAY_RECORD_VERSION || metadata.numChunks !== begins.length) return false;
    return begins.every((begin, i) => decodeChunkFooter(recordOf(records, i + 1), 'footer entry').chunkOffset === begin);
  } catch {
    return false;
  }
}

function* recordsOf(chunk: DecodedChunk): Generator<Uint8Array> {
  for (let i = 0; i < recordCount(chunk); i++) yield recordOf(chunk, i);
}

/** True for an ArrayRecord postscript chunk (uncompressed, magic in every copy) pointing at `footerBegin`. */
function isPostscriptFor(chunk: RawChunk, records: DecodedChunk, footerBegin: number): boolean {
  if (chunk.header.chunkType !== ChunkType.simple || chunk.data[0] !== CompressionType.none || recordCount(records) === 0) return false;
  try {
    for (let i = 0; i < recordCount(records); i++) {
      const postscript = decodePostscript(recordOf(records, i), 'postscript');
      const magic = postscript.magic;
      if (magic?.low !== POSTSCRIPT_MAGIC.low || magic.high !== POSTSCRIPT_MAGIC.high || postscript.footerOffset !== footerBegin) return false;
    }
    return true;
  } catch {
    return false;
  }
}
