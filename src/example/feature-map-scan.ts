// Finds the wanted entries of a serialized map<string, message> (Features, FeatureLists) and records where their values lie.

import { concatBytes } from '../format/io/concat-bytes.js';
import { decodeEagerly, type EagerDecoder } from './eager-decoder.js';
import { WireReader, delimitedTag } from './wire.js';

const ENTRY_TAG = delimitedTag(1);
const KEY_TAG = delimitedTag(1);
const VALUE_TAG = delimitedTag(2);
/** Field 1 of a list message: a BytesList's value, or a packed Int64List / FloatList. */
const INNER_TAG = delimitedTag(1);
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
  /** How many records of the batch had each feature decoded during the scan. */
  readonly decodedCounts: Int32Array;

  constructor(readonly width: number) {
    this.decodedCounts = new Int32Array(width);
  }

  /** Clears the slots of `records` records. */
  reset(records: number): void {
    const size = records * this.width;
    if (this.start.length < size) {
      this.start = new Int32Array(size);
      this.end = new Int32Array(size);
    }
    this.start.fill(SLOT_MISSING, 0, size);
    this.decodedCounts.fill(0);
    this.spill = undefined;
  }

  /** Records a value at `[start, end)` of the record itself. */
  set(slot: number, start: number, end: number): void {
    this.undoDecoded(slot);
    this.start[slot] = start;
    this.end[slot] = end;
    if (this.spill !== undefined) this.spill[slot] = undefined;
  }

  /** Records that feature `feature` of slot `slot` was decoded during the scan. */
  setDecoded(slot: number, feature: number): void {
    if (this.start[slot] !== SLOT_DECODED) {
      this.start[slot] = SLOT_DECODED;
      this.decodedCounts[feature]! += 1;
    }
    if (this.spill !== undefined) this.spill[slot] = undefined;
  }

  /** A later map entry replaces a value decoded during the scan: it no longer counts as decoded. */
  private undoDecoded(slot: number): void {
    if (this.start[slot] === SLOT_DECODED) this.decodedCounts[slot % this.width]! -= 1;
  }

  /** Records a value that lives in its own buffer. */
  setSpilled(slot: number, value: Uint8Array): void {
    this.undoDecoded(slot);
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

/** Up to four bytes of `bytes[start, start + length)` as one little-endian int. */
function wordAt(bytes: Uint8Array, start: number, length: number): number {
  if (length >= 4) return bytes[start]! | (bytes[start + 1]! << 8) | (bytes[start + 2]! << 16) | (bytes[start + 3]! << 24);
  let word = 0;
  for (let index = 0; index < length; index++) word |= bytes[start + index]! << (8 * index);
  return word;
}

/**
 * When `bytes` is one length-delimited field with tag `tag` (a 1- or 2-byte length) and nothing
 * else, returns where its payload starts; otherwise -1.
 */
function singleFieldPayload(bytes: Uint8Array, tag: number): number {
  const length = bytes.length;
  if (length < 2 || bytes[0] !== tag) return -1;
  let payload = bytes[1]!;
  let start = 2;
  if (payload >= 0x80) {
    if (length < 3 || bytes[2]! >= 0x80) return -1;
    payload = (payload & 0x7f) | (bytes[2]! << 7);
    start = 3;
  }
  return start + payload === length ? start : -1;
}

/**
 * Maps key bytes to the index of a wanted key without decoding strings: the length and two ints
 * (the first and the last four bytes) decide keys of up to 8 bytes outright and rule out almost
 * every other key before a byte-wise comparison of the middle.
 */
export class KeyMatcher {
  private readonly keys: readonly Uint8Array[];
  private readonly lengths: Int32Array;
  private readonly heads: Int32Array;
  private readonly tails: Int32Array;

  constructor(keys: readonly string[]) {
    this.keys = keys.map((key) => encoder.encode(key));
    this.lengths = Int32Array.from(this.keys, (key) => key.length);
    this.heads = Int32Array.from(this.keys, (key) => wordAt(key, 0, key.length));
    this.tails = Int32Array.from(this.keys, (key) => tailOf(key, 0, key.length));
  }

  /** How many keys it matches. */
  get size(): number {
    return this.keys.length;
  }

  /** Index of the key equal to `bytes[start, start + length)`, or -1. */
  match(bytes: Uint8Array, start: number, length: number): number {
    return this.matchWords(bytes, start, length, wordAt(bytes, start, length), tailOf(bytes, start, length));
  }

  /** `match` for a caller that has read the key's head and tail words itself (as wordAt and tailOf do). */
  matchWords(bytes: Uint8Array, start: number, length: number, head: number, tail: number): number {
    const lengths = this.lengths;
    for (let index = 0; index < lengths.length; index++) {
      if (lengths[index] !== length || this.heads[index] !== head || this.tails[index] !== tail) continue;
      if (length <= 8 || middleEqual(this.keys[index]!, bytes, start)) return index;
    }
    return -1;
  }
}

/** The last (up to) four bytes of `bytes[start, start + length)` as one little-endian int. */
function tailOf(bytes: Uint8Array, start: number, length: number): number {
  return length >= 4 ? wordAt(bytes, start + length - 4, 4) : wordAt(bytes, start, length);
}

/** Whether bytes 4 to length - 4 of `key` (longer than 8 bytes) equal those at `bytes[start...]`. */
function middleEqual(key: Uint8Array, bytes: Uint8Array, start: number): boolean {
  for (let pos = 4, stop = key.length - 4; pos < stop; pos++) if (key[pos] !== bytes[start + pos]) return false;
  return true;
}

/**
 * Walks the entries of one serialized map message. Entries whose key is wanted land in the slot
 * table; a later entry with the same key replaces an earlier one (protobuf's last-wins rule for
 * maps), unknown fields are skipped, and a missing key or value reads as empty.
 */
export class MapScanner {
  private readonly entries = new WireReader();
  private readonly fields = new WireReader();
  /** The record `scanRecords` is at (the one that failed, when it throws). */
  current = 0;
  /**
   * Per wanted key, 1 when an entry whose value is zero bytes leaves an earlier entry of the same
   * key in place instead of replacing it. TensorFlow's Example parser reads entries last to first
   * and skips such an entry (a DT_INVALID Feature) before it marks a feature seen: always in a
   * single parse, for dense features in a batch (example_proto_fast_parsing.cc,
   * FastParseSingleExample and FastParseSerializedExample). All 0 (protobuf's plain last-wins
   * rule) unless the parser sets it.
   */
  keepOnEmpty: Uint8Array;

  constructor(
    private readonly matcher: KeyMatcher,
    private readonly eager: readonly (EagerDecoder | undefined)[] = [],
  ) {
    this.keepOnEmpty = new Uint8Array(matcher.size);
  }

  /** Whether an empty value of `feature` at `base` must leave the earlier entry of its key in place. */
  private keepsEarlier(slots: SlotTable, base: number, feature: number): boolean {
    return this.keepOnEmpty[feature] === 1 && slots.start[base + feature] !== SLOT_MISSING;
  }

  /**
   * Scans a batch of records that each hold one map message as field `tag` (an Example's
   * `features`) into their slots. Entries laid out as serializers write them (entry tag, length,
   * key field, value field ending the entry, lengths below 16 KiB) are read with plain local
   * arithmetic, and wanted values decoded right away; from a record's first other entry on, the
   * general scan takes over. A record of another layout (or not a Uint8Array) goes to `other`.
   * Everything happens in this one loop, so the common record costs no call but its copies.
   * @throws DecodeFailure when a map message is malformed; `current` then names the record.
   */
  scanRecords(records: readonly unknown[], count: number, tag: number, slots: SlotTable, other: (bytes: unknown, record: number) => void): void {
    const matcher = this.matcher;
    const eager = this.eager;
    records: for (let record = 0; record < count; record++) {
      this.current = record;
      const bytes = records[record];
      let pos = bytes instanceof Uint8Array ? singleFieldPayload(bytes, tag) : -1;
      if (pos < 0) {
        other(bytes, record);
        continue;
      }
      const data = bytes as Uint8Array;
      const end = data.length;
      const base = record * slots.width;
      while (pos < end) {
        const entryStart = pos;
        if (end - pos < 6 || data[pos] !== ENTRY_TAG) {
          this.scanGeneral(data, entryStart, end, slots, base);
          continue records;
        }
        let byte = data[pos + 1]!;
        let length = byte;
        pos += 2;
        if (byte >= 0x80) {
          byte = data[pos++]!;
          length = byte >= 0x80 ? -1 : (length & 0x7f) | (byte << 7);
        }
        const entryEnd = pos + length;
        const keyLength = data[pos + 1]!;
        const keyStart = pos + 2;
        pos = keyStart + keyLength;
        if (length < 4 || entryEnd > end || data[keyStart - 2] !== KEY_TAG || keyLength >= 0x80 || entryEnd - pos < 2) {
          this.scanGeneral(data, entryStart, end, slots, base);
          continue records;
        }
        const valueTag = data[pos]!;
        byte = data[pos + 1]!;
        let valueLength = byte;
        pos += 2;
        if (byte >= 0x80) {
          byte = data[pos++]!;
          valueLength = byte >= 0x80 ? -1 : (valueLength & 0x7f) | (byte << 7);
        }
        if (valueTag !== VALUE_TAG || pos + valueLength !== entryEnd) {
          this.scanGeneral(data, entryStart, end, slots, base);
          continue records;
        }
        let feature: number;
        if (keyLength >= 4) {
          // The key's words read here, in line, so that matching is one short loop.
          const head = data[keyStart]! | (data[keyStart + 1]! << 8) | (data[keyStart + 2]! << 16) | (data[keyStart + 3]! << 24);
          const last = keyStart + keyLength - 4;
          const tail = data[last]! | (data[last + 1]! << 8) | (data[last + 2]! << 16) | (data[last + 3]! << 24);
          feature = matcher.matchWords(data, keyStart, keyLength, head, tail);
        } else {
          feature = matcher.match(data, keyStart, keyLength);
        }
        if (feature >= 0 && !(pos === entryEnd && this.keepsEarlier(slots, base, feature))) {
          const decoder = eager[feature];
          let decoded = false;
          if (decoder !== undefined && entryEnd - pos >= 4) {
            // The Feature as serializers write it: one list field (tag, length) whose payload
            // is one field 1 (tag, length) running to the end: a bytes value or a packed list.
            const listTag = data[pos]!;
            let inner = pos + 2;
            let listLength = data[pos + 1]!;
            if (listLength >= 0x80) {
              byte = data[inner++]!;
              listLength = byte >= 0x80 ? -1 : (listLength & 0x7f) | (byte << 7);
            }
            let valueStart = inner + 2;
            let innerLength = data[inner + 1]!;
            if (innerLength >= 0x80) {
              byte = data[valueStart++]!;
              innerLength = byte >= 0x80 ? -1 : (innerLength & 0x7f) | (byte << 7);
            }
            if (inner + listLength === entryEnd && data[inner] === INNER_TAG && valueStart + innerLength === entryEnd) {
              decoded = decodeEagerly(decoder, data, listTag, valueStart, entryEnd, record);
            }
          }
          if (decoded) slots.setDecoded(base + feature, feature);
          else slots.set(base + feature, pos, entryEnd);
        }
        pos = entryEnd;
      }
    }
  }

  /**
   * Scans the map message in `bytes[start, end)` of record `record` into its slots, field by
   * field (for records scanRecords does not take).
   * @throws DecodeFailure when the message is malformed.
   */
  scan(bytes: Uint8Array, start: number, end: number, slots: SlotTable, record: number): void {
    this.scanGeneral(bytes, start, end, slots, record * slots.width);
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
    if (merged === undefined && valueStart === valueEnd && this.keepsEarlier(slots, base, feature)) return;
    if (merged === undefined) slots.set(base + feature, valueStart, valueEnd);
    else slots.setSpilled(base + feature, concatBytes(merged));
  }
}

