// Decodes one serialized tf.train.Feature: resolves its oneof kind, counts values and writes them into typed arrays.

import { DecodeFailure, LITTLE_ENDIAN, WIRE_LENGTH_DELIMITED, WireReader, halvesToString } from './wire.js';

/** The Feature has no list set (an empty message or unknown fields only): TensorFlow treats it as absent. */
export const KIND_NONE = 0;
/** `bytes_list` (field 1). */
export const KIND_BYTES = 1;
/** `float_list` (field 2). */
export const KIND_FLOAT = 2;
/** `int64_list` (field 3). */
export const KIND_INT64 = 3;

/** The Feature kind a dtype expects. */
export const KIND_OF_DTYPE = { bytes: KIND_BYTES, float32: KIND_FLOAT, int64: KIND_INT64 } as const;

/** TensorFlow's name of the dtype held by a Feature kind, as its error messages print it. */
export function kindName(kind: number): string {
  return kind === KIND_BYTES ? 'string' : kind === KIND_FLOAT ? 'float' : kind === KIND_INT64 ? 'int64' : 'invalid';
}

const TAG_PACKED = (1 << 3) | WIRE_LENGTH_DELIMITED;
const TAG_INT64_UNPACKED = 1 << 3;
const TAG_FLOAT_UNPACKED = (1 << 3) | 5;
const TAG_BYTES_VALUE = TAG_PACKED;
/** Below this many floats a byte-by-byte copy beats making a subarray view for a bulk copy. */
const BULK_FLOAT_COPY = 16;
// ignoreBOM keeps a leading U+FEFF: it is part of the value, not a byte order mark to drop.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A reusable cursor over one Feature message. `open` finds the kind with protobuf's oneof rule
 * (the last list field wins; repeated fields of the same list merge), then the `read*` methods
 * walk that run of list fields, accepting packed and unpacked encodings and skipping unknown
 * fields. Each `read*` writes at most `limit` values at `offset` and returns the full count, so
 * callers detect a wrong count without a second pass.
 */
export class FeatureCursor {
  /** Kind found by the last `open`. */
  kind = KIND_NONE;
  /** Range of the single value found by the last `readSingleBytes`. */
  valueStart = 0;
  valueEnd = 0;
  private bytes: Uint8Array = new Uint8Array(0);
  private runStart = 0;
  /** Start of the list payload when the Feature is a single list field (the fast path), else -1. */
  private singleListStart = -1;
  private singleListPending = false;
  private end = 0;
  private readonly fields = new WireReader();
  private readonly list = new WireReader();
  private floatTarget: Float32Array | undefined;
  private floatTargetBytes: Uint8Array = new Uint8Array(0);
  private bigIntTarget: BigInt64Array | undefined;
  private bigIntHalves: Int32Array = new Int32Array(0);

  /**
   * Opens the Feature in `bytes[start, end)` and returns its kind.
   * @throws DecodeFailure when its fields are malformed.
   */
  open(bytes: Uint8Array, start: number, end: number): number {
    this.bytes = bytes;
    this.end = end;
    this.runStart = start;
    if (start < end) {
      // Fast path: one list field spanning the whole Feature, as every serializer writes it.
      const tag = bytes[start]!;
      if (tag === 0x0a || tag === 0x12 || tag === 0x1a) {
        const reader = this.fields;
        reader.reset(bytes, start + 1, end);
        const length = reader.readLength();
        if (length === end - reader.pos) {
          this.singleListStart = reader.pos;
          this.kind = tag >>> 3;
          return this.kind;
        }
      }
    }
    this.singleListStart = -1;
    return this.openGeneral(bytes, start, end);
  }

  private openGeneral(bytes: Uint8Array, start: number, end: number): number {
    const reader = this.fields;
    reader.reset(bytes, start, end);
    let kind = KIND_NONE;
    while (reader.pos < end) {
      const fieldStart = reader.pos;
      const tag = reader.readTag();
      const field = tag >>> 3;
      if ((tag & 7) === WIRE_LENGTH_DELIMITED && field >= KIND_BYTES && field <= KIND_INT64 && field !== kind) {
        kind = field;
        this.runStart = fieldStart;
      }
      reader.skipField(tag);
    }
    this.kind = kind;
    return kind;
  }

