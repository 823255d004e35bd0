// Public API of data sources: ArrayRecordDataSource over many files and its read instructions.

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
export { expandShardPatterns, expandShardPatternsSync, isShardPattern } from './shard-patterns.js';
