// Decides whether bytes are a proto message in canonical wire encoding, the test the transposed encoder splits records by.

import { WireType } from './constants.js';

/**
 * Reads proto wire varints from a byte range. `pos` advances past what was read; `value` holds the
 * last varint32 (varint64s are only skipped, as the encoder never needs their values).
 */
export class WireScanner {
  pos: number;
  value = 0;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /**
   * Reads a varint32 into `value`. With `canonical`, refuses a trailing zero byte (a longer than
   * needed encoding), as Riegeli does. Returns false, leaving `pos` unspecified, when the varint is
   * truncated, longer than 5 bytes or above 2^32 - 1.
   */
  readVarint32(canonical: boolean): boolean {
    const bytes = this.bytes;
    let pos = this.pos;
    let value = 0;
    let scale = 1;
    for (let length = 1; ; length++) {
      if (pos >= this.end) return false;
      const byte = bytes[pos++]!;
      value += (byte & 0x7f) * scale;
      if (length === 5) {
        // The fifth byte carries bits 28..31 only, so it must also end the varint.
        if (byte >= 0x10) return false;
      } else if (byte >= 0x80) {
        scale *= 128;
        continue;
      }
      if (canonical && byte === 0 && length > 1) return false;
      this.value = value;
      this.pos = pos;
      return true;
    }
  }

  /** Skips a varint64; the same rules as `readVarint32` with 10 bytes and 64 bits. Returns its length or 0. */
  skipVarint64(canonical: boolean): number {
    const bytes = this.bytes;
    const start = this.pos;
    let pos = start;
    for (let length = 1; ; length++) {
      if (pos >= this.end) return 0;
      const byte = bytes[pos++]!;
      if (length === 10) {
        if (byte >= 0x02) return 0;
      } else if (byte >= 0x80) {
        continue;
      }
      if (canonical && byte === 0 && length > 1) return 0;
      this.pos = pos;
      return length;
    }
  }
}

/**
 * True when `bytes[start, end)` parse as a proto message whose tags, varints and lengths are all
 * canonical and whose groups are balanced. Riegeli's transposed encoder stores such records (and
 * such length-delimited fields, as submessages) column by column; the canonical rule guarantees the
 * decoder rebuilds exactly the same bytes.
 */
export function isProtoMessage(bytes: Uint8Array, start: number, end: number): boolean {
  const scanner = new WireScanner(bytes, start, end);
  const openGroups: number[] = [];
  while (scanner.pos < end) {
    if (!scanner.readVarint32(true)) return false;
    const tag = scanner.value;
    const fieldNumber = Math.floor(tag / 8);
    if (fieldNumber === 0) return false;
    switch (tag & 7) {
      case WireType.varint:
        if (scanner.skipVarint64(true) === 0) return false;
        break;
      case WireType.fixed32:
        if (end - scanner.pos < 4) return false;
        scanner.pos += 4;
        break;
      case WireType.fixed64:
        if (end - scanner.pos < 8) return false;
        scanner.pos += 8;
        break;
      case WireType.lengthDelimited: {
        if (!scanner.readVarint32(true)) return false;
        if (end - scanner.pos < scanner.value) return false;
        scanner.pos += scanner.value;
        break;
      }
      case WireType.startGroup:
        openGroups.push(fieldNumber);
        break;
      case WireType.endGroup:
        if (openGroups.length === 0 || openGroups.pop() !== fieldNumber) return false;
        break;
      default:
        return false;
    }
  }
  return openGroups.length === 0;
}
