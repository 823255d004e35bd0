// Shard file names of a TFDS split, as tfds.core.naming.ShardedFileTemplate builds them from a filepath
// template such as `{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}`.

import { InvalidArgumentError } from '../format/errors.js';

/**
 * The template TFDS uses when dataset_info.json names none (files written before TFDS 4.8).
 * @example shardPath(DEFAULT_FILEPATH_TEMPLATE, { dataset: 'mnist', split: 'test', fileFormat: 'tfrecord' }, 0, 1) // 'mnist-test.tfrecord-00000-of-00001'
 */
export const DEFAULT_FILEPATH_TEMPLATE = '{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}';

/** Shard numbers have this many digits at least (more when the shard count needs them). */
const MIN_SHARD_DIGITS = 5;

/** What a template's variables stand for. */
export interface TemplateValues {
  /** `{DATASET}`: the dataset's name. */
  readonly dataset: string;
  /** `{SPLIT}`: the split's name. */
  readonly split: string;
  /** `{FILEFORMAT}`: the shards' format, such as `array_record`. */
  readonly fileFormat: string;
}

/**
 * The path, relative to the dataset directory, of shard `index` of `numShards`: the template's
 * `{DATASET}`, `{SPLIT}`, `{FILEFORMAT}`, `{SHARD_INDEX}`, `{NUM_SHARDS}` and `{SHARD_X_OF_Y}` replaced,
 * shard numbers zero-padded to max(5, digits of numShards) as TFDS pads them. An encoding suffix
 * (`%...`, which TFDS strips before matching file names) is dropped.
 * @throws InvalidArgumentError for a template variable TFDS does not define.
 * @example shardPath('{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}', { dataset: 'mnist', split: 'train', fileFormat: 'array_record' }, 0, 2)
 * // 'mnist-train.array_record-00000-of-00002'
 */
export function shardPath(template: string, values: TemplateValues, index: number, numShards: number): string {
  const digits = Math.max(MIN_SHARD_DIGITS, String(numShards).length);
  const shardIndex = String(index).padStart(digits, '0');
  const shardCount = String(numShards).padStart(digits, '0');
  const variables: Readonly<Record<string, string>> = {
    DATASET: values.dataset,
    SPLIT: values.split,
    FILEFORMAT: values.fileFormat,
    SHARD_INDEX: shardIndex,
    NUM_SHARDS: shardCount,
    SHARD_X_OF_Y: `${shardIndex}-of-${shardCount}`,
  };
  const withoutEncoding = template.includes('%') ? template.slice(0, template.lastIndexOf('%')) : template;
  return withoutEncoding.replace(/\{([^{}]*)\}/g, (_, name: string) => {
    const value = variables[name];
    if (value === undefined) {
      throw new InvalidArgumentError(
        `filepath template ${JSON.stringify(template)} uses {${name}}; TFDS templates know ${Object.keys(variables).map((v) => `{${v}}`).join(', ')}`,
      );
    }
    return value;
  });
}
