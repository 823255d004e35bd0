// Block codecs of Riegeli chunk data (none, zstd, brotli, snappy) and the varint decompressed-size prefix.

import zlib from 'node:zlib';
import { CorruptFileError, UnsupportedError } from '../errors.js';
import { SHARED_SLABS, type ByteAllocator } from '../io/output-arena.js';
import { CompressionType, type CompressionTypeCode } from './constants.js';
import { varintLength, VarintCursor, writeVarint } from './bytes.js';
import { partOf, type Where } from '../place.js';
import { snappyDecompress } from './snappy-decoder.js';
import { snappyCompress } from './snappy-encoder.js';
import { decodeStoredBrotliStream } from './brotli-stored-stream.js';
import { decodeBrotliReused } from './zlib-reused-decoder.js';
import { zstdCodec } from './zstd-codec.js';
import { decodeStoredZstdFrame, verifyZstdContentSize } from './zstd-frame.js';
import { TINY_BLOCK_SIZE, tinyBlock } from './tiny-blocks.js';

/** How a writer compresses blocks: the codec, its level and (zstd, brotli) its window. */
export interface CompressorOptions {
  readonly type: CompressionTypeCode;
  /** zstd -131072..22, brotli 0..11; ignored by none and snappy. */
  readonly level: number;
  /** log2 of the LZ77 window (10..31), undefined for the codec's default. */
  readonly windowLog?: number | undefined;
}

export const UNCOMPRESSED: CompressorOptions = { type: CompressionType.none, level: 0 };

/** Stands for brotli (node:zlib) and snappy (ours), which, unlike zstd, are the same all along a process. */
const FIXED_CODECS = {};

/** Riegeli's brotli default window (BROTLI_DEFAULT_WINDOW); larger ones need brotli's large-window mode. */
const BROTLI_DEFAULT_WINDOW_LOG = 22;
const BROTLI_MAX_REGULAR_WINDOW_LOG = 24;

function compressZstd(data: Uint8Array, level: number, windowLog: number | undefined, headroom: number): Uint8Array {
  return zstdCodec().compress(data, level, windowLog, headroom);
}

/** The most a brotli stream of `length` bytes can take (BrotliEncoderMaxCompressedSize), and zlib's least chunk. */
function brotliOutputRoom(length: number): number {
  return Math.max(64, length + 4 * Math.floor(length / (1 << 14)) + 6);
}

