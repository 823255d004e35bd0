// The ranges the disk cache holds of one object, sorted by offset, found by binary search: a cache of
// 10^5 ranges answers a lookup in a few steps, where a scan of them all took a millisecond a request.

/** One cached range of an object: bytes [offset, end), in `file`. */
export interface CachedRange {
  readonly object: string;
  readonly offset: number;
  readonly end: number;
  readonly file: string;
}

/**
 * An object's cached ranges, which may overlap (two requests' ranges), sorted by offset.
 * @example const ranges = new CachedRanges(); ranges.add(range); ranges.covering(0, 100) // range, if it holds [0, 100)
 */
export class CachedRanges {
  private readonly sorted: CachedRange[] = [];
  /** No range is longer: a search for a range holding a span looks no further back than this. */
  private longest = 0;
  /** How many ranges have each length: `longest` shrinks when its last range goes (one outsized range must not make every later miss a scan). */
  private readonly lengths = new Map<number, number>();

  get count(): number {
    return this.sorted.length;
  }

  /** Adds `range`; appending in offset order (a file fetched front to back) costs no shifting. */
  add(range: CachedRange): void {
    const sorted = this.sorted;
    const at = sorted.length === 0 || sorted.at(-1)!.offset <= range.offset ? sorted.length : this.firstAfter(range.offset);
    sorted.splice(at, 0, range);
    const length = range.end - range.offset;
    this.lengths.set(length, (this.lengths.get(length) ?? 0) + 1);
    this.longest = Math.max(this.longest, length);
  }

  /** Removes `range` (this very entry); false if it is not here. */
  remove(range: CachedRange): boolean {
    const sorted = this.sorted;
    for (let i = this.firstAfter(range.offset) - 1; i >= 0 && sorted[i]!.offset === range.offset; i--) {
      if (sorted[i] === range) {
        sorted.splice(i, 1);
        this.forgetLength(range.end - range.offset);
        return true;
      }
    }
    return false;
  }

  private forgetLength(length: number): void {
    const left = this.lengths.get(length)! - 1;
    if (left > 0) {
      this.lengths.set(length, left);
      return;
    }
    this.lengths.delete(length);
    if (length !== this.longest) return;
    this.longest = 0;
    for (const kept of this.lengths.keys()) this.longest = Math.max(this.longest, kept);
  }

  /** A range holding all of [offset, end), if one does. */
  covering(offset: number, end: number): CachedRange | undefined {
    const sorted = this.sorted;
    // Ranges starting at or before `offset`, nearest first; one starting more than `longest` before `end` cannot reach it.
    for (let i = this.firstAfter(offset) - 1; i >= 0 && sorted[i]!.offset + this.longest >= end; i--) {
      if (sorted[i]!.end >= end) return sorted[i];
    }
    return undefined;
  }

  /** The position of the first range starting after `offset`. */
  private firstAfter(offset: number): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.sorted[middle]!.offset <= offset) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
