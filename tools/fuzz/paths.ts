// The read paths a mutant goes through, run inside a child process: every public way of reading an
// ArrayRecord or Riegeli file, each reporting the records it returned (as digests) or the error it threw.
// Only the package's public exports (src/index.ts) are used, so internal moves do not break the fuzzer.

import fs from 'node:fs';
import path from 'node:path';
import { ArrayRecordDataSource, ArrayRecordError, ArrayRecordReader, RiegeliRecordReader } from '../../src/index.js';
import { digest, metadataJson } from './digest.js';
import type { PathName, PathOutcome, PathStatus } from './protocol.js';
import { Rng } from './rng.js';

/** Records a path collected before it ended (normally or not). */
class Collected {
  readonly keys: number[] = [];
  readonly digests: string[] = [];
  numRecords: number | undefined;
  count: number | undefined;
  complete = false;
  metadata: string | undefined;

  constructor(readonly keyKind: PathOutcome['keyKind']) {}

  add(key: number, record: Uint8Array): void {
    this.keys.push(key);
    this.digests.push(digest(record));
  }

  addAll(keys: readonly number[], records: readonly Uint8Array[]): void {
    // A path that returns fewer or more records than asked is itself a finding: keep what came back.
    for (let i = 0; i < records.length; i++) this.add(keys[i] ?? -1 - i, records[i]!);
    if (records.length !== keys.length) this.count = records.length;
  }
}

/** Indices every index path reads: both ends, group boundaries, random ones and a repeat, shuffled. */
export function pickIndices(numRecords: number, groupSize: number, seed: number): number[] {
  if (!Number.isSafeInteger(numRecords) || numRecords <= 0) return [];
  const rng = new Rng(seed, 1);
  const chosen = new Set<number>();
  if (numRecords <= 40) for (let i = 0; i < numRecords; i++) chosen.add(i);
  else {
    for (const i of [0, numRecords - 1, groupSize - 1, groupSize, 2 * groupSize - 1]) if (i >= 0 && i < numRecords) chosen.add(i);
    while (chosen.size < 40) chosen.add(rng.int(numRecords));
  }
  const indices = rng.shuffle([...chosen]);
  indices.push(indices[rng.int(indices.length)]!);
  return indices;
}

/** Seek targets for the Riegeli seek path: the start, random positions, and the end last (an error there ends the path). */
function pickPositions(size: number, seed: number): number[] {
  const rng = new Rng(seed, 2);
  return [0, 64, ...Array.from({ length: 12 }, () => rng.int(size + 1)), size];
}

type Runner = (file: string, collected: Collected, seed: number) => Promise<void> | void;

function withReader<T>(reader: ArrayRecordReader, action: (reader: ArrayRecordReader) => T): T {
  try {
    return action(reader);
  } finally {
    reader.close();
  }
}

async function withReaderAsync<T>(reader: ArrayRecordReader, action: (reader: ArrayRecordReader) => Promise<T>): Promise<T> {
  try {
    return await action(reader);
  } finally {
    reader.close();
  }
}

function readEverything(reader: ArrayRecordReader, collected: Collected): void {
  collected.numRecords = reader.numRecords();
  const records = reader.readAll();
  records.forEach((record, i) => collected.add(i, record));
  collected.count = records.length;
  collected.complete = true;
}

