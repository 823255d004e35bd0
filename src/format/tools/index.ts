// Whole-file operations on record files, for programs and the array-record command alike: convert
// between formats (streams included), repair a damaged or unfinished file, open any input of records.

export { convert, shardName, type ConvertOptions, type ConvertProgress, type ConvertReport, type ConvertedOutput } from './convert.js';
export { repair, type RepairOptions, type RepairOptionsSource, type RepairProgress, type RepairReport } from './repair.js';
export { openRecordInput, recordBatchSize, RECORD_FORMATS, type InputCompression, type InputSource, type OpenInputOptions, type RecordFormat, type RecordInput } from './record-input.js';
export { OUTPUT_COMPRESSIONS, OUTPUT_FORMATS, type OutputCompression, type OutputFormat, type OutputTarget } from './record-output.js';
export { frameRecord, recordFromJson, recordToJson } from './text-records.js';
export { assertOutputsAreNotInputs } from './same-file.js';
export { describeFileKind, sniffFileKind, type FileKind } from '../arrayrecord/file-kind.js';
export { discardPendingFiles, PendingFile } from '../io/pending-file.js';
export { scanChunks, type ScanItem } from '../riegeli/chunk-scan.js';
export { TFRecordWriter, encodeTFRecord } from '../tfrecord/tfrecord-writer.js';
