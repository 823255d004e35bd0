// A prepared TensorFlow Datasets directory (`<data_dir>/<name>[/<config>]/<version>/`): its info, splits and
// features, split selections mapped to data source read instructions, and the parsing and decoding of its
// records for loaders and tfjs.

import path from 'node:path';
import { CorruptFileError, InvalidArgumentError, InvalidOptionsError, IoError, ParseError, UnsupportedError, withLocation } from '../format/errors.js';
import { ArrayRecordReader } from '../format/arrayrecord/reader.js';
import { runBounded } from '../source/run-bounded.js';
import { checkOptions, describeFound, optionNames, requireInteger, requireOneOf } from '../format/options-check.js';
import { siblingModule } from '../format/io/module-worker.js';
import type { ExampleSpec } from '../example/feature-spec.js';
import { map, type Transform } from '../loader/transforms.js';
import { ArrayRecordDataSource, type DataSourceReaderOptions } from '../source/data-source.js';
import type { ReadInstruction } from '../source/read-instructions.js';
import type { ElementMapping } from '../tfjs/element-mapping.js';
import { openStore, type DatasetStore } from './dataset-store.js';
import { readDatasetInfo, type SupervisedNest, type TfdsInfo } from './dataset-info.js';
import { featureLeaves } from './feature-leaves.js';
import { readFeatures, type TfdsFeature, type TfdsFeaturesDict } from './features.js';
import { shardPath } from './naming.js';
import { decodedSpec, TfdsRecordDecoder, type DecodedSpecOptions } from './record-decoder.js';
import { shardRanges, splitRanges, type SplitRounding, type TfdsSplitArg } from './split-spec.js';
import { TfdsParser, type TfdsParsedFeatures, type TfdsParserOptions } from './tfds-parser.js';

/** One split of the dataset. */
export interface TfdsSplit {
  /** The split's name, such as `train`. */
  readonly name: string;
  /** Records in the split. */
  readonly numExamples: number;
  /** Shard files of the split. */
  readonly numShards: number;
  /** Records per shard, in shard order. */
  readonly shardLengths: readonly number[];
  /** Size of the split's files as recorded by TFDS (0 when unknown). */
  readonly numBytes: number;
  /** The file name template (TFDS's default `{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}` when the info names none). */
  readonly filepathTemplate: string;
  /** The shard files in shard order, absolute, in the format this dataset is read in (`fileFormat`). */
  readonly files: readonly string[];
}

/** Options of `TfdsDataset.source` and `readInstructions`. */
export interface TfdsSourceOptions {
  /** Rounding of percent slices in split strings: 'closest' (TFDS's, default) or 'pct1_dropremainder'. */
  readonly rounding?: SplitRounding;
  /** ArrayRecordReader options for every shard (as ArrayRecordDataSource takes them). */
  readonly readerOptions?: DataSourceReaderOptions;
  /** ArrayRecordDataSource's `maxOpenReaders`. */
  readonly maxOpenReaders?: number;
  /** ArrayRecordDataSource's `openConcurrency`. */
  readonly openConcurrency?: number;
}

/** Options of `asSupervised`. */
export interface SupervisedOptions {
  /** One-hot the targets with the class count of their ClassLabel (for categoricalCrossentropy). */
  readonly oneHot?: boolean;
}

/** Options of `loaderTransforms`. */
export interface LoaderTransformsOptions {
  /** Worker threads that decode (default 0: the DataLoader's own thread). */
  readonly workers?: number;
}

/** DataLoader options that decode a TFDS dataset's records: spread them into the loader's options. */
export interface TfdsLoaderTransforms {
  /** The decode step, for the DataLoader's `transforms`. */
  readonly transforms: readonly Transform[];
  /** Worker threads that decode, for the DataLoader's `workers`. */
  readonly workers?: number;
  /** The module the workers load the decode step from, for the DataLoader's `transformModule`. */
  readonly transformModule?: URL;
}

/** Anything with random access to records, as sampleDataset reads them. */
export interface RecordsByIndex {
  /** Records in the source. */
  readonly length: number;
  /** The records at `indices`, in request order. */
  getItemsAsync(indices: ArrayLike<number>): Promise<Uint8Array[]>;
}

