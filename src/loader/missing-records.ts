// Records a source could not return (a damaged chunk skipped with skip_corrupted_chunks): the loader
// runs the transforms on the others only, and keeps the missing ones out of its batches, as a filter
// that dropped them would.

import type { Block } from './block-producer.js';
import type { TransformedBlock } from './apply-transforms.js';

/**
 * The elements of a block whose records arrived, for the transforms.
 * @example const present: PresentElements = presentElements(block, await readBlock(sources, block));
 */
export interface PresentElements {
  /** The block with only those elements (same epoch and start): what the transforms see. */
  readonly block: Block;
  readonly records: Uint8Array[];
  /** For each present element, its place in the whole block; undefined when none is missing. */
  readonly places: Int32Array<ArrayBuffer> | undefined;
  /** How many records did not arrive. */
  readonly missing: number;
}

/**
 * Splits a block's records (undefined where the source skipped one) into the present elements.
 * @example const { block: readable, records: present, missing } = presentElements(block, read);
 */
export function presentElements(block: Block, records: readonly (Uint8Array | undefined)[]): PresentElements {
  let present = 0;
  for (const record of records) if (record !== undefined) present++;
  if (present === records.length) return { block, records: records as Uint8Array[], places: undefined, missing: 0 };
  const places = new Int32Array(present);
  const kept: Uint8Array[] = [];
  for (let element = 0; element < records.length; element++) {
    const record = records[element];
    if (record === undefined) continue;
    places[kept.length] = element;
    kept.push(record);
  }
  const sources = new Int32Array(present);
  const keys = new Float64Array(present);
  for (let k = 0; k < present; k++) {
    sources[k] = block.sources[places[k]!]!;
    keys[k] = block.keys[places[k]!]!;
  }
  return { block: { ...block, sources, keys }, records: kept, places, missing: records.length - present };
}

/**
 * An element's place in the whole block, from its place among the present elements.
 * @example const element = placeInBlock(present, failure.element);
 */
export function placeInBlock(present: PresentElements, element: number): number {
  return present.places === undefined ? element : present.places[element]!;
}

/**
 * Transform results over the present elements, with `kept` pointing into the whole block.
 * @example const { values, kept } = inWholeBlock(present, await applyTransforms(steps, present.records, epoch, present.block.sources, present.block.keys, seed));
 */
export function inWholeBlock(present: PresentElements, transformed: TransformedBlock): TransformedBlock {
  if (present.places === undefined) return transformed;
  return { values: transformed.values, kept: transformed.kept.map((element) => present.places![element]!) };
}
