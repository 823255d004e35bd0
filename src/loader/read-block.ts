// Reads the records of one block: one batched `getItemsAsync` per source the block draws from.

import { InvalidArgumentError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';
import type { Block } from './block-producer.js';

/**
 * What the loader reads from: an ArrayRecordDataSource, or anything with the same batched async read
 * and a description for checkpoints.
 */
export interface RecordSource {
  /** Records in the source; keys are 0..length-1. */
  readonly length: number;
  /**
   * The records at `indices`, in request order: an array of one Uint8Array per index. The loader passes a
   * Float64Array (whose `map` gives numbers: map it with `Array.from(indices, ...)`).
   */
  getItemsAsync(indices: ArrayLike<number>): Promise<Uint8Array[]>;
  /**
   * True when the source may leave records out (ArrayRecordDataSource with `skip_corrupted_chunks`):
   * the loader then reads with `getItemsAvailableAsync`, drops the missing records from its batches
   * and counts them, and cannot tell an epoch's batch count in advance.
   */
  readonly skipsCorruptedChunks?: boolean;
  /** The records at `indices`, undefined where the source skipped one. Used when `skipsCorruptedChunks`. */
  getItemsAvailableAsync?(indices: ArrayLike<number>): Promise<{
    /** The record at each index, in request order; undefined where the source skipped one. */
    readonly records: readonly (Uint8Array | undefined)[];
  }>;
  /** Plain JSON identifying what is read (saved in loader states and compared on restore). */
  describe(): {
    /** What kind of source this is, such as `ArrayRecordDataSource`. */
    readonly kind: string;
  };
}

/**
 * The block's records in block order, undefined where a source skipped one. With several sources,
 * their reads run concurrently; if one fails, the others are still awaited, so no read outlives the call.
 * @throws (rejects with) the first read's error.
 */
export async function readBlock(sources: readonly RecordSource[], block: Block): Promise<readonly (Uint8Array | undefined)[]> {
  const count = block.keys.length;
  if (sources.length === 1) return count === 0 ? [] : readFrom(sources[0]!, block.keys);
  const slotsOf = new Map<number, number[]>();
  for (let element = 0; element < count; element++) {
    const component = block.sources[element]!;
    let slots = slotsOf.get(component);
    if (slots === undefined) slotsOf.set(component, (slots = []));
    slots.push(element);
  }
  const records = new Array<Uint8Array | undefined>(count);
  const reads = [...slotsOf].map(async ([component, slots]) => {
    const keys = new Float64Array(slots.length);
    for (let k = 0; k < slots.length; k++) keys[k] = block.keys[slots[k]!]!;
    const read = await readFrom(sources[component]!, keys);
    for (let k = 0; k < slots.length; k++) records[slots[k]!] = read[k];
  });
  const settled = await Promise.allSettled(reads);
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  return records;
}

/** The records at `keys`, with holes only from a source that may skip records. */
async function readFrom(source: RecordSource, keys: Float64Array<ArrayBuffer>): Promise<readonly (Uint8Array | undefined)[]> {
  if (source.skipsCorruptedChunks === true && source.getItemsAvailableAsync !== undefined) {
    return checkRecords(source, 'getItemsAvailableAsync', (await source.getItemsAvailableAsync(keys)).records, keys, true);
  }
  return checkRecords(source, 'getItemsAsync', await source.getItemsAsync(keys), keys, false);
}

/**
 * `records` when it holds one Uint8Array per key (or undefined, from a source that may skip). A source of
 * the caller's own may get this wrong: `keys.map(...)` over the Float64Array of keys gives numbers, which
 * would reach the transforms as wrong records (on worker threads, as empty ones), and a short array would
 * leave elements out of the batches without a word.
 * @throws InvalidArgumentError naming the source, the method and what it returned.
 */
function checkRecords(
  source: RecordSource,
  method: string,
  records: unknown,
  keys: Float64Array,
  holes: boolean,
): readonly (Uint8Array | undefined)[] {
  const call = `source ${source.describe().kind}: ${method}(keys) `;
  if (!Array.isArray(records)) {
    const hint = ArrayBuffer.isView(records) ? ' (keys is a Float64Array, whose map() gives numbers: map with Array.from(keys, (key) => ...))' : '';
    throw new InvalidArgumentError(`${call}returned ${describeFound(records)}, not an array of ${keys.length} Uint8Array records${hint}`);
  }
  if (records.length !== keys.length) {
    throw new InvalidArgumentError(`${call}returned ${records.length} record${records.length === 1 ? '' : 's'} for ${keys.length} keys: one per key, in request order`);
  }
  for (let k = 0; k < records.length; k++) {
    const record: unknown = records[k];
    if (record instanceof Uint8Array || (holes && record === undefined)) continue;
    throw new InvalidArgumentError(`${call}returned ${describeFound(record)} at position ${k} (key ${keys[k]}), not a Uint8Array record`, { index: k });
  }
  return records as readonly (Uint8Array | undefined)[];
}