const SOURCE_KEYS = optionNames<TfdsSourceOptions>({ rounding: true, readerOptions: true, maxOpenReaders: true, openConcurrency: true });
const SUPERVISED_KEYS = optionNames<SupervisedOptions>({ oneHot: true });
const LOADER_KEYS = optionNames<LoaderTransformsOptions>({ workers: true });
const ROUNDING_KEYS = optionNames<Pick<TfdsSourceOptions, 'rounding'>>({ rounding: true });
const ROUNDINGS: readonly SplitRounding[] = ['closest', 'pct1_dropremainder'];
const INFO_FILE = 'dataset_info.json';
/** Shard footers read at once when `source` checks shard lengths (ArrayRecordDataSource's default). */
const DEFAULT_OPEN_CONCURRENCY = 64;
const FEATURES_FILE = 'features.json';
const LABELS_SUFFIX = '.labels.txt';

/**
 * A prepared TensorFlow Datasets dataset directory, `<data_dir>/<name>[/<config>]/<version>/`, as
 * `tfds.builder_from_directory` reads it: dataset_info.json (info and splits), features.json (the
 * FeaturesDict; ClassLabel names from `<feature>.labels.txt`) and the shard files. Splits are selected
 * with TFDS's split strings and read through an ArrayRecordDataSource; records parse into
 * ExampleParser-style columns with images decoded.
 * @example
 * const mnist = await TfdsDataset.open(path.join(os.homedir(), 'tensorflow_datasets/mnist/3.0.1'));
 * mnist.splits.train.numExamples;       // 60000
 * mnist.features.label;                 // { kind: 'classLabel', numClasses: 10, names: ['0', ..., '9'], ... }
 * const train = await mnist.source('train[:80%]');
 * const batch = mnist.parseBatch(await train.getItemsAsync([0, 1]));  // batch.image: Uint8Array, [2, 28, 28, 1]
 */
export class TfdsDataset {
  /** The dataset directory (absolute). */
  readonly dir: string;
  /** What dataset_info.json says about the dataset as a whole. */
  readonly info: TfdsInfo;
  /** The splits by name, in dataset_info.json's order. */
  readonly splits: Readonly<Record<string, TfdsSplit>>;
  /** The top FeaturesDict of features.json. */
  readonly featuresDict: TfdsFeaturesDict;
  /** The format the shards are read in: 'array_record' when the dataset has it (as fileFormat or an alternative), else its fileFormat. */
  readonly fileFormat: string;
  private defaultParser: TfdsParser | undefined;
  private decoder: TfdsRecordDecoder | undefined;

  private constructor(dir: string, info: TfdsInfo, splits: Record<string, TfdsSplit>, features: TfdsFeaturesDict, fileFormat: string) {
    this.dir = dir;
    this.info = info;
    this.splits = Object.freeze(splits);
    this.featuresDict = features;
    this.fileFormat = fileFormat;
  }

  /**
   * Opens a dataset directory (a path or a `file:` URL): reads dataset_info.json, features.json and the
   * ClassLabel names files. The shard files are opened by `source`.
   * @throws IoError when the directory or dataset_info.json cannot be read (naming the versions found when
   *   given a dataset's parent directory); ParseError for a dataset_info.json or features.json that is not
   *   what TFDS writes; UnsupportedError for a URL other than `file:` (local directories only, for now).
   * @example const cifar = await TfdsDataset.open('/data/tensorflow_datasets/cifar10/3.0.2');
   */
  static async open(location: string | URL): Promise<TfdsDataset> {
    const store = openStore(location);
    const dir = store.location;
    const infoText = await store.readText(INFO_FILE);
    if (infoText === undefined) throw await missingInfoError(store);
    const { info, splits } = inFile(store.filePath(INFO_FILE), () => readDatasetInfo(parseJson(infoText, store.filePath(INFO_FILE)), store.filePath(INFO_FILE)));
    const featuresText = await store.readText(FEATURES_FILE);
    if (featuresText === undefined) throw new IoError(`${store.filePath(FEATURES_FILE)} is missing: the dataset's features are unknown`, { path: dir });
    const names = await readLabelNames(store);
    const features = inFile(store.filePath(FEATURES_FILE), () => readFeatures(parseJson(featuresText, store.filePath(FEATURES_FILE)), FEATURES_FILE, (stem) => names.get(stem)));
    const fileFormat = info.fileFormat === 'array_record' || info.alternativeFileFormats.includes('array_record') ? 'array_record' : info.fileFormat;
    // No prototype: a split named `__proto__` or `constructor` is a split like any other.
    const splitMap: Record<string, TfdsSplit> = Object.create(null) as Record<string, TfdsSplit>;
    for (const split of splits) {
      const values = { dataset: info.name, split: split.name, fileFormat };
      splitMap[split.name] = Object.freeze({
        name: split.name,
        numExamples: split.shardLengths.reduce((sum, length) => sum + length, 0),
        numShards: split.shardLengths.length,
        shardLengths: Object.freeze([...split.shardLengths]),
        numBytes: split.numBytes,
        filepathTemplate: split.filepathTemplate,
        files: Object.freeze(split.shardLengths.map((_, shard) => store.filePath(shardPath(split.filepathTemplate, values, shard, split.shardLengths.length)))),
      });
    }
    checkDistinctFiles(Object.values(splitMap), store.filePath(INFO_FILE));
    return new TfdsDataset(dir, info, splitMap, features, fileFormat);
  }

