// A read worker: opens files with its own ArrayRecordReader, reads batches synchronously (pread +
// decode, off the main thread) and transfers the buffers the records were decoded into back.

import { parentPort } from 'node:worker_threads';
import { serializeError } from '../errors.js';
import { OutputArena } from '../io/output-arena.js';
import { ReadScratch } from '../io/read-scratch.js';
import { packRecords, recordsInPlace, transferList } from '../io/record-transfer.js';
import { ArrayRecordReader } from './reader.js';
import type { ReadResponse, WorkerLoaded, WorkerRequest } from './read-protocol.js';

/** Readers this worker keeps open, most recently used last. */
const MAX_OPEN_READERS = 32;
const readers = new Map<string, ArrayRecordReader>();
/** File bytes are read into this one buffer, request after request (records are decoded or copied out of it). */
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
    // Fresh for each request: its buffers leave with the records.
    const arena = new OutputArena();
    const records =
      request.kind === 'range'
        ? reader.readIntoArena(arena, scratch, request.from, request.to)
        : reader.readIntoArena(arena, scratch, Array.from(request.indices));
    const transferable = recordsInPlace(records) ?? packRecords(records);
    response = { kind: 'records', id: request.id, records: transferable };
    port.postMessage(response, transferList(transferable));
  } catch (error) {
    response = { kind: 'records', id: request.id, error: serializeError(error) };
    port.postMessage(response);
  }
});
// Every import above, native addons included, is loaded by now.
port.postMessage({ kind: 'loaded' } satisfies WorkerLoaded);
