// Public API of the loader: DataLoader, its transforms, mixing, state, statistics and per-record randomness.

export { DataLoader, PAST_LAST_EPOCH_WARNING_CODE } from './loader.js';
export type {
  DataLoaderBaseOptions,
  DataLoaderConstructor,
  DataLoaderOptions,
  ElementOf,
  LoaderOutput,
  LoaderRecord,
  TransformChainBreak,
  TypeArgumentNeeded,
} from './loader-types.js';
export { LoaderError, type LoaderErrorDetails } from './loader-error.js';
export type { LoaderState } from './loader-state.js';
export {
  formatLoaderStats,
  type LoaderBottleneck,
  type LoaderEpochStats,
  type LoaderPrefetchState,
  type LoaderStageTimes,
  type LoaderStats,
  type LoaderStatsCallback,
  type LoaderStatsPeriod,
  type LoaderStepTime,
} from './loader-stats.js';
export type { ElasticChain, ElasticLevel, SamplerFactory } from './elastic.js';
export type { MixComponent, MixOptions } from './mix.js';
export type { RecordSource } from './read-block.js';
export {
  filter,
  map,
  type FilterFunction,
  type MapFunction,
  type Transform,
  type TransformContext,
  type TransformOptions,
} from './transforms.js';
export { RecordRng, recordRng } from './record-rng.js';
export {
  padBatch,
  type DenseValues,
  type PadBatchOptions,
  type PadSettings,
  type PaddedBatch,
  type PaddedOf,
  type PaddedValues,
  type StackedOf,
  type TypedArray,
} from './pad-batch.js';
