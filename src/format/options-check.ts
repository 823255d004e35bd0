// Strict options for plain-JavaScript callers: unknown keys are errors that suggest the nearest option
// (Python, PyTorch, Grain and TensorFlow spellings mapped to ours), and values are checked at run time.

import { InvalidOptionsError } from './errors.js';

/** 2^32: seeds are unsigned 32-bit, like Grain's and PyTorch's effective seeds. */
export const SEED_MODULUS = 0x1_0000_0000;

/**
 * What an unknown option name may have meant: one of our options (used only where that option
 * exists), a note saying what to do instead, or both.
 */
export interface OptionAlias {
  readonly option?: string;
  readonly note?: string;
}

/** Spellings (any case, snake_case or camelCase) and what they may mean, most likely first. */
export type OptionAliases = Readonly<Record<string, OptionAlias | readonly OptionAlias[]>>;

const SAMPLER_ORDER =
  'the order comes from a sampler: new ShuffleSampler({ numRecords, seed }), or IndexSampler / DistributedSampler with shuffle: true and a seed';

/**
 * Python (array_record, Grain, PyTorch, tf.data, tf.io, TFDS) and Keras spellings of our options.
 * An entry's options apply only where the options object has them; note-only entries apply anywhere.
 */
export const PYTHON_OPTION_ALIASES: OptionAliases = {
  // PyTorch DataLoader / BatchSampler / DistributedSampler, Grain DataLoader / Batch / ShardOptions / ReadOptions.
  drop_last: [{ option: 'dropRemainder' }, { option: 'dropLast' }],
  drop_remainder: [{ option: 'dropRemainder' }, { option: 'dropLast' }],
  batch_size: { option: 'batchSize' },
  batch_sampler: { option: 'sampler', note: 'give an element sampler and batchSize' },
  num_workers: { option: 'workers', note: 'worker threads run the transforms and need transformModule' },
  worker_count: { option: 'workers', note: 'worker threads run the transforms and need transformModule' },
  prefetch_factor: { option: 'prefetch', note: 'blocks read ahead in all, not per worker' },
  worker_buffer_size: { option: 'prefetch', note: 'blocks read ahead in all, not per worker' },
  prefetch_buffer_size: { option: 'prefetch' },
  buffer_size: { option: 'prefetch' },
  read_options: { option: 'readSize', note: "Grain's ReadOptions become readSize (records per read) and prefetch (blocks read ahead)" },
  num_threads: { option: 'openConcurrency' },
  collate_fn: { option: 'collate' },
  batch_fn: { option: 'collate' },
  operations: { option: 'transforms' },
  transformations: { option: 'transforms' },
  dataset: { option: 'source' },
  data_source: { option: 'source' },
  datasets: { option: 'components' },
  weights: [{ option: 'weight' }, { option: 'components', note: 'each component { source, sampler, weight } has its own weight' }],
  stop_on_empty_dataset: { option: 'stopOnEmpty' },
  shard_options: [{ option: 'shardOptions' }, { note: 'shard with the sampler: IndexSampler({ shardOptions }) or StridedShardSampler' }],
  num_epochs: [{ option: 'numEpochs' }, { note: 'the sampler sets the epochs, e.g. new ShuffleSampler({ numRecords, seed, numEpochs })' }],
  epochs: [{ option: 'numEpochs' }, { note: 'the sampler sets the epochs, e.g. new ShuffleSampler({ numRecords, seed, numEpochs })' }],
  shuffle: { note: SAMPLER_ORDER },
  shuffle_files: { note: SAMPLER_ORDER },
  random_seed: { option: 'seed' },
  rng_seed: { option: 'seed' },
  shuffle_seed: { option: 'seed' },
  rng: { option: 'seed' },
  generator: { option: 'seed', note: 'an integer in [0, 2^32), not a generator' },
  num_examples: { option: 'numRecords' },
  length: { option: 'numRecords' },
  num_samples: [{ option: 'count' }, { option: 'numRecords' }],
  num_replicas: [{ option: 'numReplicas' }, { option: 'worldSize' }],
  world_size: [{ option: 'worldSize' }, { option: 'numReplicas' }],
  process_count: [{ option: 'worldSize' }, { option: 'numReplicas' }],
  shard_count: [{ option: 'shardCount' }, { option: 'worldSize' }, { option: 'numReplicas' }],
  num_shards: [{ option: 'shards' }, { option: 'shardCount' }, { option: 'worldSize' }, { option: 'numReplicas' }],
  shard_index: [{ option: 'shardIndex' }, { option: 'rank' }],
  process_index: [{ option: 'rank' }, { option: 'shardIndex' }],
  rank: [{ option: 'shardIndex' }],
  reader_options: { note: "reader options are ArrayRecordDataSource's second argument" },
  // tf.io features and parsing.
  default_value: [{ option: 'defaultValue' }, { option: 'padValue' }],
  pad_value: [{ option: 'padValue' }, { option: 'defaultValue' }],
  out_type: [{ option: 'rawType' }, { option: 'as' }],
  dtype: { option: 'as', note: "the dtype is the builder's argument; as picks the output array type" },
  value_type: { option: 'as' },
  output_type: { option: 'as' },
  row_splits_dtype: { option: 'layout' },
  ragged: { option: 'layout' },
  reuse: { option: 'reuseOutputs' },
  features: { option: 'spec' },
  feature_spec: { option: 'spec' },
  context_features: { option: 'context' },
  sequence_features: { option: 'featureLists' },
  // Keras fitDataset / tf.data.
  steps_per_epoch: { option: 'batchesPerEpoch' },
  initial_epoch: { option: 'firstEpoch' },
  map_fn: [{ option: 'toElement' }, { option: 'transforms' }],
  x: { option: 'xs' },
  inputs: { option: 'xs' },
  y: { option: 'ys' },
  labels: { option: 'ys' },
  targets: { option: 'ys' },
  num_classes: { option: 'oneHot' },
  depth: { option: 'oneHot' },
  // The command line and slices.
  writer_options: { option: 'options' },
  format: { option: 'from' },
  input_format: { option: 'from' },
  stop: { option: 'end' },
  limit: { option: 'end' },
  begin: { option: 'start' },
  skip: { option: 'start' },
};

