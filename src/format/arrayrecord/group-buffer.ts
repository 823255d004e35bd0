// The group of records a writer without workers is filling, copied back to back into one buffer that
// serves group after group: each record is copied once, and its chunk takes the group's bytes as they
// lie, instead of a copy of each record and then another of the group to put them together. A large
// group's buffer grows to the size the group's records promise (their mean size times the group size)
// rather than by doubling: an 86 MB group then costs one buffer of ~90 MB, not a series of copies
// through 128 MB, each of it fresh memory (a page fault per 4 KiB).

import { InvalidArgumentError } from '../errors.js';

/** The buffer's first size (allocated on the first record); it doubles as groups need. */
const INITIAL_SIZE = 64 << 10;
/**
 * The most bytes the records of one group may take: the largest Uint8Array of Node 20 (later Nodes
 * allow more, but a chunk larger than this could not be read back on Node 20).
 */
export const MAX_GROUP_BYTES = 2 ** 32;
/** Records of a group seen before their mean size predicts the rest. */
const RECORDS_TO_PREDICT = 16;
/** Room beyond the prediction, so that records a little larger than the mean do not force another copy. */
const PREDICTION_SLACK = 1 / 16;

/**
 * The capacity to grow a buffer of `capacity` bytes to, so that it holds `needed` bytes: the size the
 * group being filled will reach when `groupRecords` of its `groupSize` records took `groupBytes` (a
 * little more), or else double.
 * @throws InvalidArgumentError when `needed` is more than one buffer can hold (MAX_GROUP_BYTES).
 */
export function grownCapacity(capacity: number, needed: number, groupBytes: number, groupRecords: number, groupSize: number): number {
  if (needed > MAX_GROUP_BYTES) {
    throw new InvalidArgumentError(
      `records waiting to be encoded reach ${needed} bytes, more than one buffer holds (${MAX_GROUP_BYTES}): use a smaller group_size (now ${groupSize})`,
    );
  }
  let grown = Math.max(INITIAL_SIZE, 2 * capacity, needed);
  if (groupRecords >= RECORDS_TO_PREDICT && groupSize > groupRecords) {
    const rest = (groupBytes / groupRecords) * (groupSize - groupRecords) * (1 + PREDICTION_SLACK);
    // At least an eighth more, so that a prediction too small by a little does not copy record after record.
    grown = Math.max(needed, Math.ceil(capacity * 1.125), Math.ceil(needed + rest));
  }
  return Math.min(grown, MAX_GROUP_BYTES);
}

/** Buffers from this size on are kept for the next writer when a writer closes. */
const KEPT_BUFFER_SIZE = 4 << 20;
/** How long a kept buffer waits for a writer before it is let go (the process may have stopped writing). */
const KEPT_BUFFER_MS = 2000;
/**
 * The large group buffer of the writer closed last, for the next writer whose group needs as much: a
 * writer of 86 MB groups otherwise touches 86 MB of fresh memory per file, 22,000 page faults (~260 ms
 * of CPU on these VMs). One buffer at most, let go after KEPT_BUFFER_MS.
 */
let kept: { buffer: ArrayBuffer; timer: NodeJS.Timeout } | undefined;

/** Gives a writer's group buffer, no longer used, to the next writer (only a large one is kept). */
export function releaseGroupBuffer(buffer: ArrayBufferLike): void {
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < KEPT_BUFFER_SIZE) return;
  if (kept !== undefined) {
    if (kept.buffer.byteLength >= buffer.byteLength) return;
    clearTimeout(kept.timer);
  }
  const timer = setTimeout(() => (kept = undefined), KEPT_BUFFER_MS);
  timer.unref();
  kept = { buffer, timer };
}

/** The kept buffer, when it holds `capacity` bytes (and is not more than twice as large). */
function keptBuffer(capacity: number): ArrayBuffer | undefined {
  if (kept === undefined || kept.buffer.byteLength < capacity || kept.buffer.byteLength > 2 * capacity) return undefined;
  const { buffer, timer } = kept;
  clearTimeout(timer);
  kept = undefined;
  return buffer;
}

/**
 * A copy of `bytes[0, used)` in a buffer of `capacity` bytes or more (the one a closed writer left, or a new one).
 * @throws InvalidArgumentError when the memory cannot be had (instead of V8's RangeError).
 */
export function grownBuffer(bytes: Uint8Array, used: number, capacity: number): Uint8Array<ArrayBuffer> {
  let bigger: Uint8Array<ArrayBuffer>;
  try {
    const reused = capacity >= KEPT_BUFFER_SIZE ? keptBuffer(capacity) : undefined;
    bigger = reused === undefined ? new Uint8Array(capacity) : new Uint8Array(reused);
  } catch (cause) {
    const error = new InvalidArgumentError(`cannot allocate ${capacity} bytes for the records of a group (${(cause as Error).message}): use a smaller group_size`);
    throw Object.assign(error, { cause });
  }
  bigger.set(bytes.subarray(0, used));
  return bigger;
}

export class GroupBuffer {
  private bytes = new Uint8Array(0);
  private used = 0;
  /** Where each record ends in `bytes`. */
  private readonly ends: number[] = [];

  /** @param groupSize records per group, which predicts how large a group grows. */
  constructor(private readonly groupSize = 1) {}

  /** Records in the group. */
  get length(): number {
    return this.ends.length;
  }

  /**
   * Copies `record` in, after the others.
   * @throws InvalidArgumentError when the group outgrows what memory or one buffer holds.
   */
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

  /** Empties the group and gives its buffer to the next writer (releaseGroupBuffer). */
  release(): void {
    this.clear();
    releaseGroupBuffer(this.bytes.buffer);
    this.bytes = new Uint8Array(0);
  }

  private grow(length: number): void {
    const capacity = grownCapacity(this.bytes.length, this.used + length, this.used, this.ends.length, this.groupSize);
    this.bytes = grownBuffer(this.bytes, this.used, capacity);
  }
}
