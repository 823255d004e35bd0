// Protobuf wire format for tf.Example: a bounds-checked reader (varints as two 32-bit halves, no BigInt) and a sized writer.

/** True on little-endian hosts, where typed arrays share the wire's byte order. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Wire type of varint fields (int64 values, unpacked). */
export const WIRE_VARINT = 0;
/** Wire type of 8-byte fields. */
export const WIRE_FIXED64 = 1;
/** Wire type of length-delimited fields (messages, bytes, packed lists). */
export const WIRE_LENGTH_DELIMITED = 2;
/** Wire type opening a (deprecated) group. */
export const WIRE_START_GROUP = 3;
/** Wire type closing a group. */
export const WIRE_END_GROUP = 4;
/** Wire type of 4-byte fields (float values, unpacked). */
export const WIRE_FIXED32 = 5;

/** Groups nested deeper than this are refused, as protobuf refuses messages nested past its recursion limit (100). */
const MAX_GROUP_DEPTH = 100;

/** The tag byte of a length-delimited field with a number below 16 (all fields of tf.Example). */
export function delimitedTag(fieldNumber: number): number {
  return (fieldNumber << 3) | WIRE_LENGTH_DELIMITED;
}

/**
 * Thrown inside the tf.Example decoders when bytes break the wire format (`malformed`) or a value
 * does not fit its output; the parsers catch it and throw a ParseError naming the record and key.
 */
export class DecodeFailure extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly malformed = true,
  ) {
    super(reason);
  }
}

/**
 * A cursor over one length-delimited region of a buffer. It keeps its state in public fields so
 * hot loops read many fields without allocating; `readVarint64` leaves the high half in `high`.
 */
export class WireReader {
  bytes: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  /** High 32 bits (as a signed int32) of the value read by the last `readVarint64`. */
  high = 0;

  /** Points the cursor at `bytes[start, end)`. */
  reset(bytes: Uint8Array, start: number, end: number): void {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  /** Throws a DecodeFailure at the current position. */
  fail(reason: string): never {
    throw new DecodeFailure(`${reason} at byte ${this.pos}`, this.pos);
  }

  /**
   * Reads a field tag (field number << 3 | wire type).
   * @throws DecodeFailure for a truncated or oversized tag, or field number 0.
   */
  readTag(): number {
    const pos = this.pos;
    if (pos < this.end) {
      const first = this.bytes[pos]!;
      if (first >= 8 && first < 0x80) {
        this.pos = pos + 1;
        return first;
      }
    }
    return this.readTagSlow();
  }

  private readTagSlow(): number {
    const tag = this.readVarint64() >>> 0;
    if (this.high !== 0) this.fail('tag larger than 32 bits');
    if (tag < 8) this.fail(`invalid tag ${tag} (field number 0)`);
    return tag;
  }

  /**
   * Reads the length prefix of a length-delimited field and checks that many bytes remain.
   * @throws DecodeFailure for a truncated varint or a length past the end of the region.
   */
  readLength(): number {
    // Inline paths for 1- and 2-byte lengths (below 16 KiB), which cover tf.Example's messages.
    const bytes = this.bytes;
    const pos = this.pos;
    const room = this.end - pos;
    if (room >= 2) {
      const first = bytes[pos]!;
      let length = first;
      let size = 1;
      if (first >= 0x80) {
        const second = bytes[pos + 1]!;
        if (second < 0x80) {
          length = (first & 0x7f) | (second << 7);
          size = 2;
        } else {
          size = 0;
        }
      }
      if (size !== 0 && length <= room - size) {
        this.pos = pos + size;
        return length;
      }
    }
    return this.readLengthSlow();
  }

  private readLengthSlow(): number {
    const length = this.readVarint64() >>> 0;
    if (this.high !== 0) this.fail('length prefix larger than 32 bits');
    if (length > this.end - this.pos) {
      this.fail(`length ${length} exceeds the ${this.end - this.pos} remaining bytes`);
    }
    return length;
  }

  /**
   * Reads a length prefix and returns where that payload ends (the cursor stays at its start).
   * @throws DecodeFailure as readLength does.
   */
  readPayloadEnd(): number {
    const length = this.readLength();
    return this.pos + length;
  }

  /**
   * Reads a varint of up to 10 bytes; returns its low 32 bits as a signed int32 and leaves the
   * high 32 bits in `high`. Bits past 64 are dropped, as protobuf parsers do.
   * @throws DecodeFailure when the varint is truncated or longer than 10 bytes.
   */
  readVarint64(): number {
    if (this.end - this.pos < 10) return this.readVarint64Checked();
    const bytes = this.bytes;
    let pos = this.pos;
    let byte = bytes[pos++]!;
    let low = byte & 0x7f;
    this.high = 0;
    if (byte < 0x80) {
      this.pos = pos;
      return low;
    }
    for (let shift = 7; shift < 28; shift += 7) {
      byte = bytes[pos++]!;
      low |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        return low;
      }
    }
    byte = bytes[pos++]!;
    low |= (byte & 0x0f) << 28;
    let high = (byte & 0x7f) >> 4;
    if (byte < 0x80) {
      this.pos = pos;
      this.high = high;
      return low;
    }
    for (let shift = 3; shift < 32; shift += 7) {
      byte = bytes[pos++]!;
      high |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        this.high = high;
        return low;
      }
    }
    return this.fail('varint longer than 10 bytes');
  }

  private readVarint64Checked(): number {
    const bytes = this.bytes;
    const end = this.end;
    let pos = this.pos;
    let low = 0;
    let high = 0;
    for (let index = 0; index < 10; index++) {
      if (pos >= end) return this.fail('truncated varint');
      const bits = bytes[pos++]! & 0x7f;
      const shift = index * 7;
      if (shift < 28) low |= bits << shift;
      else if (shift === 28) {
        low |= (bits & 0x0f) << 28;
        high = bits >> 4;
      } else high |= bits << (shift - 32);
      if (bytes[pos - 1]! < 0x80) {
        this.pos = pos;
        this.high = high;
        return low;
      }
    }
    return this.fail('varint longer than 10 bytes');
  }

  /**
   * Skips the payload of a field whose tag was just read (any wire type, groups included);
   * `depth` is how many groups enclose it.
   * @throws DecodeFailure for truncated data, an invalid wire type, an unmatched group end or groups
   *   nested deeper than protobuf allows (which would otherwise overflow the stack).
   */
  skipField(tag: number, depth = 0): void {
    switch (tag & 7) {
      case WIRE_VARINT:
        this.readVarint64();
        return;
      case WIRE_FIXED64:
        this.skipBytes(8);
        return;
      case WIRE_LENGTH_DELIMITED: {
        const length = this.readLength();
        this.pos += length;
        return;
      }
      case WIRE_START_GROUP:
        this.skipGroup(tag >>> 3, depth + 1);
        return;
      case WIRE_FIXED32:
        this.skipBytes(4);
        return;
      default:
        this.fail(`unexpected wire type ${tag & 7} (field ${tag >>> 3})`);
    }
  }

  private skipBytes(count: number): void {
    if (this.end - this.pos < count) this.fail(`truncated ${count}-byte field`);
    this.pos += count;
  }

  private skipGroup(fieldNumber: number, depth: number): void {
    if (depth > MAX_GROUP_DEPTH) this.fail(`groups nested deeper than ${MAX_GROUP_DEPTH}`);
    while (true) {
      if (this.pos >= this.end) this.fail(`unterminated group (field ${fieldNumber})`);
      const tag = this.readTag();
      if ((tag & 7) === WIRE_END_GROUP) {
        if (tag >>> 3 !== fieldNumber) this.fail(`group of field ${fieldNumber} closed by field ${tag >>> 3}`);
        return;
      }
      this.skipField(tag, depth);
    }
  }
}

