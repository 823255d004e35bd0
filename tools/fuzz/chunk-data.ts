// Chunk data taken apart and put back together: simple chunks (sizes, values) and transposed chunks
// (header fields, buckets, transitions), each block decompressed for mutation and recompressed after.

import { CompressionType, encodeBlock, decodeBlock, varintLength, VarintCursor, writeVarint, type CompressorOptions } from './format.js';

/** How to recompress a block of a chunk whose compression byte is `type` (levels are the writers' defaults). */
export function compressorFor(type: number): CompressorOptions {
  switch (type) {
    case CompressionType.zstd:
      return { type: CompressionType.zstd, level: 3 };
    case CompressionType.brotli:
      return { type: CompressionType.brotli, level: 6 };
    case CompressionType.snappy:
      return { type: CompressionType.snappy, level: 1 };
    default:
      return { type: CompressionType.none, level: 0 };
  }
}

/** A block encoded as chunk data stores it; an unknown compression byte stores the bytes as they are. */
export function encodeAs(type: number, bytes: Uint8Array): Uint8Array {
  const known = type === CompressionType.none || type === CompressionType.zstd || type === CompressionType.brotli || type === CompressionType.snappy;
  return known ? encodeBlock(compressorFor(type), bytes).slice() : bytes;
}

/** Varints (and raw bytes) concatenated. */
export function varints(values: readonly number[]): Uint8Array {
  let length = 0;
  for (const value of values) length += varintLength(value);
  const out = new Uint8Array(length);
  let offset = 0;
  for (const value of values) offset = writeVarint(out, offset, value);
  return out;
}

/** Simple chunk data from its compression byte, the encoded sizes block and the encoded values block. */
export function assembleSimpleEncoded(compression: number, sizesBlock: Uint8Array, valuesBlock: Uint8Array, sizesLength = sizesBlock.length): Uint8Array {
  return Buffer.concat([Uint8Array.of(compression), varints([sizesLength]), sizesBlock, valuesBlock]);
}

/** Simple chunk data from decoded sizes and values, compressed with `compression`. */
export function assembleSimple(compression: number, sizes: Uint8Array, values: Uint8Array): Uint8Array {
  return assembleSimpleEncoded(compression, encodeAs(compression, sizes), encodeAs(compression, values));
}

/** The roles of a transposed chunk header's fields, in the order they are stored. */
export type HeaderRole =
  | 'numBuckets'
  | 'numBuffers'
  | 'bucketLength'
  | 'bufferLength'
  | 'numStates'
  | 'tag'
  | 'base'
  | 'subtype'
  | 'bufferIndex'
  | 'firstState';

/** One field of a transposed chunk header; subtypes are single bytes, every other field a varint. */
export interface HeaderField {
  readonly role: HeaderRole;
  value: number;
}

/** A transposed chunk's data taken apart (header and transitions decoded, buckets as stored). */
export interface TransposedParts {
  readonly compression: number;
  readonly fields: HeaderField[];
  readonly buckets: Uint8Array[];
  transitions: Uint8Array;
}

/** True for tags whose state reads a buffer index (mirrors Riegeli's transpose decoder). */
function readsBufferIndex(tag: number, subtype: number | undefined): boolean {
  if (tag === 1) return true;
  if (tag < 8) return false;
  switch (tag & 7) {
    case 0:
      return subtype !== undefined && subtype <= 9;
    case 1:
    case 2:
    case 5:
      return true;
    default:
      return false;
  }
}

/** Splits transposed chunk data; @throws when the original is not a well-formed transposed chunk. */
export function splitTransposed(data: Uint8Array): TransposedParts {
  const compression = data[0]!;
  const prefix = new VarintCursor(data, 1);
  const headerLength = prefix.readVarint('header length');
  const headerEnd = prefix.pos + headerLength;
  const headerBytes = decodeBlock(compression, data.subarray(prefix.pos, headerEnd), 'header').slice();
  const header = new VarintCursor(headerBytes);
  const fields: HeaderField[] = [];
  const read = (role: HeaderRole): number => {
    const value = header.readVarint(role);
    fields.push({ role, value });
    return value;
  };
  const numBuckets = read('numBuckets');
  const numBuffers = read('numBuffers');
  const bucketLengths: number[] = [];
  for (let i = 0; i < numBuckets; i++) bucketLengths.push(read('bucketLength'));
  for (let i = 0; i < numBuffers; i++) read('bufferLength');
  const numStates = read('numStates');
  const tags: number[] = [];
  for (let i = 0; i < numStates; i++) tags.push(read('tag'));
  for (let i = 0; i < numStates; i++) read('base');
  const subtypes: (number | undefined)[] = [];
  for (const tag of tags) {
    if (tag >= 8 && (tag & 7) === 0) {
      const subtype = headerBytes[header.pos++]!;
      fields.push({ role: 'subtype', value: subtype });
      subtypes.push(subtype);
    } else subtypes.push(undefined);
  }
  tags.forEach((tag, i) => {
    if (readsBufferIndex(tag, subtypes[i])) read('bufferIndex');
  });
  read('firstState');
  const buckets: Uint8Array[] = [];
  let position = headerEnd;
  for (const length of bucketLengths) {
    buckets.push(data.slice(position, position + length));
    position += length;
  }
  const transitions = decodeBlock(compression, data.subarray(position), 'transitions').slice();
  return { compression, fields, buckets, transitions };
}

/** Header bytes from fields: varints, except single-byte subtypes. */
export function encodeHeaderFields(fields: readonly HeaderField[]): Uint8Array {
  const parts: Uint8Array[] = fields.map((field) => (field.role === 'subtype' ? Uint8Array.of(field.value & 0xff) : varints([field.value])));
  return Buffer.concat(parts);
}

/** Transposed chunk data from its parts, blocks recompressed with the chunk's compression. */
export function assembleTransposed(parts: TransposedParts): Uint8Array {
  const header = encodeAs(parts.compression, encodeHeaderFields(parts.fields));
  return Buffer.concat([
    Uint8Array.of(parts.compression),
    varints([header.length]),
    header,
    ...parts.buckets,
    encodeAs(parts.compression, parts.transitions),
  ]);
}
