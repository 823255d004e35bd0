// Output arrays of a batch parse: fresh per batch by default, or reused across batches on request.

import { allocateValues, type ValueType, type ValuesOf } from './feature-spec.js';

/**
 * Hands out the values array of one feature per batch: fresh memory, or with `reuse`, typed arrays
 * kept and returned as views of the needed length, so steady-state parsing allocates nothing; results
 * then stay valid only until the next batch. Arrays of bytes or strings are always fresh. Either way
 * the caller writes every value (test/example/output-memory.test.ts holds it to that).
 */
export class OutputBuffer<T extends ValueType> {
  private kept: ValuesOf<T> | undefined;

  constructor(
    private readonly valueType: T,
    private readonly reuse: boolean,
  ) {}

  /** An array of `length` values, its contents unspecified (the caller writes them all). */
  take(length: number): ValuesOf<T> {
    if (!this.reuse || this.valueType === 'bytes' || this.valueType === 'string') {
      return allocateValues(this.valueType, length);
    }
    const kept = this.kept as Exclude<ValuesOf<T>, unknown[]> | undefined;
    if (kept !== undefined && kept.length >= length) return kept.subarray(0, length) as ValuesOf<T>;
    const fresh = allocateValues(this.valueType, length);
    this.kept = fresh;
    return fresh;
  }
}

/** Like OutputBuffer, for the Int32Array row splits and lengths of a feature. */
export class Int32Buffer {
  private kept = new Int32Array(0);

  constructor(private readonly reuse: boolean) {}

  /** An Int32Array of `length` (contents unspecified when reused). */
  take(length: number): Int32Array {
    if (!this.reuse) return new Int32Array(length);
    if (this.kept.length < length) this.kept = new Int32Array(length);
    return this.kept.subarray(0, length);
  }
}