  /** Moves `list` to the payload of the next list field of the open kind; false at the end. */
  private nextList(): boolean {
    if (this.singleListStart >= 0) {
      if (!this.singleListPending) return false;
      this.singleListPending = false;
      this.list.reset(this.bytes, this.singleListStart, this.end);
      return true;
    }
    const reader = this.fields;
    const wanted = (this.kind << 3) | WIRE_LENGTH_DELIMITED;
    while (reader.pos < this.end) {
      const tag = reader.readTag();
      if (tag === wanted) {
        const length = reader.readLength();
        this.list.reset(this.bytes, reader.pos, reader.pos + length);
        reader.pos += length;
        return true;
      }
      reader.skipField(tag);
    }
    return false;
  }

  private rewind(): void {
    if (this.singleListStart >= 0) this.singleListPending = true;
    else this.fields.reset(this.bytes, this.runStart, this.end);
  }

  /**
   * Counts the values of the open Feature without decoding them.
   * @throws DecodeFailure when the lists are malformed.
   */
  count(): number {
    this.rewind();
    let count = 0;
    const list = this.list;
    while (this.nextList()) {
      while (list.pos < list.end) {
        const tag = list.readTag();
        if (this.kind === KIND_INT64 && tag === TAG_PACKED) {
          const stop = list.readPayloadEnd();
          const bytes = list.bytes;
          for (let pos = list.pos; pos < stop; pos++) if (bytes[pos]! < 0x80) count++;
          if (stop > list.pos && bytes[stop - 1]! >= 0x80) list.fail('truncated varint in packed int64 list');
          list.pos = stop;
        } else if (this.kind === KIND_FLOAT && tag === TAG_PACKED) {
          const length = list.readLength();
          if (length % 4 !== 0) list.fail(`packed float list of ${length} bytes, not a multiple of 4`);
          count += length >>> 2;
          list.pos += length;
        } else if (
          (this.kind === KIND_INT64 && tag === TAG_INT64_UNPACKED) ||
          (this.kind === KIND_FLOAT && tag === TAG_FLOAT_UNPACKED) ||
          (this.kind === KIND_BYTES && tag === TAG_BYTES_VALUE)
        ) {
          list.skipField(tag);
          count++;
        } else {
          list.skipField(tag);
        }
      }
    }
    return count;
  }

  /**
   * Writes int64 values as int32.
   * @throws DecodeFailure for malformed lists or a value outside the int32 range.
   */
  readInt32(out: Int32Array, offset: number, limit: number): number {
    this.rewind();
    const list = this.list;
    let count = 0;
    while (this.nextList()) {
      while (list.pos < list.end) {
        const tag = list.readTag();
        if (tag === TAG_PACKED) {
          const listEnd = list.end;
          list.end = list.readPayloadEnd();
          const bytes = list.bytes;
          while (list.pos < list.end) {
            const first = bytes[list.pos]!;
            let low: number;
            if (first < 0x80) {
              list.pos++;
              low = first;
            } else {
              low = list.readVarint64();
              if (list.high !== low >> 31) this.int32Overflow(low, list.high);
            }
            if (count < limit) out[offset + count] = low;
            count++;
          }
          list.end = listEnd;
        } else if (tag === TAG_INT64_UNPACKED) {
          const low = list.readVarint64();
          if (list.high !== low >> 31) this.int32Overflow(low, list.high);
          if (count < limit) out[offset + count] = low;
          count++;
        } else {
          list.skipField(tag);
        }
      }
    }
    return count;
  }

  private int32Overflow(low: number, high: number): never {
    const value = halvesToString(low, high);
    throw new DecodeFailure(
      `Value ${value} of int64 feature does not fit in int32; parse it with as: 'float64' or as: 'bigint'`,
      this.list.pos,
      false,
    );
  }

