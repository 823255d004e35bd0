// Opening an ArrayRecord file: the postscript in the last 64 KiB block, then the footer it points to.

import { CorruptFileError, NotArrayRecordError, UnsupportedError } from '../errors.js';
import type { ByteSource } from '../io/byte-source.js';
import { runAsync, runSync, type ReadSteps } from '../io/read-steps.js';
import { readChunkFromBuffer, verifyPaddingChunks } from '../riegeli/chunk-frame.js';
import { ChunkType, BLOCK_SIZE } from '../riegeli/constants.js';
import { recordCount, recordOf, type DecodedChunk } from '../riegeli/decoded-chunk.js';
import { decodeSimpleChunk } from '../riegeli/simple-chunk.js';
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
  return yield* simpleChunkSteps(path, footerOffset, size - BLOCK_SIZE, 'footer chunk');
}

/** Reads [begin, end) and decodes the simple chunk at its start; only padding may follow it. */
function* simpleChunkSteps(path: string, begin: number, end: number, what: string): ReadSteps<DecodedChunk> {
  const buffer = yield { offset: begin, length: end - begin };
  const chunk = readChunkFromBuffer(buffer, begin, begin, path);
  verifyPaddingChunks(buffer, begin, chunk.end, path);
  if (chunk.header.chunkType !== ChunkType.simple) {
    throw new CorruptFileError(`${what} is a chunk of type 0x${chunk.header.chunkType.toString(16)}, expected a simple chunk`, {
      path,
      offset: begin,
    });
  }
  return decodeSimpleChunk(chunk.data, chunk.header.numRecords, chunk.header.decodedDataSize, `${what} at ${begin} of ${path}`);
}

/** Finds the footer through the postscript, as Google's reader does. */
function* footerOffsetSteps(path: string, size: number): ReadSteps<number> {
  if (size < BLOCK_SIZE) {
    throw new NotArrayRecordError(`ArrayRecord files are at least 64 KiB, this one has ${size} bytes`, { path });
  }
  if (size % BLOCK_SIZE !== 0) {
    throw new CorruptFileError(`ArrayRecord files are a multiple of 64 KiB, this one has ${size} bytes (truncated?)`, { path });
  }
  verifyFileSignature(yield { offset: 0, length: FILE_SIGNATURE.length }, path);
  const postscriptAt = size - BLOCK_SIZE;
  const postscripts = yield* simpleChunkSteps(path, postscriptAt, size, 'postscript chunk');
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
  return runSync(layoutSteps(source.path, source.size), source);
}

/** `readFileLayout` with reads on libuv's thread pool, so many files can be opened at once. */
export function readFileLayoutAsync(source: ByteSource): Promise<OpenedLayout> {
  return runAsync(layoutSteps(source.path, source.size), source);
}

/** A file's layout and its decoded footer chunk (record 0 is the metadata, record i + 1 describes chunk i). */
export interface OpenedLayout {
  readonly layout: FileLayout;
  readonly footer: DecodedChunk;
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
  return { layout: { footerOffset, numChunks, numRecords, groupSize, writerOptions: metadata.writerOptions }, footer };
}
