// One iteration of a DataLoader: blocks from the plan -> batched reads -> transforms, prefetched in order
// with a bound, then batching. Knows which element the consumer's last output ended at, for the state.

import type { Block } from './block-producer.js';
import { BlockProducer } from './block-producer.js';
import type { ElementPlan, PlanPosition } from './epoch-plan.js';
import { LoaderError } from './loader-error.js';
import { inWholeBlock, placeInBlock, presentElements } from './missing-records.js';
import { OrderedPrefetch } from './prefetch.js';
import { readBlock, type RecordSource } from './read-block.js';
import { TransformFailure, type TransformedBlock } from './apply-transforms.js';
import type { RunStats, StatsCollector } from './stats-collector.js';

/** What a run needs from its loader. */
export interface RunSettings {
  readonly plan: ElementPlan;
  readonly sources: readonly RecordSource[];
  readonly readSize: number;
  /** Blocks read or transformed ahead of the one being batched, at most. */
  readonly prefetch: number;
  /** Epochs from the start position up to (not including) this one are produced. */
  readonly endEpoch: number;
  /** Transforms a block's records; `started` is the clock (performance.now()) as it starts. */
  readonly transform: (block: Block, records: Uint8Array[], started: number) => TransformedBlock | Promise<TransformedBlock>;
  /** Elements per batch; undefined yields elements one by one. */
  readonly batchSize: number | undefined;
  readonly dropRemainder: boolean;
  readonly collate: ((items: never[]) => unknown) | undefined;
  /** Told how many records of a block its source skipped (damaged chunks), when the run reaches the block. */
  readonly skipped: (count: number) => void;
  /** The loader's statistics, which the run reports to. */
  readonly stats: StatsCollector;
}

interface BlockResult extends TransformedBlock {
  readonly block: Block;
  /** A transform failed on an element: thrown once the values before it have been handed out. */
  readonly failure: LoaderError | undefined;
  /** Records of the block its source skipped: dropped, as a filter drops elements. */
  readonly missing: number;
}

/** Returned by `next()` once the run has produced everything. */
export const RUN_END: unique symbol = Symbol('end of the loader run');

/** The consumer's position after an element: `element` of `block` and everything before it were received. */
export function positionAfter(block: Block, element: number): PlanPosition {
  let counts: number[] | undefined;
  if (block.countsBefore !== undefined) {
    counts = Array.from(block.countsBefore);
    for (let k = 0; k <= element; k++) counts[block.sources[k]!]!++;
  }
  return { epoch: block.epoch, offset: block.start + element + 1, counts };
}

function blockTask(settings: RunSettings, stats: RunStats, block: Block): () => Promise<BlockResult> {
  return async () => {
    const count = block.keys.length;
    let records: readonly (Uint8Array | undefined)[];
    const started = performance.now();
    try {
      records = await readBlock(settings.sources, block);
    } catch (error) {
      throw new LoaderError({ stage: 'read', epoch: block.epoch, offset: block.start, count }, error);
    }
    const read = performance.now();
    const present = presentElements(block, records);
    const { missing } = present;
    stats.read(block.epoch, count - missing, read - started);
    try {
      const transformed = await settings.transform(present.block, present.records, read);
      stats.transformed(block.epoch, transformed.timing);
      return { block, ...inWholeBlock(present, transformed), failure: undefined, missing };
    } catch (error) {
      if (!(error instanceof TransformFailure)) {
        throw new LoaderError({ stage: 'transform', epoch: block.epoch, offset: block.start, count }, error);
      }
      if (error.element < 0) {
        throw new LoaderError({ stage: 'transform', epoch: block.epoch, offset: block.start, count }, error.cause);
      }
      const element = placeInBlock(present, error.element);
      const failure = new LoaderError(
        {
          stage: 'transform',
          epoch: block.epoch,
          offset: block.start + element,
          count: 1,
          source: block.sources[element],
          key: block.keys[element],
          step: error.step,
          stepName: error.stepName,
        },
        error.cause,
      );
      return { block, ...inWholeBlock(present, error.before), failure, missing };
    }
  };
}

/**
 * Produces a loader's outputs from `from` on. `next()` returns the next batch (or element), and
 * afterwards `markBlock` / `markElement` say where the consumer stands once it has received it.
 */
export class LoaderRun {
  private readonly prefetch: OrderedPrefetch<BlockResult>;
  private current: BlockResult | undefined;
  /** Values of `current` already handed out or batched. */
  private taken = 0;
  private batch: unknown[] = [];
  private readonly stats: RunStats;
  markBlock: Block | undefined;
  markElement = -1;
  /** Elements in the latest output. */
  private outputSize = 0;

  constructor(
    private readonly settings: RunSettings,
    from: PlanPosition,
  ) {
    const producer = new BlockProducer(settings.plan, settings.readSize, from, settings.endEpoch);
    const stats = (this.stats = settings.stats.startRun());
    this.prefetch = new OrderedPrefetch(
      () => {
        const block = producer.next();
        return block === undefined ? undefined : blockTask(settings, stats, block);
      },
      settings.prefetch,
      (ready, pending) => stats.finished(ready, pending),
    );
  }

  /**
   * The next output, or RUN_END.
   * @throws LoaderError for a failed read or transform; whatever `collate` throws.
   */
  async next(): Promise<unknown> {
    this.stats.throwIfReportFailed();
    const { batchSize } = this.settings;
    while (true) {
      const result = this.current;
      if (result !== undefined) {
        const { values, kept, block } = result;
        if (batchSize === undefined) {
          if (this.taken < values.length) {
            const index = this.taken++;
            this.mark(block, kept[index]!);
            this.outputSize = 1;
            return values[index];
          }
        } else {
          while (this.taken < values.length) {
            const index = this.taken++;
            this.batch.push(values[index]);
            if (this.batch.length === batchSize) {
              this.mark(block, kept[index]!);
              return this.emit(block);
            }
          }
          if (result.failure === undefined && block.last && this.batch.length > 0) {
            const keep = !this.settings.dropRemainder;
            const items = this.batch;
            this.batch = [];
            this.current = undefined;
            if (keep) {
              // The epoch is over: the position covers its trailing filtered-out elements too.
              this.mark(block, block.keys.length - 1);
              return this.collate(items, block);
            }
            continue;
          }
        }
        this.current = undefined;
        if (result.failure !== undefined) throw result.failure;
      }
      const waiting = this.stats.waiting();
      const fetched = await this.prefetch.next();
      if (fetched.done) return RUN_END;
      this.stats.took(fetched.value.block, waiting, this.prefetch.ready, this.prefetch.pending);
      this.current = fetched.value;
      this.taken = 0;
      if (fetched.value.missing > 0) this.settings.skipped(fetched.value.missing);
    }
  }

  /** Stops reading ahead and resolves once no read or transform of this run is in flight. */
  close(): Promise<void> {
    this.stats.ended();
    this.current = undefined;
    this.batch = [];
    return this.prefetch.close();
  }

  private mark(block: Block, element: number): void {
    this.markBlock = block;
    this.markElement = element;
  }

  /** The consumer received the latest output: counts it. */
  countDelivered(): void {
    this.stats.delivered(this.markBlock!.epoch, this.outputSize);
  }

  private emit(block: Block): unknown {
    const items = this.batch;
    this.batch = [];
    return this.collate(items, block);
  }

  private collate(items: unknown[], block: Block): unknown {
    this.outputSize = items.length;
    const { collate } = this.settings;
    if (collate === undefined) return items;
    const started = performance.now();
    const value = collate(items as never[]);
    this.stats.collated(block.epoch, performance.now() - started);
    return value;
  }
}
