// The protos at the end of an ArrayRecord file (cpp/layout.proto): footer metadata, per-chunk footers, postscript.

import { CorruptFileError } from '../errors.js';
import { readVarintHalves, varintFromHalves, varintLength, VarintCursor, writeVarint, type U64Halves } from '../riegeli/bytes.js';

/** ArrayRecord format version written in the footer metadata (kArrayRecordV1). */
export const ARRAY_RECORD_VERSION = 1;
/** RiegeliPostscript.magic (0x71930e704fdae05e), as u32 halves. */
export const POSTSCRIPT_MAGIC: U64Halves = { low: 0x4fdae05e, high: 0x71930e70 };

/** RiegeliFooterMetadata.array_record_metadata. */
export interface FooterMetadata {
  readonly version: number;
  readonly numChunks: number;
  readonly numRecords: number;
  readonly writerOptions: string | undefined;
}

/** ArrayRecordFooter: where one data chunk starts and what it holds. */
export interface ChunkFooter {
  readonly chunkOffset: number;
  readonly decodedDataSize: number;
  readonly numRecords: number;
}

/** RiegeliPostscript. */
export interface Postscript {
  readonly footerOffset: number | undefined;
  readonly magic: U64Halves | undefined;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

class ProtoWriter {
  private readonly parts: number[] = [];

  varintField(field: number, value: number): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  bytesField(field: number, bytes: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(bytes.length);
    for (const byte of bytes) this.parts.push(byte);
    return this;
  }