  /**
   * The top-level features by name.
   * @example dataset.features.label // { kind: 'classLabel', numClasses: 10, names: ['airplane', ...] }
   */
  get features(): Readonly<Record<string, TfdsFeature>> {
    return this.featuresDict.features;
  }

  /**
   * The feature at a tf.Example key: a top-level name, or `parent/child` through dicts and sequences.
   * @throws InvalidArgumentError for a key the dataset lacks.
   * @example dataset.feature('objects/label') // { kind: 'classLabel', ... }
   */
  feature(key: string): TfdsFeature {
    let node: TfdsFeature = this.featuresDict;
    let rest = key;
    while (rest !== '') {
      while (node.kind === 'sequence') node = node.feature;
      if (node.kind !== 'dict') break;
      const features: Readonly<Record<string, TfdsFeature>> = node.features;
      // Keys may hold '/' themselves ('image/filename'): take the longest one that matches.
      const name = Object.keys(features)
        .filter((candidate) => rest === candidate || rest.startsWith(`${candidate}/`))
        .sort((a, b) => b.length - a.length)[0];
      if (name === undefined) break;
      node = features[name]!;
      rest = rest.slice(name.length + 1);
    }
    if (rest !== '' || node === this.featuresDict) {
      throw new InvalidArgumentError(`the dataset has no feature ${JSON.stringify(key)}; its features: ${featureLeaves(this.featuresDict, undefined, true).map((leaf) => leaf.key).join(', ')}`);
    }
    return node;
  }

  /**
   * The number of records a split selection reads.
   * @throws as readInstructions.
   * @example dataset.numExamples('train[:10%]+test')
   */
  numExamples(split: TfdsSplitArg, options: Pick<TfdsSourceOptions, 'rounding'> = {}): number {
    return splitRanges(split, this.shardLengths(), this.rounding(options, 'TfdsDataset.numExamples')).reduce((sum, range) => sum + Math.max(0, range.to - range.from), 0);
  }

  /**
   * The shard slices a split selection reads, as ArrayRecordDataSource read instructions, with TFDS's
   * rules (percent rounding included). A selection of no records gives one empty slice of the split's
   * first shard, so that a data source over it is empty.
   * @param split a TFDS split string ('train', 'train[:80%]', 'test[10:20]', 'train[-5%:]', 'train+test',
   *   'all', 'train[2shard]'), a ReadInstruction `{ split, from, to, unit, rounding }`, or a list of them.
   * @throws InvalidArgumentError for a malformed selection, an unknown split or bounds beyond it.
   * @example dataset.readInstructions('train[45:55]') // [{ path: '.../mnist-train.array_record-00000-of-00002', start: 45, end: 50 }, ...]
   */
  readInstructions(split: TfdsSplitArg, options: Pick<TfdsSourceOptions, 'rounding'> = {}): ReadInstruction[] {
    const rounding = this.rounding(options);
    const slices = shardRanges(split, this.shardLengths(), rounding).map(({ split: name, shard, start, end }) => ({ path: this.splits[name]!.files[shard]!, start, end }));
    if (slices.length > 0) return slices;
    const first = splitRanges(split, this.shardLengths(), rounding)[0]!;
    return [{ path: this.splits[first.split]!.files[0]!, start: 0, end: 0 }];
  }

