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
 * Consecutive empty epochs after which an unbounded order is taken to have ended. Its epochs need not be
 * alike: a rank of a StridedShardSampler over fewer records than ranks has steps in some epochs only
 * (rank 2 of 3 over 2 records: in epochs 1, 2, 4, 5, ...), never more than worldSize - 1 empty ones in
 * a row; an order that never has an element again (a custom sampler) must not be walked forever
 * (passing an empty epoch costs ~10-40 µs: 4,096 of them, well under a second).
 */
const MAX_EMPTY_EPOCHS_IN_A_ROW = 4_096;

/**
 * Produces the blocks from `from` up to (not including) epoch `endEpoch`, skipping empty epochs (an
 * unbounded order ends after MAX_EMPTY_EPOCHS_IN_A_ROW of them). Plan errors (a sampler throwing)
 * surface from `next()`.
 */
export class BlockProducer {
  private epoch: number;
  private cursor: PlanCursor | undefined;
  private offset: number;
  /** Empty epochs just passed, none of them yielding an element. */
  private emptyInARow = 0;

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
      this.emptyInARow = this.offset === 0 ? this.emptyInARow + 1 : 0;
      if (this.endEpoch === Infinity && this.emptyInARow >= MAX_EMPTY_EPOCHS_IN_A_ROW) return undefined;
      this.epoch++;
      this.offset = 0;
      this.cursor = this.epoch < this.endEpoch ? this.plan.cursor({ epoch: this.epoch, offset: 0 }) : undefined;
    }
    return undefined;
  }
}
