// DataLoader: sampler -> batched async reads -> transforms (here or on worker threads) -> batches, with a
// bounded, ordered prefetch, epoch-by-epoch iteration, and checkpointable (also elastic) state.

import { ClosedError, InvalidArgumentError, InvalidOptionsError, OutOfRangeError, UnsupportedError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';
import type { DistributedPlacement } from '../samplers/env.js';
import type { Sampler, SamplerDescription } from '../samplers/sampler.js';
import type { Block } from './block-producer.js';
import { ArrayRecordDataSource } from '../source/data-source.js';
import { remainderSampler, type ElasticChain, type SamplerFactory } from './elastic.js';
import { SamplerPlan, type ElementPlan, type PlanPosition } from './epoch-plan.js';
import { LoaderIterator } from './loader-iterator.js';
import { resolveLoaderOptions, type LoaderOptionFields } from './loader-options.js';
import { LoaderRun, positionAfter, type RunSettings } from './loader-run.js';
import { checkStateMatches, describeSources, mergeRankStates, parseLoaderState, type LoaderState } from './loader-state.js';
import { describeFingerprint, printState } from '../samplers/state.js';
import type { RecordSource } from './read-block.js';
import { applyTransforms } from './apply-transforms.js';
import type { LoaderStats } from './loader-stats.js';
import type { DataLoaderConstructor } from './loader-types.js';
import { StatsCollector } from './stats-collector.js';
import { StatsReporter } from './stats-reporter.js';
import { TimedSteps, timeTransforms } from './transform-timing.js';
import type { Transform } from './transforms.js';
import { TransformWorkerPool, type TransformWorkerSettings } from './worker-transforms.js';

export type { DataLoaderOptions } from './loader-types.js';

const OWNER = 'DataLoader';

/** The consumer's position: explicit, or just after an element of a block it received (computed on demand). */
type Position =
  | { readonly kind: 'at'; readonly at: PlanPosition }
  | { readonly kind: 'after'; readonly block: Block; readonly element: number };

/** The implementation of {@link DataLoader}, whose constructor types its output; use `DataLoader`. */
export class DataLoaderClass<Out = unknown> implements AsyncIterable<Out>, AsyncDisposable {
  private readonly sources: readonly RecordSource[];
  private readonly base: Sampler | undefined;
  private readonly samplerFor: SamplerFactory | undefined;
  private readonly placement: DistributedPlacement | undefined;
  private readonly sourceDescription: SamplerDescription;
  private readonly transforms: readonly Transform[] | undefined;
  private readonly filters: boolean;
  private readonly workerSettings: TransformWorkerSettings | undefined;
  private readonly batchSize: number | undefined;
  private readonly dropRemainder: boolean;
  private readonly collate: ((items: never[]) => unknown) | undefined;
  private readonly prefetch: number;
  private readonly readSize: number;
  private readonly seed: number | undefined;
  private plan: ElementPlan;
  /** The order's description when `plan` was built from it (see followSampler). */
  private planned: string;
  private readonly describeOrder: () => SamplerDescription;
  private readonly replan: () => ElementPlan;
  private chain: ElasticChain | undefined;
  private position: Position;
  private active: LoaderIterator<Out> | undefined;
  /** Resolves when the last stopped iteration has nothing in flight any more. */
  private stopped: Promise<void> = Promise.resolve();
  /** The transform workers, once started; held apart from the loader so that a dropped loader's can be stopped. */
  private readonly workers: { pool: TransformWorkerPool | undefined } = { pool: undefined };
  /** Stops the transform workers once no iteration has run for WORKER_IDLE_STOP_MS (see stopIdleWorkersLater). */
  private idleStop: NodeJS.Timeout | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private skipped = 0;
  /** This loader's own iteration ran through its last epoch (not a restored state that stands there). */
  private ranLastEpoch = false;
  private warnedPastLastEpoch = false;
  private readonly statistics: StatsCollector;

  constructor(options: LoaderOptionFields) {
    const settings = resolveLoaderOptions(options);
    ({
      sources: this.sources,
      plan: this.plan,
      base: this.base,
      samplerFor: this.samplerFor,
      placement: this.placement,
      describeOrder: this.describeOrder,
      replan: this.replan,
    } = settings.order);
    this.sourceDescription = describeSources(this.sources);
    this.seed = settings.seed;
    this.transforms = settings.transforms;
    this.filters = settings.filters;
    this.workerSettings = settings.workers;
    this.batchSize = settings.batchSize;
    this.dropRemainder = settings.dropRemainder;
    this.collate = settings.collate;
    this.readSize = settings.readSize;
    this.prefetch = settings.prefetch;
    this.position = { kind: 'at', at: { epoch: this.plan.firstEpoch, offset: 0 } };
    this.planned = describeFingerprint(this.describeOrder());
    this.statistics = new StatsCollector({
      prefetch: this.prefetch,
      workers: this.workerSettings?.count ?? 0,
      stepNames: this.transforms?.map((step) => step.name),
    });
    if (settings.onStats !== undefined) this.statistics.reporter = new StatsReporter(this.statistics, settings.onStats, settings.statsIntervalMs);
    if (this.workerSettings !== undefined) droppedLoaders.register(this, this.workers, this);
  }

  /** Number of epochs; Infinity when the sampler repeats forever. */
  get numEpochs(): number {
    this.followSampler();
    return this.plan.numEpochs;
  }

  /** The epoch of the next element the consumer will receive. */
  get currentEpoch(): number {
    this.followSampler();
    return this.currentPosition().epoch;
  }

  /**
   * Batches (elements without batchSize) of epoch `epoch` from its start; undefined when it cannot be
   * known without reading: a filter may drop elements, a source may skip damaged records, or a mix
   * stops on an empty component.
   */
  batchesInEpoch(epoch: number = this.currentEpoch): number | undefined {
    this.followSampler();
    const length = this.plan.epochLength(epoch);
    if (length === undefined || this.filters || this.sources.some((source) => source.skipsCorruptedChunks === true)) return undefined;
    if (this.batchSize === undefined) return length;
    return this.dropRemainder ? Math.floor(length / this.batchSize) : Math.ceil(length / this.batchSize);
  }

  /**
   * Records left out because their source skipped them (a damaged chunk, read with the reader option
   * `skip_corrupted_chunks`): they are dropped from the batches as a filter drops elements, and
   * counted here when the loader reaches their block, over this loader's whole life.
   * @example if (loader.skippedRecords > 0) console.warn(`${loader.skippedRecords} records skipped`, source.skippedChunks());
   */
  get skippedRecords(): number {
    return this.skipped;
  }

  /**
   * The loader's statistics so far, as plain data: records read, elements and batches delivered, their
   * rates, and the time spent per stage (reads, transforms, per transform step, collate, and each side
   * waiting for the other), over the loader's life, over the consumer's current epoch and the one
   * before, with the prefetch buffer's fill and a verdict on which side sets the pace. Time counts while
   * an iteration runs. Collecting them costs a few clock reads per block (and per element of one block in
   * 32, to split the transform time by step), within the noise of the loader's throughput. Works after
   * `close()` too; after `setState`, the per-epoch figures start over.
   * @example
   * for await (const batch of loader.epoch(e)) train(batch);
   * const stats = loader.stats();
   * if (stats.bottleneck === 'input') console.warn(`input-bound: ${formatLoaderStats(stats.epoch!)}`);
   */
  stats(): LoaderStats {
    return this.statistics.stats();
  }

  /** `batchesInEpoch()` of the current epoch: what one `epoch()` iteration from its start yields. */
  get batchesPerEpoch(): number | undefined {
    return this.batchesInEpoch();
  }

  /** Every remaining batch (or element), epoch after epoch, from the loader's position. */
  [Symbol.asyncIterator](): AsyncIterator<Out> {
    return this.iterate(undefined);
  }

  /**
   * The batches of one epoch: from the loader's position if it is inside `epoch` (after `setState`,
   * or a `break`), else from the epoch's start. Once it completes, the position is the next epoch's
   * start, so calling `epoch()` repeatedly walks the epochs (as tf.data's `iterator()` per epoch does).
   * @param epoch default: the loader's epoch when the iteration starts.
   * @throws InvalidArgumentError for an epoch that is not a non-negative integer; OutOfRangeError for an
   *   epoch the loader does not have (`epoch >= numEpochs`).
   */
  epoch(epoch?: number): AsyncIterable<Out> {
    if (epoch !== undefined && (!Number.isSafeInteger(epoch) || epoch < 0)) {
      throw new InvalidArgumentError(`${OWNER}: epoch must be a non-negative integer (got ${describeFound(epoch)})`);
    }
    this.followSampler();
    // Such an epoch would silently yield nothing. Without an argument, the epoch after the last is where
    // a loader that has finished stands: that iteration is empty, as a walk over the epochs expects.
    if (epoch !== undefined && epoch >= this.plan.numEpochs) {
      throw new OutOfRangeError(`${OWNER}: epoch ${epoch} does not exist: the loader has ${describeEpochs(this.plan.numEpochs)}`);
    }
    return { [Symbol.asyncIterator]: () => this.iterate(epoch ?? this.currentEpoch) };
  }

  /**
   * Where the consumer stands, as plain JSON: the epoch and position after the last element it received.
   * Works after `close()` too.
   */
  getState(): LoaderState {
    this.followSampler();
    const { epoch, offset, counts } = this.currentPosition();
    return {
      kind: 'DataLoader',
      version: 1,
      epoch,
      offset,
      ...(counts === undefined ? {} : { counts: [...counts] }),
      ...(this.placement === undefined ? {} : { placement: { ...this.placement } }),
      ...(this.chain !== undefined && this.chain.epoch === epoch ? { elastic: this.chain } : {}),
      ...(this.seed === undefined ? {} : { seed: this.seed }),
      sampler: this.plan.describe(),
      source: this.sourceDescription,
    };
  }

  /**
   * Continues from a state saved by `getState()` of a loader over the same sources and sampler (and
   * rank): the next output starts with exactly the element after the last one received then. Stops a
   * running iteration.
   * @throws InvalidArgumentError for something that is not a loader state; StateMismatchError (with both
   *   descriptions) for a state of another sampler, mix or source; OutOfRangeError for an epoch the
   *   loader does not have or a position outside its epoch; ClosedError after close().
   */
  setState(state: unknown): void {
    this.checkOpen();
    this.followSampler();
    const parsed = parseLoaderState(state);
    checkStateMatches(parsed, { sampler: this.plan.describe(), source: this.sourceDescription, placement: this.placement, seed: this.seed });
    this.checkNoCounts(parsed);
    this.checkStateEpoch(parsed);
    let plan = this.plan;
    let chain: ElasticChain | undefined;
    if (parsed.elastic !== undefined && parsed.elastic.epoch === parsed.epoch) {
      chain = parsed.elastic;
      plan = this.remainderPlan(chain);
    } else if (this.base !== undefined) {
      plan = new SamplerPlan(this.base);
    }
    const at: PlanPosition = { epoch: parsed.epoch, offset: parsed.offset, counts: parsed.counts };
    plan.cursor(at);
    this.stopIteration();
    this.statistics.restored();
    this.plan = plan;
    this.chain = chain;
    this.position = { kind: 'at', at };
    this.ranLastEpoch = false;
  }

  /**
   * Elastic resume: continues from the states of every rank of a job that ran on another number of
   * ranks. Over all ranks of this job the rest of the saved epoch is visited exactly once (what each
   * old rank had received is skipped, what it had only prefetched is not); then epochs continue with
   * this rank's own sampler. Needs `sampler` as a function of `{ rank, worldSize }`, which is called
   * for every old rank. States may be in any order; ranks that had finished the epoch may be at the
   * start of the next. Resumed jobs can be saved and resumed elastically again.
   * @throws InvalidOptionsError without a sampler function; UnsupportedError for a mix;
   *   InvalidArgumentError for missing, repeated or far-apart ranks; StateMismatchError for a state
   *   of another sampler or source; ClosedError after close().
   * @example
   * // Saved by 4 ranks (JSON from each rank's getState()), resumed on 3:
   * const loader = new DataLoader({ source, sampler: ({ rank, worldSize }) => makeSampler(rank, worldSize), rank, worldSize: 3 });
   * loader.setElasticState(savedStates);
   */
  setElasticState(states: readonly unknown[]): void {
    this.checkOpen();
    if (this.base === undefined) throw new UnsupportedError(`${OWNER}: elastic resume of a mix is not supported`);
    const samplerFor = this.requireFactory();
    this.followSampler();
    if (!Array.isArray(states)) throw new InvalidArgumentError(`${OWNER}: setElasticState takes the list of every rank's state`);
    const parsed = states.map((state) => parseLoaderState(state));
    for (const state of parsed) {
      this.checkNoCounts(state);
      this.checkStateEpoch(state);
    }
    const { epoch, chain } = mergeRankStates(parsed, samplerFor, (placement) => samplerFor(placement).describe(), this.sourceDescription, this.seed);
    const plan = chain === undefined ? new SamplerPlan(this.base) : this.remainderPlan(chain);
    this.stopIteration();
    this.statistics.restored();
    this.plan = plan;
    this.chain = chain;
    this.position = { kind: 'at', at: { epoch, offset: 0 } };
    this.ranLastEpoch = false;
  }

  /**
   * Stops the running iteration (waiting for its reads), and the transform workers. Idempotent;
   * iterating or restoring afterwards throws ClosedError. The sources stay open: they are the caller's.
   */
  close(): Promise<void> {
    // Every call resolves once everything is stopped, not only the first.
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleStop);
    droppedLoaders.unregister(this);
    this.stopIteration();
    // The workers stop along with the iteration, not after it: a block a worker never answers (a transform
    // whose promise never settles, an endless loop) would hold the iteration, and close(), forever.
    // Stopping them fails their blocks, which ends the iteration.
    const pool = this.workers.pool;
    this.workers.pool = undefined;
    await Promise.all([this.stopped, pool?.close()]);
  }

  /** Closes the loader at the end of an `await using` block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private requireFactory(): SamplerFactory {
    if (this.samplerFor === undefined || this.placement === undefined) {
      throw new InvalidOptionsError(`${OWNER}: elastic resume needs sampler as a function of { rank, worldSize }`);
    }
    return this.samplerFor;
  }

  private remainderPlan(chain: ElasticChain): SamplerPlan {
    const samplerFor = this.requireFactory();
    return new SamplerPlan(this.base!, { epoch: chain.epoch, sampler: remainderSampler(samplerFor, chain, this.placement!) });
  }

  /**
   * Rebuilds the plan of a sampler (or of a mix's component samplers) that changed in place since the
   * plan was built: PyTorch's idiom, `sampler.setEpoch(e)` (DistributedSampler) before each epoch's
   * loop. The epochs the plan counted are then not the sampler's (the loader would silently yield
   * nothing after the first), and the position belongs to the old order: it moves to the start of the
   * new order's first epoch, where PyTorch's next iteration starts. An iteration running over the old
   * order is stopped.
   */
  private followSampler(): void {
    const description = describeFingerprint(this.describeOrder());
    if (description === this.planned) return;
    this.stopIteration();
    this.planned = description;
    this.plan = this.replan();
    this.ranLastEpoch = false;
    this.chain = undefined;
    this.position = { kind: 'at', at: { epoch: this.plan.firstEpoch, offset: 0 } };
  }

  private currentPosition(): PlanPosition {
    const position = this.position;
    return position.kind === 'at' ? position.at : positionAfter(position.block, position.element);
  }

  /**
   * Refuses a state past the loader's epochs, from which iterating would silently yield nothing. The
   * start of epoch `numEpochs` is valid: it is where a loader that went through every epoch stands.
   */
  private checkStateEpoch(state: LoaderState): void {
    const { numEpochs } = this.plan;
    if (state.epoch < numEpochs || (state.epoch === numEpochs && state.offset === 0)) return;
    const end = state.epoch === numEpochs ? `; the state of a finished loader is at epoch ${numEpochs} position 0` : '';
    throw new OutOfRangeError(
      `${OWNER}: the state is at epoch ${state.epoch} position ${state.offset}, but the loader has ${describeEpochs(numEpochs)}${end}`,
    );
  }

  /**
   * Refuses mix counts in the state of a loader that is not a mix: getState() never writes them there,
   * and the position would ignore them (a hand-edited state, or one of a mix with matching descriptions).
   */
  private checkNoCounts(state: LoaderState): void {
    if (this.base === undefined || state.counts === undefined) return;
    throw new InvalidArgumentError(
      `${OWNER}: the state has counts, which only a mix's state has, but this loader reads one sampler: ${printState(state, 300)}`,
    );
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError(OWNER);
  }

  private stopIteration(): void {
    const active = this.active;
    if (active === undefined) return;
    this.active = undefined;
    const previous = this.stopped;
    this.stopped = Promise.all([previous, active.cancel()]).then(() => undefined);
  }

  /**
   * Stops the transform workers if no iteration starts within WORKER_IDLE_STOP_MS of this one's end; the
   * next iteration starts new ones. A loader dropped without close() after a `break` held its threads
   * (and their memory, and ~10 descriptors each) until a full collection of this thread's heap, which a
   * program whose memory lives in the workers may never need: 120 such loaders held 252 threads and 3.5 GB.
   */
  private stopIdleWorkersLater(): void {
    if (this.workers.pool === undefined || this.closed) return;
    clearTimeout(this.idleStop);
    this.idleStop = setTimeout(() => {
      if (this.active !== undefined) return;
      const pool = this.workers.pool;
      this.workers.pool = undefined;
      void pool?.close();
    }, WORKER_IDLE_STOP_MS);
    // A pending stop does not keep the process alive (idle workers do not either).
    this.idleStop.unref();
  }

  /** @param epoch one epoch, or undefined for all remaining epochs. */
  private iterate(epoch: number | undefined): LoaderIterator<Out> {
    this.checkOpen();
    this.followSampler();
    this.warnIfPastLastEpoch(epoch ?? this.currentPosition().epoch);
    this.stopIteration();
    clearTimeout(this.idleStop);
    const iterator: LoaderIterator<Out> = new LoaderIterator<Out>({
      waitFor: this.stopped,
      start: () => this.startRun(epoch),
      isActive: () => this.active === iterator,
      delivered: (run) => {
        this.position = { kind: 'after', block: run.markBlock!, element: run.markElement };
        run.countDelivered();
      },
      finished: () => {
        if (epoch !== undefined) {
          if (epoch < this.plan.numEpochs) this.position = { kind: 'at', at: { epoch: epoch + 1, offset: 0 } };
        } else if (this.plan.numEpochs !== Infinity) this.position = { kind: 'at', at: { epoch: this.plan.numEpochs, offset: 0 } };
        this.ranLastEpoch = this.currentPosition().epoch >= this.plan.numEpochs;
      },
      released: () => {
        if (this.active === iterator) this.active = undefined;
        this.stopIdleWorkersLater();
      },
    });
    this.active = iterator;
    return iterator;
  }

  /**
   * An iteration that starts after the last epoch yields nothing, as a walk over the epochs expects; but
   * after this loader ran that epoch itself, it is most likely a PyTorch loop that forgot
   * `sampler.setEpoch(e)` (PyTorch would rerun the same order) or a sampler built without `numEpochs`,
   * which would train on nothing without a word: said once per loader.
   */
  private warnIfPastLastEpoch(epoch: number): void {
    const { numEpochs } = this.plan;
    if (this.warnedPastLastEpoch || !this.ranLastEpoch || epoch < numEpochs) return;
    this.warnedPastLastEpoch = true;
    process.emitWarning(
      `${OWNER}: the loader has ${describeEpochs(numEpochs)} and has run ${numEpochs === 1 ? 'it' : 'them all'}, so this iteration yields nothing; ` +
        `for another pass call sampler.setEpoch(e) before it (PyTorch's idiom) or iterate loader.epoch(e), or give the sampler numEpochs`,
      { code: PAST_LAST_EPOCH_WARNING_CODE },
    );
  }

  private startRun(epoch: number | undefined): LoaderRun {
    this.checkOpen();
    const here = this.currentPosition();
    const from: PlanPosition = epoch === undefined || here.epoch === epoch ? here : { epoch, offset: 0 };
    const endEpoch = Math.min(epoch === undefined ? Infinity : epoch + 1, this.plan.numEpochs);
    const settings: RunSettings = {
      plan: this.plan,
      sources: this.sources,
      readSize: this.readSize,
      prefetch: this.prefetch,
      endEpoch,
      transform: this.transformer(),
      batchSize: this.batchSize,
      dropRemainder: this.dropRemainder,
      collate: this.collate,
      skipped: (count) => (this.skipped += count),
      stats: this.statistics,
    };
    return new LoaderRun(settings, from);
  }

  private transformer(): RunSettings['transform'] {
    if (this.workerSettings === undefined) {
      const transforms = this.transforms ?? [];
      const seed = this.seed;
      if (transforms.length === 0) return (block, records) => applyTransforms(transforms, records, block.epoch, block.sources, block.keys, seed);
      const timed = new TimedSteps(transforms);
      return (block, records, started) => timeTransforms(timed, records, block.epoch, block.sources, block.keys, seed, started);
    }
    const workers = this.workers;
    if (workers.pool?.failure !== undefined) {
      const broken = workers.pool;
      workers.pool = undefined;
      void broken.close();
    }
    const pool = (workers.pool ??= new TransformWorkerPool(this.workerSettings));
    // An ArrayRecordDataSource's async reads return records in buffers of their own: they can move as they are.
    const owned = this.sources.every((source) => source instanceof ArrayRecordDataSource);
    return (block, records) => pool.run(block.epoch, records, block.sources, block.keys, owned);
  }
}