  /**
   * An ArrayRecordDataSource over a split selection: record i is the i-th record of the selection, in
   * TFDS's order. Every shard read must hold the records dataset_info.json declares for it (its footer is read here).
   * @throws CorruptFileError for a shard holding more or fewer records than declared; UnsupportedError when the dataset has no ArrayRecord shards (tfrecord datasets: random access
   *   needs ArrayRecord, and the message says how to convert); the errors of readInstructions and of
   *   ArrayRecordDataSource.open.
   * @example const train = await dataset.source('train[:80%]'); train.length
   */
  async source(split: TfdsSplitArg, options: TfdsSourceOptions = {}): Promise<ArrayRecordDataSource> {
    checkOptions('TfdsDataset.source', options, SOURCE_KEYS, { aliases: { read_options: { option: 'readerOptions' } } });
    if (this.fileFormat !== 'array_record') throw this.notArrayRecordError();
    const instructions = this.readInstructions(split, options.rounding === undefined ? {} : { rounding: options.rounding });
    await this.checkShardLengths(instructions, requireInteger('TfdsDataset.source', 'openConcurrency', options.openConcurrency ?? DEFAULT_OPEN_CONCURRENCY, 1));
    const sourceOptions = {
      ...(options.maxOpenReaders === undefined ? {} : { maxOpenReaders: options.maxOpenReaders }),
      ...(options.openConcurrency === undefined ? {} : { openConcurrency: options.openConcurrency }),
    };
    return ArrayRecordDataSource.open(instructions, options.readerOptions ?? '', sourceOptions);
  }

  /**
   * The parser of every feature (built on first use): see TfdsParser.
   * @throws UnsupportedError when a feature is not read here (use `createParser({ features })` to leave it out).
   * @example const { image, label } = dataset.parser.parse(record); // image.shape [32, 32, 3]
   */
  get parser(): TfdsParser {
    this.defaultParser ??= new TfdsParser(this.featuresDict);
    return this.defaultParser;
  }

  /**
   * A parser of some features, or with other options.
   * @example dataset.createParser({ features: ['image', 'label'] })
   */
  createParser(options: TfdsParserOptions = {}): TfdsParser {
    return new TfdsParser(this.featuresDict, options);
  }

  /**
   * Parses a batch of records with `parser`: images decoded, class labels int32, text strings.
   * @throws as TfdsParser.parseBatch.
   * @example const batch = dataset.parseBatch(await source.getItemsAsync([0, 1, 2])); // batch.label.values: Int32Array(3)
   */
  parseBatch(records: readonly Uint8Array[]): TfdsParsedFeatures {
    return this.parser.parseBatch(records);
  }

  /**
   * The tf.Example spec of decoded records (see decodeRecord), for exampleDataset and sampleDataset:
   * images as fixedLenRaw of their shape, class labels int32, sequences padded.
   * @throws as decodedSpec.
   * @example exampleDataset(tf, { batches, spec: dataset.decodedSpec({ imagesAs: 'float32' }), mapping: dataset.asSupervised({ oneHot: true }) })
   */
  decodedSpec(options: DecodedSpecOptions = {}): ExampleSpec {
    return decodedSpec(this.featuresDict, options);
  }

  /**
   * The decoded record of a record of this dataset: its images decoded and appended again as raw
   * pixels (see TfdsRecordDecoder).
   * @throws ParseError for an image that does not decode.
   * @example parseExample(dataset.decodeRecord(record), dataset.decodedSpec()).image.values // the pixels
   */
  decodeRecord(record: Uint8Array): Uint8Array {
    this.decoder ??= new TfdsRecordDecoder(this.featuresDict);
    return this.decoder.decode(record);
  }

  /**
   * The loader step that turns records into decoded records: `[map(decodeRecord, 'decodeTfdsRecord')]`.
   * @example new DataLoader({ source, sampler, batchSize: 32, transforms: dataset.decodeTransforms() })
   */
  decodeTransforms(): Transform[] {
    return [map((record: Uint8Array) => this.decodeRecord(record), 'decodeTfdsRecord')];
  }

  /**
   * DataLoader options that decode records on `workers` threads (0: on the loader's thread): the
   * decode step, and a transform module that opens this dataset in each worker.
   * @throws InvalidOptionsError for an unknown option or a bad worker count.
   * @example new DataLoader({ source, sampler, batchSize: 32, ...dataset.loaderTransforms({ workers: 2 }) })
   */
  loaderTransforms(options: LoaderTransformsOptions = {}): TfdsLoaderTransforms {
    checkOptions('TfdsDataset.loaderTransforms', options, LOADER_KEYS);
    const workers = requireInteger('TfdsDataset.loaderTransforms', 'workers', options.workers ?? 0, 0);
    const transforms = this.decodeTransforms();
    if (workers === 0) return { transforms };
    const transformModule = siblingModule(import.meta.url, 'decode-transforms');
    transformModule.searchParams.set('dir', this.dir);
    return { transforms, workers, transformModule };
  }

