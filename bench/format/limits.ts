// The physical limits of one file, measured in this (fresh) process on `threads` threads:
// - read: the bare codec decoding the file's compressed record values in memory (no framing, hashing
//   or record splitting); for an uncompressed file, reading the file from the page cache;
// - write: the bare codec compressing the records of each chunk (the workload, grouped as the file
//   is), in memory; for an uncompressed file, writing the file's size to the page cache;
// - seek: one positioned read per data chunk, of exactly its bytes, in a scattered order: what a random
//   read pays to reach each chunk it needs, before any decoding;
// - fresh: the records' bytes (decoded) taken as fresh memory, each page written once: what a read
//   that hands out every record as memory of its own (readAll) pays on top of decoding.
// Each is one untimed pass, then the timed one. Prints one JSON line: { read, write, seek, fresh } (PassResult
// each, records per second of the file). Run: limits.ts <file> <writer options> <threads>

import fs from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { readFileLayout } from '../../src/format/arrayrecord/footer.js';
import { parseWriterOptions } from '../../src/format/arrayrecord/writer-options.js';
import { LocalFile } from '../../src/format/io/byte-source.js';
import { siblingModule, startModuleWorker } from '../../src/format/io/module-worker.js';
import { VarintCursor } from '../../src/format/riegeli/bytes.js';
import { scanChunks } from '../../src/format/riegeli/chunk-scan.js';
import { ChunkType, CompressionType } from '../../src/format/riegeli/constants.js';
import { workloadRecords } from '../workload.js';
import type { Codec, LimitTask } from './limit-worker.js';
import { twoPasses, type PassResult } from './pass.js';

const CODECS: Record<number, Codec> = {
  [CompressionType.zstd]: 'zstd',
  [CompressionType.brotli]: 'brotli',
  [CompressionType.snappy]: 'snappy',
};

interface Block {
  readonly bytes: Uint8Array;
  /** Decoded size (decode blocks). */
  readonly size: number;
}

/** Where a data chunk lies in the file: [begin, end). */
interface ChunkSpan {
  readonly begin: number;
  readonly end: number;
}

/**
 * The compressed record values of every data chunk of `path` (simple chunks), without their size
 * prefix, and where each data chunk lies.
 */
function compressedValues(path: string): { records: number; blocks: Block[]; spans: ChunkSpan[] } {
  const source = LocalFile.open(path);
  const blocks: Block[] = [];
  const spans: ChunkSpan[] = [];
  let records = 0;
  try {
    const { footerOffset } = readFileLayout(source).layout;
    for (const item of scanChunks(source)) {
      // The footer and the postscript are simple chunks too, after the data chunks.
      if (item.kind !== 'chunk' || item.chunk.begin >= footerOffset) break;
      if (item.chunk.header.chunkType !== ChunkType.simple) continue;
      spans.push({ begin: item.chunk.begin, end: item.chunk.end });
      const { data } = item.chunk;
      records += item.chunk.header.numRecords;
      const cursor = new VarintCursor(data, 1);
      const sizesLength = cursor.readVarint('sizes length');
      const values = new VarintCursor(data, cursor.pos + sizesLength);
      const size = data[0] === CompressionType.none ? data.length - values.pos : values.readVarint('values size');
      blocks.push({ bytes: data.slice(values.pos), size });
    }
  } finally {
    source.close();
  }
  return { records, blocks, spans };
}

/** The workload's records grouped as the writer groups them: one block per chunk. */
function groupedRecords(groupSize: number): Block[] {
  const records = workloadRecords();
  const blocks: Block[] = [];
  for (let first = 0; first < records.length; first += groupSize) {
    const group = records.slice(first, first + groupSize);
    const bytes = new Uint8Array(group.reduce((sum, record) => sum + record.length, 0));
    let at = 0;
    for (const record of group) {
      bytes.set(record, at);
      at += record.length;
    }
    blocks.push({ bytes, size: bytes.length });
  }
  return blocks;
}