function compressBrotli(data: Uint8Array, level: number, windowLog: number | undefined): Uint8Array {
  const lgwin = windowLog ?? BROTLI_DEFAULT_WINDOW_LOG;
  return zlib.brotliCompressSync(data, {
    // An output buffer that holds the whole stream: zlib's default (16 KiB) is a fresh allocation per
    // call, where a small block's output comes from Buffer's pool. Brotli's bytes do not depend on it.
    chunkSize: brotliOutputRoom(data.length),
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: level,
      [zlib.constants.BROTLI_PARAM_LGWIN]: lgwin,
      [zlib.constants.BROTLI_PARAM_LARGE_WINDOW]: lgwin > BROTLI_MAX_REGULAR_WINDOW_LOG ? 1 : 0,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
}

/**
 * Compresses `data` with a real codec into a buffer whose compressed bytes start after `headroom`
 * bytes left for the caller (zstd and snappy compress in place there; brotli output is copied).
 */
function compressAfter(options: CompressorOptions, data: Uint8Array, headroom: number): Uint8Array {
  switch (options.type) {
    case CompressionType.zstd:
      return compressZstd(data, options.level, options.windowLog, headroom);
    case CompressionType.snappy:
      return snappyCompress(data, headroom);
    default: {
      const compressed = compressBrotli(data, options.level, options.windowLog);
      const block = new Uint8Array(headroom + compressed.length);
      block.set(compressed, headroom);
      return block;
    }
  }
}

/**
 * Encodes a block as Riegeli stores it: for a real codec, varint(decompressed size) then the
 * compressed bytes; uncompressed blocks are stored as they are.
 */
export function encodeBlock(options: CompressorOptions, data: Uint8Array): Uint8Array {
  if (options.type === CompressionType.none) return data;
  if (data.length <= TINY_BLOCK_SIZE) {
    const codec = options.type === CompressionType.zstd ? zstdCodec() : FIXED_CODECS;
    return tinyBlock(codec, options, data, () => encodeBlockAfter(options, data, 0));
  }
  return encodeBlockAfter(options, data, 0);
}

/**
 * Encodes a block as encodeBlock does, into a new buffer where it starts after `headroom` bytes left for
 * the caller: what precedes a chunk's last block is written there, and the block is never copied.
 */
export function encodeBlockAfter(options: CompressorOptions, data: Uint8Array, headroom: number): Uint8Array {
  if (options.type === CompressionType.none) {
    // Not zeroed, as the codecs' buffers are not: every byte is written, here or by the caller.
    const block = Buffer.allocUnsafe(headroom + data.length);
    block.set(data, headroom);
    return block;
  }
  const block = compressAfter(options, data, headroom + varintLength(data.length));
  writeVarint(block, headroom, data.length);
  return block;
}

function describeType(type: number): string {
  switch (type) {
    case CompressionType.none:
      return 'none';
    case CompressionType.zstd:
      return 'zstd';
    case CompressionType.brotli:
      return 'brotli';
    case CompressionType.snappy:
      return 'snappy';
    default:
      return `0x${type.toString(16)}`;
  }
}

/** True for the four compression type bytes the format defines. */
export function isKnownCompressionType(type: number): type is CompressionTypeCode {
  return type === CompressionType.none || type === CompressionType.zstd || type === CompressionType.brotli || type === CompressionType.snappy;
}

/** zstd outputs up to this size are allocated without reading the frame first (most chunks of small records). */
const UNCHECKED_ZSTD_SIZE = 64 * 1024;

function decompressZstd(src: Uint8Array, size: number, output: ByteAllocator, needed: number): Uint8Array {
  // The output is allocated whole before zstd runs: a large size prefix must agree with what the frame
  // declares and what its blocks can hold. A small one cannot hurt, and zstd checks what it produces.
  if (size > UNCHECKED_ZSTD_SIZE) verifyZstdContentSize(src, size);
  // Stored blocks only (a one-record chunk's record sizes, incompressible records): a copy, no native call.
  return decodeStoredZstdFrame(src, size, output) ?? zstdCodec().decompress(src, size, output, needed);
}

function decompressBrotli(src: Uint8Array, size: number, output: ByteAllocator): Uint8Array {
  const decoded = decodeStoredBrotliStream(src, size, output) ?? decodeBrotliReused(src, size, output);
  if (decoded !== undefined) return decoded;
  // Damage, a large-window stream or a Node whose zlib the reused decoder cannot drive: a decoder of
  // its own for this block, which also words what is wrong.
  return zlib.brotliDecompressSync(src, {
    chunkSize: Math.max(64, Math.min(size, 1 << 24)),
    maxOutputLength: Math.max(size, 1),
    params: { [zlib.constants.BROTLI_DECODER_PARAM_LARGE_WINDOW]: 1 },
  });
}


/**
 * Decodes a block stored with compression `type` (with its varint size prefix for real codecs)
 * and checks that it yields exactly the size the prefix announces.
 * @param what names the block in error messages (e.g. "record sizes of chunk at 64").
 * @param output where zstd, snappy and stored brotli streams write what they decompress (other brotli
 *   streams come back in zlib's buffer);
 *   an uncompressed block is returned as the view it is.
 * @param needed how many leading bytes the caller reads: zstd on zstd-napi then decodes only those and
 *   returns them (a sparse read of a large chunk); other codecs return the whole block.
 * @throws CorruptFileError for a bad prefix, a codec failure or a size mismatch;
 *   UnsupportedError for an unknown compression type.
 */
export function decodeBlock(
  type: number,
  block: Uint8Array,
  what: Where,
  maxSize = Number.MAX_SAFE_INTEGER,
  output: ByteAllocator = SHARED_SLABS,
  needed = Number.MAX_SAFE_INTEGER,
): Uint8Array {
  return decodeBlockIn(type, block, 0, block.length, undefined, what, maxSize, output, needed);
}

/**
 * decodeBlock of the block at data[begin, end), named `part` of `where` (just `where` when `part` is
 * undefined): a chunk's blocks are decoded without a view of each and without naming them until an
 * error does (a one-record chunk otherwise allocates more for them than for its record).
 */
export function decodeBlockIn(
  type: number,
  data: Uint8Array,
  begin: number,
  end: number,
  part: string | undefined,
  where: Where,
  maxSize = Number.MAX_SAFE_INTEGER,
  output: ByteAllocator = SHARED_SLABS,
  needed = Number.MAX_SAFE_INTEGER,
): Uint8Array {
  if (type === CompressionType.none) return begin === 0 && end === data.length ? data : data.subarray(begin, end);
  if (!isKnownCompressionType(type)) {
    throw new UnsupportedError(`unknown compression type ${describeType(type)} in ${blockName(part, where)}; expected none, zstd, brotli or snappy`);
  }
  // The size prefix: up to 4 bytes read here, anything else (longer, truncated) by VarintCursor, which
  // names what is wrong.
  let pos = begin;
  let size = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= end || shift > 21) {
      // Over a view of the block, so an error's offset counts from the block as it always did.
      const cursor = new VarintCursor(data.subarray(begin, end));
      size = cursor.readVarint(partOf('decompressed size', blockName(part, where)));
      pos = begin + cursor.pos;
      break;
    }
    const byte = data[pos++]!;
    size |= (byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  if (size > maxSize) {
    throw new CorruptFileError(`${blockName(part, where)} claims ${size} decompressed bytes, more than the ${maxSize} the chunk header allows`);
  }
  let decoded: Uint8Array;
  try {
    if (type === CompressionType.snappy) decoded = snappyDecompress(data, size, output, pos, end);
    else if (type === CompressionType.zstd) decoded = decompressZstd(data.subarray(pos, end), size, output, Math.min(needed, size));
    else decoded = decompressBrotli(data.subarray(pos, end), size, output);
  } catch (cause) {
    // A codec that cannot run here (zstd without its addon) is not damage in the file.
    if (cause instanceof UnsupportedError) throw cause;
    throw new CorruptFileError(`${describeType(type)} could not decompress ${blockName(part, where)}: ${(cause as Error).message}`, {}, { cause });
  }
  if (decoded.length !== size && decoded.length !== needed) {
    throw new CorruptFileError(`${describeType(type)} decompressed ${blockName(part, where)} to ${decoded.length} bytes, expected ${size}`);
  }
  return decoded;
}

/** The name of a block in errors: `part` of `where`, or `where`. */
function blockName(part: string | undefined, where: Where): Where {
  return part === undefined ? where : partOf(part, where);
}

/**
 * Checks that this process can run the codec of `options`, so a writer fails before it creates its file.
 * @throws UnsupportedError for zstd when no zstd path loads here (see zstd-codec.ts).
 */
export function checkCompressor(options: CompressorOptions): void {
  if (options.type === CompressionType.zstd) zstdCodec();
}
