// Riegeli's RecordsMetadata proto (the file metadata chunk 'm'): a small wire codec and the chunk encoding around it.

import { CorruptFileError, InvalidArgumentError } from '../errors.js';
import { concatBytes } from '../io/concat-bytes.js';
import { readVarintHalves, varintFromHalves, varintLength, VarintCursor, writeVarint, type U64Halves } from './bytes.js';
import type { CompressorOptions } from './compression.js';
import { ChunkType } from './constants.js';
import { recordOf, type EncodedChunkData } from './decoded-chunk.js';
import { decodeTransposedChunk } from './transpose/decoder.js';
import { encodeTransposedChunk } from './transpose/encoder.js';

/**
 * `riegeli.RecordsMetadata` (riegeli/records/records_metadata.proto). Absent fields are left out.
 * File descriptors (`google.protobuf.FileDescriptorProto`) stay serialized; fields this codec does
 * not know, extensions included, are kept as their raw wire bytes and written back after the known ones.
 */
export interface RecordsMetadata {
  /** Field 1: human-readable description of the file. */
  readonly fileComment?: string;
  /** Field 2: full name of the proto type of the records. */
  readonly recordTypeName?: string;
  /** Field 3: serialized FileDescriptorProtos defining `recordTypeName`, dependencies first. */
  readonly fileDescriptors?: readonly Uint8Array[];
  /** Field 4: the Riegeli record writer options the file was written with (informative). */
  readonly recordWriterOptions?: string;
  /** Field 5 (int64): record count hint. */
  readonly numRecords?: number;
  /** Unknown fields and extensions, as wire bytes. */
  readonly unknownFields?: Uint8Array;
}

const FIELD_FILE_COMMENT = 1;
const FIELD_RECORD_TYPE_NAME = 2;
const FIELD_FILE_DESCRIPTOR = 3;
const FIELD_RECORD_WRITER_OPTIONS = 4;
const FIELD_NUM_RECORDS = 5;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

const TWO_32 = 0x1_0000_0000;
const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF, which is part of a string field, not a byte order mark.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

// int64 as two's complement halves; only values a number holds exactly are accepted.
function int64ToHalves(value: number): U64Halves {
  const magnitude = Math.abs(value);
  const low = magnitude % TWO_32;
  const high = Math.floor(magnitude / TWO_32);
  if (value >= 0) return { low, high };
  return { low: (~low + 1) >>> 0, high: (~high + (low === 0 ? 1 : 0)) >>> 0 };
}

function halvesToInt64(value: U64Halves, where: string): number {
  if (value.high < 0x8000_0000) {
    if (value.high >= 0x20_0000) throw new CorruptFileError(`${where}: num_records exceeds 2^53`);
    return value.high * TWO_32 + value.low;
  }
  const low = (~value.low + 1) >>> 0;
  let high = ~value.high >>> 0;
  if (low === 0) high = (high + 1) >>> 0;
  if (high >= 0x20_0000) throw new CorruptFileError(`${where}: num_records is below -2^53`);
  return -(high * TWO_32 + low);
}


/**
 * Serializes RecordsMetadata: known fields in field-number order, then `unknownFields` as given.
 * @throws InvalidArgumentError when `numRecords` is not a safe integer.
 * @example
 * const bytes = encodeRecordsMetadata({ fileComment: 'golden' }); // 0a 06 'golden'
 */
export function encodeRecordsMetadata(metadata: RecordsMetadata): Uint8Array {
  const parts: Uint8Array[] = [];
  const lengthDelimited = (field: number, value: Uint8Array): void => {
    const prefix = new Uint8Array(varintLength(field * 8 + WIRE_LENGTH_DELIMITED) + varintLength(value.length));
    writeVarint(prefix, writeVarint(prefix, 0, field * 8 + WIRE_LENGTH_DELIMITED), value.length);
    parts.push(prefix, value);
  };
  if (metadata.fileComment !== undefined) lengthDelimited(FIELD_FILE_COMMENT, utf8Encoder.encode(metadata.fileComment));
  if (metadata.recordTypeName !== undefined) lengthDelimited(FIELD_RECORD_TYPE_NAME, utf8Encoder.encode(metadata.recordTypeName));
  for (const descriptor of metadata.fileDescriptors ?? []) lengthDelimited(FIELD_FILE_DESCRIPTOR, descriptor);
  if (metadata.recordWriterOptions !== undefined) {
    lengthDelimited(FIELD_RECORD_WRITER_OPTIONS, utf8Encoder.encode(metadata.recordWriterOptions));
  }
  if (metadata.numRecords !== undefined) {
    if (!Number.isSafeInteger(metadata.numRecords)) {
      throw new InvalidArgumentError(`RecordsMetadata.numRecords must be a safe integer, got ${metadata.numRecords}`);
    }
    parts.push(Uint8Array.of(FIELD_NUM_RECORDS * 8 + WIRE_VARINT), varintFromHalves(int64ToHalves(metadata.numRecords)));
  }
  if (metadata.unknownFields !== undefined) parts.push(metadata.unknownFields);
  return concatBytes(parts);
}

// Reads a field tag, which protobuf limits to 32 bits.
function readTag(cursor: VarintCursor, where: string): number {
  const offset = cursor.pos;
  const tag = cursor.readVarint(`${where}, tag`);
  if (tag > 0xffff_ffff || tag < 8) throw new CorruptFileError(`${where}: invalid tag ${tag} at offset ${offset}`);
  return tag;
}

