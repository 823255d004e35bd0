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
export const PARTS_IN_FLIGHT_PER_WORKER = 2;

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
 * `partEnds` for the chunks [firstChunk, firstChunk + count), which lie back to back: the bytes of
 * ranks 0..r are `index.end(firstChunk + r) - index.start(firstChunk)`, so each end is found by a
 * binary search instead of a walk over every chunk (65,536 chunks of a file of one record per chunk
 * cost a pass 5-30 ms on this thread). Returns what partEnds returns.
 */
export function rangePartEnds(index: ChunkIndex, firstChunk: number, count: number, lanes: number): number[] {
  if (count === 0) return [0];
  const begin = index.start(firstChunk);
  const bytesTo = (rank: number): number => index.end(firstChunk + rank) - begin;
  const total = bytesTo(count - 1);
  const parts = Math.max(total >= MIN_SPLIT_BYTES ? lanes : 1, Math.ceil(total / MAX_PART_BYTES));
  const ends: number[] = [];
  // As partEnds: part p ends at the first rank from the last end on whose bytes reach p + 1 shares.
  for (let from = 0; from < count; ) {
    const share = ((ends.length + 1) * total) / parts;
    if (bytesTo(count - 1) < share) break;
    let low = from;
    let high = count - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (bytesTo(middle) >= share) high = middle;
      else low = middle + 1;
    }
    ends.push(low + 1);
    from = low + 1;
  }
  if (ends[ends.length - 1] !== count) ends.push(count);
  return ends;
}

/**
 * The records [from, to) of `file` cut into parts as rangePartEnds cuts its chunks: the bounds of the
 * parts, from first to to (part p is records [bounds[p], bounds[p + 1])).
 */
export function rangePartBounds(file: OpenedFile, from: number, to: number, lanes: number): number[] {
  const groupSize = file.layout.groupSize;
  const firstChunk = Math.floor(from / groupSize);
  const chunks = Math.floor((to - 1) / groupSize) - firstChunk + 1;
  const ends = file.withRelease(() => rangePartEnds(file.index, firstChunk, chunks, lanes));
  return [from, ...ends.slice(0, -1).map((end) => (firstChunk + end) * groupSize), to];
}

/** Parts read on this thread while the read workers started (see inParts), since the process began: for tests. */
export const startStats = { partsReadHere: 0 };

/** One turn of the event loop: messages from the workers (one has loaded) are handled meanwhile. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `read` for parts 0..parts-1 on up to `lanes` workers, each sent its next part as soon as it has
 * fewer than PARTS_IN_FLIGHT_PER_WORKER: work goes to whichever worker is free. Stops sending at the
 * first failure, and once the reader is closed (ClosedError).
 *
 * A fresh process's workers take 0.1-0.4 s to start (more on a busy machine): until one of them has
 * loaded, `readHere` reads parts, synchronously on this thread (idle otherwise), one per turn of the
 * event loop; from then on the workers take every part. The first records of a process come back in
 * milliseconds instead of after the workers' start. Results go by part number, so who read a part
 * changes nothing of the result; the event loop is blocked for at most one part (256 KiB of the file)
 * at a time, during start-up only. (Reading here until a worker had answered its first, cold part
 * took more CPU for no gain in a pass's time on the 2-core benchmark machine, and left the workers
 * less warm for the next pass.)
 */
export async function inParts<T>(
  file: OpenedFile,
  lanes: number,
  parts: number,
  read: (worker: PooledWorker, part: number) => Promise<T>,
  readHere?: (part: number) => T,
): Promise<T[]> {
  const results = new Array<T>(parts);
  let next = 0;
  let allTaken!: () => void;
  /** Settles once no part is left to take: a lane still waiting for its worker to load then ends. */
  const taken = new Promise<void>((resolve) => {
    allTaken = resolve;
  });
  const take = (): number => {
    const part = next++;
    if (next >= parts) allTaken();
    return part;
  };
  const stop = (): void => {
    next = parts;
    allTaken();
  };
  const lane = async (worker: PooledWorker): Promise<void> => {
    try {
      if (!worker.ready) await Promise.race([worker.loaded, taken]);
      while (next < parts) {
        file.requireOpen();
        const part = take();
        results[part] = await read(worker, part);
      }
    } catch (error) {
      stop();
      throw error;
    }
  };
  const workers = leastBusyWorkers(Math.min(lanes, parts));
  const here = async (): Promise<void> => {
    try {
      while (next < parts && workers.every((worker) => !worker.ready)) {
        file.requireOpen();
        const part = take();
        results[part] = readHere!(part);
        startStats.partsReadHere++;
        if (next < parts) await nextTurn();
      }
    } catch (error) {
      stop();
      throw error;
    }
  };
  const perWorker = Math.min(PARTS_IN_FLIGHT_PER_WORKER, Math.ceil(parts / workers.length));
  const running = workers.flatMap((worker) => Array.from({ length: perWorker }, () => lane(worker)));
  if (readHere !== undefined && workers.every((worker) => !worker.ready)) running.push(here());
  await Promise.all(running);
  return results;
}
