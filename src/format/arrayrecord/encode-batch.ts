// A batch of groups of records, encoded into one chunk per group: what an encoding worker does, and
// what the writer does itself while no worker is ready.

import { encodeChunk, type ChunkEncoding } from '../riegeli/chunk-codec.js';
import type { EncodedChunkData } from '../riegeli/decoded-chunk.js';

/**
 * The chunks of `groupCounts.length` groups whose records lie consecutively in `bytes` (record `r`
 * ends at recordEnds[r]; group `g` holds the next groupCounts[g] records), in order.
 */
export function encodeBatch(
  bytes: ArrayBuffer,
  recordEnds: Float64Array,
  groupCounts: Float64Array,
  encoding: ChunkEncoding,
): EncodedChunkData[] {
  const chunks: EncodedChunkData[] = [];
  let record = 0;
  let start = 0;
  for (let g = 0; g < groupCounts.length; g++) {
    const groupStart = start;
    const records: Uint8Array[] = [];
    for (const end = record + groupCounts[g]!; record < end; record++) {
      records.push(new Uint8Array(bytes, start, recordEnds[record]! - start));
      start = recordEnds[record]!;
    }
    // The group's records lie back to back in `bytes`: the chunk takes them from there.
    chunks.push(encodeChunk(records, encoding, new Uint8Array(bytes, groupStart, start - groupStart)));
  }
  return chunks;
}
