// Reads the varints of a transposed chunk's header, naming a field only when an error needs it: a
// header holds a few varints per state, and building "tag of state 12 of chunk at ..." for each (a
// Place formats offsets) cost as much as parsing them.

import type { Where } from '../../place.js';
import { fail } from './fail.js';

/** A forward cursor over a decoded header block. */
export class HeaderCursor {
  pos = 0;

  constructor(
    readonly bytes: Uint8Array,
    private readonly where: Where,
  ) {}

  get left(): number {
    return this.bytes.length - this.pos;
  }

  /**
   * Reads a varint below 2^53. `what` and `index` name the field in an error: "tag of state 3"
   * for ('tag of state', 3), just `what` when `index` is -1.
   */
  varint(what: string, index = -1): number {
    const bytes = this.bytes;
    const pos = this.pos;
    if (pos < bytes.length) {
      const first = bytes[pos]!;
      if (first < 0x80) {
        this.pos = pos + 1;
        return first;
      }
    }
    return this.longVarint(what, index);
  }

  /** Reads a varint that must fit in 32 bits, like `varint`. */
  varint32(what: string, index = -1): number {
    const value = this.varint(what, index);
    if (value > 0xffff_ffff) this.fail(what, index, `is ${value}, expected a 32-bit value`);
    return value;
  }

  private longVarint(what: string, index: number): number {
    const bytes = this.bytes;
    let result = 0;
    let scale = 1;
    for (let length = 1; length <= 10; length++) {
      if (this.pos >= bytes.length) this.fail(what, index, 'is a truncated varint');
      const byte = bytes[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) this.fail(what, index, 'is a varint beyond 2^53');
        return result;
      }
      scale *= 128;
    }
    return this.fail(what, index, 'is a varint longer than 10 bytes');
  }

  private fail(what: string, index: number, problem: string): never {
    return fail(this.where, `${index < 0 ? what : `${what} ${index}`} ${problem}`);
  }
}
