// Decodes a transposed chunk's buckets and locates its buffers in one byte array, so the decoder's
// loop reads a single typed array instead of looking up a buffer object per field.

import { partOf, type Where } from '../../place.js';
import { decodeBlock } from '../compression.js';
import type { ChunkScratch } from '../../io/chunk-scratch.js';
import type { HeaderCursor } from './header-cursor.js';
import { fail } from './fail.js';

/** The decoded buffers of a chunk: byte ranges of one array. */
export interface ChunkBuffers {
  /** Holds every buffer. */
  readonly source: Uint8Array;
  /** Per buffer, its start and end in `source`: [start0, end0, start1, end1, ...]. */
  readonly bounds: Uint32Array;
  /** Bytes of all buffers. */
  readonly total: number;
  /** Where the transitions block begins in the chunk data. */
  readonly dataEnd: number;
}

/**
 * Reads the bucket and buffer counts and lengths from `header` and decodes the buckets that follow
 * the header block at `dataStart` into `scratch`. A buffer never spans buckets, and every bucket
 * byte belongs to a buffer.
 * @param maxBuffers the most buffer bytes the chunk header's counts allow.
 */
export function parseBuffers(
  data: Uint8Array,
  dataStart: number,
  header: HeaderCursor,
  compressionType: number,
  maxBuffers: number,
  scratch: ChunkScratch,
  where: Where,
): ChunkBuffers {
  const numBuckets = header.varint32('bucket count');
  const numBuffers = header.varint32('buffer count');
  if (numBuckets === 0) {
    if (numBuffers !== 0) fail(where, `${numBuffers} buffers but no bucket to hold them`);
    return { source: new Uint8Array(0), bounds: new Uint32Array(0), total: 0, dataEnd: dataStart };
  }
  // Each count needs at least one header byte; checking first keeps corrupt counts from allocating.
  if (numBuckets + numBuffers > header.left) {
    fail(where, `${numBuckets} buckets and ${numBuffers} buffers need more lengths than the ${header.left} header bytes left`);
  }
  const buckets: Uint8Array[] = [];
  let position = dataStart;
  for (let i = 0; i < numBuckets; i++) {
    const length = header.varint('length of bucket', i);
    if (length > data.length - position) {
      fail(where, `bucket ${i} claims ${length} bytes at offset ${position}, only ${data.length - position} remain`);
    }
    buckets.push(decodeBlock(compressionType, data.subarray(position, position + length), partOf(`bucket ${i}`, where), maxBuffers, scratch));
    position += length;
  }

  // Bounds within each buffer's bucket first; `locate` makes them bounds in the source.
  const bounds = new Uint32Array(2 * numBuffers);
  const bucketOf = new Uint32Array(numBuffers);
  let bucketIndex = 0;
  let bucketPos = 0;
  let total = 0;
  for (let i = 0; i < numBuffers; i++) {
    const length = header.varint('length of buffer', i);
    total += length;
    if (total > maxBuffers) fail(where, `buffers hold more than ${maxBuffers} bytes, more than the records can contain`);
    // Bounds are u32s; no Node buffer of records holds more.
    if (total > 0xffff_ffff) fail(where, 'buffers hold more than 2^32 - 1 bytes');
    const bucket = buckets[bucketIndex]!;
    if (length > bucket.length - bucketPos) {
      fail(where, `buffer ${i} needs ${length} bytes, bucket ${bucketIndex} has ${bucket.length - bucketPos} left`);
    }
    bucketOf[i] = bucketIndex;
    bounds[2 * i] = bucketPos;
    bucketPos += length;
    bounds[2 * i + 1] = bucketPos;
    // Once a bucket is used up, the next buffer starts the next bucket.
    while (bucketPos === buckets[bucketIndex]!.length && bucketIndex + 1 < numBuckets) {
      bucketIndex++;
      bucketPos = 0;
    }
  }
  if (bucketIndex + 1 < numBuckets) {
    fail(where, `buffers fill ${bucketIndex + 1} buckets, the header announces ${numBuckets}`);
  }
  const lastBucket = buckets[bucketIndex]!;
  if (bucketPos !== lastBucket.length) {
    fail(where, `bucket ${bucketIndex} holds ${lastBucket.length} bytes, its buffers use ${bucketPos}`);
  }
  return { source: locate(buckets, bucketOf, bounds, total, scratch), bounds, total, dataEnd: position };
}

/**
 * Returns one array holding all buffers and rewrites `bounds` (within each buffer's bucket) to
 * bounds in it: the memory the buckets share when they share one (uncompressed chunk data, or
 * buckets decoded one after another into the scratch), else a copy of the buffers in the scratch.
 */
function locate(buckets: readonly Uint8Array[], bucketOf: Uint32Array, bounds: Uint32Array, total: number, scratch: ChunkScratch): Uint8Array {
  const memory = buckets[0]!.buffer;
  let low = buckets[0]!.byteOffset;
  let high = low;
  let shared = true;
  for (const bucket of buckets) {
    shared &&= bucket.buffer === memory;
    low = Math.min(low, bucket.byteOffset);
    high = Math.max(high, bucket.byteOffset + bucket.length);
  }
  if (shared) {
    for (let i = 0; i < bucketOf.length; i++) {
      const shift = buckets[bucketOf[i]!]!.byteOffset - low;
      bounds[2 * i] = bounds[2 * i]! + shift;
      bounds[2 * i + 1] = bounds[2 * i + 1]! + shift;
    }
    return new Uint8Array(memory, low, high - low);
  }
  const source = scratch.take(total);
  let offset = 0;
  for (let i = 0; i < bucketOf.length; i++) {
    const start = bounds[2 * i]!;
    const end = bounds[2 * i + 1]!;
    source.set(buckets[bucketOf[i]!]!.subarray(start, end), offset);
    bounds[2 * i] = offset;
    offset += end - start;
    bounds[2 * i + 1] = offset;
  }
  return source;
}
