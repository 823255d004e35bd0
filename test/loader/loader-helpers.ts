// Helpers for the loader tests: an in-memory source that counts its reads and can fail or stall, record
// encodings, and a way to drain a loader while saving states.

import type { DataLoader, LoaderState, RecordSource } from '../../src/index.js';

/** Record `key` of a MemorySource named `name`: the text `name:key`. */
export function memoryRecord(name: string, key: number): Uint8Array {
  return new TextEncoder().encode(`${name}:${key}`);
}

/** The text of a record. */
export function text(record: Uint8Array): string {
  return Buffer.from(record.buffer, record.byteOffset, record.byteLength).toString('utf8');
}

/** Options of a MemorySource. */
export interface MemorySourceOptions {
  /** Reads for these keys reject with this error. */
  readonly failOn?: ReadonlySet<number>;
  readonly error?: Error;
  /** Macrotask turns each read takes, so reads overlap and prefetching shows (default 1). */
  readonly delayTurns?: number;
}

/**
 * Records `name:0` .. `name:(length-1)` served asynchronously, counting reads: how many are in flight,
 * the most ever in flight, and every batch of keys requested.
 */
export class MemorySource implements RecordSource {
  inFlight = 0;
  maxInFlight = 0;
  started = 0;
  readonly requests: number[][] = [];

  constructor(
    readonly name: string,
    readonly length: number,
    private readonly options: MemorySourceOptions = {},
  ) {}

  async getItemsAsync(indices: ArrayLike<number>): Promise<Uint8Array[]> {
    const keys = Array.from(indices);
    this.requests.push(keys);
    this.started++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      for (let turn = 0; turn < (this.options.delayTurns ?? 1); turn++) await new Promise((resolve) => setImmediate(resolve));
      for (const key of keys) {
        if (!Number.isSafeInteger(key) || key < 0 || key >= this.length) throw new RangeError(`${this.name}: key ${key} out of range`);
        if (this.options.failOn?.has(key)) throw this.options.error ?? new Error(`${this.name}: cannot read key ${key}`);
      }
      return keys.map((key) => memoryRecord(this.name, key));
    } finally {
      this.inFlight--;
    }
  }

  describe(): { kind: string; name: string; length: number } {
    return { kind: 'MemorySource', name: this.name, length: this.length };
  }
}

/** Everything an iterable yields. */
export async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

/** The first `count` outputs of a loader (breaking out of the loop), and its state afterwards (through JSON). */
export async function takeThenSave<T>(loader: DataLoader<T>, count: number): Promise<{ taken: T[]; state: LoaderState }> {
  const taken: T[] = [];
  if (count > 0) {
    for await (const value of loader) {
      taken.push(value);
      if (taken.length === count) break;
    }
  }
  return { taken, state: JSON.parse(JSON.stringify(loader.getState())) as LoaderState };
}
