// Opening an ArrayRecord file: the postscript in the last 64 KiB block, then the footer it points to.

import { CorruptFileError, IoError, NotArrayRecordError, UnsupportedError } from '../errors.js';
import type { ByteSource } from '../io/byte-source.js';
import { runAsync, runSync, type ReadSteps } from '../io/read-steps.js';
import { asDecodingError } from '../riegeli/chunk-codec.js';
import { readChunkFromBuffer, verifyChunkEnd, verifyPaddingChunks } from '../riegeli/chunk-frame.js';
import { ChunkType, BLOCK_SIZE, FIRST_CHUNK_OFFSET } from '../riegeli/constants.js';
import { recordCount, recordOf, type DecodedChunk } from '../riegeli/decoded-chunk.js';
import { decodeSimpleChunk } from '../riegeli/simple-chunk.js';
import { describeFileKind, riegeliEndSteps, sniffFileKind, SNIFF_LENGTH, startsLikeRiegeli } from './file-kind.js';
import { readChunkOffsets } from './chunk-index.js';
import { ARRAY_RECORD_VERSION, decodeFooterMetadata, decodeChunkFooter, decodePostscript, POSTSCRIPT_MAGIC } from './layout.js';

/** What the end of an ArrayRecord file says about it. */
export interface FileLayout {
  readonly footerOffset: number;
  readonly numChunks: number;
  readonly numRecords: number;
  /** Records per chunk (all chunks but the last hold exactly this many); 0 for an empty file. */
  readonly groupSize: number;
  readonly writerOptions: string | undefined;
}

/**
 * Reads the footer chunk at `footerOffset`: record 0 is the metadata, record i + 1 describes chunk i.
 * @throws CorruptFileError when it is not a valid simple chunk.
 */
export function readFooterChunk(source: ByteSource, footerOffset: number): DecodedChunk {
  return runSync(footerChunkSteps(source.path, source.size, footerOffset), source);
}

function* footerChunkSteps(path: string, size: number, footerOffset: number): ReadSteps<DecodedChunk> {
  return yield* simpleChunkSteps(path, footerOffset, size - BLOCK_SIZE, 'footer chunk', 'the postscript');
}

/**
 * Reads [begin, end) and decodes the simple chunk at its start; only padding may follow it.
 * @param next what begins at `end`; undefined for the end of the file.
 */
function* simpleChunkSteps(path: string, begin: number, end: number, what: string, next?: string): ReadSteps<DecodedChunk> {
  const buffer = yield { offset: begin, length: end - begin };
  const chunk = readChunkFromBuffer(buffer, begin, begin, path);
  verifyChunkEnd(chunk, end, path, next);
  verifyPaddingChunks(buffer, begin, chunk.end, path);
  if (chunk.header.chunkType !== ChunkType.simple) {
    throw new CorruptFileError(`${what} is a chunk of type 0x${chunk.header.chunkType.toString(16)}, expected a simple chunk`, {
      path,
      offset: begin,
    });
  }
  try {
    return decodeSimpleChunk(chunk.data, chunk.header.numRecords, chunk.header.decodedDataSize, `${what} at ${begin} of ${path}`);
  } catch (cause) {
    throw asDecodingError(cause, what, path, begin);
  }
}

