// RiegeliRecordReader's options string, in the "key:value,..." grammar of the other options strings.

import { InvalidOptionsError } from '../errors.js';
import { booleanValue, parseOptions } from './options-parser.js';

/**
 * Parsed RiegeliRecordReader options.
 * @example const { skipCorruptedChunks } = parseRiegeliReaderOptions('skip_corrupted_chunks:false');
 */
export interface RiegeliReaderOptions {
  /** Skip chunks that cannot be read and go on at the next chunk the block headers show (Riegeli's recovery). */
  readonly skipCorruptedChunks: boolean;
}

/**
 * Parses a RiegeliRecordReader options string: `skip_corrupted_chunks[:true|false]` (default false),
 * the same option as ArrayRecordReader's.
 * @throws InvalidOptionsError for unknown or repeated options and invalid values.
 * @example parseRiegeliReaderOptions('skip_corrupted_chunks').skipCorruptedChunks // true
 */
export function parseRiegeliReaderOptions(text: string): RiegeliReaderOptions {
  if (typeof text !== 'string') throw new InvalidOptionsError(`Riegeli reader options must be a string, got ${typeof text}`);
  let skipCorruptedChunks = false;
  parseOptions(text, new Map([['skip_corrupted_chunks', booleanValue(true, (value) => (skipCorruptedChunks = value))]]), 'Riegeli reader options');
  return { skipCorruptedChunks };
}