/**
 * How long a loader's transform workers outlive its last iteration: long enough for the next epoch's
 * iteration (or an evaluation between two) to find them started, short next to a training run.
 */
const WORKER_IDLE_STOP_MS = 5_000;

/**
 * Stops the transform workers of a loader collected without close(): idle workers let the process exit,
 * but their threads (and the memory of each) would otherwise stay until it does, one set per loader.
 */
const droppedLoaders = new FinalizationRegistry<{ pool: TransformWorkerPool | undefined }>((workers) => {
  void workers.pool?.close();
});

/** Code of the warning emitted once by a loader iterated after its last epoch (which yields nothing). */
export const PAST_LAST_EPOCH_WARNING_CODE = 'ARRAY_RECORD_PAST_LAST_EPOCH';

/** `2 epochs (0..1)`, for messages. */
function describeEpochs(numEpochs: number): string {
  if (numEpochs === 0) return 'no epochs';
  return numEpochs === 1 ? '1 epoch (0)' : `${numEpochs} epochs (0..${numEpochs - 1})`;
}

/**
 * Feeds a training loop: takes record keys from a sampler, reads them in blocks with the source's
 * batched async read, runs the transforms (here or on worker threads, results in the same order),
 * batches, and keeps a bounded number of blocks prefetched. It is an AsyncIterable over all remaining
 * epochs; `epoch(e)` iterates one epoch. Its position is what the consumer has received, not what was
 * prefetched: `getState()` saves it as JSON and `setState()` on a fresh loader over the same sources
 * and sampler resumes with exactly the next element; `setElasticState()` resumes an epoch saved by
 * every rank of a job on another number of ranks. One iteration runs at a time: starting another,
 * or restoring a state, stops the previous one.
 *
 * The output type `Out` is inferred from the options: records (Uint8Array) go through the transform
 * list to the element type, and batches are element[] with `batchSize`, or what `collate` returns. Step
 * 0's parameter is typed from the records; annotate the later steps' parameters. A list held in a
 * variable keeps its order for the compiler when declared `as const`. Transforms that run only in
 * workers (`transformModule` without `transforms`) cannot be seen: state the type, `new DataLoader<Out>`.
 * An explicit type argument is checked against the options (a wrong one does not compile).
 *
 * @throws InvalidOptionsError for bad options (names the option).
 * @example
 * const source = await ArrayRecordDataSource.open(shards);
 * const loader = new DataLoader({
 *   source,
 *   sampler: new ShuffleSampler({ numRecords: source.length, seed: 1, numEpochs: 3 }),
 *   transforms: [map((record) => record.length)],
 *   batchSize: 32,
 * }); // DataLoader<number[]>
 * for (let e = 0; e < loader.numEpochs; e++) {
 *   for await (const batch of loader.epoch(e)) train(batch);
 *   save(JSON.stringify(loader.getState()));
 * }
 * await loader.close();
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the instance type of the typed constructor below
export interface DataLoader<Out = unknown> extends DataLoaderClass<Out> {}

/** The DataLoader constructor, typed so that the output type follows from the options. */
export const DataLoader: DataLoaderConstructor = DataLoaderClass as unknown as DataLoaderConstructor;
Object.defineProperty(DataLoaderClass, 'name', { value: 'DataLoader' });
