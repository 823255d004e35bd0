// dataset_info.json of a prepared TFDS dataset: the DatasetInfo proto as protobuf's JSON mapping writes it
// (lowerCamelCase names, int64 values as strings, default values left out).

import { ParseError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';
import { DEFAULT_FILEPATH_TEMPLATE } from './naming.js';

/**
 * A nest of feature names, as `tfds.core.DatasetInfo.supervised_keys` holds them: a feature name, a
 * tuple (array) or a dict of nests.
 */
export type SupervisedNest = string | readonly SupervisedNest[] | { readonly [key: string]: SupervisedNest };

/** The supervised keys: `as_supervised=True` reads `(input, output)` or `(input, output, weights)`. */
export interface SupervisedKeys {
  /** The feature(s) that are the model's input. */
  readonly input: SupervisedNest;
  /** The feature(s) that are the target. */
  readonly output: SupervisedNest;
  /** The feature(s) that are the example weights, when the dataset has them. */
  readonly weights?: SupervisedNest;
}

/** What dataset_info.json says about the dataset as a whole. */
export interface TfdsInfo {
  /** The dataset's name, such as `mnist`. */
  readonly name: string;
  /** The config's name for datasets with several configs (`<name>/<config>/<version>`). */
  readonly configName: string | undefined;
  /** The config's description, when the dataset has configs. */
  readonly configDescription: string | undefined;
  /** The dataset's version, such as `3.0.1`. */
  readonly version: string;
  /** The dataset's description. */
  readonly description: string;
  /** How to cite the dataset (BibTeX). */
  readonly citation: string;
  /** The dataset's homepage. */
  readonly homepage: string | undefined;
  /** The format the shards were written in: 'array_record', 'tfrecord' (TFDS's default), ... */
  readonly fileFormat: string;
  /** Other formats the shards are also available in (`alternativeFileFormats`). */
  readonly alternativeFileFormats: readonly string[];
  /** The features `as_supervised` reads, when the dataset names them. */
  readonly supervisedKeys: SupervisedKeys | undefined;
  /** True when the dataset's order means something and readers should not shuffle it. */
  readonly disableShuffling: boolean;
  /** The Python module that defines the dataset's builder. */
  readonly moduleName: string | undefined;
  /** The whole parsed dataset_info.json, for fields not listed here. */
  readonly json: Readonly<Record<string, unknown>>;
}

/** One split as dataset_info.json lists it. */
export interface TfdsSplitJson {
  readonly name: string;
  readonly shardLengths: readonly number[];
  readonly numBytes: number;
  /** The file name template, relative to the dataset directory (TFDS's default when the file names none). */
  readonly filepathTemplate: string;
}

/**
 * Reads the parsed dataset_info.json.
 * @throws ParseError naming the field when a required field is missing or of the wrong type.
 */
export function readDatasetInfo(json: unknown, where: string): { info: TfdsInfo; splits: TfdsSplitJson[] } {
  const root = object(json, where);
  const name = string(root['name'], `${where}: name`);
  const info: TfdsInfo = {
    name,
    configName: optionalString(root['configName'], `${where}: configName`),
    configDescription: optionalString(root['configDescription'], `${where}: configDescription`),
    version: optionalString(root['version'], `${where}: version`) ?? '',
    description: optionalString(root['description'], `${where}: description`) ?? '',
    citation: optionalString(root['citation'], `${where}: citation`) ?? '',
    homepage: readHomepage(root, where),
    fileFormat: optionalString(root['fileFormat'], `${where}: fileFormat`) ?? 'tfrecord',
    alternativeFileFormats: optionalArray(root['alternativeFileFormats'], `${where}: alternativeFileFormats`).map((format, k) =>
      string(format, `${where}: alternativeFileFormats[${k}]`),
    ),
    supervisedKeys: readSupervisedKeys(root['supervisedKeys'], `${where}: supervisedKeys`),
    disableShuffling: root['disableShuffling'] === true,
    moduleName: optionalString(root['moduleName'], `${where}: moduleName`),
    json: root,
  };
  const splits = optionalArray(root['splits'], `${where}: splits`).map((split, k) => readSplit(split, `${where}: splits[${k}]`));
  checkUniqueSplits(splits, where);
  return { info, splits };
}

/** TFDS's SplitDict refuses a split listed twice ("Split train already present"); a map would keep the last silently. */
function checkUniqueSplits(splits: readonly TfdsSplitJson[], where: string): void {
  const seen = new Set<string>();
  for (const split of splits) {
    if (seen.has(split.name)) throw new ParseError(`${where}: split ${JSON.stringify(split.name)} is listed twice`);
    seen.add(split.name);
  }
}

function readSplit(json: unknown, where: string): TfdsSplitJson {
  const split = object(json, where);
  const name = string(split['name'], `${where}.name`);
  const shardLengths = optionalArray(split['shardLengths'], `${where}.shardLengths`).map((length, k) => int64(length, `split ${name}: shardLengths[${k}]`));
  // Each length is a safe integer, but their sum (the split's record count, and every record index) must be one too.
  const total = shardLengths.reduce((sum, length) => sum + length, 0);
  if (!Number.isSafeInteger(total)) {
    throw new ParseError(`split ${name}: shardLengths add up to more than ${Number.MAX_SAFE_INTEGER} records, got ${total}`);
  }
  return {
    name,
    shardLengths,
    numBytes: split['numBytes'] === undefined ? 0 : int64(split['numBytes'], `split ${name}: numBytes`),
    filepathTemplate: optionalString(split['filepathTemplate'], `split ${name}: filepathTemplate`) || DEFAULT_FILEPATH_TEMPLATE,
  };
}

function readHomepage(root: Readonly<Record<string, unknown>>, where: string): string | undefined {
  const location = root['location'];
  if (location === undefined) return undefined;
  const urls = optionalArray(object(location, `${where}: location`)['urls'], `${where}: location.urls`);
  return urls.length === 0 ? undefined : string(urls[0], `${where}: location.urls[0]`);
}

/**
 * `supervisedKeys`: the deprecated `{ input, output }` strings, or `{ tuple: { items: [Nest, ...] } }`
 * where a Nest is `{ featureKey }`, `{ tuple: { items } }` or `{ dict: { dict: { key: Nest } } }`.
 */
function readSupervisedKeys(json: unknown, where: string): SupervisedKeys | undefined {
  if (json === undefined) return undefined;
  const keys = object(json, where);
  if (typeof keys['input'] === 'string' && typeof keys['output'] === 'string' && keys['input'] !== '' && keys['output'] !== '') {
    return { input: keys['input'], output: keys['output'] };
  }
  if (keys['tuple'] === undefined) return undefined;
  const items = optionalArray(object(keys['tuple'], `${where}.tuple`)['items'], `${where}.tuple.items`).map((item, k) =>
    readNest(item, `${where}.tuple.items[${k}]`),
  );
  if (items.length !== 2 && items.length !== 3) {
    throw new ParseError(`${where}: supervised keys hold 2 or 3 items (input, output[, weights]), found ${items.length}`);
  }
  return items.length === 2 ? { input: items[0]!, output: items[1]! } : { input: items[0]!, output: items[1]!, weights: items[2]! };
}

function readNest(json: unknown, where: string): SupervisedNest {
  const nest = object(json, where);
  if (typeof nest['featureKey'] === 'string') return nest['featureKey'];
  if (nest['tuple'] !== undefined) {
    return optionalArray(object(nest['tuple'], `${where}.tuple`)['items'], `${where}.tuple.items`).map((item, k) => readNest(item, `${where}.tuple.items[${k}]`));
  }
  if (nest['dict'] !== undefined) {
    const entries = object(object(nest['dict'], `${where}.dict`)['dict'] ?? {}, `${where}.dict.dict`);
    return Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, readNest(value, `${where}.dict.dict.${key}`)]));
  }
  throw new ParseError(`${where}: a supervised key must hold featureKey, tuple or dict`);
}

/** An int64 of protobuf's JSON mapping: a decimal string or a number, within the safe integers. */
export function int64(value: unknown, where: string): number {
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
    throw new ParseError(`${where} must be a non-negative integer, got ${describeFound(value)}`);
  }
  return number;
}

function object(value: unknown, where: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ParseError(`${where} must be an object, got ${describeFound(value)}`);
  }
  return value as Readonly<Record<string, unknown>>;
}

function string(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new ParseError(`${where} must be a string, got ${describeFound(value)}`);
  return value;
}

function optionalString(value: unknown, where: string): string | undefined {
  return value === undefined ? undefined : string(value, where);
}

function optionalArray(value: unknown, where: string): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ParseError(`${where} must be a list, got ${describeFound(value)}`);
  return value;
}
