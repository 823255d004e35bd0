// Writes an ArrayRecord file and reads it back: sequentially, by indices, by range, asynchronously,
// into a reused scratch buffer, and into an arena whose buffers move to another thread uncopied.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import {
  ArrayRecordReader,
  ArrayRecordWriter,
  OutputArena,
  ReadScratch,
  recordsInPlace,
  transferList,
  unpackRecords,
  type TransferableRecords,
} from '../src/index.js';

// A directory of its own (removed at the end), so that runs side by side never share the file.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'write-and-read-'));
const file = path.join(dir, 'example.array_record');

const writer = new ArrayRecordWriter(file, 'group_size:1,zstd:3');
for (let i = 0; i < 1000; i++) writer.write(`record number ${i}`);
writer.close();

const reader = new ArrayRecordReader(file);
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
console.log(`${file}: ${reader.numRecords()} records, written with "${reader.writerOptionsString()}"`);
console.log('first record:', text(reader.read()));
console.log('by indices:', reader.read([999, 0, 500]).map(text));
console.log('range [10, 13):', reader.read(10, 13).map(text));
console.log('async:', (await reader.readAsync([1, 2])).map(text));
const scratch = new ReadScratch();
for (const start of [0, 500]) {
  // Decoding copies the text out, before the next read reuses the scratch.
  console.log(`scratch [${start}, ${start + 2}):`, reader.readWithScratch(scratch, start, start + 2).map(text));
}
// Moving records to another thread (here through a channel to this one, as a worker's port would).
const { port1, port2 } = new MessageChannel();
const moved = recordsInPlace(reader.readIntoArena(new OutputArena(), scratch, [7, 8]))!;
port1.postMessage(moved, transferList(moved));
const received = unpackRecords(receiveMessageOnPort(port2)!.message as TransferableRecords);
console.log('moved to another thread:', received.map(text));
port1.close();
reader.close();
fs.rmSync(dir, { recursive: true, force: true });
