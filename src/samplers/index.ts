// Public API of the samplers layer: index orders (sequential, shuffled, Grain, PyTorch, windowed), sharding, batching, saved state.

export type { JsonValue, Sampler, SamplerDescription, StepRange } from './sampler.js';
export { SequentialSampler, type SequentialSamplerOptions } from './sequential-sampler.js';
export { ShuffleSampler, type ShuffleSamplerOptions } from './shuffle-sampler.js';
export { IndexSampler, type IndexSamplerOptions } from './index-sampler.js';
export {
  DistributedSampler,
  type DistributedPermutation,
  type DistributedSamplerOptions,
} from './distributed-sampler.js';
export { WindowShuffleSampler, type WindowShuffleSamplerOptions } from './window-shuffle.js';
export { SliceSampler, type SliceOptions } from './slice-sampler.js';
export { StridedShardSampler, type StridedShardOptions } from './strided-shard.js';
export { RemainingOrder, elasticResume, type ElasticResumeOptions, type RankProgress } from './remaining-order.js';
export { BatchSampler, type BatchSamplerOptions } from './batch-sampler.js';
export { NO_SHARDING, evenSplit, shardOptions, type ShardOptions } from './shard-options.js';
export {
  placementFromEnv,
  shardOptionsFromEnv,
  type DistributedPlacement,
  type Environment,
  type EnvironmentPlacement,
  type Launcher,
  type PlacementFromEnvOptions,
} from './env.js';
export { DEFAULT_ROUNDS, IndexShuffle, feistelBlockBits, indexShuffle, type BlockRule } from './index-shuffle.js';
export { seedSeqGenerate } from './seed-seq.js';
export { Mt19937 } from './mt19937.js';
export { TORCH_RANDPERM_LIMIT, torchRandperm } from './torch-randperm.js';
export { keysInto, keysOf, type KeyBuffer } from './iterate.js';
export {
  describeFingerprint,
  restoreSamplerState,
  saveSamplerState,
  type Positioned,
  type SamplerState,
} from './state.js';
