// TFRecord records read front to back from a stream of unknown length (a pipe, stdin, a gunzip),
// both CRCs of each record checked.

import { CorruptFileError } from '../errors.js';
import type { ByteStream } from '../io/byte-stream.js';
import { readU32 } from '../riegeli/bytes.js';
import { maskedCrc32c } from './crc32c.js';
import { checkDataCrc, checkLengthCrc, HEADER_SIZE, FOOTER_SIZE, recordLength } from './tfrecord-frame.js';

/**
 * True when `bytes` (the first bytes of a stream, at least 12) start like a TFRecord file: the
 * length's masked CRC-32C matches.
 */
export function looksLikeTFRecord(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER_SIZE && maskedCrc32c(bytes.subarray(0, 8)) === readU32(bytes, 8);
}

/**
 * Yields the records of a TFRecord stream.
 * @param where names the input in errors.
 * @param size the stream's length when known (an uncompressed file): a record longer than what is
 *   left is then refused as truncated before any of it is read.
 * @throws CorruptFileError for a CRC mismatch or a record cut short; UnsupportedError for a record
 *   longer than a buffer can hold.
 */
export async function* readTFRecordStream(stream: ByteStream, where: string, size?: number): AsyncGenerator<Uint8Array> {
  for (;;) {
    const at = stream.position;
    const header = await stream.read(HEADER_SIZE);
    if (header.length === 0) return;
    if (header.length < HEADER_SIZE) {
      throw new CorruptFileError(`TFRecord record header needs ${HEADER_SIZE} bytes, the stream ends after ${header.length} (truncated)`, {
        path: where,
        offset: at,
      });
    }
    checkLengthCrc(header, { path: where, offset: at });
    const length = recordLength(header, { path: where, offset: at }, size === undefined ? undefined : size - at - HEADER_SIZE);
    // Reading stops at `length + 4` bytes: a bogus length costs at most what the stream really holds.
    const data = await stream.read(length + FOOTER_SIZE);
    if (data.length < length + FOOTER_SIZE) {
      throw new CorruptFileError(`TFRecord record data needs ${length + FOOTER_SIZE} bytes, the stream ends after ${data.length} (truncated)`, {
        path: where,
        offset: at + HEADER_SIZE,
      });
    }
    yield checkDataCrc(data, length, { path: where, offset: at + HEADER_SIZE });
  }
}
