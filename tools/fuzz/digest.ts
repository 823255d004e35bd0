// Record fingerprints the child processes send back instead of the records themselves (IPC stays small).

import { createHash } from 'node:crypto';

/** The first 96 bits of a record's SHA-256, as hex: the golden sidecars' hashes start with the same digits. */
export function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, DIGEST_HEX);
}

/** Hex digits a digest keeps. */
export const DIGEST_HEX = 24;

/** A RecordsMetadata (or anything with byte fields) as stable JSON: bytes become their digest. */
export function metadataJson(metadata: unknown): string {
  return JSON.stringify(metadata ?? null, (_, value: unknown) => (value instanceof Uint8Array ? `bytes:${digest(value)}` : value));
}