  /**
   * A source whose records are decoded records of `source`'s, for sampleDataset.
   * @example sampleDataset(tf, { source: dataset.decodedSource(test), count: 500, seed: 1, batchSize: 100, spec, mapping })
   */
  decodedSource(source: RecordsByIndex): RecordsByIndex {
    return {
      get length() {
        return source.length;
      },
      getItemsAsync: async (indices) => (await source.getItemsAsync(indices)).map((record) => this.decodeRecord(record)),
    };
  }

  /**
   * exampleDataset's mapping for `as_supervised`: `xs` the input feature(s) of the supervised keys,
   * `ys` the output, one-hot with its ClassLabel's class count when asked. Sample weights (a third
   * supervised key) are not mapped.
   * @throws InvalidArgumentError when the dataset has no supervised keys or `oneHot` is asked of a
   *   target that is not a ClassLabel; InvalidOptionsError for an unknown option or a `oneHot` that is not a
   *   boolean; UnsupportedError for a target of several features.
   * @example dataset.asSupervised({ oneHot: true }) // { xs: 'image', ys: 'label', oneHot: 10 }
   */
  asSupervised(options: SupervisedOptions = {}): ElementMapping<ExampleSpec> {
    checkOptions('TfdsDataset.asSupervised', options, SUPERVISED_KEYS, { aliases: { one_hot: { option: 'oneHot' } } });
    // Anything but true was taken as false, so a class count (as exampleDataset's mapping.oneHot takes) gave no one-hot.
    if (options.oneHot !== undefined && typeof options.oneHot !== 'boolean') {
      throw new InvalidOptionsError(
        `TfdsDataset.asSupervised: oneHot must be a boolean (got ${describeFound(options.oneHot)}); the class count comes from the ClassLabel`,
      );
    }
    const keys = this.info.supervisedKeys;
    if (keys === undefined) throw new InvalidArgumentError(`${this.info.name} has no supervised keys: map its features by name instead`);
    const inputs = this.nestLeaves(keys.input);
    const outputs = this.nestLeaves(keys.output);
    if (outputs.length !== 1) {
      throw new UnsupportedError(`the supervised target of ${this.info.name} is ${outputs.length} features (${outputs.join(', ')}); exampleDataset maps one: use toElement`);
    }
    const xs = typeof keys.input === 'string' && inputs.length === 1 ? inputs[0]! : inputs;
    const ys = outputs[0]!;
    if (options.oneHot !== true) return { xs, ys };
    const target = this.feature(ys);
    if (target.kind !== 'classLabel') throw new InvalidArgumentError(`oneHot needs a ClassLabel target; ${ys} is a ${target.className}`);
    return { xs, ys, oneHot: target.numClasses };
  }

  /** The leaf keys a supervised nest names, in order (a dict key names every leaf under it). */
  private nestLeaves(nest: SupervisedNest): string[] {
    if (typeof nest === 'string') return featureLeaves(this.featuresDict, [nest], true).map((leaf) => leaf.key);
    const items = Array.isArray(nest) ? (nest as readonly SupervisedNest[]) : Object.values(nest as Record<string, SupervisedNest>);
    return items.flatMap((item) => this.nestLeaves(item));
  }

  private rounding(options: Pick<TfdsSourceOptions, 'rounding'>, owner = 'TfdsDataset.readInstructions'): SplitRounding {
    checkOptions(owner, options, ROUNDING_KEYS);
    return requireOneOf(owner, 'rounding', options.rounding, ROUNDINGS, 'closest');
  }

