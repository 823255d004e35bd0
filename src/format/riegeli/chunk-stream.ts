// The chunks of a Riegeli/records file read front to back from a stream of unknown length (a pipe,
// stdin): each chunk's header, block headers and hashes verified, no seeking.

import { CorruptFileError, NotArrayRecordError } from '../errors.js';
import type { ByteStream } from '../io/byte-stream.js';
import { chunkDataSpan, chunkHeaderSpan, readChunkFromBuffer, readChunkHeaderFromBuffer, type RawChunk } from './chunk-frame.js';
import { ChunkType } from './constants.js';

/**
 * Yields the chunks of a Riegeli file from `stream`, which must be at the file's start; the stream
 * may end inside the last chunk's padding, never inside its header or data.
 * @param where names the input in errors.
 * @throws NotArrayRecordError when the first chunk is not the file signature; CorruptFileError for a
 *   hash mismatch, a chunk cut short, or block headers that disagree with the chunks.
 */
export async function* readChunkStream(stream: ByteStream, where: string): AsyncGenerator<RawChunk> {
  let begin = stream.position;
  for (;;) {
    const headerSpan = chunkHeaderSpan(begin);
    const head = await stream.peek(headerSpan);
    if (head.length === 0) return;
    if (head.length < headerSpan) {
      throw new CorruptFileError(`the stream ends inside the header of the chunk at ${begin} (truncated)`, { path: where, offset: begin });
    }
    const header = readChunkHeaderFromBuffer(head, begin, begin, where);
    if (begin === 0 && header.chunkType !== ChunkType.fileSignature) {
      throw new NotArrayRecordError('not a Riegeli file: the first chunk is not the file signature', { path: where, offset: 0 });
    }
    const span = chunkDataSpan(begin, header);
    const bytes = await stream.read(span);
    if (bytes.length < span) {
      throw new CorruptFileError(`the chunk at ${begin} needs ${span} bytes, the stream ends after ${bytes.length} (truncated)`, {
        path: where,
        offset: begin,
      });
    }
    const chunk = readChunkFromBuffer(bytes, begin, begin, where);
    // Its padding (zeros and block headers) up to where the next chunk begins.
    await stream.skip(chunk.end - (begin + span));
    yield chunk;
    begin = chunk.end;
  }
}