/**
 * An option name compared loosely: lower case without `_`, `-` or blanks, so `drop_last`, `dropLast`
 * and `DROP-LAST` are the same name.
 * @example
 * normalizeOptionName('batch_size') === normalizeOptionName('batchSize'); // true
 */
export function normalizeOptionName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/** Typos allowed for a name of this (normalized) length. */
function typoBudget(length: number): number {
  return length <= 2 ? 0 : length <= 5 ? 1 : length <= 9 ? 2 : 3;
}

function aliasList(aliases: OptionAliases | undefined, normalized: string): readonly OptionAlias[] {
  if (aliases === undefined) return [];
  for (const [spelling, entry] of Object.entries(aliases)) {
    if (normalizeOptionName(spelling) === normalized) return Array.isArray(entry) ? entry : [entry as OptionAlias];
  }
  return [];
}

/** What an unknown option name probably meant: an option of `known`, a note, or both. */
export interface OptionSuggestion {
  readonly option: string | undefined;
  readonly note: string | undefined;
}

/**
 * The option `key` most likely meant, out of `known`: first the caller's own `aliases`, then the same
 * name in another case or style (`batch_size` for `batchSize`), then a Python spelling of
 * {@link PYTHON_OPTION_ALIASES}, then the nearest name by edit distance (a few typos, more for longer
 * names), then a note of PYTHON_OPTION_ALIASES saying what to use instead, then the shortest known
 * name that starts with `key` (or the other way round); undefined when nothing is close.
 * @example
 * suggestOption('drop_last', ['batchSize', 'dropRemainder']); // { option: 'dropRemainder', note: undefined }
 * suggestOption('sede', ['numRecords', 'seed'])?.option; // 'seed'
 */
