// A read worker: opens files itself (with the layout the requesting reader sends, when it does), reads
// batches synchronously (pread + decode, off the main thread) and transfers the buffers the records
// were decoded into back.

import { parentPort } from 'node:worker_threads';
import { serializeError } from '../errors.js';
import { fileIdentityAt } from '../io/byte-source.js';
import { OutputArena } from '../io/output-arena.js';
import { ReadScratch } from '../io/read-scratch.js';
import { packRecords, recordsInPlace, transferList } from '../io/record-transfer.js';
import { readIntoArena } from './batch-read.js';
import { OpenedFile } from './opened-file.js';
import { readPassPart } from './pass-part.js';
import { presentRecords } from './skipped-chunk.js';
import type { ReadResponse, RequestedFile, WorkerLoaded, WorkerRequest } from './read-protocol.js';

/** Files this worker keeps open, most recently used last. */
const MAX_OPEN_FILES = 32;
const files = new Map<string, OpenedFile>();
/** File bytes are read into this one buffer, request after request (records are decoded or copied out of it). */
const scratch = new ReadScratch();

/** The requested file, open; undefined when the path now names another file. */
function fileFor({ path, options, identity, layout }: RequestedFile): OpenedFile | undefined {
  const key = `${options}\u0000${identity}\u0000${path}`;
  let file = files.get(key);
  if (file !== undefined) {
    files.delete(key);
  } else {
    // Checked before opening too, so that a file deleted or replaced by something else is not
    // reported with the error of opening what is there now.
    if (fileIdentityAt(path) !== identity) return undefined;
    file = layout === undefined ? OpenedFile.open(path, options) : OpenedFile.openWithLayout(path, options, layout);
    // Again after: the path may change between the two (and the layout is that of the file with this identity).
    if (file.requireOpen().identity !== identity) {
      file.close();
      return undefined;
    }
    if (files.size >= MAX_OPEN_FILES) {
      const [oldestKey, oldest] = files.entries().next().value as [string, OpenedFile];
      oldest.close();
      files.delete(oldestKey);
    }
  }
  files.set(key, file);
  return file;
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
    for (const [key, file] of files) {
      if (file.path === request.path) {
        file.close();
        files.delete(key);
      }
    }
    return;
  }
  let response: ReadResponse;
  try {
    const file = fileFor(request);
    if (file === undefined) {
      port.postMessage({ kind: 'records', id: request.id, fileChanged: true } satisfies ReadResponse);
      return;
    }
    if (request.kind === 'pass') {
      // Decoded into the buffers the requester sent back before any fresh one.
      const arena = new OutputArena(request.buffers);
      const part = readPassPart(file, arena, scratch, request.from, request.to, request.skipDamaged);
      const passBuffers = { used: arena.usedBuffers, fresh: arena.freshBuffers };
      response =
        part.skipped.length === 0
          ? { kind: 'records', id: request.id, records: part.records, passBuffers }
          : { kind: 'records', id: request.id, records: part.records, passBuffers, missing: part.missing ?? [], skipped: part.skipped };
      port.postMessage(response, transferList(part.records));
      return;
    }
    // Fresh for each request: its buffers leave with the records.
    const arena = new OutputArena();
    const read =
      request.kind === 'read'
        ? readIntoArena(file, arena, scratch, Array.from(request.indices), undefined, request.skipDamaged)
        : readIntoArena(file, arena, scratch, request.from, request.to, request.skipDamaged);
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