  /**
   * Checks that every shard a selection reads holds the records dataset_info.json declares for it. The data
   * source trusts the slices it is given: a shard with more records than declared would have its extra
   * records dropped and the split's record numbering shifted, silently.
   * @throws CorruptFileError naming the shard, the declared and the found count; the errors of reading a
   *   file's footer (IoError for a missing shard, NotArrayRecordError, CorruptFileError).
   */
  private async checkShardLengths(instructions: readonly ReadInstruction[], concurrency: number): Promise<void> {
    const declared = new Map<string, { split: string; shard: number; length: number }>();
    for (const split of Object.values(this.splits)) {
      split.files.forEach((file, shard) => declared.set(file, { split: split.name, shard, length: split.shardLengths[shard]! }));
    }
    const files = [...new Set(instructions.filter((slice) => slice.end! > slice.start!).map((slice) => slice.path))];
    await runBounded(files.length, concurrency, async (i) => {
      const file = files[i]!;
      const { numRecords } = await ArrayRecordReader.infoAsync(file);
      const expected = declared.get(file)!;
      if (numRecords !== expected.length) {
        throw new CorruptFileError(
          `shard ${expected.shard} of split ${expected.split} holds ${numRecords} records, but ${path.join(this.dir, INFO_FILE)} declares ${expected.length}`,
          { path: file },
        );
      }
    });
  }

  private shardLengths(): Map<string, readonly number[]> {
    return new Map(Object.values(this.splits).map((split) => [split.name, split.shardLengths]));
  }

  private notArrayRecordError(): UnsupportedError {
    const split = Object.values(this.splits)[0];
    const example = split === undefined ? undefined : split.files[0];
    const target = example === undefined || split === undefined ? undefined : path.join(this.dir, shardPath(split.filepathTemplate, { dataset: this.info.name, split: split.name, fileFormat: 'array_record' }, 0, split.numShards));
    return new UnsupportedError(
      `${this.info.name} ${this.info.version} is stored as ${this.fileFormat} shards, and random access needs ArrayRecord: convert each shard ` +
        `to an ArrayRecord file of the same name with array_record as its format` +
        (example === undefined ? '' : ` (array-record convert ${example} ${target} --options group_size:1)`) +
        `, then add "alternativeFileFormats": ["array_record"] to ${path.join(this.dir, INFO_FILE)}`,
      { path: this.dir },
    );
  }
}

/** Runs `read`, giving a ParseError that names no file the path of `file`: messages such as "split train: ..." say which field, not which file. */
function inFile<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ParseError && error.path === undefined) {
      throw error.message.includes(file) ? withLocation(error, { path: file }) : new ParseError(error.message, { path: file });
    }
    throw error;
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ParseError(`${file} is not JSON: ${(error as Error).message}`, { path: file });
  }
}

/**
 * Two shards named by the same file (a template without `{SHARD_INDEX}` / `{SHARD_X_OF_Y}` for several
 * shards, or without `{SPLIT}` for several splits) would read one file's records twice.
 * @throws ParseError naming both shards and the file.
 */
function checkDistinctFiles(splits: readonly TfdsSplit[], infoFile: string): void {
  const owners = new Map<string, string>();
  for (const split of splits) {
    split.files.forEach((file, shard) => {
      const owner = `shard ${shard} of split ${split.name}`;
      const other = owners.get(file);
      if (other !== undefined) {
        throw new ParseError(`${other} and ${owner} are both the file ${file} (filepathTemplate ${JSON.stringify(split.filepathTemplate)}): each shard needs its own file`, { path: infoFile });
      }
      owners.set(file, owner);
    });
  }
}

/** Every `<stem>.labels.txt` of the directory: one name a line, blank lines dropped (as TFDS reads them). */
async function readLabelNames(store: DatasetStore): Promise<Map<string, string[]>> {
  const names = new Map<string, string[]>();
  for (const entry of await store.list()) {
    if (entry.directory || !entry.name.endsWith(LABELS_SUFFIX)) continue;
    const text = (await store.readText(entry.name)) ?? '';
    names.set(
      entry.name.slice(0, -LABELS_SUFFIX.length),
      text.split('\n').map((name) => name.trim()).filter((name) => name !== ''),
    );
  }
  return names;
}

/** The error for a directory without dataset_info.json, naming the versions or configs below it. */
async function missingInfoError(store: DatasetStore): Promise<IoError> {
  const dir = store.location;
  let entries: string[];
  try {
    entries = (await store.list()).filter((entry) => entry.directory).map((entry) => entry.name).sort();
  } catch (error) {
    return error as IoError;
  }
  const versions = entries.filter((name) => /^\d+\.\d+\.\d+$/.test(name));
  const hint = versions.length > 0 ? `; it holds versions ${versions.join(', ')}: open one of them` : entries.length > 0 ? `; it holds ${entries.join(', ')}` : '';
  return new IoError(`${dir} has no ${INFO_FILE}: a TFDS dataset directory is <data_dir>/<name>[/<config>]/<version>/${hint}`, { path: dir });
}
