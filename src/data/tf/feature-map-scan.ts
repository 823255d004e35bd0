// Finds the wanted entries of a serialized map<string, message> (Features, FeatureLists) and records where their values lie.

import { concatBytes } from '../../format/riegeli/bytes.js';
import { WireReader, delimitedTag } from './wire.js';

const ENTRY_TAG = delimitedTag(1);
const KEY_TAG = delimitedTag(1);
const VALUE_TAG = delimitedTag(2);
const encoder = new TextEncoder();

/** Slot start of a key the record lacks. */
export const SLOT_MISSING = -1;
/** Slot start of a value an EagerDecoder already wrote into the output during the scan. */
export const SLOT_DECODED = -2;

/**
 * Where each wanted key's value lies, for every record of a batch: `start`/`end` of slot
 * `record * width + feature` index the record's bytes (start SLOT_MISSING when the key is
 * absent, SLOT_DECODED when the scan already decoded it). A map entry that repeats its value
 * field merges the repeats, as protobuf does; such values are copied into `spill` and the slot
 * then indexes that copy.
 */
export class SlotTable {
  start = new Int32Array(0);
  end = new Int32Array(0);
  spill: (Uint8Array | undefined)[] | undefined;

  constructor(readonly width: number) {}

  /** Clears the slots of `records` records. */
  reset(records: number): void {
    const size = records * this.width;
    if (this.start.length < size) {
      this.start = new Int32Array(size);
      this.end = new Int32Array(size);
    }
    this.start.fill(SLOT_MISSING, 0, size);
    this.spill = undefined;
  }

  /** Records a value at `[start, end)` of the record itself. */
  set(slot: number, start: number, end: number): void {
    this.start[slot] = start;
    this.end[slot] = end;
    if (this.spill !== undefined) this.spill[slot] = undefined;
  }

  /** Records that the value was decoded during the scan. */
  setDecoded(slot: number): void {
    this.start[slot] = SLOT_DECODED;
    if (this.spill !== undefined) this.spill[slot] = undefined;
  }

  /** Records a value that lives in its own buffer. */
  setSpilled(slot: number, value: Uint8Array): void {
    this.spill ??= [];
    this.spill[slot] = value;
    this.start[slot] = 0;
    this.end[slot] = value.length;
  }

  /** The buffer slot `slot` indexes: the spilled copy, or the record. */
  bufferOf(slot: number, record: Uint8Array): Uint8Array {
    return this.spill?.[slot] ?? record;
  }
}

/** Up to the first four bytes of `bytes[start, start + length)` as one little-endian int. */
function prefixOf(bytes: Uint8Array, start: number, length: number): number {
  if (length >= 4) return bytes[start]! | (bytes[start + 1]! << 8) | (bytes[start + 2]! << 16) | (bytes[start + 3]! << 24);
  let prefix = 0;
  for (let index = 0; index < length; index++) prefix |= bytes[start + index]! << (8 * index);
  return prefix;
}

/**
 * Maps key bytes to the index of a wanted key without decoding strings: length and the first
 * four bytes (one int) rule out almost every other key before a byte-wise comparison.
 */
export class KeyMatcher {
  private readonly keys: readonly Uint8Array[];
  private readonly lengths: Int32Array;
  private readonly prefixes: Int32Array;

  constructor(keys: readonly string[]) {
    this.keys = keys.map((key) => encoder.encode(key));
    this.lengths = Int32Array.from(this.keys, (key) => key.length);
    this.prefixes = Int32Array.from(this.keys, (key) => prefixOf(key, 0, key.length));
  }

  /** Index of the key equal to `bytes[start, start + length)`, or -1. */
  match(bytes: Uint8Array, start: number, length: number): number {
    const lengths = this.lengths;
    const prefix = prefixOf(bytes, start, length);
    for (let index = 0; index < lengths.length; index++) {
      if (lengths[index] !== length || this.prefixes[index] !== prefix) continue;
      const key = this.keys[index]!;
      let pos = 4;
      while (pos < length && key[pos] === bytes[start + pos]) pos++;
      if (pos >= length) return index;
    }
    return -1;
  }
}

/**
 * Decodes a wanted value straight into the batch output while the scan passes over it, when it
 * has the layout serializers write; returning false leaves it to the column decoder, which also
 * reports any error. Saves a second walk over the record for the common case.
 */
export interface EagerDecoder {
  decodeEager(bytes: Uint8Array, start: number, end: number, record: number): boolean;
}

/**
 * Walks the entries of one serialized map message. Entries whose key is wanted land in the slot
 * table; a later entry with the same key replaces an earlier one (protobuf's last-wins rule for
 * maps), unknown fields are skipped, and a missing key or value reads as empty.
 */