/** Worker `w` of `n`'s share of `blocks` (every n-th, so sizes balance), as one buffer with ends. */
function share(blocks: readonly Block[], w: number, n: number): { bytes: Uint8Array; ends: Float64Array; sizes: Float64Array } {
  const mine = blocks.filter((_, i) => i % n === w);
  const bytes = new Uint8Array(mine.reduce((sum, block) => sum + block.bytes.length, 0));
  const ends = new Float64Array(mine.length);
  const sizes = new Float64Array(mine.length);
  let end = 0;
  mine.forEach((block, i) => {
    bytes.set(block.bytes, end);
    end += block.bytes.length;
    ends[i] = end;
    sizes[i] = block.size;
  });
  return { bytes, ends, sizes };
}

/** Worker `w` of `n`'s share of the chunks (every n-th), in an order scattered by a seeded shuffle. */
function scatteredSpans(spans: readonly ChunkSpan[], w: number, n: number): { offsets: Float64Array; lengths: Float64Array } {
  const mine = spans.filter((_, i) => i % n === w);
  let state = w + 1;
  for (let i = mine.length - 1; i > 0; i--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = (state >>> 0) % (i + 1);
    [mine[i], mine[j]] = [mine[j]!, mine[i]!];
  }
  return { offsets: Float64Array.from(mine, (span) => span.begin), lengths: Float64Array.from(mine, (span) => span.end - span.begin) };
}

function send(worker: Worker, message: unknown, transfer: ArrayBuffer[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.once('message', () => {
      worker.off('error', reject);
      resolve();
    });
    worker.once('error', reject);
    worker.postMessage(message, transfer);
  });
}

/** Gives each worker its task, then times two passes of all of them at once. */
async function timed(workers: readonly Worker[], measure: string, records: number, task: (w: number) => LimitTask): Promise<PassResult> {
  await Promise.all(
    workers.map((worker, w) => {
      const given = task(w);
      return send(worker, given, 'bytes' in given ? [given.bytes.buffer as ArrayBuffer] : []);
    }),
  );
  return { ...(await twoPasses(measure, records, () => Promise.all(workers.map((worker) => send(worker, 'pass'))))), threads: workers.length };
}

const [path, options, threadsText] = process.argv.slice(2) as [string, string, string];
const threads = Number(threadsText);
const { compression, groupSize } = parseWriterOptions(options);
const codec = CODECS[compression.type];
const size = fs.statSync(path).size;
const { records, blocks, spans } = compressedValues(path);
const workers = Array.from({ length: threads }, () => startModuleWorker(siblingModule(import.meta.url, 'limit-worker')));
const range = (w: number): { from: number; to: number } => ({ from: Math.floor((w * size) / threads), to: Math.floor(((w + 1) * size) / threads) });
try {
  let read: PassResult;
  let write: PassResult;
  if (codec === undefined) {
    read = await timed(workers, 'page-cache-read', records, (w) => ({ kind: 'read', path, ...range(w) }));
    write = await timed(workers, 'page-cache-write', records, (w) => ({ kind: 'write', path: `${path}.limit-${w}`, ...range(w) }));
    for (let w = 0; w < threads; w++) fs.rmSync(`${path}.limit-${w}`, { force: true });
  } else {
    read = await timed(workers, `${codec}-decode`, records, (w) => ({ kind: 'decode', codec, ...share(blocks, w, threads) }));
    const groups = groupedRecords(groupSize);
    write = await timed(workers, `${codec}-encode`, records, (w) => {
      const { bytes, ends } = share(groups, w, threads);
      return { kind: 'encode', codec, level: compression.level, bytes, ends };
    });
  }
  const seek = await timed(workers, 'chunk-reads', records, (w) => ({ kind: 'seek', path, ...scatteredSpans(spans, w, threads) }));
  const fresh = await timed(workers, 'fresh-memory', records, (w) => ({ kind: 'fresh', total: share(blocks, w, threads).sizes.reduce((sum, size) => sum + size, 0) }));
  console.log(JSON.stringify({ read, write, seek, fresh }));
} finally {
  await Promise.all(workers.map((worker) => worker.terminate()));
}