  /**
   * Writes int64 values as float64 (exact below 2^53 in magnitude).
   * @throws DecodeFailure for malformed lists.
   */
  readFloat64(out: Float64Array, offset: number, limit: number): number {
    this.rewind();
    const list = this.list;
    let count = 0;
    while (this.nextList()) {
      while (list.pos < list.end) {
        const tag = list.readTag();
        if (tag === TAG_PACKED) {
          const listEnd = list.end;
          list.end = list.readPayloadEnd();
          while (list.pos < list.end) {
            const low = list.readVarint64();
            if (count < limit) out[offset + count] = list.high * 0x1_0000_0000 + (low >>> 0);
            count++;
          }
          list.end = listEnd;
        } else if (tag === TAG_INT64_UNPACKED) {
          const low = list.readVarint64();
          if (count < limit) out[offset + count] = list.high * 0x1_0000_0000 + (low >>> 0);
          count++;
        } else {
          list.skipField(tag);
        }
      }
    }
    return count;
  }

  /**
   * Writes int64 values exactly into a BigInt64Array (through its 32-bit halves, no BigInt math).
   * @throws DecodeFailure for malformed lists.
   */
  readBigInt64(out: BigInt64Array, offset: number, limit: number): number {
    this.rewind();
    const list = this.list;
    if (this.bigIntTarget !== out) {
      this.bigIntTarget = out;
      this.bigIntHalves = new Int32Array(out.buffer, out.byteOffset, out.length * 2);
    }
    let count = 0;
    while (this.nextList()) {
      while (list.pos < list.end) {
        const tag = list.readTag();
        if (tag === TAG_PACKED) {
          const listEnd = list.end;
          list.end = list.readPayloadEnd();
          // A while, not a do-while: a packed run may be empty.
          while (list.pos < list.end) count = this.readBigIntValue(out, offset, limit, count);
          list.end = listEnd;
        } else if (tag === TAG_INT64_UNPACKED) {
          count = this.readBigIntValue(out, offset, limit, count);
        } else {
          list.skipField(tag);
        }
      }
    }
    return count;
  }

  /** Reads one varint into value `count` (when below `limit`); returns the count after it. */
  private readBigIntValue(out: BigInt64Array, offset: number, limit: number, count: number): number {
    const list = this.list;
    const low = list.readVarint64();
    if (count < limit) {
      const index = offset + count;
      if (LITTLE_ENDIAN) {
        this.bigIntHalves[index * 2] = low;
        this.bigIntHalves[index * 2 + 1] = list.high;
      } else {
        out[index] = BigInt.asIntN(64, (BigInt(list.high) << 32n) | BigInt(low >>> 0));
      }
    }
    return count + 1;
  }

  /**
   * Writes float values.
   * @throws DecodeFailure for malformed lists (a packed length not a multiple of 4, truncation).
   */
  readFloat32(out: Float32Array, offset: number, limit: number): number {
    this.rewind();
    const list = this.list;
    let count = 0;
    while (this.nextList()) {
      while (list.pos < list.end) {
        const tag = list.readTag();
        if (tag === TAG_PACKED) {
          const length = list.readLength();
          if (length % 4 !== 0) list.fail(`packed float list of ${length} bytes, not a multiple of 4`);
          const values = length >>> 2;
          const room = Math.max(0, Math.min(values, limit - count));
          this.copyFloats(list.bytes, list.pos, room, out, offset + count);
          count += values;
          list.pos += length;
        } else if (tag === TAG_FLOAT_UNPACKED) {
          if (list.end - list.pos < 4) list.fail('truncated float');
          if (count < limit) this.copyFloats(list.bytes, list.pos, 1, out, offset + count);
          count++;
          list.pos += 4;
        } else {
          list.skipField(tag);
        }
      }
    }
    return count;
  }

