// Reads the records of one block: one batched `getItemsAsync` per source the block draws from.

import type { Block } from './block-producer.js';

/**
 * What the loader reads from: an ArrayRecordDataSource, or anything with the same batched async read
 * and a description for checkpoints.
 */
export interface RecordSource {
  readonly length: number;
  /** The records at `indices`, in request order. */
  getItemsAsync(indices: ArrayLike<number>): Promise<Uint8Array[]>;
  /** Plain JSON identifying what is read (saved in loader states and compared on restore). */
  describe(): { readonly kind: string };
}

/**
 * The block's records in block order. With several sources, their reads run concurrently; if one
 * fails, the others are still awaited, so no read outlives the call.
 * @throws (rejects with) the first read's error.
 */
export async function readBlock(sources: readonly RecordSource[], block: Block): Promise<Uint8Array[]> {
  const count = block.keys.length;
  if (sources.length === 1) return count === 0 ? [] : sources[0]!.getItemsAsync(block.keys);
  const slotsOf = new Map<number, number[]>();
  for (let element = 0; element < count; element++) {
    const component = block.sources[element]!;
    let slots = slotsOf.get(component);
    if (slots === undefined) slotsOf.set(component, (slots = []));
    slots.push(element);
  }
  const records = new Array<Uint8Array>(count);
  const reads = [...slotsOf].map(async ([component, slots]) => {
    const keys = new Float64Array(slots.length);
    for (let k = 0; k < slots.length; k++) keys[k] = block.keys[slots[k]!]!;
    const read = await sources[component]!.getItemsAsync(keys);
    for (let k = 0; k < slots.length; k++) records[slots[k]!] = read[k]!;
  });
  const settled = await Promise.allSettled(reads);
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  return records;
}