export function suggestOption(key: string, known: readonly string[], aliases?: OptionAliases): OptionSuggestion | undefined {
  const normalized = normalizeOptionName(key);
  const usable = (alias: OptionAlias): boolean => alias.option === undefined || known.includes(alias.option);
  const own = aliasList(aliases, normalized).find(usable);
  if (own !== undefined) return { option: own.option, note: own.note };
  const same = known.find((name) => normalizeOptionName(name) === normalized);
  if (same !== undefined) return { option: same, note: undefined };
  const python = aliasList(PYTHON_OPTION_ALIASES, normalized);
  const mapped = python.find((alias) => alias.option !== undefined && known.includes(alias.option));
  if (mapped !== undefined) return { option: mapped.option, note: mapped.note };
  let nearest: string | undefined;
  let nearestDistance = typoBudget(normalized.length) + 1;
  for (const name of known) {
    const distance = editDistance(normalized, normalizeOptionName(name));
    if (distance < nearestDistance) {
      nearest = name;
      nearestDistance = distance;
    }
  }
  if (nearest !== undefined) return { option: nearest, note: undefined };
  const noteOnly = python.find((alias) => alias.option === undefined);
  if (noteOnly !== undefined) return { option: undefined, note: noteOnly.note };
  if (normalized.length >= 4) {
    const prefixed = known.filter((name) => {
      const other = normalizeOptionName(name);
      return other.startsWith(normalized) || (other.length >= 4 && normalized.startsWith(other));
    });
    const shortest = prefixed.sort((a, b) => a.length - b.length)[0];
    if (shortest !== undefined) return { option: shortest, note: undefined };
  }
  return undefined;
}

/** How {@link unknownOptionMessage} words its message. */
export interface UnknownOptionWording {
  /** The caller's own spellings, checked before the Python ones. */
  readonly aliases?: OptionAliases;
  /** Write the key in double quotes (for options strings, whose keys may hold blanks). */
  readonly quote?: boolean;
}

/**
 * The message for unknown option names: `unknown option drop_last; did you mean dropRemainder?`, with a
 * note in parentheses where our option works differently; names with no close match are followed by
 * the valid options.
 * @example
 * unknownOptionMessage(['drop_last'], ['batchSize', 'dropRemainder']);
 * // 'unknown option drop_last; did you mean dropRemainder?'
 * unknownOptionMessage(['frobnicate'], ['group_size', 'zstd'], { quote: true });
 * // 'unknown option "frobnicate", valid options: group_size, zstd'
 */
export function unknownOptionMessage(keys: readonly string[], known: readonly string[], wording: UnknownOptionWording = {}): string {
  let listValid = false;
  const clauses = keys.map((key) => {
    const shown = wording.quote === true ? `"${key}"` : key;
    const suggestion = suggestOption(key, known, wording.aliases);
    if (suggestion?.option === undefined) listValid = true;
    const meant = suggestion?.option === undefined ? '' : `; did you mean ${suggestion.option}?`;
    const note = suggestion?.note === undefined ? '' : ` (${suggestion.note})`;
    return `unknown option ${shown}${meant}${note}`;
  });
  const valid = listValid ? `, valid options: ${known.length === 0 ? '(none)' : known.join(', ')}` : '';
  return clauses.join('; ') + valid;
}

/**
 * The names of an options interface, listed once; the compiler checks that the list names every
 * option of `T` and nothing else, so the run-time check cannot drift from the type.
 * @example
 * interface Options { readonly size?: number; readonly name: string }
 * const KEYS = optionNames<Options>({ size: true, name: true }); // ['size', 'name']
 */
export function optionNames<T extends object>(names: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.freeze(Object.keys(names));
}

/**
 * True for a count: a non-negative safe integer.
 * @example isCount(3); // true
 * @example isCount(-1) || isCount(1.5) || isCount('3'); // false
 */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * A value as an error message shows it: numbers as written, strings quoted, other things by kind.
 * @example
 * describeFound('10'); // '"10"'
 * describeFound([1, 2]); // 'an array'
 */
export function describeFound(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return String(value);
}

/** How {@link checkOptions} treats an options object. */
export interface CheckOptionsSettings {
  /** The caller's own spellings of its options, checked before the Python ones. */
  readonly aliases?: OptionAliases;
  /** What the object is called in messages (default `options`). */
  readonly name?: string;
}

