// ArrayRecordReader's option string (Options::FromString of Google's reader).

import { InvalidOptionsError } from '../errors.js';
import { booleanValue, bytesValue, eitherValue, enumValue, intValue, parseOptions, type ValueParser } from '../riegeli/options-parser.js';

/** Where the chunk index lives: typed arrays in memory, or read from the footer on disk when needed. */
export type IndexStorageOption = 'in_memory' | 'offloaded';

/** Parsed reader options. `maxParallelism` undefined means "auto" (the thread pool's size). */
export interface ReaderOptions {
  /**
   * `readahead_buffer_size`: bytes fetched per read call by sequential `read()` (which fetches at least
   * 256 KiB regardless), and bytes of the file read ahead in the background by the streaming
   * `records()` (0, the default: 16 MiB); default 0.
   */
  readonly readaheadBufferSize: number;
  /** `max_parallelism`: accepted as upstream; undefined means `auto`. */
  readonly maxParallelism: number | undefined;
  /** `index_storage_option`: keep the chunk offsets in memory (`in_memory`, the default) or re-read them from the footer on each call (`offloaded`). */
  readonly indexStorageOption: IndexStorageOption;
  /** Skip chunks that cannot be read (damaged or undecodable) and report them, where the read allows it. */
  readonly skipCorruptedChunks: boolean;
}

const INT32_MAX = 2 ** 31 - 1;

/**
 * Parses an ArrayRecordReader options string: `readahead_buffer_size:N` (bytes, suffixes k/K/M/G…,
 * at most 1G, default 0), `max_parallelism:N|auto`, `index_storage_option:in_memory|offloaded`,
 * `skip_corrupted_chunks[:true|false]` (default false; this implementation's, like Riegeli's recovery).
 * The seed's spelling `index_storage_options` is accepted as the same option.
 * @throws InvalidOptionsError for unknown or repeated options and invalid values.
 * @example parseReaderOptions('readahead_buffer_size:16M').readaheadBufferSize // 16777216
 */
export function parseReaderOptions(text: string): ReaderOptions {
  if (typeof text !== 'string') throw new InvalidOptionsError(`reader options must be a string, got ${typeof text}`);
  let readaheadBufferSize = 0;
  let maxParallelism: number | undefined;
  let indexStorageOption: IndexStorageOption = 'in_memory';
  let indexOptionSeen = false;
  let skipCorruptedChunks = false;
  const indexStorage: ValueParser = (value, context) => {
    if (indexOptionSeen) throw new InvalidOptionsError('reader options: index_storage_option is present more than once');
    indexOptionSeen = true;
    return enumValue(
      new Map<string, IndexStorageOption>([
        ['', 'in_memory'],
        ['in_memory', 'in_memory'],
        ['offloaded', 'offloaded'],
      ]),
      (option) => (indexStorageOption = option),
    )(value, context);
  };
  const parsers = new Map<string, ValueParser>([
    [
      'max_parallelism',
      eitherValue(
        enumValue(new Map([['auto', undefined]]), (value) => (maxParallelism = value)),
        intValue(0, INT32_MAX, (value) => (maxParallelism = value)),
      ),
    ],
    [
      'readahead_buffer_size',
      eitherValue(
        enumValue(new Map([['auto', 0]]), (value) => (readaheadBufferSize = value)),
        bytesValue(0, 2 ** 30, (value) => (readaheadBufferSize = value)),
      ),
    ],
    ['index_storage_option', indexStorage],
    ['index_storage_options', indexStorage],
    ['skip_corrupted_chunks', booleanValue(true, (value) => (skipCorruptedChunks = value))],
  ]);
  parseOptions(text, parsers, 'reader options');
  return { readaheadBufferSize, maxParallelism, indexStorageOption, skipCorruptedChunks };
}
