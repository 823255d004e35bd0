// The options of DataLoader and their checks: which order (one sampler, a sampler per placement, or a
// mix) over which sources, and which transforms run where.

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidOptionsError } from '../format/errors.js';
import {
  checkOptions,
  isCount,
  optionNames,
  requireBoolean,
  requireFunction,
  requireInteger,
  requireSeed,
  requireString,
  type OptionAliases,
} from '../format/options-check.js';
import { requireSampler } from '../samplers/checks.js';
import { resolvePlacement, type DistributedPlacement } from '../samplers/env.js';
import type { Sampler, SamplerDescription } from '../samplers/sampler.js';
import type { SamplerFactory } from './elastic.js';
import { SamplerPlan, type ElementPlan } from './epoch-plan.js';
import { MixPlan, type MixOptions } from './mix.js';
import type { LoaderStatsCallback } from './loader-stats.js';
import type { RecordSource } from './read-block.js';
import { checkTransforms, describeTransforms, type Transform } from './transforms.js';
import type { TransformWorkerSettings } from './worker-transforms.js';

/**
 * Every option of `DataLoader`, loosely typed (the output type is left open; see DataLoaderOptions for
 * the checked forms). Give `source` and `sampler`, or `mix`.
 */
export interface LoaderOptionFields {
  /** Where records come from (an ArrayRecordDataSource, or anything with getItemsAsync and describe). */
  readonly source?: RecordSource;
  /**
   * The order of record keys: a sampler, or a function building this rank's sampler from
   * `{ rank, worldSize }` (needed for elastic resume, which rebuilds the samplers of other world sizes).
   */
  readonly sampler?: Sampler | SamplerFactory;
  /**
   * With a sampler function: this process's place. Both default to the launcher's environment
   * variables (see placementFromEnv: torchrun, Open MPI, MPICH, Slurm); give `worldSize` alone to take
   * the rank from the environment, e.g. a Kubernetes Indexed Job's JOB_COMPLETION_INDEX.
   */
  readonly rank?: number;
  /** With a sampler function: the number of ranks in the job (see `rank`). */
  readonly worldSize?: number;
  /** Several sources mixed with weights and a seed, instead of `source` and `sampler`. */
  readonly mix?: MixOptions;
  /**
   * map/filter steps run on every element in order (on this thread unless `workers` is set). The
   * loader's element type is what the last step returns.
   */
  readonly transforms?: readonly Transform[];
  /** Worker threads that run the transforms (default 0: `transforms` run on this thread). Needs `transformModule`. */
  readonly workers?: number;
  /**
   * The module (path or URL) whose export `transformExport` (default `'transforms'`) is the list of
   * steps the workers run. Pass the same list as `transforms` to have it checked and to let the loader
   * know whether it filters (then batch counts are unknown), and to infer the element type (without
   * it, state the output type: `new DataLoader<Batch>(...)`).
   */
  readonly transformModule?: string | URL;
  /** The export of `transformModule` holding the transform list; default `'transforms'`. */
  readonly transformExport?: string;
  /** Elements per batch; omit to receive elements one by one. Batches never span two epochs. */
  readonly batchSize?: number;
  /** Drop each epoch's last batch when it is short (default false; `true` needs `batchSize`). */
  readonly dropRemainder?: boolean;
  /** Turns a batch's elements into the value the consumer receives (default: the array itself). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- loosely typed here; the constructor types the items
  readonly collate?: (items: any[]) => unknown;
  /** Blocks read (and transformed) ahead of the consumer, at most (default max(4, 2 * workers)). */
  readonly prefetch?: number;
  /** Positions per block, i.e. per batched read (default batchSize, or 256). */
  readonly readSize?: number;
  /** Seed of the per-record generators of random transforms (`context.rng`), in [0, 2^32). */
  readonly seed?: number;
  /**
   * Called every `statsIntervalMs` while an iteration runs, with `loader.stats()` and the figures of
   * the window since the previous report (see LoaderStatsCallback). The timer never keeps the process
   * alive, and stops when the iteration ends.
   */
  readonly onStats?: LoaderStatsCallback;
  /** Milliseconds between two `onStats` reports (default 10000). */
  readonly statsIntervalMs?: number;
}

