// The bytes of a gzip- or zlib-compressed input, with Node's zlib errors (which name no file and no
// offset) turned into typed errors that do, and with what zlib would silently skip refused.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { ArrayRecordError, CorruptFileError } from '../errors.js';
import type { ByteStream } from '../io/byte-stream.js';

/** A compression an input can have. */
type Compression = 'gzip' | 'zlib';

/**
 * The decompressed bytes of the rest of `compressed`. gzip members written one after another (as
 * `cat a.gz b.gz` makes) are read in turn, as TensorFlow reads them; a zlib stream must end the input.
 * @param name names the input in errors.
 * @throws (while iterating) CorruptFileError for a corrupt, truncated or over-long compressed stream,
 *   with the compressed offset zlib had reached.
 */
export function decompressedBytes(compressed: ByteStream, compression: Compression, name: string): AsyncIterable<Uint8Array> {
  const start = compressed.position;
  const decompressor = compression === 'gzip' ? zlib.createGunzip() : zlib.createInflate();
  pipeline(Readable.from(compressed.rest()), decompressor).catch(() => {
    // The error reaches the reader through the decompressor, which the pipeline destroys with it.
  });
  return checked(decompressor, compression, name, () => compressed.bytesReceived - start);
}

async function* checked(decompressor: zlib.Gunzip | zlib.Inflate, compression: Compression, name: string, fed: () => number): AsyncGenerator<Uint8Array> {
  let produced = 0;
  try {
    for await (const chunk of decompressor as AsyncIterable<Uint8Array>) {
      produced += chunk.length;
      yield chunk;
    }
  } catch (error) {
    throw typedError(error, compression, name, { consumed: decompressor.bytesWritten, fed: fed(), produced });
  }
  // Node's inflate stops at the end of the zlib stream and drops what follows: records lost unseen.
  const trailing = fed() - decompressor.bytesWritten;
  if (compression === 'zlib' && trailing > 0) {
    throw new CorruptFileError(`the zlib stream ends after ${decompressor.bytesWritten} compressed bytes, but ${trailing} more bytes follow it`, {
      path: name,
      offset: decompressor.bytesWritten,
    });
  }
}

/** How far decompression got: compressed bytes zlib took without error, compressed bytes given it, bytes it returned. */
interface Progress {
  readonly consumed: number;
  readonly fed: number;
  readonly produced: number;
}

/**
 * `error` from the decompressor as a CorruptFileError naming the input; errors of the source (an
 * IoError reading the file) pass unchanged. zlib does not say where in its input it failed, only that
 * it was in the bytes given it since its last success: the offset is the start of those.
 */
function typedError(error: unknown, compression: Compression, name: string, progress: Progress): unknown {
  if (error instanceof ArrayRecordError || !isZlibError(error)) return error;
  const { consumed, fed, produced } = progress;
  const message =
    error.code === 'Z_BUF_ERROR'
      ? `the ${compression} stream ends after ${fed} compressed bytes (${produced} bytes decompressed) in the middle of compressed data, more was expected (truncated)`
      : `the ${compression} stream is corrupt in compressed bytes ${consumed} to ${fed} (${produced} bytes decompressed before): ${error.message}`;
  return new CorruptFileError(message, { path: name, offset: error.code === 'Z_BUF_ERROR' ? fed : consumed }, { cause: error });
}

function isZlibError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | undefined)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('Z_');
}