export class MapScanner {
  private readonly entries = new WireReader();
  private readonly fields = new WireReader();

  constructor(
    private readonly matcher: KeyMatcher,
    private readonly eager: readonly (EagerDecoder | undefined)[] = [],
  ) {}

  /**
   * Scans the map message in `bytes[start, end)` of record `record` into its slots.
   * @throws DecodeFailure when the message is malformed.
   */
  scan(bytes: Uint8Array, start: number, end: number, slots: SlotTable, record: number): void {
    const base = record * slots.width;
    const resume = this.scanCanonical(bytes, start, end, slots, record);
    if (resume < end) this.scanGeneral(bytes, resume, end, slots, base);
  }

  /**
   * Reads entries laid out as serializers write them (entry tag, length, key field, value field
   * ending the entry, lengths below 16 KiB) with plain local arithmetic. Returns where the first
   * other entry starts, for the general scan to continue from.
   */
  private scanCanonical(bytes: Uint8Array, start: number, end: number, slots: SlotTable, record: number): number {
    const base = record * slots.width;
    let pos = start;
    while (end - pos >= 6) {
      const entryStart = pos;
      if (bytes[pos] !== ENTRY_TAG) return entryStart;
      let byte = bytes[pos + 1]!;
      let length = byte;
      pos += 2;
      if (byte >= 0x80) {
        byte = bytes[pos++]!;
        if (byte >= 0x80) return entryStart;
        length = (length & 0x7f) | (byte << 7);
      }
      const entryEnd = pos + length;
      if (length < 4 || entryEnd > end || bytes[pos] !== KEY_TAG) return entryStart;
      const keyLength = bytes[pos + 1]!;
      const keyStart = pos + 2;
      pos = keyStart + keyLength;
      if (keyLength >= 0x80 || entryEnd - pos < 2 || bytes[pos] !== VALUE_TAG) return entryStart;
      byte = bytes[pos + 1]!;
      let valueLength = byte;
      pos += 2;
      if (byte >= 0x80) {
        if (pos >= entryEnd) return entryStart;
        byte = bytes[pos++]!;
        if (byte >= 0x80) return entryStart;
        valueLength = (valueLength & 0x7f) | (byte << 7);
      }
      if (pos + valueLength !== entryEnd) return entryStart;
      const feature = this.matcher.match(bytes, keyStart, keyLength);
      if (feature >= 0) {
        const decoder = this.eager[feature];
        if (decoder !== undefined && decoder.decodeEager(bytes, pos, entryEnd, record)) slots.setDecoded(base + feature);
        else slots.set(base + feature, pos, entryEnd);
      }
      pos = entryEnd;
    }
    return pos;
  }

  private scanGeneral(bytes: Uint8Array, start: number, end: number, slots: SlotTable, base: number): void {
    const entries = this.entries;
    entries.reset(bytes, start, end);
    while (entries.pos < end) {
      const tag = entries.readTag();
      if (tag !== ENTRY_TAG) {
        entries.skipField(tag);
        continue;
      }
      const length = entries.readLength();
      const entryStart = entries.pos;
      entries.pos = entryStart + length;
      this.scanEntry(bytes, entryStart, entryStart + length, slots, base);
    }
  }

  private scanEntry(bytes: Uint8Array, start: number, end: number, slots: SlotTable, base: number): void {
    const fields = this.fields;
    fields.reset(bytes, start, end);
    let keyStart = 0;
    let keyLength = 0;
    let hasValue = false;
    let valueStart = end;
    let valueEnd = end;
    let merged: Uint8Array[] | undefined;
    while (fields.pos < end) {
      const tag = fields.readTag();
      if (tag === KEY_TAG) {
        keyLength = fields.readLength();
        keyStart = fields.pos;
        fields.pos += keyLength;
      } else if (tag === VALUE_TAG) {
        const length = fields.readLength();
        if (!hasValue) {
          hasValue = true;
          valueStart = fields.pos;
          valueEnd = fields.pos + length;
        } else {
          merged ??= [bytes.subarray(valueStart, valueEnd)];
          merged.push(bytes.subarray(fields.pos, fields.pos + length));
        }
        fields.pos += length;
      } else {
        fields.skipField(tag);
      }
    }
    const feature = this.matcher.match(bytes, keyStart, keyLength);
    if (feature < 0) return;
    if (merged === undefined) slots.set(base + feature, valueStart, valueEnd);
    else slots.setSpilled(base + feature, concatBytes(merged));
  }
}