const OWNER = 'DataLoader';
const KEYS = optionNames<LoaderOptionFields>({
  source: true,
  sampler: true,
  rank: true,
  worldSize: true,
  mix: true,
  transforms: true,
  workers: true,
  transformModule: true,
  transformExport: true,
  batchSize: true,
  dropRemainder: true,
  collate: true,
  prefetch: true,
  readSize: true,
  seed: true,
  onStats: true,
  statsIntervalMs: true,
});
const EPOCHS_NOTE = 'the sampler sets the epochs: sampler: new ShuffleSampler({ numRecords, seed, numEpochs })';
/** PyTorch's and Grain's DataLoader arguments that are not options here, and what to do instead. */
const ALIASES: OptionAliases = {
  shuffle: {
    option: 'sampler',
    note: 'DataLoader takes its order from the sampler: sampler: new ShuffleSampler({ numRecords: source.length, seed })',
  },
  num_epochs: { option: 'sampler', note: EPOCHS_NOTE },
  epochs: { option: 'sampler', note: EPOCHS_NOTE },
  shard_options: {
    option: 'sampler',
    note: 'shard with the sampler: IndexSampler({ shardOptions }), DistributedSampler, or sampler as a function of { rank, worldSize }',
  },
  shuffle_seed: { option: 'sampler', note: "the shuffle's seed is the sampler's; DataLoader's seed seeds the transforms' context.rng" },
  pin_memory: { note: 'there is no device memory to pin here; leave it out' },
  persistent_workers: { note: 'transform workers live until close(); leave it out' },
  in_order: { note: 'elements always come in sampler order; leave it out' },
  worker_init_fn: { option: 'transformModule', note: "worker setup goes in the transform module's top level" },
};
const DEFAULT_READ_SIZE = 256;
const DEFAULT_PREFETCH = 4;
const DEFAULT_STATS_INTERVAL_MS = 10_000;

/** Which order over which sources. */
export interface OrderSetup {
  readonly sources: readonly RecordSource[];
  readonly plan: ElementPlan;
  /** The single sampler (built for `placement` when given as a function); undefined for a mix. */
  readonly base: Sampler | undefined;
  readonly samplerFor: SamplerFactory | undefined;
  readonly placement: DistributedPlacement | undefined;
  /** The order as it is now: a component sampler's `setEpoch` changes it, and `replan` is then due. */
  readonly describeOrder: () => SamplerDescription;
  /** The plan built afresh from the sampler, or the mix, as they are now. */
  readonly replan: () => ElementPlan;
}

/** The order setup of a single sampler. */
function singleSampler(source: RecordSource, base: Sampler, samplerFor: SamplerFactory | undefined, placement: DistributedPlacement | undefined): OrderSetup {
  return {
    sources: [source],
    plan: new SamplerPlan(base),
    base,
    samplerFor,
    placement,
    describeOrder: () => base.describe(),
    replan: () => new SamplerPlan(base),
  };
}

function setupOrder(options: LoaderOptionFields): OrderSetup {
  if (options.mix !== undefined) {
    if (options.source !== undefined || options.sampler !== undefined) {
      throw new InvalidOptionsError(`${OWNER}: give either mix or source and sampler, not both`);
    }
    const { mix } = options;
    const plan = new MixPlan(mix);
    mix.components.forEach((component, j) => {
      checkSource(component.source, `mix.components[${j}].source`);
      checkSamplerFits(component.sampler, component.source, `mix.components[${j}].`);
    });
    return {
      sources: mix.components.map((component) => component.source),
      plan,
      base: undefined,
      samplerFor: undefined,
      placement: undefined,
      // A mix's description holds its components' samplers as they are now.
      describeOrder: () => plan.describe(),
      replan: () => new MixPlan(mix),
    };
  }
  const { source, sampler } = options;
  checkSource(source, 'source');
  if (typeof sampler === 'function') {
    const placement = resolvePlacement(OWNER, options.rank, options.worldSize, undefined);
    const base = requireSampler(OWNER, 'sampler({ rank, worldSize })', sampler(placement));
    checkSamplerFits(base, source, '');
    return singleSampler(source, base, sampler, placement);
  }
  if (typeof sampler !== 'object' || sampler === null || typeof sampler.keyAt !== 'function') {
    throw new InvalidOptionsError(`${OWNER}: sampler must be a Sampler or a function of { rank, worldSize } returning one`);
  }
  if (options.rank !== undefined || options.worldSize !== undefined) {
    throw new InvalidOptionsError(`${OWNER}: rank and worldSize go with a sampler function; this sampler already has its place`);
  }
  checkSamplerFits(sampler, source, '');
  return singleSampler(source, sampler, undefined, undefined);
}