  /**
   * Copies floats as bytes, never through a JS number: a float32 read into a number and stored back
   * comes out with a signalling NaN made quiet, and TensorFlow keeps every bit.
   */
  private copyFloats(bytes: Uint8Array, start: number, count: number, out: Float32Array, index: number): void {
    if (this.floatTarget !== out) {
      this.floatTarget = out;
      this.floatTargetBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
    const target = this.floatTargetBytes;
    const at = index * 4;
    if (!LITTLE_ENDIAN) {
      for (let k = 0; k < count * 4; k += 4) {
        target[at + k] = bytes[start + k + 3]!;
        target[at + k + 1] = bytes[start + k + 2]!;
        target[at + k + 2] = bytes[start + k + 1]!;
        target[at + k + 3] = bytes[start + k]!;
      }
    } else if (count >= BULK_FLOAT_COPY) {
      target.set(bytes.subarray(start, start + count * 4), at);
    } else {
      for (let k = 0; k < count * 4; k++) target[at + k] = bytes[start + k]!;
    }
  }

  /**
   * Writes bytes values, each copied into its own Uint8Array (records may live in reused buffers).
   * @throws DecodeFailure for malformed lists.
   */
  readBytes(out: Uint8Array[], offset: number, limit: number): number {
    this.rewind();
    const list = this.list;
    let count = 0;
    while (this.nextList()) {
      while (list.pos < list.end) {
        const tag = list.readTag();
        if (tag === TAG_BYTES_VALUE) {
          const length = list.readLength();
          if (count < limit) {
            const copy = new Uint8Array(length);
            copy.set(list.bytes.subarray(list.pos, list.pos + length));
            out[offset + count] = copy;
          }
          count++;
          list.pos += length;
        } else {
          list.skipField(tag);
        }
      }
    }
    return count;
  }

  /**
   * Writes bytes values decoded as UTF-8 strings.
   * @throws DecodeFailure for malformed lists or bytes that are not valid UTF-8.
   */
  readStrings(out: string[], offset: number, limit: number): number {
    this.rewind();
    const list = this.list;
    let count = 0;
    while (this.nextList()) {
      while (list.pos < list.end) {
        const tag = list.readTag();
        if (tag === TAG_BYTES_VALUE) {
          const length = list.readLength();
          if (count < limit) out[offset + count] = this.decodeUtf8(list.bytes, list.pos, list.pos + length, count);
          count++;
          list.pos += length;
        } else {
          list.skipField(tag);
        }
      }
    }
    return count;
  }

  private decodeUtf8(bytes: Uint8Array, start: number, end: number, valueIndex: number): string {
    if (end - start <= 32) {
      let text = '';
      let pos = start;
      for (; pos < end; pos++) {
        const byte = bytes[pos]!;
        if (byte >= 0x80) break;
        text += String.fromCharCode(byte);
      }
      if (pos === end) return text;
    }
    try {
      return utf8.decode(bytes.subarray(start, end));
    } catch {
      throw new DecodeFailure(`Bytes value ${valueIndex} is not valid UTF-8; parse it with as: 'bytes'`, start, false);
    }
  }

  /**
   * Counts bytes values and leaves the first one's range in `valueStart`/`valueEnd`.
   * @throws DecodeFailure for malformed lists.
   */
  readSingleBytes(): number {
    const start = this.singleListStart;
    if (start >= 0 && this.bytes[start] === TAG_BYTES_VALUE) {
      // Fast path: a BytesList holding exactly one value field.
      const list = this.list;
      list.reset(this.bytes, start + 1, this.end);
      const length = list.readLength();
      if (list.pos + length === this.end) {
        this.valueStart = list.pos;
        this.valueEnd = this.end;
        return 1;
      }
    }
    this.rewind();
    const list = this.list;
    let count = 0;
    while (this.nextList()) {
      while (list.pos < list.end) {
        const tag = list.readTag();
        if (tag === TAG_BYTES_VALUE) {
          const length = list.readLength();
          if (count === 0) {
            this.valueStart = list.pos;
            this.valueEnd = list.pos + length;
          }
          count++;
          list.pos += length;
        } else {
          list.skipField(tag);
        }
      }
    }
    return count;
  }

  /** The buffer of the open Feature (for reading the range `readSingleBytes` found). */
  get buffer(): Uint8Array {
    return this.bytes;
  }
}
