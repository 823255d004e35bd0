// Cuts the loader's element order into blocks: runs of consecutive positions of one epoch, read with one
// batched read per source. Blocks never cross an epoch boundary, so neither do batches.

import type { ElementPlan, PlanCursor, PlanPosition } from './epoch-plan.js';

/** A run of consecutive positions of one epoch: what one read (per source) fetches. */
export interface Block {
  readonly epoch: number;
  /** Position in the epoch of the block's first element. */
  readonly start: number;
  /** Per element: the component (source) it is read from; 0 without a mix. */
  readonly sources: Int32Array<ArrayBuffer>;
  /** Per element: its record key in that source. */
  readonly keys: Float64Array<ArrayBuffer>;
  /** Mix only: elements taken from each component in this epoch before the block. */
  readonly countsBefore: Float64Array | undefined;
  /** True for the epoch's last block: a partial batch is completed (or dropped) after it. */
  readonly last: boolean;
}

/**
 * Produces the blocks from `from` up to (not including) epoch `endEpoch`, skipping empty epochs (an
 * empty epoch of an unbounded order ends it). Plan errors (a sampler throwing) surface from `next()`.
 */
export class BlockProducer {
  private epoch: number;
  private cursor: PlanCursor | undefined;
  private offset: number;

  constructor(
    private readonly plan: ElementPlan,
    private readonly readSize: number,
    from: PlanPosition,
    private readonly endEpoch: number,
  ) {
    this.epoch = from.epoch;
    this.offset = from.offset;
    this.cursor = this.epoch < endEpoch ? plan.cursor(from) : undefined;
  }

  /** The next block, or undefined when every epoch before `endEpoch` is done. */
  next(): Block | undefined {
    while (this.cursor !== undefined) {
      const cursor = this.cursor;
      if (!cursor.ended()) {
        const countsBefore = cursor.counts();
        const sources = new Int32Array(this.readSize);
        const keys = new Float64Array(this.readSize);
        const count = cursor.fill(sources, keys);
        const start = this.offset;
        this.offset += count;
        return {
          epoch: this.epoch,
          start,
          sources: count === this.readSize ? sources : sources.slice(0, count),
          keys: count === this.readSize ? keys : keys.slice(0, count),
          countsBefore,
          last: cursor.ended(),
        };
      }
      // Epochs of an unbounded order are alike: an empty one means they all are, so stop rather than spin.
      if (this.offset === 0 && this.endEpoch === Infinity) return undefined;
      this.epoch++;
      this.offset = 0;
      this.cursor = this.epoch < this.endEpoch ? this.plan.cursor({ epoch: this.epoch, offset: 0 }) : undefined;
    }
    return undefined;
  }
}