/** `value` when it is a count, else undefined. */
function count(value: unknown): number | undefined {
  return isCount(value) ? value : undefined;
}

/**
 * The number of records a sampler's keys index, as its description says: its `numRecords`, or that of
 * the sampler(s) it wraps (SliceSampler, StridedShardSampler, RemainingOrder); undefined when unknown.
 */
function samplerRecords(description: unknown): number | undefined {
  if (typeof description !== 'object' || description === null) return undefined;
  const { numRecords, sampler, ranks } = description as { numRecords?: unknown; sampler?: unknown; ranks?: unknown };
  if (numRecords !== undefined) return count(numRecords);
  if (sampler !== undefined) return samplerRecords(sampler);
  if (!Array.isArray(ranks)) return undefined;
  const counts = ranks.map((rank: unknown) => samplerRecords((rank as { sampler?: unknown } | null)?.sampler));
  return counts.every((records) => records !== undefined) ? Math.max(...counts) : undefined;
}

/**
 * Refuses a sampler built for more records than the source holds: its keys past the source's end would
 * otherwise fail only when the loader reaches them, mid-epoch, after the batches before were delivered.
 * Checked when both say their size (the sampler's description, the source's `length` or description).
 */
function checkSamplerFits(sampler: Sampler, source: RecordSource, prefix: string): void {
  if (typeof sampler.describe !== 'function') return; // not a whole Sampler: refused elsewhere
  const records = samplerRecords(sampler.describe());
  const length = count(source.length) ?? count((source.describe() as { length?: unknown }).length);
  if (records === undefined || length === undefined || records <= length) return;
  throw new InvalidOptionsError(
    `${OWNER}: ${prefix}sampler is for ${records} records (numRecords ${records}), but ${prefix}source has ${length}: ` +
      `keys ${length}..${records - 1} cannot be read`,
  );
}

/** The transform steps, whether they may drop elements, and how to start workers (when there are any). */
function setupTransforms(
  options: LoaderOptionFields,
  seed: number | undefined,
): { transforms: readonly Transform[] | undefined; filters: boolean; workers: TransformWorkerSettings | undefined } {
  const transforms = options.transforms === undefined ? undefined : checkTransforms(options.transforms, `${OWNER}: transforms`);
  const count = options.workers === undefined ? 0 : requireInteger(OWNER, 'workers', options.workers, 0);
  const exportName = options.transformExport === undefined ? 'transforms' : requireString(OWNER, 'transformExport', options.transformExport);
  if (count === 0) {
    if (options.transformModule !== undefined && transforms === undefined) {
      throw new InvalidOptionsError(`${OWNER}: without workers the transforms run on this thread: pass the module's list as transforms`);
    }
    return { transforms, filters: transforms?.some((step) => step.kind === 'filter') ?? false, workers: undefined };
  }
  if (options.transformModule === undefined) {
    throw new InvalidOptionsError(`${OWNER}: workers need transformModule, the module exporting the transforms`);
  }
  const workers: TransformWorkerSettings = {
    moduleUrl: moduleUrl(options.transformModule),
    exportName,
    count,
    seed,
    expectedShape: transforms === undefined ? undefined : describeTransforms(transforms),
  };
  // Without the list here, the workers' steps are unknown: assume they may filter.
  return { transforms, filters: transforms === undefined || transforms.some((step) => step.kind === 'filter'), workers };
}

