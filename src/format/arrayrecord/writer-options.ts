// ArrayRecordWriter's option string: Google's grammar (Options::FromString) and canonical form (ToString).

import { InvalidOptionsError } from '../errors.js';
import { checkOptions, describeFound, optionNames, type OptionAliases } from '../options-check.js';
import type { CompressorOptions } from '../riegeli/compression.js';
import type { RecordsMetadata } from '../riegeli/records-metadata.js';
import type { WriterExtras } from './writer.js';
import { CompressionType, type CompressionTypeCode } from '../riegeli/constants.js';
import {
  booleanValue,
  bytesValue,
  conflictsWith,
  eitherValue,
  emptyValue,
  enumValue,
  intValue,
  parseOptions,
  type ValueParser,
} from '../riegeli/options-parser.js';

const INT32_MAX = 2 ** 31 - 1;
/** array_record's default bucket size for transposed chunks (kDefaultTransposeBucketSize). */
export const DEFAULT_TRANSPOSE_BUCKET_SIZE = 256;
/** zstd's window when the options do not give one (kZstdDefaultWindowLog). */
const ZSTD_DEFAULT_WINDOW_LOG = 20;

const LEVELS = {
  zstd: { min: -131072, max: 22, default: 3 },
  brotli: { min: 0, max: 11, default: 6 },
  snappy: { min: 1, max: 2, default: 1 },
} as const;
const WINDOW_LOGS = { zstd: { min: 10, max: 31 }, brotli: { min: 10, max: 30 } } as const;

/** Parsed writer options. `maxParallelism` undefined means "auto". */
export interface WriterOptions {
  /** `group_size`: records per chunk (1..2^31-1); default 1. */
  readonly groupSize: number;
  /** `transpose`: column-wise chunks for proto records; default false. */
  readonly transpose: boolean;
  /** `transpose_bucket_size`: groups the column buffers of a transposed chunk into separately compressed buckets; default 256. */
  readonly transposeBucketSize: number;
  /** `pad_to_block_boundary`: start every chunk at a 64 KiB block boundary; default false. */
  readonly padToBlockBoundary: boolean;
  /** The codec, its level and window: `zstd:3` with `window_log:20` by default. */
  readonly compression: CompressorOptions;
  /** `max_parallelism`: accepted as upstream; undefined means `auto`. */
  readonly maxParallelism: number | undefined;
  /** `saturation_delay_ms`: accepted as upstream. */
  readonly saturationDelayMs: number;
}

const CODEC_KEYS = ['uncompressed', 'brotli', 'zstd', 'snappy'] as const;
type CodecKey = (typeof CODEC_KEYS)[number];

const CODEC_TYPES: Readonly<Record<CodecKey, CompressionTypeCode>> = {
  uncompressed: CompressionType.none,
  brotli: CompressionType.brotli,
  zstd: CompressionType.zstd,
  snappy: CompressionType.snappy,
};

function otherCodecs(key: CodecKey): readonly string[] {
  return CODEC_KEYS.filter((other) => other !== key);
}

/**
 * Parses the compressor part ("zstd:5", "brotli,window_log:24", ...), as Riegeli's
 * CompressorOptions::FromString: one codec, its level, and a window only for zstd and brotli.
 */