/** Finds the footer through the postscript, as Google's reader does. */
function* footerOffsetSteps(path: string, size: number): ReadSteps<number> {
  // What the file is comes before its size: a TFRecord, text or plain Riegeli file is not ArrayRecord,
  // whatever its size, and a cut ArrayRecord file is told from a plain Riegeli one by how it ends.
  const start = yield { offset: 0, length: Math.min(size, SNIFF_LENGTH) };
  if (!startsLikeRiegeli(start)) {
    const tooShort = size < 2 * BLOCK_SIZE ? `; ArrayRecord files are at least 128 KiB, this one has ${size} bytes` : '';
    throw new NotArrayRecordError(`not an ArrayRecord file: it looks like ${describeFileKind(sniffFileKind(start))}${tooShort}`, { path, offset: 0 });
  }
  if (size % BLOCK_SIZE !== 0) {
    throw yield* incompleteFileError(path, size, `ArrayRecord files are a multiple of 64 KiB, this one has ${size} bytes`);
  }
  // The postscript has a block of its own, and the first block begins with the file signature.
  if (size < 2 * BLOCK_SIZE) {
    throw yield* incompleteFileError(path, size, `ArrayRecord files have at least two 64 KiB blocks (the postscript in the last), this one has ${size} bytes`);
  }
  verifyFileSignature(start.subarray(0, FILE_SIGNATURE.length), path);
  const postscriptAt = size - BLOCK_SIZE;
  let postscripts: DecodedChunk;
  try {
    postscripts = yield* simpleChunkSteps(path, postscriptAt, size, 'postscript chunk');
  } catch (error) {
    if (!(error instanceof CorruptFileError)) throw error;
    throw yield* incompleteFileError(path, size, 'no ArrayRecord postscript in the last 64 KiB block', error);
  }
  if (recordCount(postscripts) === 0) throw new CorruptFileError('the postscript chunk holds no records', { path, offset: postscriptAt });
  const postscript = decodePostscript(recordOf(postscripts, 0), `postscript of ${path}`);
  const magic = postscript.magic;
  if (magic === undefined || magic.low !== POSTSCRIPT_MAGIC.low || magic.high !== POSTSCRIPT_MAGIC.high) {
    const found = magic === undefined ? 'none' : `0x${magic.high.toString(16).padStart(8, '0')}${magic.low.toString(16).padStart(8, '0')}`;
    throw new NotArrayRecordError(`postscript magic is ${found}, expected 0x71930e704fdae05e`, { path, offset: postscriptAt });
  }
  const footerOffset = postscript.footerOffset;
  if (footerOffset === undefined || footerOffset >= postscriptAt || footerOffset < 64) {
    throw new CorruptFileError(`postscript puts the footer at ${footerOffset ?? 'no offset'}, expected in [64, ${postscriptAt})`, {
      path,
      offset: postscriptAt,
    });
  }
  return footerOffset;
}

/**
 * The error for a Riegeli file without an ArrayRecord end (`what` says which part is missing), by how the
 * file ends: after a complete chunk (a plain Riegeli file), inside one (a cut file, whose writer did not
 * finish), or unknown. `cause` (the postscript's own error) stands when a chunk begins where the postscript would.
 */
function* incompleteFileError(path: string, size: number, what: string, cause?: CorruptFileError): ReadSteps<Error> {
  const end = yield* riegeliEndSteps(path, size);
  // A chunk that begins at the last block boundary is where the postscript would be: its own error stands.
  if (cause !== undefined && end.chunkAtLastBlock !== false) return cause;
  if (end.kind === 'clean') {
    return new NotArrayRecordError(
      'not an ArrayRecord file: it ends after a complete chunk without the footer and postscript of ArrayRecord, like a plain Riegeli file ' +
        '(or an ArrayRecord file whose writer did not finish: repair recovers its chunks)',
      { path },
    );
  }
  if (end.kind === 'cut') {
    return new CorruptFileError(
      `${what}: the file ends inside the chunk at ${end.chunkBegin} (truncated: a writer that did not finish? repair recovers its intact chunks)`,
      { path },
    );
  }
  return cause ?? new CorruptFileError(`${what} (truncated?)`, { path });
}

/** The 64 bytes every Riegeli file starts with: a block header and the signature chunk's header. */
const FILE_SIGNATURE = Uint8Array.from([
  0x83, 0xaf, 0x70, 0xd1, 0x0d, 0x88, 0x4a, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x91, 0xba, 0xc2, 0x3c,
  0x92, 0x87, 0xe1, 0xa9, 0, 0, 0, 0, 0, 0, 0, 0, 0xe1, 0x9f, 0x13, 0xc0, 0xe9, 0xb1, 0xc3, 0x72, 0x73, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0,
]);
/** Bytes of the signature that identify the format; a file that differs in these is something else. */
const SIGNATURE_PREFIX_LENGTH = 8;

/**
 * Checks the fixed first 64 bytes of the file.
 * @throws NotArrayRecordError when the file does not start like a Riegeli file; CorruptFileError when it
 *   starts like one but a byte of the signature is damaged.
 */