function checkSource(source: unknown, name: string): asserts source is RecordSource {
  const candidate = source as Partial<RecordSource> | null | undefined;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.getItemsAsync !== 'function' || typeof candidate.describe !== 'function') {
    throw new InvalidOptionsError(`${OWNER}: ${name} must have getItemsAsync(indices) and describe() (an ArrayRecordDataSource)`);
  }
}

/** A URL as given, or a path resolved against the working directory (`C:\...` is a path, not a URL scheme). */
function moduleUrl(module: string | URL): URL {
  if (module instanceof URL) return module;
  if (typeof module !== 'string' || module === '') throw new InvalidOptionsError(`${OWNER}: transformModule must be a path or URL`);
  return /^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module) ? new URL(module) : pathToFileURL(path.resolve(module));
}

/** Every option of a DataLoader, checked, with defaults filled in. */
export interface LoaderSettings {
  readonly order: OrderSetup;
  readonly seed: number | undefined;
  readonly transforms: readonly Transform[] | undefined;
  /** True when the steps may drop elements (or are unknown): batch counts are then unknown. */
  readonly filters: boolean;
  readonly workers: TransformWorkerSettings | undefined;
  readonly batchSize: number | undefined;
  readonly dropRemainder: boolean;
  readonly collate: ((items: never[]) => unknown) | undefined;
  readonly readSize: number;
  readonly prefetch: number;
  readonly onStats: LoaderStatsCallback | undefined;
  readonly statsIntervalMs: number;
}

/**
 * Checks the options of a DataLoader and fills in the defaults.
 * @throws InvalidOptionsError naming the first bad option, or every unknown one with the nearest known
 *   option (PyTorch's and Grain's names included: `drop_last` suggests dropRemainder).
 */
export function resolveLoaderOptions(options: LoaderOptionFields): LoaderSettings {
  checkOptions(OWNER, options, KEYS, { aliases: ALIASES });
  const order = setupOrder(options);
  const seed = options.seed === undefined ? undefined : requireSeed(OWNER, options.seed);
  const { transforms, filters, workers } = setupTransforms(options, seed);
  const batchSize = options.batchSize === undefined ? undefined : requireInteger(OWNER, 'batchSize', options.batchSize, 1);
  const dropRemainder = requireBoolean(OWNER, 'dropRemainder', options.dropRemainder, false);
  if (options.collate !== undefined) requireFunction(OWNER, 'collate', options.collate, "a function of a batch's elements");
  if (options.collate !== undefined && batchSize === undefined) throw new InvalidOptionsError(`${OWNER}: collate needs a batchSize`);
  // Without batches there is no short last batch to drop: the option would be silently ignored.
  if (dropRemainder && batchSize === undefined) {
    throw new InvalidOptionsError(`${OWNER}: dropRemainder needs a batchSize: without one, elements come one by one and no batch is short`);
  }
  const readSize = requireInteger(OWNER, 'readSize', options.readSize ?? batchSize ?? DEFAULT_READ_SIZE, 1);
  const defaultPrefetch = Math.max(DEFAULT_PREFETCH, 2 * (workers?.count ?? 0));
  const prefetch = requireInteger(OWNER, 'prefetch', options.prefetch ?? defaultPrefetch, 1);
  if (options.onStats !== undefined) requireFunction(OWNER, 'onStats', options.onStats, 'a function of (stats, window)');
  if (options.statsIntervalMs !== undefined && options.onStats === undefined) {
    throw new InvalidOptionsError(`${OWNER}: statsIntervalMs sets how often onStats is called: give onStats too`);
  }
  const statsIntervalMs = requireInteger(OWNER, 'statsIntervalMs', options.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS, 1, 2 ** 31 - 1);
  const { onStats } = options;
  return { order, seed, transforms, filters, workers, batchSize, dropRemainder, collate: options.collate, readSize, prefetch, onStats, statsIntervalMs };
}
