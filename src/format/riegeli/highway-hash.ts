// Riegeli's 64-bit HighwayHash with its fixed key, through the native `highwayhash` addon.

import highwayhash from 'highwayhash';
import { HASH_KEY_TEXT } from './constants.js';

const KEY = Buffer.from(HASH_KEY_TEXT, 'latin1');

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * True when `bytes` hash to the u64 stored little-endian at `view[offset]`. The addon returns each
 * 32-bit half as a number, which avoids allocating a result buffer per hash.
 */
export function hashMatches(bytes: Uint8Array, view: DataView, offset: number): boolean {
  const data = asBuffer(bytes);
  return (
    highwayhash.asUInt32Low(KEY, data) === view.getUint32(offset, true) &&
    highwayhash.asUInt32High(KEY, data) === view.getUint32(offset + 4, true)
  );
}

/** Writes the hash of `bytes` little-endian at `view[offset]`. */
export function writeHash(bytes: Uint8Array, view: DataView, offset: number): void {
  const data = asBuffer(bytes);
  view.setUint32(offset, highwayhash.asUInt32Low(KEY, data), true);
  view.setUint32(offset + 4, highwayhash.asUInt32High(KEY, data), true);
}

/** The hash as 16 hex digits (most significant first), for error messages. */
export function hashHex(bytes: Uint8Array): string {
  const data = asBuffer(bytes);
  const high = highwayhash.asUInt32High(KEY, data).toString(16).padStart(8, '0');
  const low = highwayhash.asUInt32Low(KEY, data).toString(16).padStart(8, '0');
  return `0x${high}${low}`;
}

/** A stored u64 hash as 16 hex digits, for error messages. */
export function storedHashHex(view: DataView, offset: number): string {
  const high = view.getUint32(offset + 4, true).toString(16).padStart(8, '0');
  const low = view.getUint32(offset, true).toString(16).padStart(8, '0');
  return `0x${high}${low}`;
}
