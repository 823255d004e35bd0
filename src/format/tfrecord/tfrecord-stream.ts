// TFRecord records read front to back from a stream of unknown length (a pipe, stdin, a gunzip),
// both CRCs of each record checked.

import { CorruptFileError } from '../errors.js';
import type { ByteStream } from '../io/byte-stream.js';
import { readU32, readU64 } from '../riegeli/bytes.js';
import { maskedCrc32c } from './crc32c.js';

const HEADER_SIZE = 12;
const FOOTER_SIZE = 4;

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
 * @throws CorruptFileError for a CRC mismatch or a record cut short.
 */
export async function* readTFRecordStream(stream: ByteStream, where: string): AsyncGenerator<Uint8Array> {
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
    if (maskedCrc32c(header.subarray(0, 8)) !== readU32(header, 8)) {
      throw new CorruptFileError('TFRecord length CRC mismatch', { path: where, offset: at });
    }
    const length = readU64(header, 0, 'TFRecord length', { path: where, offset: at });
    const data = await stream.read(length + FOOTER_SIZE);
    if (data.length < length + FOOTER_SIZE) {
      throw new CorruptFileError(`TFRecord record data needs ${length + FOOTER_SIZE} bytes, the stream ends after ${data.length} (truncated)`, {
        path: where,
        offset: at + HEADER_SIZE,
      });
    }
    const record = data.subarray(0, length);
    if (maskedCrc32c(record) !== readU32(data, length)) {
      throw new CorruptFileError(`TFRecord data CRC mismatch for a ${length}-byte record`, { path: where, offset: at + HEADER_SIZE });
    }
    yield record;
  }
}