function parseCompressor(text: string): CompressorOptions {
  let type: CompressionTypeCode = CompressionType.zstd;
  let level = 0;
  let windowLog: number | undefined;
  // First pass: only the codec, since what window_log accepts depends on it.
  const typeParsers = new Map<string, ValueParser>();
  for (const key of CODEC_KEYS) {
    typeParsers.set(
      key,
      conflictsWith(otherCodecs(key), () => {
        type = CODEC_TYPES[key];
        return true;
      }),
    );
  }
  typeParsers.set('window_log', () => true);
  parseOptions(text, typeParsers, 'writer options');

  const levelOf = (codec: keyof typeof LEVELS): ValueParser =>
    eitherValue(
      emptyValue(() => (level = LEVELS[codec].default)),
      intValue(LEVELS[codec].min, LEVELS[codec].max, (value) => (level = value)),
    );
  const windowOf = (codec: keyof typeof WINDOW_LOGS): ValueParser =>
    eitherValue(
      enumValue(new Map([['auto', undefined]]), (value) => (windowLog = value)),
      intValue(WINDOW_LOGS[codec].min, WINDOW_LOGS[codec].max, (value) => (windowLog = value)),
    );
  const parsers = new Map<string, ValueParser>([
    ['uncompressed', conflictsWith(['window_log'], emptyValue(() => (level = 0)))],
    ['brotli', levelOf('brotli')],
    ['zstd', levelOf('zstd')],
    ['snappy', conflictsWith(['window_log'], levelOf('snappy'))],
  ]);
  if (type === CompressionType.zstd) parsers.set('window_log', windowOf('zstd'));
  else if (type === CompressionType.brotli) parsers.set('window_log', windowOf('brotli'));
  else parsers.set('window_log', conflictsWith([type === CompressionType.none ? 'uncompressed' : 'snappy'], () => true));
  parseOptions(text, parsers, 'writer options');

  if (type === CompressionType.zstd && windowLog === undefined) windowLog = ZSTD_DEFAULT_WINDOW_LOG;
  return { type, level, windowLog };
}

/**
 * Parses an ArrayRecordWriter options string such as `group_size:1000,brotli:9`. The empty string
 * and `default` give `group_size:1` with zstd:3 and window_log:20.
 * @throws InvalidOptionsError for an unknown option, a repeated option, two codecs, or a value out of range.
 * @example parseWriterOptions('group_size:64,zstd:5').compression.level // 5
 */
export function parseWriterOptions(text: string): WriterOptions {
  if (typeof text !== 'string') throw new InvalidOptionsError(`writer options must be a string, got ${typeof text}`);
  let groupSize = 1;
  let transpose = false;
  let transposeBucketSize = DEFAULT_TRANSPOSE_BUCKET_SIZE;
  let padToBlockBoundary = false;
  let maxParallelism: number | undefined;
  let saturationDelayMs = 10;
  const compressorItems: string[] = [];
  const copyCompressor: ValueParser = (value, context) => {
    compressorItems.push(value === '' ? context.key : `${context.key}:${value}`);
    return true;
  };
  const parsers = new Map<string, ValueParser>([
    [
      'default',
      (_value, context) => {
        if (context.seen.size > 0) throw new InvalidOptionsError('writer options: option default must be first');
        return true;
      },
    ],
    ['group_size', intValue(1, INT32_MAX, (value) => (groupSize = value))],
    [
      'max_parallelism',
      eitherValue(
        enumValue(new Map([['auto', undefined]]), (value) => (maxParallelism = value)),
        intValue(1, INT32_MAX, (value) => (maxParallelism = value)),
      ),
    ],
    ['saturation_delay_ms', intValue(1, INT32_MAX, (value) => (saturationDelayMs = value))],
    ['transpose', booleanValue(true, (value) => (transpose = value))],
    [
      'transpose_bucket_size',
      eitherValue(
        enumValue(new Map([['auto', DEFAULT_TRANSPOSE_BUCKET_SIZE]]), (value) => (transposeBucketSize = value)),
        bytesValue(1, Number.MAX_SAFE_INTEGER, (value) => (transposeBucketSize = value)),
      ),
    ],
    ['uncompressed', copyCompressor],
    ['brotli', copyCompressor],
    ['zstd', copyCompressor],
    ['snappy', copyCompressor],
    ['window_log', copyCompressor],
    // The bare key means true, as in Google's parser (Enum {"", true}, {"true", true}, {"false", false}).
    ['pad_to_block_boundary', booleanValue(true, (value) => (padToBlockBoundary = value))],
  ]);
  parseOptions(text, parsers, 'writer options');
  const names = compressorItems.map((item) => item.split(':')[0]);
  if (text === 'default' || !names.some((name) => name !== 'window_log')) compressorItems.push('zstd:3');
  const compression = parseCompressor(compressorItems.join(','));
  return { groupSize, transpose, transposeBucketSize, padToBlockBoundary, compression, maxParallelism, saturationDelayMs };
}

