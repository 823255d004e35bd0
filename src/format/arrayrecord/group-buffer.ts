// The group of records a writer without workers is filling, copied back to back into one buffer that
// serves group after group: each record is copied once, and its chunk takes the group's bytes as they
// lie, instead of a copy of each record and then another of the group to put them together.

/** The buffer's first size (allocated on the first record); it doubles as groups need. */
const INITIAL_SIZE = 64 << 10;

export class GroupBuffer {
  private bytes = new Uint8Array(0);
  private used = 0;
  /** Where each record ends in `bytes`. */
  private readonly ends: number[] = [];

  /** Records in the group. */
  get length(): number {
    return this.ends.length;
  }

  /** Copies `record` in, after the others. */
  add(record: Uint8Array): void {
    if (this.used + record.length > this.bytes.length) this.grow(record.length);
    this.bytes.set(record, this.used);
    this.used += record.length;
    this.ends.push(this.used);
  }

  /**
   * The group's records and their bytes back to back: views of the buffer, valid until the next add()
   * after clear(). Encoders never hand back views of their input, so the chunk outlives them.
   */
  contents(): { records: Uint8Array[]; values: Uint8Array } {
    const records: Uint8Array[] = [];
    let start = 0;
    for (const end of this.ends) {
      records.push(this.bytes.subarray(start, end));
      start = end;
    }
    return { records, values: this.bytes.subarray(0, this.used) };
  }

  /** Empties the group; its buffer serves the next one. */
  clear(): void {
    this.used = 0;
    this.ends.length = 0;
  }

  private grow(length: number): void {
    const bigger = new Uint8Array(Math.max(INITIAL_SIZE, 2 * this.bytes.length, this.used + length));
    bigger.set(this.bytes.subarray(0, this.used));
    this.bytes = bigger;
  }
}
