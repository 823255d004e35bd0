// Streaming reads: records in file order, read ahead in the background in runs of whole chunks, with at
// most a byte budget of the file read ahead of the consumer, handed out in order.

import type { ChunkIndex } from './chunk-index.js';

/**
 * A run of records [start, end) whose chunks take `bytes` bytes of the file.
 * @example for (const { start, end } of reader.recordRuns(0, reader.numRecords(), 1 << 20)) await reader.readRangeAsync(start, end);
 */
export interface RecordRun {
  /** The run's first record. */
  readonly start: number;
  /** One past the run's last record. */
  readonly end: number;
  /** Bytes of the file the run's chunks take. */
  readonly bytes: number;
}

/**
 * What is read ahead when readahead_buffer_size is 0 (auto): upstream's default buffer size.
 * @example streamBudget(0) === DEFAULT_STREAM_READAHEAD; // true: 16 MiB
 */
export const DEFAULT_STREAM_READAHEAD = 16 * 1024 * 1024;
/** Runs a read-ahead budget is split into, so that several are read (on several workers) at once. */
const RUNS_PER_BUDGET = 4;

/**
 * The budget of streaming reads for a readahead_buffer_size (0: auto).
 * @example streamBudget(parseReaderOptions('readahead_buffer_size:8M').readaheadBufferSize); // 8388608
 */
export function streamBudget(readaheadBufferSize: number): number {
  return readaheadBufferSize > 0 ? readaheadBufferSize : DEFAULT_STREAM_READAHEAD;
}

/**
 * The largest run of a budget: a quarter of it, so reads overlap.
 * @example runBytes(8 << 20); // 2097152
 */
export function runBytes(budget: number): number {
  return Math.max(1, Math.floor(budget / RUNS_PER_BUDGET));
}

/**
 * Splits records [start, end) at chunk boundaries into runs of at most `maxBytes` bytes of the file (at
 * least one chunk each); the first and last runs may start or end inside a chunk.
 * @example const runs = [...planRuns(file.index, file.layout.groupSize, 0, file.layout.numRecords, 1 << 20)];
 */
export function* planRuns(index: ChunkIndex, groupSize: number, start: number, end: number, maxBytes: number): Generator<RecordRun, void, undefined> {
  let from = start;
  while (from < end) {
    const first = Math.floor(from / groupSize);
    let last = first;
    const lastChunk = Math.floor((end - 1) / groupSize);
    while (last < lastChunk && index.end(last + 1) - index.start(first) <= maxBytes) last++;
    const to = Math.min(end, (last + 1) * groupSize);
    yield { start: from, end: to, bytes: index.end(last) - index.start(first) };
    from = to;
  }
}

/**
 * One run to read, and how.
 * @example const run: StreamRun<Uint8Array> = { bytes: 4096, read: () => reader.readRangeAsync(0, 100) };
 */
export interface StreamRun<T> {
  readonly bytes: number;
  read(): Promise<readonly T[]>;
}

/**
 * The values of `runs`, in order, each run read in the background: runs are started while the bytes of
 * those started and not yet handed out stay within `budget` (one at least). A failed read is thrown when
 * the consumer reaches its run. Leaving early (`break`) waits for the reads in flight.
 * @param checkOpen called before each value is handed out: it throws (ClosedError) once the reader or
 *   source is closed, so that values read ahead before a close are not handed out after it.
 * @example
 * const runs = [0, 100, 200].map((start) => ({ bytes: 4096, read: () => reader.readRangeAsync(start, start + 100) }));
 * for await (const record of readAhead(runs.values(), 8192, () => undefined)) consume(record);
 */
export async function* readAhead<T>(runs: AsyncIterator<StreamRun<T>> | Iterator<StreamRun<T>>, budget: number, checkOpen: () => void): AsyncGenerator<T, void, undefined> {
  const queue: { readonly bytes: number; readonly values: Promise<readonly T[]> }[] = [];
  let queued = 0;
  let waiting: StreamRun<T> | undefined;
  let exhausted = false;
  const fill = async (): Promise<void> => {
    while (!exhausted) {
      if (waiting === undefined) {
        const next = await runs.next();
        if (next.done === true) {
          exhausted = true;
          return;
        }
        waiting = next.value;
      }
      if (queue.length > 0 && queued + waiting.bytes > budget) return;
      const run = waiting;
      waiting = undefined;
      const values = run.read();
      // Rejections are thrown when the consumer gets there, not reported as unhandled before.
      values.catch(() => undefined);
      queue.push({ bytes: run.bytes, values });
      queued += run.bytes;
    }
  };
  try {
    await fill();
    while (queue.length > 0) {
      const head = queue.shift()!;
      queued -= head.bytes;
      await fill();
      const values = await head.values;
      for (const value of values) {
        checkOpen();
        yield value;
      }
    }
  } finally {
    await Promise.allSettled(queue.map((entry) => entry.values));
  }
}
