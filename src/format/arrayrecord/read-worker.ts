// A read worker: opens files with its own ArrayRecordReader, reads batches synchronously (pread +
// decode, off the main thread) and transfers the records back packed in one buffer.

import { parentPort } from 'node:worker_threads';
import { serializeError } from '../errors.js';
import { ReadScratch } from '../io/read-scratch.js';
import { ArrayRecordReader } from './reader.js';
import type { ReadResponse, WorkerLoaded, WorkerRequest } from './read-protocol.js';

/** Readers this worker keeps open, most recently used last. */
const MAX_OPEN_READERS = 32;
const readers = new Map<string, ArrayRecordReader>();
/** File bytes are read into this one buffer, request after request: pack() copies the records out. */
const scratch = new ReadScratch();

function readerFor(path: string, options: string): ArrayRecordReader {
  const key = `${options}\u0000${path}`;
  let reader = readers.get(key);
  if (reader !== undefined) {
    readers.delete(key);
  } else {
    reader = new ArrayRecordReader(path, options);
    if (readers.size >= MAX_OPEN_READERS) {
      const [oldestKey, oldest] = readers.entries().next().value as [string, ArrayRecordReader];
      oldest.close();
      readers.delete(oldestKey);
    }
  }
  readers.set(key, reader);
  return reader;
}

function pack(records: readonly Uint8Array[]): { values: ArrayBuffer; ends: Float64Array<ArrayBuffer> } {
  const ends = new Float64Array(records.length);
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    total += records[i]!.length;
    ends[i] = total;
  }
  const values = new Uint8Array(total);
  let offset = 0;
  for (const record of records) {
    values.set(record, offset);
    offset += record.length;
  }
  return { values: values.buffer, ends };
}

const port = parentPort!;
port.on('message', (request: WorkerRequest) => {
  if (request.kind === 'forget') {
    for (const [key, reader] of readers) {
      if (reader.path === request.path) {
        reader.close();
        readers.delete(key);
      }
    }
    return;
  }
  let response: ReadResponse;
  try {
    const reader = readerFor(request.path, request.options);
    const records =
      request.kind === 'range'
        ? reader.readWithScratch(scratch, request.from, request.to)
        : reader.readWithScratch(scratch, Array.from(request.indices));
    const { values, ends } = pack(records);
    response = { kind: 'records', id: request.id, values, ends };
    port.postMessage(response, [values, ends.buffer]);
  } catch (error) {
    response = { kind: 'records', id: request.id, error: serializeError(error) };
    port.postMessage(response);
  }
});
// Every import above, native addons included, is loaded by now.
port.postMessage({ kind: 'loaded' } satisfies WorkerLoaded);