/** The signed 64-bit value of two halves, exactly, as decimal text (used in error messages). */
export function halvesToString(low: number, high: number): string {
  return BigInt.asIntN(64, (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0)).toString();
}

/** Bytes taken by the varint encoding of a uint32. */
export function varint32Size(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x20_0000) return 3;
  if (value < 0x1000_0000) return 4;
  return 5;
}

/** Bytes taken by the varint encoding of a signed 64-bit value given as halves. */
export function varint64Size(low: number, high: number): number {
  if (high === 0) return varint32Size(low >>> 0);
  let size = 5;
  let rest = high >>> 3;
  while (rest !== 0) {
    size++;
    rest >>>= 7;
  }
  return size;
}

/** Writes into a buffer of known size; the encoder computes sizes first, so it never grows. */
export class WireWriter {
  readonly bytes: Uint8Array;
  pos = 0;
  private readonly floatScratch = new Float32Array(1);
  private readonly floatBytes = new Uint8Array(this.floatScratch.buffer);

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }

  /** Writes a uint32 as a varint (tags and lengths). */
  writeVarint32(value: number): void {
    const bytes = this.bytes;
    while (value >= 0x80) {
      bytes[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    bytes[this.pos++] = value;
  }

  /** Writes a signed 64-bit value given as halves as a varint (negative values take 10 bytes). */
  writeVarint64(low: number, high: number): void {
    const bytes = this.bytes;
    let lo = low >>> 0;
    let hi = high >>> 0;
    while (hi !== 0 || lo >= 0x80) {
      bytes[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    bytes[this.pos++] = lo;
  }

  /** Writes a float32 as 4 little-endian bytes. */
  writeFloat32(value: number): void {
    this.floatScratch[0] = value;
    const source = this.floatBytes;
    const bytes = this.bytes;
    if (LITTLE_ENDIAN) {
      bytes[this.pos] = source[0]!;
      bytes[this.pos + 1] = source[1]!;
      bytes[this.pos + 2] = source[2]!;
      bytes[this.pos + 3] = source[3]!;
    } else {
      bytes[this.pos] = source[3]!;
      bytes[this.pos + 1] = source[2]!;
      bytes[this.pos + 2] = source[1]!;
      bytes[this.pos + 3] = source[0]!;
    }
    this.pos += 4;
  }

  /** Copies raw bytes. */
  writeBytes(value: Uint8Array): void {
    this.bytes.set(value, this.pos);
    this.pos += value.length;
  }
}
