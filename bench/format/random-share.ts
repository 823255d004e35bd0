// How much of what a random read decodes it asked for: the physical limit of random reads.

import { randomIndices, WORKLOAD_RECORDS } from '../workload.js';

/**
 * The share of the records a random read decodes that it asked for: a record costs the decoding of
 * its whole chunk (group), so the physical limit of a random read is the file's decode rate times this.
 */
export function decodedShare(count: number, size: number, seed: number, groupSize: number): number {
  let requested = 0;
  let decoded = 0;
  for (let b = 0; b < count; b++) {
    const indices = randomIndices(size, seed + b);
    const chunks = new Set(indices.map((index) => Math.floor(index / groupSize)));
    requested += indices.length;
    for (const chunk of chunks) decoded += Math.min(groupSize, WORKLOAD_RECORDS - chunk * groupSize);
  }
  return requested / decoded;
}