function verifyFileSignature(signature: Uint8Array, path: string): void {
  if (signature.subarray(0, SIGNATURE_PREFIX_LENGTH).some((byte, i) => byte !== FILE_SIGNATURE[i])) {
    throw new NotArrayRecordError('not a Riegeli/ArrayRecord file: the file signature is missing', { path, offset: 0 });
  }
  const differs = signature.findIndex((byte, i) => byte !== FILE_SIGNATURE[i]);
  if (differs >= 0) {
    throw new CorruptFileError(
      `file signature byte ${differs} is 0x${signature[differs]!.toString(16)}, expected 0x${FILE_SIGNATURE[differs]!.toString(16)}`,
      { path, offset: differs },
    );
  }
}

/**
 * Reads and validates the postscript and footer of an ArrayRecord file.
 * @throws NotArrayRecordError when the file is not an ArrayRecord file; UnsupportedError for an unknown
 *   footer version; CorruptFileError when the footer contradicts itself.
 */
export function readFileLayout(source: ByteSource): OpenedLayout {
  try {
    return runSync(layoutSteps(source.path, source.size), source);
  } catch (error) {
    throw directoryAsNotArrayRecord(error, source.path);
  }
}

/** `readFileLayout` with reads on libuv's thread pool, so many files can be opened at once. */
export async function readFileLayoutAsync(source: ByteSource): Promise<OpenedLayout> {
  try {
    return await runAsync(layoutSteps(source.path, source.size), source);
  } catch (error) {
    throw directoryAsNotArrayRecord(error, source.path);
  }
}

/** A directory opens, but its first read fails (EISDIR): that is a path that names no ArrayRecord file. */
function directoryAsNotArrayRecord(error: unknown, path: string): unknown {
  const cause = error instanceof IoError ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  return cause?.code === 'EISDIR' ? new NotArrayRecordError('not an ArrayRecord file: it is a directory', { path }) : error;
}

/** A file's layout and where each of its chunks begins (the footer offset last), all checked. */
export interface OpenedLayout {
  readonly layout: FileLayout;
  readonly offsets: Float64Array;
}

function* layoutSteps(path: string, size: number): ReadSteps<OpenedLayout> {
  const footerOffset = yield* footerOffsetSteps(path, size);
  const footer = yield* footerChunkSteps(path, size, footerOffset);
  if (recordCount(footer) === 0) throw new CorruptFileError('the footer chunk holds no records', { path, offset: footerOffset });
  const metadata = decodeFooterMetadata(recordOf(footer, 0), `footer metadata of ${path}`);
  if (metadata === undefined) {
    throw new NotArrayRecordError('the footer has no array_record_metadata', { path, offset: footerOffset });
  }
  if (metadata.version !== ARRAY_RECORD_VERSION) {
    throw new UnsupportedError(`unknown ArrayRecord footer version ${metadata.version}, expected ${ARRAY_RECORD_VERSION}`, {
      path,
      offset: footerOffset,
    });
  }
  const { numChunks, numRecords } = metadata;
  if (recordCount(footer) !== numChunks + 1) {
    throw new CorruptFileError(`the footer lists ${recordCount(footer) - 1} chunks, its metadata says ${numChunks}`, {
      path,
      offset: footerOffset,
    });
  }
  const groupSize = numChunks === 0 ? 0 : decodeChunkFooter(recordOf(footer, 1), `footer of ${path}`).numRecords;
  const expectedChunks = groupSize === 0 ? 0 : Math.ceil(numRecords / groupSize);
  const consistent = groupSize === 0 ? numChunks === 0 && numRecords === 0 : numChunks === expectedChunks;
  if (!consistent) {
    throw new CorruptFileError(`${numRecords} records in groups of ${groupSize} need ${expectedChunks} chunks, the footer lists ${numChunks}`, {
      path,
      offset: footerOffset,
    });
  }
  // Riegeli gives every record a position of its own inside its chunk, so a chunk spans at least as
  // many bytes as it holds records: the chunks before the footer hold at most one record per byte.
  // The entries say it chunk by chunk below; this says it at once, before anything is sized by a count.
  if (numRecords > footerOffset - FIRST_CHUNK_OFFSET) {
    throw new CorruptFileError(
      `the footer counts ${numRecords} records, more than the ${footerOffset - FIRST_CHUNK_OFFSET} bytes of chunks before it can hold`,
      { path, offset: footerOffset },
    );
  }
  const layout = { footerOffset, numChunks, numRecords, groupSize, writerOptions: metadata.writerOptions };
  // Every entry is checked at open, info() included, so a lying index fails here rather than mid-epoch.
  return { layout, offsets: readChunkOffsets(footer, layout, path) };
}