/**
 * Checks that `options` is an object whose own keys are all in `known`, so that a misspelled option
 * is an error instead of being ignored. Returns the object, typed as a record to read values from.
 * @throws InvalidOptionsError when `options` is not an object, or naming every unknown key with the
 *   nearest known option (see {@link unknownOptionMessage}).
 * @example
 * checkOptions('BatchSampler', { batchSize: 4 }, ['batchSize', 'dropRemainder']); // fine
 * checkOptions('BatchSampler', { batch_size: 4 }, ['batchSize', 'dropRemainder']);
 * // throws InvalidOptionsError: BatchSampler: unknown option batch_size; did you mean batchSize?
 */
export function checkOptions(
  owner: string,
  options: unknown,
  known: readonly string[],
  settings: CheckOptionsSettings = {},
): Readonly<Record<string, unknown>> {
  const name = settings.name ?? 'options';
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionsError(`${owner}: ${name} must be an object (got ${describeFound(options)})`);
  }
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    const where = name === 'options' ? '' : `${name}: `;
    throw new InvalidOptionsError(`${owner}: ${where}${unknownOptionMessage(unknown, known, { aliases: settings.aliases })}`);
  }
  return options as Readonly<Record<string, unknown>>;
}

/**
 * Returns `value` if it is a safe integer >= `min` (and <= `max` when given), else throws
 * InvalidOptionsError naming the option.
 * @example
 * requireInteger('BatchSampler', 'batchSize', 32, 1); // 32
 * requireInteger('BatchSampler', 'batchSize', '32', 1); // throws: batchSize must be an integer >= 1 (got "32")
 */
export function requireInteger(owner: string, name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new InvalidOptionsError(`${owner}: ${name} must be an integer ${range} (got ${describeFound(value)})`);
  }
  return value;
}

/**
 * Returns a seed in [0, 2^32), or throws InvalidOptionsError.
 * @example requireSeed('ShuffleSampler', 42); // 42
 */
export function requireSeed(owner: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= SEED_MODULUS) {
    throw new InvalidOptionsError(`${owner}: seed must be an integer in [0, 2^32) (got ${describeFound(value)})`);
  }
  return value;
}

/**
 * Returns `value` if it is a boolean, or `fallback` when it is undefined; throws InvalidOptionsError.
 * @example requireBoolean('BatchSampler', 'dropRemainder', undefined, false); // false
 */
export function requireBoolean(owner: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new InvalidOptionsError(`${owner}: ${name} must be a boolean (got ${describeFound(value)})`);
  }
  return value;
}

/**
 * Returns `value` if it is one of `choices`, or `fallback` when it is undefined; throws InvalidOptionsError
 * listing the choices.
 * @example requireOneOf('DistributedSampler', 'permutation', undefined, ['torch', 'feistel'] as const, 'torch'); // 'torch'
 */
export function requireOneOf<T extends string>(owner: string, name: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly unknown[]).includes(value)) {
    const quoted = choices.map((choice) => `'${choice}'`);
    const listed = quoted.length <= 2 ? quoted.join(' or ') : `one of ${quoted.join(', ')}`;
    throw new InvalidOptionsError(`${owner}: ${name} must be ${listed} (got ${describeFound(value)})`);
  }
  return value as T;
}

/**
 * Returns `value` if it is a function; throws InvalidOptionsError naming what it should do.
 * @example
 * const batches = requireFunction('exampleDataset', 'batches', (epoch: number) => [epoch], 'a function of the epoch');
 * batches(3); // [3]
 */
export function requireFunction<F extends (...args: never[]) => unknown>(owner: string, name: string, value: unknown, what = 'a function'): F {
  if (typeof value !== 'function') {
    throw new InvalidOptionsError(`${owner}: ${name} must be ${what} (got ${describeFound(value)})`);
  }
  return value as F;
}

/**
 * Returns `value` if it is a non-empty string; throws InvalidOptionsError.
 * @example requireString('DataLoader', 'transformExport', 'transforms'); // 'transforms'
 */
export function requireString(owner: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidOptionsError(`${owner}: ${name} must be a non-empty string (got ${describeFound(value)})`);
  }
  return value;
}
