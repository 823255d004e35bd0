// Public API of the format layer: ArrayRecord reader and writer, their options, and the typed errors.

export { ArrayRecordReader, type ArrayRecordFileInfo } from './arrayrecord/reader.js';
export { DEFAULT_STREAM_READAHEAD, type RecordRun } from './arrayrecord/record-stream.js';
export { ArrayRecordWriter, type WriterExtras } from './arrayrecord/writer.js';
export { ReadScratch } from './io/read-scratch.js';
export { OutputArena } from './io/output-arena.js';
export { recordsInPlace, transferList, unpackRecords, type TransferableRecords } from './io/record-transfer.js';
export type { RecordsMetadata } from './riegeli/records-metadata.js';
export { RiegeliRecordReader } from './riegeli/record-reader.js';
export { parseRiegeliReaderOptions, type RiegeliReaderOptions } from './riegeli/record-reader-options.js';
export type { SkippedRegion } from './riegeli/recovery.js';
export { presentRecords, type AvailableRecords, type SkippedChunk } from './arrayrecord/skipped-chunk.js';
export { fileIdentityAt } from './io/byte-source.js';
export { isRemotePath } from './io/location.js';
export type { RemoteStats } from './io/remote/http-client.js';
export type { GcsOptions, RemoteCacheOptions, RemoteOptions, RemoteRequest, S3Credentials, S3Options } from './io/remote/remote-options.js';
export { zstdPath, type ZstdPath } from './riegeli/zstd-codec.js';
export { TFRecordReader } from './tfrecord/tfrecord-reader.js';
export { parseReaderOptions, type IndexStorageOption, type ReaderOptions } from './arrayrecord/reader-options.js';
export { parseWriterOptions, writerOptionsToString, type WriterOptions } from './arrayrecord/writer-options.js';
export {
  ArrayRecordError,
  ClosedError,
  CorruptFileError,
  FileChangedError,
  InvalidArgumentError,
  InvalidOptionsError,
  IoError,
  NotArrayRecordError,
  OutOfRangeError,
  ParseError,
  StateMismatchError,
  UnsupportedError,
  WorkerExitedError,
  type ArrayRecordErrorCode,
  type ErrorLocation,
} from './errors.js';
