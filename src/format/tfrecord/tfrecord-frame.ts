// Checks of one TFRecord frame (u64 length, masked CRC-32C of the length, data, masked CRC-32C of the
// data), shared by the file and stream readers so that both report a bad frame alike.

import { constants as bufferConstants } from 'node:buffer';
import { CorruptFileError, UnsupportedError, type ErrorLocation } from '../errors.js';
import { readU32, readU64 } from '../riegeli/bytes.js';
import { maskedCrc32c } from './crc32c.js';

/** Bytes before a record's data: its length and the length's CRC. */
export const HEADER_SIZE = 12;
/** Bytes after a record's data: its CRC. */
export const FOOTER_SIZE = 4;
/** The longest record one buffer can hold with its CRC; a longer length cannot be read here. */
export const MAX_RECORD_LENGTH = bufferConstants.MAX_LENGTH - FOOTER_SIZE;
/**
 * The longest record of an input whose size is unknown (compressed, or a pipe): 2 GiB - 1, protobuf's
 * limit for a message. Such a record is buffered whole before its CRC can be checked, so a bogus length
 * (a gzip bomb behind a forged header) would otherwise take as much memory as it claims; and Node 22 on
 * lets one buffer hold 2^53 - 1 bytes, so the buffer's own limit bounds nothing there.
 */
export const MAX_STREAM_RECORD_LENGTH = 2 ** 31 - 1;

const hex = (value: number): string => `0x${value.toString(16).padStart(8, '0')}`;

/** Throws CorruptFileError unless the 12-byte `header`'s stored length CRC is the computed one. */
export function checkLengthCrc(header: Uint8Array, at: ErrorLocation): void {
  const stored = readU32(header, 8);
  const computed = maskedCrc32c(header.subarray(0, 8));
  if (stored !== computed) {
    throw new CorruptFileError(`TFRecord length CRC mismatch: stored ${hex(stored)}, computed ${hex(computed)} from the length bytes`, at);
  }
}

/**
 * The record length in `header` (whose CRC was checked), refused before anything is allocated for it
 * when it exceeds `left` (the bytes left after the header, when known), what a buffer can hold, or, when
 * the input's size is unknown, MAX_STREAM_RECORD_LENGTH.
 */
export function recordLength(header: Uint8Array, at: ErrorLocation, left?: number): number {
  const length = readU64(header, 0, 'TFRecord length', at);
  if (left !== undefined && length + FOOTER_SIZE > left) {
    throw new CorruptFileError(`TFRecord record data needs ${length + FOOTER_SIZE} bytes, the file ends after ${Math.max(0, left)} (truncated)`, {
      ...at,
      offset: (at.offset ?? 0) + HEADER_SIZE,
    });
  }
  const most = left === undefined ? Math.min(MAX_STREAM_RECORD_LENGTH, MAX_RECORD_LENGTH) : MAX_RECORD_LENGTH;
  if (length > most) {
    const which = left === undefined ? 'a record of an input of unknown size (compressed, or a pipe) may have' : 'one record can have here';
    throw new UnsupportedError(`TFRecord length is ${length} bytes, more than the ${most} ${which}`, at);
  }
  return length;
}

/** The record in `data` (the record then its CRC), after checking that CRC. */
export function checkDataCrc(data: Uint8Array, length: number, at: ErrorLocation): Uint8Array {
  const record = data.subarray(0, length);
  const stored = readU32(data, length);
  const computed = maskedCrc32c(record);
  if (stored !== computed) {
    throw new CorruptFileError(`TFRecord data CRC mismatch for a ${length}-byte record: stored ${hex(stored)}, computed ${hex(computed)}`, at);
  }
  return record;
}
