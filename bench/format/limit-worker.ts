// A worker of the physical-limit measure (limits.ts), once per 'pass' message: decodes its share of a
// file's compressed payloads in memory with the bare codec, or encodes its share of the records' groups,
// or reads (writes) its share of the file from (to) the page cache, or reads its share of the file's
// chunks one read call each, in a scattered order (what a random read cannot do without), or takes
// fresh memory for its share of the records' bytes (what a read that hands out every record pays).

import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import zlib from 'node:zlib';
import zstd from 'zstd-napi/binding.js';
import { decodeBrotliReused } from '../../src/format/riegeli/zlib-reused-decoder.js';
import { snappyDecompress } from '../../src/format/riegeli/snappy-decoder.js';
import { snappyCompress } from '../../src/format/riegeli/snappy-encoder.js';

export type Codec = 'zstd' | 'brotli' | 'snappy';

/**
 * What a worker gets: payloads (blocks, consecutive in `bytes`, block i ending at ends[i]) to decode
 * (to sizes[i] bytes) or to encode (at `level`), or a byte range of a file to read or write.
 */
export type LimitTask =
  | { readonly kind: 'decode'; readonly codec: Codec; readonly bytes: Uint8Array; readonly ends: Float64Array; readonly sizes: Float64Array }
  | { readonly kind: 'encode'; readonly codec: Codec; readonly level: number; readonly bytes: Uint8Array; readonly ends: Float64Array }
  | { readonly kind: 'read' | 'write'; readonly path: string; readonly from: number; readonly to: number }
  | { readonly kind: 'seek'; readonly path: string; readonly offsets: Float64Array; readonly lengths: Float64Array }
  | { readonly kind: 'fresh'; readonly total: number };

const port = parentPort!;
let task: LimitTask | undefined;
const dctx = new zstd.DCtx();
const cctx = new zstd.CCtx();
let output = Buffer.allocUnsafeSlow(1 << 20);
const reuse = { take: (length: number, slack = 0) => output.subarray(0, length + slack).subarray(0, length) };

function decodeAll(codec: Codec, bytes: Uint8Array, ends: Float64Array, sizes: Float64Array): void {
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const src = bytes.subarray(start, ends[i]);
    start = ends[i]!;
    const size = sizes[i]!;
    if (size + 64 > output.length) output = Buffer.allocUnsafeSlow(2 * (size + 64));
    if (codec === 'zstd') dctx.decompress(output, src);
    else if (codec === 'snappy') snappyDecompress(src, size, reuse);
    // The reader's own reused decoder: brotliDecompressSync's per-call setup is not the codec's cost.
    else if (decodeBrotliReused(src, size, reuse) === undefined) zlib.brotliDecompressSync(src);
  }
}

function encodeAll(codec: Codec, level: number, bytes: Uint8Array, ends: Float64Array): void {
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const src = bytes.subarray(start, ends[i]);
    start = ends[i]!;
    const bound = zstd.compressBound(src.length);
    if (bound > output.length) output = Buffer.allocUnsafeSlow(2 * bound);
    if (codec === 'zstd') cctx.compress(output, src, level);
    else if (codec === 'snappy') snappyCompress(src, 0);
    else zlib.brotliCompressSync(src, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: level, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: src.length } });
  }
}

function transferRange(kind: 'read' | 'write', path: string, from: number, to: number): void {
  const fd = fs.openSync(path, kind === 'read' ? 'r' : 'w');
  try {
    for (let position = from; position < to; position += output.length) {
      const length = Math.min(output.length, to - position);
      if (kind === 'read') fs.readSync(fd, output, 0, length, position);
      else fs.writeSync(fd, output, 0, length, position - from);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** One positioned read per chunk, into the same buffer: the cost of reaching a chunk at random. */
function readChunks(path: string, offsets: Float64Array, lengths: Float64Array): void {
  const fd = fs.openSync(path, 'r');
  try {
    for (let i = 0; i < offsets.length; i++) {
      const length = lengths[i]!;
      if (length > output.length) output = Buffer.allocUnsafeSlow(2 * length);
      fs.readSync(fd, output, 0, length, offsets[i]!);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The buffer size the reader's arenas grow to (MAX_BLOCK of src/format/io/output-arena.ts): memory
 * taken in pieces this size, kept for the pass as its records are, then dropped.
 */
const FRESH_PIECE = 64 * 1024;
const PAGE = 4096;

/**
 * Takes `bytes` of fresh memory and writes one byte of each page: the page faults a read pays to hand
 * out records that outlive it, whatever its decoder (the decode itself is the 'decode' task's cost).
 */
function takeFresh(bytes: number): void {
  const pieces: Uint8Array[] = [];
  for (let left = bytes; left > 0; left -= FRESH_PIECE) {
    const piece = new Uint8Array(new ArrayBuffer(Math.min(FRESH_PIECE, left)));
    for (let at = 0; at < piece.length; at += PAGE) piece[at] = 1;
    pieces.push(piece);
  }
}

port.on('message', (message: LimitTask | 'pass') => {
  if (message !== 'pass') {
    task = message;
    port.postMessage('ready');
    return;
  }
  const work = task!;
  if (work.kind === 'decode') decodeAll(work.codec, work.bytes, work.ends, work.sizes);
  else if (work.kind === 'encode') encodeAll(work.codec, work.level, work.bytes, work.ends);
  else if (work.kind === 'seek') readChunks(work.path, work.offsets, work.lengths);
  else if (work.kind === 'fresh') takeFresh(work.total);
  else transferRange(work.kind, work.path, work.from, work.to);
  port.postMessage('done');
});