const RUNNERS: Readonly<Record<Exclude<PathName, 'cliInfo' | 'cliCat' | 'cliVerify'>, Runner>> = {
  readAll: (file, collected) => withReader(new ArrayRecordReader(file), (reader) => readEverything(reader, collected)),
  readIndices: (file, collected, seed) =>
    withReader(new ArrayRecordReader(file), (reader) => {
      collected.numRecords = reader.numRecords();
      const indices = pickIndices(collected.numRecords, reader.recordGroupSize(), seed);
      collected.addAll(indices, reader.read(indices));
    }),
  sequential: (file, collected) =>
    withReader(new ArrayRecordReader(file), (reader) => {
      const numRecords = reader.numRecords();
      collected.numRecords = numRecords;
      for (let i = 0; ; i++) {
        let record: Uint8Array;
        try {
          record = reader.read();
        } catch (error) {
          // The end: read() past the last record is an OutOfRangeError; where it comes is checked against numRecords().
          if (error instanceof ArrayRecordError && error.code === 'ERR_OUT_OF_RANGE') {
            collected.count = i;
            collected.complete = true;
            return;
          }
          throw error;
        }
        collected.add(i, record);
      }
    }),
  readAllAsync: (file, collected) =>
    withReaderAsync(new ArrayRecordReader(file), async (reader) => {
      collected.numRecords = reader.numRecords();
      const records = await reader.readAllAsync();
      records.forEach((record, i) => collected.add(i, record));
      collected.count = records.length;
      collected.complete = true;
    }),
  readAsyncP0: (file, collected, seed) =>
    withReaderAsync(new ArrayRecordReader(file, 'max_parallelism:0'), async (reader) => {
      collected.numRecords = reader.numRecords();
      const indices = pickIndices(collected.numRecords, reader.recordGroupSize(), seed);
      collected.addAll(indices, await reader.readAsync(indices));
    }),
  offloaded: (file, collected, seed) =>
    withReader(new ArrayRecordReader(file, 'index_storage_option:offloaded'), (reader) => {
      readEverything(reader, collected);
      const indices = pickIndices(collected.numRecords!, reader.recordGroupSize(), seed);
      collected.addAll(indices, reader.read(indices));
    }),
  dataSource: (file, collected, seed) => {
    const source = new ArrayRecordDataSource([file]);
    try {
      collected.numRecords = source.length;
      let i = 0;
      for (const record of source) collected.add(i++, record);
      collected.count = i;
      collected.complete = true;
      const indices = pickIndices(source.length, 1, seed);
      collected.addAll(indices, source.getItems(indices));
    } finally {
      source.close();
    }
  },
  dataSourceAsync: async (file, collected, seed) => {
    const source = await ArrayRecordDataSource.open([file]);
    try {
      collected.numRecords = source.length;
      const indices = pickIndices(source.length, 1, seed);
      collected.addAll(indices, await source.getItemsAsync(indices));
    } finally {
      source.close();
    }
  },
  metadata: (file, collected) => withReader(new ArrayRecordReader(file), (reader) => void (collected.metadata = metadataJson(reader.metadata()))),
  riegeli: (file, collected) => {
    const reader = new RiegeliRecordReader(file);
    try {
      for (;;) {
        const record = reader.read();
        if (record === undefined) break;
        collected.add(reader.lastPos(), record);
      }
      collected.count = collected.keys.length;
      collected.complete = true;
    } finally {
      reader.close();
    }
  },
  riegeliSeek: (file, collected, seed) => {
    const reader = new RiegeliRecordReader(file);
    try {
      for (const position of pickPositions(fs.statSync(file).size, seed)) {
        reader.seek(position);
        const record = reader.read();
        if (record !== undefined) collected.add(reader.lastPos(), record);
      }
    } finally {
      reader.close();
    }
  },
  riegeliMetadata: (file, collected) => {
    const reader = new RiegeliRecordReader(file);
    try {
      collected.metadata = metadataJson(reader.metadata());
    } finally {
      reader.close();
    }
  },
};

/** What an error thrown by a path is: typed and naming the file, typed without naming it, or untyped. */
export function classifyError(error: unknown, file: string): { status: PathStatus; error: NonNullable<PathOutcome['error']> } {
  const isError = error instanceof Error;
  const message = isError ? error.message : String(error);
  const name = isError ? error.name : typeof error;
  const typed = error instanceof ArrayRecordError && typeof error.code === 'string' && error.code.startsWith('ERR_');
  const namesFile = message.includes(file) || message.includes(path.basename(file));
  const status: PathStatus = !typed ? 'untyped' : namesFile ? 'typed' : 'unnamed';
  // The top frames locate an untyped error in the source, which is what a fix needs.
  const stack = !typed && isError ? error.stack?.split('\n').slice(1, 5).map((line) => line.trim()).join(' | ') : undefined;
  return { status, error: { name, ...(typed ? { code: (error as ArrayRecordError).code } : {}), message, ...(stack === undefined ? {} : { stack }) } };
}

/** Runs one in-process path on `file`. */
export async function runPath(name: Exclude<PathName, 'cliInfo' | 'cliCat' | 'cliVerify'>, file: string, seed: number): Promise<PathOutcome> {
  const keyKind = name === 'riegeli' || name === 'riegeliSeek' ? 'position' : name === 'metadata' || name === 'riegeliMetadata' ? 'none' : 'index';
  const collected = new Collected(keyKind);
  const started = performance.now();
  let status: PathStatus = 'ok';
  let error: PathOutcome['error'];
  try {
    await RUNNERS[name](file, collected, seed);
  } catch (thrown) {
    ({ status, error } = classifyError(thrown, file));
  }
  return {
    status,
    keyKind,
    keys: collected.keys,
    digests: collected.digests,
    complete: status === 'ok' && collected.complete,
    ...(collected.numRecords === undefined ? {} : { numRecords: collected.numRecords }),
    ...(collected.count === undefined ? {} : { count: collected.count }),
    ...(collected.metadata === undefined ? {} : { metadata: collected.metadata }),
    ...(error === undefined ? {} : { error }),
    ms: Math.round(performance.now() - started),
  };
}
