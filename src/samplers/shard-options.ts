// Grain's ShardOptions and even_split: which contiguous range of records a shard (process) owns.

import { InvalidOptionsError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';
import { checkOptions, optionNames } from './checks.js';

/**
 * Which shard this process is, out of how many, and whether shards drop the remainder so that all
 * have the same length (Grain's `ShardOptions(shard_index, shard_count, drop_remainder)`).
 */
export interface ShardOptions {
  /** This process's shard, in [0, shardCount). */
  readonly shardIndex: number;
  /** The number of shards (processes). */
  readonly shardCount: number;
  /** Give every shard floor(n / shardCount) records, dropping the remainder, instead of near-equal shards. */
  readonly dropRemainder: boolean;
}

const KEYS = optionNames<ShardOptions>({ shardIndex: true, shardCount: true, dropRemainder: true });

/** One shard holding everything (Grain's `NoSharding()`). */
export const NO_SHARDING: ShardOptions = Object.freeze({ shardIndex: 0, shardCount: 1, dropRemainder: false });

/**
 * Validated {@link ShardOptions}.
 * @throws InvalidOptionsError if shardCount is not a positive integer or shardIndex is not in [0, shardCount).
 * @example
 * const options = shardOptions(1, 4); // shard 1 of 4, remainder spread over the first shards
 */
export function shardOptions(shardIndex: number, shardCount: number, dropRemainder = false): ShardOptions {
  if (!Number.isSafeInteger(shardCount) || shardCount <= 0) {
    throw new InvalidOptionsError(`ShardOptions: shardCount must be a positive integer (got ${describeFound(shardCount)})`);
  }
  if (!Number.isSafeInteger(shardIndex) || shardIndex < 0 || shardIndex >= shardCount) {
    throw new InvalidOptionsError(
      `ShardOptions: shardIndex must be an integer in [0, ${shardCount - 1}] (got ${describeFound(shardIndex)})`,
    );
  }
  if (typeof dropRemainder !== 'boolean') {
    throw new InvalidOptionsError(`ShardOptions: dropRemainder must be a boolean (got ${describeFound(dropRemainder)})`);
  }
  return Object.freeze({ shardIndex, shardCount, dropRemainder });
}

/**
 * Re-validates options that may come from user JSON; returns a frozen copy.
 * @throws InvalidOptionsError as shardOptions, or for an unknown key (named, with the nearest known one).
 */
export function checkShardOptions(options: ShardOptions): ShardOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(`ShardOptions must be an object (got ${describeFound(options)})`);
  }
  checkOptions('ShardOptions', options, KEYS);
  return shardOptions(options.shardIndex, options.shardCount, options.dropRemainder ?? false);
}

/**
 * The records `[start, end)` of a shard, as Grain's `even_split`: every shard gets
 * `floor(numRecords / shardCount)` records; the `numRecords % shardCount` left over go one each to the
 * first shards, or nowhere with `dropRemainder`.
 *
 * @throws InvalidOptionsError if numRecords is not a non-negative integer or the options are invalid.
 * @example
 * evenSplit(10, shardOptions(0, 3)); // { start: 0, end: 4 }
 * evenSplit(10, shardOptions(2, 3)); // { start: 7, end: 10 }
 */
export function evenSplit(
  numRecords: number,
  options: ShardOptions,
): {
  /** The shard's first record. */
  start: number;
  /** One past the shard's last record. */
  end: number;
} {
  if (!Number.isSafeInteger(numRecords) || numRecords < 0) {
    throw new InvalidOptionsError(`evenSplit: numRecords must be a non-negative integer (got ${describeFound(numRecords)})`);
  }
  const { shardIndex, shardCount, dropRemainder } = checkShardOptions(options);
  const perShard = Math.floor(numRecords / shardCount);
  let start = perShard * shardIndex;
  let end = perShard * (shardIndex + 1);
  const remainder = numRecords % shardCount;
  if (remainder > 0 && !dropRemainder) {
    start += Math.min(shardIndex, remainder);
    end += Math.min(shardIndex + 1, remainder);
  }
  return { start, end };
}