const WRITER = 'ArrayRecordWriter';
const EXTRAS_KEYS = optionNames<WriterExtras>({ metadata: true });
const METADATA_KEYS = optionNames<RecordsMetadata>({
  fileComment: true,
  recordTypeName: true,
  fileDescriptors: true,
  recordWriterOptions: true,
  numRecords: true,
  unknownFields: true,
});
const METADATA_NOTE = 'metadata fields go inside { metadata: { ... } }';
const EXTRAS_ALIASES: OptionAliases = {
  options: { note: "the writer options string is the second argument, e.g. 'group_size:1,zstd:3'" },
  file_comment: { option: 'metadata', note: METADATA_NOTE },
  record_type_name: { option: 'metadata', note: METADATA_NOTE },
  file_descriptors: { option: 'metadata', note: METADATA_NOTE },
};
const METADATA_ALIASES: OptionAliases = { comment: { option: 'fileComment' }, file_descriptor: { option: 'fileDescriptors' } };

/**
 * Checks the writer's third argument, `{ metadata }`, and the RecordsMetadata in it: known keys only,
 * strings, safe integers and bytes where the proto has them.
 * @throws InvalidOptionsError naming an unknown key (with the nearest known one: `file_comment`
 *   suggests fileComment) or a value of the wrong type.
 * @example
 * checkWriterExtras({ metadata: { fileComment: 'train split' } }); // fine
 * checkWriterExtras({ metadata: { file_comment: 'x' } });
 * // throws: ArrayRecordWriter: metadata: unknown option file_comment; did you mean fileComment?
 */
export function checkWriterExtras(extras: unknown): WriterExtras {
  checkOptions(WRITER, extras, EXTRAS_KEYS, { aliases: EXTRAS_ALIASES, name: 'extras' });
  const { metadata } = extras as WriterExtras;
  if (metadata === undefined) return extras as WriterExtras;
  checkOptions(WRITER, metadata, METADATA_KEYS, { aliases: METADATA_ALIASES, name: 'metadata' });
  const bad = (field: string, expected: string, value: unknown): never => {
    throw new InvalidOptionsError(`${WRITER}: metadata.${field} must be ${expected} (got ${describeFound(value)})`);
  };
  for (const field of ['fileComment', 'recordTypeName', 'recordWriterOptions'] as const) {
    if (metadata[field] !== undefined && typeof metadata[field] !== 'string') bad(field, 'a string', metadata[field]);
  }
  if (metadata.numRecords !== undefined && !Number.isSafeInteger(metadata.numRecords)) bad('numRecords', 'a safe integer', metadata.numRecords);
  if (metadata.unknownFields !== undefined && !(metadata.unknownFields instanceof Uint8Array)) {
    bad('unknownFields', 'a Uint8Array', metadata.unknownFields);
  }
  const descriptors: unknown = metadata.fileDescriptors;
  if (descriptors !== undefined && (!Array.isArray(descriptors) || !descriptors.every((item) => item instanceof Uint8Array))) {
    bad('fileDescriptors', 'an array of Uint8Array (serialized FileDescriptorProtos)', descriptors);
  }
  return extras as WriterExtras;
}

/**
 * The canonical string Google's writer stores in the footer (Options::ToString), e.g.
 * `group_size:1,transpose:false,pad_to_block_boundary:false,zstd:3,window_log:20,max_parallelism:1`.
 * @param maxParallelism the parallelism the writer really used, which Google's writer reports.
 */
export function writerOptionsToString(options: WriterOptions, maxParallelism: number): string {
  const parts = [
    `group_size:${options.groupSize}`,
    `transpose:${options.transpose}`,
    `pad_to_block_boundary:${options.padToBlockBoundary}`,
  ];
  if (options.transpose) parts.push(`transpose_bucket_size:${options.transposeBucketSize}`);
  const { type, level, windowLog } = options.compression;
  if (type === CompressionType.none) parts.push('uncompressed');
  else if (type === CompressionType.brotli) parts.push(`brotli:${level}`);
  else if (type === CompressionType.zstd) parts.push(`zstd:${level}`);
  else parts.push('snappy');
  if (windowLog !== undefined) parts.push(`window_log:${windowLog}`);
  parts.push(`max_parallelism:${maxParallelism}`);
  return parts.join(',');
}
