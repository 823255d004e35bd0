// How an async batch read is cut into parts (runs of chunks of about equal file bytes) and spread over
// the read workers: each part goes to whichever worker is free, so the records of the first parts come
// back while the workers decode the others.

import type { ChunkIndex } from './chunk-index.js';
import type { OpenedFile } from './opened-file.js';
import { leastBusyWorkers, type PooledWorker } from './read-pool.js';

/**
 * A batch read is cut into parts of at most this many bytes of the file: each part's records come
 * back while the workers decode the next ones, instead of all of them at the end (one part per
 * worker made reading a whole file take 1.3-1.7x the CPU, its records all in fresh memory). 1 MiB
 * parts measured no better.
 */
const MAX_PART_BYTES = 256 << 10;
/**
 * A smaller batch goes whole to one worker; a larger one is cut into one part per lane at least. Each
 * part costs a message to a worker and back and a request's setup there: cutting a batch of 256
 * uncompressed records (358 KiB) into five parts instead of two took 1.3x the CPU.
 */
const MIN_SPLIT_BYTES = 64 << 10;
/** Parts a worker is sent ahead: while it decodes one, the next waits at its port. */
const PARTS_IN_FLIGHT_PER_WORKER = 2;

/**
 * Where the parts of a read end, as exclusive ranks into its chunks (ascending, `count` of them,
 * chunk `chunkAt(rank)`): runs of chunks of about equal file bytes, at most MAX_PART_BYTES each, and
 * at least one per lane from MIN_SPLIT_BYTES on.
 */
export function partEnds(index: ChunkIndex, chunkAt: (rank: number) => number, count: number, lanes: number): number[] {
  const span = (rank: number): number => index.end(chunkAt(rank)) - index.start(chunkAt(rank));
  let total = 0;
  for (let rank = 0; rank < count; rank++) total += span(rank);
  const parts = Math.max(total >= MIN_SPLIT_BYTES ? lanes : 1, Math.ceil(total / MAX_PART_BYTES));
  const ends: number[] = [];
  let bytes = 0;
  for (let rank = 0; rank < count; rank++) {
    bytes += span(rank);
    // Part p ends once the bytes so far reach p + 1 shares of the total.
    if (bytes >= ((ends.length + 1) * total) / parts) ends.push(rank + 1);
  }
  if (ends[ends.length - 1] !== count) ends.push(count);
  return ends;
}

/**
 * Runs `read` for parts 0..parts-1 on up to `lanes` workers, each sent its next part as soon as it has
 * fewer than PARTS_IN_FLIGHT_PER_WORKER: work goes to whichever worker is free. Stops sending at the
 * first failure, and once the reader is closed (ClosedError).
 */
export async function inParts<T>(file: OpenedFile, lanes: number, parts: number, read: (worker: PooledWorker, part: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(parts);
  let next = 0;
  const lane = async (worker: PooledWorker): Promise<void> => {
    try {
      while (next < parts) {
        file.requireOpen();
        const part = next++;
        results[part] = await read(worker, part);
      }
    } catch (error) {
      next = parts;
      throw error;
    }
  };
  const workers = leastBusyWorkers(Math.min(lanes, parts));
  const perWorker = Math.min(PARTS_IN_FLIGHT_PER_WORKER, Math.ceil(parts / workers.length));
  await Promise.all(workers.flatMap((worker) => Array.from({ length: perWorker }, () => lane(worker))));
  return results;
}
