// Public API of the data layer: ArrayRecordDataSource and its read instructions, DataLoader and its transforms.

export {
  ArrayRecordDataSource,
  GROUP_SIZE_WARNING_CODE,
  type DataSourceDescription,
  type DataSourceOptions,
  type DataSourceReaderOptions,
} from './data-source.js';
export {
  parseReadInstruction,
  toFileSlices,
  type DataSourcePath,
  type DataSourcePaths,
  type FileInstruction,
  type FileSlice,
  type ReadInstruction,
} from './read-instructions.js';
export { DataLoader, type DataLoaderOptions } from './loader.js';
export { LoaderError, type LoaderErrorDetails } from './loader-error.js';
export type { LoaderState } from './loader-state.js';
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
} from './transforms.js';
export { RecordRng, recordRng } from './record-rng.js';