// Reads a length-delimited value, returning a view of its payload.
function readLengthDelimited(cursor: VarintCursor, field: number, where: string): Uint8Array {
  const length = cursor.readVarint(`${where}, field ${field} length`);
  if (length > cursor.end - cursor.pos) {
    throw new CorruptFileError(`${where}: field ${field} claims ${length} bytes, ${cursor.end - cursor.pos} remain`);
  }
  cursor.pos += length;
  return cursor.bytes.subarray(cursor.pos - length, cursor.pos);
}

// Moves the cursor past the value of a field with `tag` (a whole group for a start-group tag).
function skipValue(cursor: VarintCursor, tag: number, where: string, depth: number): void {
  const field = Math.floor(tag / 8);
  switch (tag & 7) {
    case WIRE_VARINT:
      readVarintHalves(cursor, `${where}, field ${field}`);
      return;
    case WIRE_FIXED64:
    case WIRE_FIXED32: {
      const size = (tag & 7) === WIRE_FIXED64 ? 8 : 4;
      if (cursor.end - cursor.pos < size) throw new CorruptFileError(`${where}: field ${field} is truncated`);
      cursor.pos += size;
      return;
    }
    case WIRE_LENGTH_DELIMITED:
      readLengthDelimited(cursor, field, where);
      return;
    case WIRE_START_GROUP: {
      if (depth >= 100) throw new CorruptFileError(`${where}: groups nested deeper than 100`);
      for (;;) {
        if (cursor.atEnd()) throw new CorruptFileError(`${where}: group ${field} is not closed`);
        const inner = readTag(cursor, where);
        if ((inner & 7) === WIRE_END_GROUP) {
          if (Math.floor(inner / 8) !== field) throw new CorruptFileError(`${where}: group ${field} closed by end of group ${Math.floor(inner / 8)}`);
          return;
        }
        skipValue(cursor, inner, where, depth + 1);
      }
    }
    default:
      throw new CorruptFileError(`${where}: field ${field} has wire type ${tag & 7}, expected 0, 1, 2, 3 or 5`);
  }
}

/**
 * Parses serialized RecordsMetadata. A known field with an unexpected wire type is kept as unknown,
 * as protobuf does; strings are decoded as UTF-8 (invalid bytes become U+FFFD).
 * @param where names the bytes in errors.
 * @throws CorruptFileError when the bytes are not a proto message.
 */
export function decodeRecordsMetadata(bytes: Uint8Array, where = 'RecordsMetadata'): RecordsMetadata {
  const cursor = new VarintCursor(bytes);
  const result: {
    fileComment?: string;
    recordTypeName?: string;
    fileDescriptors?: Uint8Array[];
    recordWriterOptions?: string;
    numRecords?: number;
  } = {};
  const unknown: Uint8Array[] = [];
  while (!cursor.atEnd()) {
    const fieldStart = cursor.pos;
    const tag = readTag(cursor, where);
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (wireType === WIRE_LENGTH_DELIMITED && field >= FIELD_FILE_COMMENT && field <= FIELD_RECORD_WRITER_OPTIONS) {
      const payload = readLengthDelimited(cursor, field, where);
      if (field === FIELD_FILE_COMMENT) result.fileComment = utf8Decoder.decode(payload);
      else if (field === FIELD_RECORD_TYPE_NAME) result.recordTypeName = utf8Decoder.decode(payload);
      else if (field === FIELD_FILE_DESCRIPTOR) (result.fileDescriptors ??= []).push(payload.slice());
      else result.recordWriterOptions = utf8Decoder.decode(payload);
    } else if (wireType === WIRE_VARINT && field === FIELD_NUM_RECORDS) {
      result.numRecords = halvesToInt64(readVarintHalves(cursor, `${where}, num_records`), where);
    } else {
      skipValue(cursor, tag, where, 0);
      unknown.push(bytes.subarray(fieldStart, cursor.pos));
    }
  }
  return unknown.length === 0 ? result : { ...result, unknownFields: concatBytes(unknown) };
}

/**
 * Encodes the file metadata chunk ('m') an ArrayRecord writer puts right after the file signature:
 * the serialized metadata as the single record of a transposed chunk (one bucket, as upstream
 * encodes it), with num_records 0 in the chunk header so readers do not count it as a record.
 * @example
 * const chunk = encodeMetadataChunk({ fileComment: 'golden' }, { type: CompressionType.zstd, level: 3, windowLog: 20 });
 */
export function encodeMetadataChunk(metadata: RecordsMetadata, options: CompressorOptions): EncodedChunkData {
  const encoded = encodeTransposedChunk([encodeRecordsMetadata(metadata)], options, Infinity);
  return { chunkType: ChunkType.fileMetadata, data: encoded.data, numRecords: 0, decodedDataSize: encoded.decodedDataSize };
}

/**
 * Decodes a file metadata chunk's data (chunk type 'm'): a transposed chunk holding one record.
 * @param decodedDataSize from the chunk header.
 * @throws CorruptFileError when the chunk or the proto inside is malformed.
 */
export function decodeMetadataChunk(data: Uint8Array, decodedDataSize: number, where: string): RecordsMetadata {
  const chunk = decodeTransposedChunk(data, 1, decodedDataSize, where);
  return decodeRecordsMetadata(recordOf(chunk, 0), `RecordsMetadata in ${where}`);
}
