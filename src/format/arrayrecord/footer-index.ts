// The footer's index as a writer builds it: where each data chunk begins, its decoded size and its
// records, kept as numbers in one growing array, and serialised at close straight into the bytes of the
// footer chunk's records. A file of one record per chunk has an entry per record: 65,536 objects kept
// to the end, then as many small arrays, cost a writer ~100 ms of allocation and garbage collection.

import { chunkFooterLength, writeChunkFooter } from './layout.js';

/** Numbers per entry: chunk offset, decoded data size, record count. */
const FIELDS = 3;

export class FooterIndex {
  private entries = new Float64Array(FIELDS * 1024);
  private count = 0;
  private records = 0;

  /** Chunks listed. */
  get numChunks(): number {
    return this.count;
  }

  /** Records of the chunks listed. */
  get numRecords(): number {
    return this.records;
  }

  /** Lists a data chunk. */
  add(chunkOffset: number, decodedDataSize: number, numRecords: number): void {
    if (FIELDS * (this.count + 1) > this.entries.length) {
      const bigger = new Float64Array(2 * this.entries.length);
      bigger.set(this.entries);
      this.entries = bigger;
    }
    const e = FIELDS * this.count++;
    this.entries[e] = chunkOffset;
    this.entries[e + 1] = decodedDataSize;
    this.entries[e + 2] = numRecords;
    this.records += numRecords;
  }

  /**
   * The footer chunk's records: `metadata` (RiegeliFooterMetadata), then an ArrayRecordFooter per chunk
   * listed, in order; as their bytes back to back and where each ends.
   */
  footerRecords(metadata: Uint8Array): { values: Uint8Array; ends: Float64Array } {
    const { entries, count } = this;
    let length = metadata.length;
    for (let e = 0; e < FIELDS * count; e += FIELDS) length += chunkFooterLength(entries[e]!, entries[e + 1]!, entries[e + 2]!);
    const values = new Uint8Array(length);
    const ends = new Float64Array(1 + count);
    values.set(metadata);
    let at = (ends[0] = metadata.length);
    for (let c = 0; c < count; c++) {
      const e = FIELDS * c;
      at = ends[1 + c] = writeChunkFooter(values, at, entries[e]!, entries[e + 1]!, entries[e + 2]!);
    }
    return { values, ends };
  }
}
