// Riegeli's 64-bit HighwayHash with its fixed key, through the native `highwayhash` addon.

import highwayhash from 'highwayhash';
import { HASH_KEY_TEXT } from './constants.js';

const KEY = Buffer.from(HASH_KEY_TEXT, 'latin1');

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The hash of `bytes` from the addon as 16 hex digits: its 8 little-endian bytes in file order, two
 * digits each. One native call computes the hash once; the addon's number-returning calls give
 * one 32-bit half per call, which costs two hash computations per hash.
 */
function littleEndianHex(bytes: Uint8Array): string {
  return highwayhash.asHexString(KEY, asBuffer(bytes));
}

/** Char codes of the lowercase hex digits, by value. */
const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));

/** Value of the lowercase hex digit with char code `code`. */
function digitValue(code: number): number {
  return code <= 0x39 ? code - 0x30 : code - 0x57;
}

/** True when `bytes` hash to the u64 stored little-endian at `stored[offset]`. */
export function hashMatches(bytes: Uint8Array, stored: Uint8Array, offset: number): boolean {
  const hex = littleEndianHex(bytes);
  for (let i = 0; i < 8; i++) {
    const byte = stored[offset + i]!;
    if (hex.charCodeAt(2 * i) !== HEX_DIGITS[byte >> 4] || hex.charCodeAt(2 * i + 1) !== HEX_DIGITS[byte & 15]) return false;
  }
  return true;
}

/** Writes the hash of `bytes` little-endian at `target[offset]`. */
export function writeHash(bytes: Uint8Array, target: Uint8Array, offset: number): void {
  const hex = littleEndianHex(bytes);
  for (let i = 0; i < 8; i++) target[offset + i] = (digitValue(hex.charCodeAt(2 * i)) << 4) | digitValue(hex.charCodeAt(2 * i + 1));
}

/** The hash as 16 hex digits (most significant first), for error messages. */
export function hashHex(bytes: Uint8Array): string {
  const stored = new Uint8Array(8);
  writeHash(bytes, stored, 0);
  return storedHashHex(stored, 0);
}

/** The u64 hash stored little-endian at `stored[offset]` as 16 hex digits, for error messages. */
export function storedHashHex(stored: Uint8Array, offset: number): string {
  let text = '0x';
  for (let i = 7; i >= 0; i--) text += stored[offset + i]!.toString(16).padStart(2, '0');
  return text;
}