  rawVarintField(field: number, varint: Uint8Array): this {
    this.tag(field, WIRE_VARINT);
    for (const byte of varint) this.parts.push(byte);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private varint(value: number): void {
    const bytes = new Uint8Array(varintLength(value));
    writeVarint(bytes, 0, value);
    for (const byte of bytes) this.parts.push(byte);
  }
}

/** Calls `onField` for every field of a proto message; skips groups and unknown wire types safely. */
function forEachField(
  bytes: Uint8Array,
  what: string,
  onField: (field: number, wireType: number, cursor: VarintCursor) => boolean,
): void {
  const cursor = new VarintCursor(bytes);
  while (!cursor.atEnd()) {
    const tag = cursor.readVarint(`tag in ${what}`);
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 0) throw new CorruptFileError(`${what} has a field number 0`);
    if (onField(field, wireType, cursor)) continue;
    skipField(cursor, wireType, what);
  }
}

function skipField(cursor: VarintCursor, wireType: number, what: string): void {
  let skip: number;
  if (wireType === WIRE_VARINT) {
    readVarintHalves(cursor, what);
    return;
  } else if (wireType === WIRE_FIXED64) skip = 8;
  else if (wireType === WIRE_FIXED32) skip = 4;
  else if (wireType === WIRE_LENGTH_DELIMITED) skip = cursor.readVarint(`length in ${what}`);
  else throw new CorruptFileError(`${what} has unsupported wire type ${wireType}`);
  if (skip > cursor.end - cursor.pos) throw new CorruptFileError(`${what} is truncated`);
  cursor.pos += skip;
}

function readLengthDelimited(cursor: VarintCursor, what: string): Uint8Array {
  const length = cursor.readVarint(`length in ${what}`);
  if (length > cursor.end - cursor.pos) throw new CorruptFileError(`${what} is truncated`);
  const bytes = cursor.bytes.subarray(cursor.pos, cursor.pos + length);
  cursor.pos += length;
  return bytes;
}

/** Serialises RiegeliFooterMetadata{array_record_metadata{...}}, the footer chunk's first record. */
export function encodeFooterMetadata(metadata: FooterMetadata): Uint8Array {
  const inner = new ProtoWriter()
    .varintField(1, metadata.version)
    .varintField(2, metadata.numChunks)
    .varintField(3, metadata.numRecords);
  if (metadata.writerOptions !== undefined) inner.bytesField(4, new TextEncoder().encode(metadata.writerOptions));
  return new ProtoWriter().bytesField(1, inner.finish()).finish();
}

/**
 * Parses the footer chunk's first record.
 * @throws CorruptFileError when it is malformed; returns undefined when it lacks array_record_metadata.
 */
export function decodeFooterMetadata(bytes: Uint8Array, what: string): FooterMetadata | undefined {
  let inner: Uint8Array | undefined;
  forEachField(bytes, what, (field, wireType, cursor) => {
    if (field !== 1 || wireType !== WIRE_LENGTH_DELIMITED) return false;
    inner = readLengthDelimited(cursor, what);
    return true;
  });
  if (inner === undefined) return undefined;
  let version = 0;
  let numChunks = 0;
  let numRecords = 0;
  let writerOptions: string | undefined;
  forEachField(inner, what, (field, wireType, cursor) => {
    if (wireType === WIRE_VARINT && field >= 1 && field <= 3) {
      const value = cursor.readVarint(what);
      if (field === 1) version = value;
      else if (field === 2) numChunks = value;
      else numRecords = value;
      return true;
    }
    if (wireType === WIRE_LENGTH_DELIMITED && field === 4) {
      writerOptions = new TextDecoder().decode(readLengthDelimited(cursor, what));
      return true;
    }
    return false;
  });
  return { version, numChunks, numRecords, writerOptions };
}

/** The tags of ArrayRecordFooter's fields 1 to 3 (chunk_offset, decoded_data_size, num_records), varints. */
const CHUNK_FOOTER_TAGS = [(1 << 3) | WIRE_VARINT, (2 << 3) | WIRE_VARINT, (3 << 3) | WIRE_VARINT] as const;

/** Bytes of the ArrayRecordFooter of these fields. */
export function chunkFooterLength(chunkOffset: number, decodedDataSize: number, numRecords: number): number {
  return 3 + varintLength(chunkOffset) + varintLength(decodedDataSize) + varintLength(numRecords);
}

/**
 * Serialises one ArrayRecordFooter at `offset` (chunkFooterLength bytes), as ProtoWriter would, and
 * returns the offset after it: a file of one record per chunk has as many as records, written with
 * no allocation.
 */
export function writeChunkFooter(target: Uint8Array, offset: number, chunkOffset: number, decodedDataSize: number, numRecords: number): number {
  target[offset++] = CHUNK_FOOTER_TAGS[0];
  offset = writeVarint(target, offset, chunkOffset);
  target[offset++] = CHUNK_FOOTER_TAGS[1];
  offset = writeVarint(target, offset, decodedDataSize);
  target[offset++] = CHUNK_FOOTER_TAGS[2];
  return writeVarint(target, offset, numRecords);
}

/** Serialises one ArrayRecordFooter. */
export function encodeChunkFooter(footer: ChunkFooter): Uint8Array {
  const { chunkOffset, decodedDataSize, numRecords } = footer;
  const bytes = new Uint8Array(chunkFooterLength(chunkOffset, decodedDataSize, numRecords));
  writeChunkFooter(bytes, 0, chunkOffset, decodedDataSize, numRecords);
  return bytes;
}

/**
 * Parses one ArrayRecordFooter; `chunkOffset` is -1 when the field is absent.
 * @throws CorruptFileError when it is malformed.
 */
export function decodeChunkFooter(bytes: Uint8Array, what: string): ChunkFooter {
  let chunkOffset = -1;
  let decodedDataSize = 0;
  let numRecords = 0;
  forEachField(bytes, what, (field, wireType, cursor) => {
    if (wireType !== WIRE_VARINT || field < 1 || field > 3) return false;
    const value = cursor.readVarint(what);
    if (field === 1) chunkOffset = value;
    else if (field === 2) decodedDataSize = value;
    else numRecords = value;
    return true;
  });
  return { chunkOffset, decodedDataSize, numRecords };
}

/**
 * `decodeChunkFooter` of the entry at bytes [start, end) in its common form (varint fields 1 to 3
 * only, values below 2^49), allocating nothing: a footer has one entry per chunk, and a file of one
 * record per chunk has as many as records. Fills `into` with [chunk offset (-1 if absent), decoded
 * data size, record count] and returns true; returns false for any other form, which
 * decodeChunkFooter then reads (or rejects with its error).
 */
export function readChunkFooterQuickly(bytes: Uint8Array, start: number, end: number, into: Float64Array): boolean {
  into[0] = -1;
  into[1] = 0;
  into[2] = 0;
  let pos = start;
  while (pos < end) {
    const tag = bytes[pos++]!;
    if (tag !== 0x08 && tag !== 0x10 && tag !== 0x18) return false;
    let value = 0;
    let scale = 1;
    let byte: number;
    do {
      if (pos >= end || scale > 2 ** 42) return false;
      byte = bytes[pos++]!;
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    into[(tag >>> 3) - 1] = value;
  }
  return true;
}

/** Serialises RiegeliPostscript{footer_offset, magic}. */
export function encodePostscript(footerOffset: number): Uint8Array {
  return new ProtoWriter().varintField(1, footerOffset).rawVarintField(2, varintFromHalves(POSTSCRIPT_MAGIC)).finish();
}

/**
 * Parses a RiegeliPostscript.
 * @throws CorruptFileError when it is malformed.
 */
export function decodePostscript(bytes: Uint8Array, what: string): Postscript {
  let footerOffset: number | undefined;
  let magic: U64Halves | undefined;
  forEachField(bytes, what, (field, wireType, cursor) => {
    if (wireType !== WIRE_VARINT) return false;
    if (field === 1) footerOffset = cursor.readVarint(`footer offset in ${what}`);
    else if (field === 2) magic = readVarintHalves(cursor, `magic in ${what}`);
    else return false;
    return true;
  });
  return { footerOffset, magic };
}
