// A chunk encoding worker: compresses groups of records into chunk data (and its header, hashes
// included) off the writer's thread, and posts them back on the port it was given, then notifies the
// writer, which waits for replies synchronously (encode-pool).

import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '../errors.js';
import { zstdCodec } from '../riegeli/zstd-codec.js';
import { buildChunkHeader } from '../riegeli/chunk-header.js';
import { CHUNK_HEADER_SIZE } from '../riegeli/constants.js';
import { encodeBatch } from './encode-batch.js';
import { CHUNK_FIELDS, WorkerState, type EncodeReply, type EncodeRequest, type EncodeWorkerData } from './encode-protocol.js';

const { port, state, signal } = workerData as EncodeWorkerData;

/** Wakes the writer waiting on the pool's signal. */
function notify(): void {
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

/** Output buffers the writer handed back: fresh memory costs a page fault per 4 KiB, a reused buffer nothing. */
const spareOutputs: ArrayBuffer[] = [];
const MAX_SPARE_OUTPUTS = 4;

/** `total` bytes of output: a spare buffer large enough, or a fresh one. */
function outputOf(total: number): Uint8Array {
  const index = spareOutputs.findIndex((buffer) => buffer.byteLength >= total);
  if (index < 0) return new Uint8Array(total);
  const [buffer] = spareOutputs.splice(index, 1);
  return new Uint8Array(buffer!, 0, total);
}

function encode(request: EncodeRequest): { encoded: ArrayBuffer; chunks: Float64Array<ArrayBuffer> } {
  for (const buffer of request.spareOutputs) if (spareOutputs.length < MAX_SPARE_OUTPUTS) spareOutputs.push(buffer);
  const encodedChunks = encodeBatch(request.bytes, request.recordEnds, request.groupCounts, request.encoding);
  let total = 0;
  for (const chunk of encodedChunks) total += CHUNK_HEADER_SIZE + chunk.data.length;
  const encoded = outputOf(total);
  const chunks = new Float64Array(CHUNK_FIELDS * encodedChunks.length);
  let at = 0;
  encodedChunks.forEach((chunk, c) => {
    encoded.set(buildChunkHeader({ dataSize: chunk.data.length, ...chunk }, chunk.data), at);
    encoded.set(chunk.data, at + CHUNK_HEADER_SIZE);
    at += CHUNK_HEADER_SIZE + chunk.data.length;
    chunks.set([chunk.data.length, chunk.numRecords, chunk.decodedDataSize, chunk.chunkType], CHUNK_FIELDS * c);
  });
  return { encoded: encoded.buffer as ArrayBuffer, chunks };
}

function reply(message: EncodeReply, transfer: ArrayBuffer[]): void {
  port.postMessage(message, transfer);
  // After the post: the writer that wakes up finds the reply on its port.
  notify();
}

port.on('message', (request: EncodeRequest) => {
  let result: { encoded: ArrayBuffer; chunks: Float64Array<ArrayBuffer> };
  try {
    result = encode(request);
  } catch (error) {
    reply({ id: request.id, bytes: request.bytes, error: serializeError(error) }, [request.bytes]);
    return;
  }
  reply({ id: request.id, bytes: request.bytes, ...result }, [result.encoded, result.chunks.buffer, request.bytes]);
});

process.on('exit', () => {
  Atomics.store(state, WorkerState.exited, 1);
  notify();
});
// Native addons load now, not under a first request: a worker is never stopped while loading one
// (worker-lifetime.ts). Without any zstd path, zstd chunks fail when encoded, as on the writer's thread.
try {
  zstdCodec();
} catch {
  // reported by the encode that needs it
}
parentPort!.postMessage('loaded');
Atomics.store(state, WorkerState.ready, 1);
notify();
