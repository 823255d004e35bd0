// A read worker: opens files with its own ArrayRecordReader, reads batches synchronously (pread +
// decode, off the main thread) and transfers the buffers the records were decoded into back.

import { parentPort } from 'node:worker_threads';
import { serializeError } from '../errors.js';
import { fileIdentityAt } from '../io/byte-source.js';
import { OutputArena } from '../io/output-arena.js';
import { ReadScratch } from '../io/read-scratch.js';
import { packRecords, recordsInPlace, transferList } from '../io/record-transfer.js';
import { ArrayRecordReader } from './reader.js';
import { presentRecords } from './skipped-chunk.js';
import type { ReadResponse, RequestedFile, WorkerLoaded, WorkerRequest } from './read-protocol.js';

/** Readers this worker keeps open, most recently used last. */
const MAX_OPEN_READERS = 32;
const readers = new Map<string, ArrayRecordReader>();
/** File bytes are read into this one buffer, request after request (records are decoded or copied out of it). */
const scratch = new ReadScratch();

/** The reader of the requested file; undefined when the path now names another file. */
function readerFor({ path, options, identity }: RequestedFile): ArrayRecordReader | undefined {
  const key = `${options}\u0000${identity}\u0000${path}`;
  let reader = readers.get(key);
  if (reader !== undefined) {
    readers.delete(key);
  } else {
    // Checked before opening too, so that a file deleted or replaced by something else is not
    // reported with the error of opening what is there now.
    if (fileIdentityAt(path) !== identity) return undefined;
    reader = new ArrayRecordReader(path, options);
    // Again after: the path may change between the two.
    if (reader.fileIdentity() !== identity) {
      reader.close();
      return undefined;
    }
    if (readers.size >= MAX_OPEN_READERS) {
      const [oldestKey, oldest] = readers.entries().next().value as [string, ArrayRecordReader];
      oldest.close();
      readers.delete(oldestKey);
    }
  }
  readers.set(key, reader);
  return reader;
}

/** Positions of the records a skipped chunk held, ascending. */
function missingPositions(records: readonly (Uint8Array | undefined)[]): number[] {
  const missing: number[] = [];
  for (let i = 0; i < records.length; i++) if (records[i] === undefined) missing.push(i);
  return missing;
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
    const reader = readerFor(request);
    if (reader === undefined) {
      port.postMessage({ kind: 'records', id: request.id, fileChanged: true } satisfies ReadResponse);
      return;
    }
    // Fresh for each request: its buffers leave with the records.
    const arena = new OutputArena();
    const read =
      request.kind === 'range'
        ? reader.readAvailableIntoArena(arena, scratch, request.from, request.to, request.skipDamaged)
        : reader.readAvailableIntoArena(arena, scratch, Array.from(request.indices), undefined, request.skipDamaged);
    const records = presentRecords(read);
    const transferable = recordsInPlace(records) ?? packRecords(records);
    response =
      read.skipped.length === 0
        ? { kind: 'records', id: request.id, records: transferable }
        : { kind: 'records', id: request.id, records: transferable, missing: missingPositions(read.records), skipped: read.skipped };
    port.postMessage(response, transferList(transferable));
  } catch (error) {
    response = { kind: 'records', id: request.id, error: serializeError(error) };
    port.postMessage(response);
  }
});
// Every import above, native addons included, is loaded by now.
port.postMessage({ kind: 'loaded' } satisfies WorkerLoaded);
