// Strict options for plain-JavaScript callers: every public options object rejects unknown keys, naming
// the nearest known option (Python, PyTorch, Grain and TensorFlow spellings included), and checks the
// types of its values at run time.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ArrayRecordDataSource,
  ArrayRecordReader,
  ArrayRecordWriter,
  BatchSampler,
  convert,
  openRecordInput,
  DataLoader,
  DistributedSampler,
  ExampleParser,
  IndexSampler,
  InvalidArgumentError,
  InvalidOptionsError,
  RemainingOrder,
  SequenceExampleParser,
  SequentialSampler,
  ShuffleSampler,
  SliceSampler,
  StridedShardSampler,
  WindowShuffleSampler,
  elasticResume,
  encodeSequenceExample,
  evenSplit,
  fixedLen,
  fixedLenRaw,
  fixedLenSequence,
  map,
  padBatch,
  parseReaderOptions,
  placementFromEnv,
  parseWriterOptions,
  repair,
  shardOptions,
  shardOptionsFromEnv,
  toFileSlices,
  varLen,
} from '../src/index.js';
import {
  PYTHON_OPTION_ALIASES,
  checkOptions,
  describeFound,
  normalizeOptionName,
  optionNames,
  suggestOption,
  unknownOptionMessage,
  type OptionAlias,
} from '../src/format/options-check.js';
import { exampleDataset, sampleDataset, type TfNamespace } from '../src/tfjs/index.js';
import { goldenPath } from './helpers/golden.js';
import { MemorySource } from './loader/loader-helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-strict-options-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const DIGITS = goldenPath('digits.array_record-00000-of-00002');
const memory = new MemorySource('m', 10);
const sequential = (): SequentialSampler => new SequentialSampler({ numRecords: 10 });
/** Enough of the tfjs namespace for the adapters to build a dataset (options are checked first). */
const fakeTf = { data: { generator: () => ({}) } } as unknown as TfNamespace;
const spec = { image: fixedLen([2], 'float32'), label: fixedLen([], 'int64') };
/** Batches for the adapters; never pulled, since these tests only build datasets. */
async function* noBatches(): AsyncGenerator<Uint8Array[]> {}

/** Escapes text for a RegExp. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The clause naming an unknown key and its suggestion; options strings quote the key. */
function unknownClause(key: string, suggestion?: string): RegExp {
  return new RegExp(`unknown option "?${escape(key)}"?${suggestion === undefined ? ', valid options: ' : escape(`; did you mean ${suggestion}?`)}`);
}

/** What `call` throws (it must throw). */
function thrown(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, none was thrown');
}

/**
 * One public options object: how to pass it (`build` with a complete valid object), a valid object, a
 * misspelled key and a Python spelling with the option each should suggest, and wrong-typed values.
 */
interface OptionsCase {
  readonly name: string;
  readonly build: (options: Record<string, unknown>) => unknown;
  readonly valid: Record<string, unknown>;
  readonly typo: readonly [key: string, suggestion: string];
  readonly python: readonly [key: string, suggestion: string];
  readonly wrong: readonly (readonly [key: string, value: unknown, message: RegExp])[];
  /** The error class of wrong values, when it is not InvalidOptionsError. */
  readonly wrongClass?: typeof InvalidArgumentError;
}

const component = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ source: memory, sampler: sequential(), weight: 1, ...extra });

const CASES: readonly OptionsCase[] = [
  {
    name: 'SequentialSamplerOptions',
    build: (options) => new SequentialSampler(options as never),
    valid: { numRecords: 10 },
    typo: ['numRecord', 'numRecords'],
    python: ['num_epochs', 'numEpochs'],
    wrong: [
      ['numRecords', '10', /numRecords must be an integer >= 1 \(got "10"\)/],
      ['numEpochs', 0, /numEpochs must be an integer >= 1 \(got 0\)/],
    ],
  },
  {
    name: 'ShuffleSamplerOptions',
    build: (options) => new ShuffleSampler(options as never),
    valid: { numRecords: 10, seed: 1 },
    typo: ['sede', 'seed'],
    python: ['num_epochs', 'numEpochs'],
    wrong: [
      ['seed', 1.5, /seed must be an integer in \[0, 2\^32\) \(got 1\.5\)/],
      ['numEpochs', '2', /numEpochs must be an integer >= 1 \(got "2"\)/],
    ],
  },
  {
    name: 'IndexSamplerOptions',
    build: (options) => new IndexSampler(options as never),
    valid: { numRecords: 10 },
    typo: ['shufle', 'shuffle'],
    python: ['shard_options', 'shardOptions'],
    wrong: [
      ['shuffle', 'yes', /shuffle must be a boolean \(got "yes"\)/],
      ['shardOptions', { shard_index: 0, shard_count: 2 }, /ShardOptions: unknown option shard_index; did you mean shardIndex\?/],
    ],
  },
  {
    name: 'DistributedSamplerOptions',
    build: (options) => new DistributedSampler(options as never),
    valid: { numRecords: 10, numReplicas: 2, rank: 0 },
    typo: ['permutaton', 'permutation'],
    python: ['drop_last', 'dropLast'],
    wrong: [
      ['permutation', 'random', /permutation must be 'torch' or 'feistel' \(got "random"\)/],
      ['dropLast', 1, /dropLast must be a boolean \(got 1\)/],
      ['env', 'RANK=0', /env must be an object of environment variables/],
    ],
  },
  {
    name: 'WindowShuffleSamplerOptions',
    build: (options) => new WindowShuffleSampler(options as never),
    valid: { numRecords: 10, windowSize: 2, seed: 1 },
    typo: ['windowSzie', 'windowSize'],
    python: ['num_records', 'numRecords'],
    wrong: [['shuffleWindowOrder', 1, /shuffleWindowOrder must be a boolean \(got 1\)/]],
  },
  {
    name: 'SliceOptions',
    build: (options) => new SliceSampler(sequential(), options as never),
    valid: { start: 2 },
    typo: ['ned', 'end'],
    python: ['stop', 'end'],
    wrong: [['start', '2', /start must be an integer >= 0 \(got "2"\)/]],
  },
  {
    name: 'StridedShardOptions',
    build: (options) => new StridedShardSampler(sequential(), options as never),
    valid: { rank: 0, worldSize: 2 },
    typo: ['worldsize', 'worldSize'],
    python: ['num_replicas', 'worldSize'],
    wrong: [
      ['rank', '0', /rank must be an integer >= 0 \(got "0"\)/],
      ['env', 7, /env must be an object/],
    ],
  },
  {
    name: 'ElasticResumeOptions',
    build: (options) => elasticResume([{ sampler: sequential(), consumed: 3 }], options as never),
    valid: { rank: 0, worldSize: 1 },
    typo: ['rnak', 'rank'],
    python: ['world_size', 'worldSize'],
    wrong: [['worldSize', 0, /worldSize must be an integer >= 1 \(got 0\)/]],
  },
  {
    name: 'RankProgress (RemainingOrder, elasticResume)',
    build: (options) => new RemainingOrder([options as never]),
    valid: { sampler: sequential(), consumed: 3 },
    typo: ['consumd', 'consumed'],
    python: ['position', 'consumed'],
    wrong: [
      ['consumed', '3', /ranks\[0\]\.consumed must be an integer >= 0 \(got "3"\)/],
      ['sampler', [0, 1], /ranks\[0\]\.sampler must be a Sampler \(got an array\)/],
    ],
  },
  {
    name: 'BatchSamplerOptions',
    build: (options) => new BatchSampler(sequential(), options as never),
    valid: { batchSize: 2 },
    typo: ['batchSie', 'batchSize'],
    python: ['drop_last', 'dropRemainder'],
    wrong: [
      ['batchSize', 0, /batchSize must be an integer >= 1 \(got 0\)/],
      ['dropRemainder', 'true', /dropRemainder must be a boolean \(got "true"\)/],
    ],
  },
  {
    name: 'ShardOptions (as JSON)',
    build: (options) => evenSplit(10, options as never),
    valid: { shardIndex: 0, shardCount: 2, dropRemainder: false },
    typo: ['shardCout', 'shardCount'],
    python: ['drop_last', 'dropRemainder'],
    wrong: [['shardCount', '2', /shardCount must be a positive integer/]],
  },
  {
    name: 'shardOptionsFromEnv options',
    build: (options) => shardOptionsFromEnv({}, options as never),
    valid: { dropRemainder: true },
    typo: ['dropRemaindr', 'dropRemainder'],
    python: ['drop_last', 'dropRemainder'],
    wrong: [['dropRemainder', 'yes', /dropRemainder must be a boolean \(got "yes"\)/]],
  },
  {
    name: 'placementFromEnv options',
    build: (options) => placementFromEnv({}, options as never),
    valid: { worldSize: 1 },
    typo: ['worldsize_', 'worldSize'],
    python: ['world_size', 'worldSize'],
    wrong: [['worldSize', '4', /worldSize must be an integer >= 1 \(got "4"\)/]],
  },
  {
    name: 'map / filter options',
    build: (options) => map((value: unknown) => value, options as never),
    valid: { name: 'identity', concurrency: 4 },
    typo: ['concurency', 'concurrency'],
    python: ['num_parallel_calls', 'concurrency'],
    wrong: [
      ['concurrency', 0, /map: concurrency must be an integer >= 1 \(got 0\)/],
      ['name', 5, /map: name must be a string \(got 5\)/],
    ],
  },
  {
    name: 'padBatch options',
    build: (options) => padBatch(options as never),
    valid: { length: 8, multipleOf: 4, truncate: true, value: -1, mask: true, fields: ['tokens'] },
    typo: ['lenght', 'length'],
    python: ['multiple_of', 'multipleOf'],
    wrong: [
      ['mask', 'yes', /padBatch: mask must be a boolean \(got "yes"\)/],
      ['fields', 'tokens', /padBatch: fields must be a list of names or an object of settings \(got "tokens"\)/],
    ],
  },
  {
    name: 'DataLoaderOptions',
    build: (options) => new DataLoader(options as never),
    valid: { source: memory, sampler: sequential(), batchSize: 2 },
    typo: ['readsize', 'readSize'],
    python: ['collate_fn', 'collate'],
    wrong: [
      ['batchSize', '32', /batchSize must be an integer >= 1 \(got "32"\)/],
      ['collate', 'stack', /collate must be a function of a batch's elements \(got "stack"\)/],
      ['dropRemainder', 1, /dropRemainder must be a boolean \(got 1\)/],
      ['transformExport', 5, /transformExport must be a non-empty string \(got 5\)/],
    ],
  },
  {
    name: 'MixOptions (DataLoader mix)',
    build: (options) => new DataLoader({ mix: options as never }),
    valid: { components: [component()], seed: 1 },
    typo: ['stopOnEmty', 'stopOnEmpty'],
    python: ['stop_on_empty_dataset', 'stopOnEmpty'],
    wrong: [
      ['stopOnEmpty', 'no', /stopOnEmpty must be a boolean \(got "no"\)/],
      ['seed', -1, /seed must be an integer in \[0, 2\^32\)/],
    ],
  },
  {
    name: 'MixComponent',
    build: (options) => new DataLoader({ mix: { components: [options as never], seed: 1 } }),
    valid: component(),
    typo: ['wieght', 'weight'],
    python: ['dataset', 'source'],
    wrong: [
      ['weight', '1', /components\[0\]\.weight must be a positive finite number/],
      ['sampler', 5, /components\[0\]\.sampler must be a Sampler \(got 5\)/],
    ],
  },
  {
    name: 'DataSourceOptions',
    build: (options) => new ArrayRecordDataSource(DIGITS, '', options as never).close(),
    valid: { maxOpenReaders: 2 },
    typo: ['maxOpenReader', 'maxOpenReaders'],
    python: ['num_threads', 'openConcurrency'],
    wrong: [
      ['maxOpenReaders', '4', /maxOpenReaders must be an integer >= 1 \(got "4"\)/],
      ['openConcurrency', 0, /openConcurrency must be an integer >= 1 \(got 0\)/],
    ],
  },
  {
    name: 'reader options as { key: value } (ArrayRecordDataSource)',
    build: (options) => new ArrayRecordDataSource(DIGITS, options as never).close(),
    valid: { readahead_buffer_size: 0 },
    typo: ['max_paralelism', 'max_parallelism'],
    python: ['readaheadBufferSize', 'readahead_buffer_size'],
    wrong: [['max_parallelism', { n: 2 }, /option max_parallelism must be a string, a number or a boolean \(got an object\)/]],
  },
  {
    name: 'ReadInstruction',
    build: (options) => toFileSlices([options as never]),
    valid: { path: 'a.array_record', start: 1 },
    typo: ['strat', 'start'],
    python: ['begin', 'start'],
    wrong: [['start', '1', /start must be a non-negative safe integer, got 1/]],
    wrongClass: InvalidArgumentError,
  },
  {
    name: 'FileInstruction (TFDS)',
    build: (options) => toFileSlices([options as never]),
    valid: { filename: 'a.array_record', skip: 1, take: 2 },
    typo: ['tkae', 'take'],
    python: ['examplesInShard', 'examples_in_shard'],
    wrong: [['skip', -1, /start must be a non-negative safe integer, got -1/]],
    wrongClass: InvalidArgumentError,
  },
  {
    name: "ArrayRecordWriter's third argument",
    build: (options) => new ArrayRecordWriter(path.join(dir, 'extras.array_record'), '', options as never).close(),
    valid: { metadata: { fileComment: 'ok' } },
    typo: ['metdata', 'metadata'],
    python: ['file_comment', 'metadata'],
    wrong: [['metadata', 'train split', /metadata must be an object \(got "train split"\)/]],
  },
  {
    name: 'RecordsMetadata (writer metadata)',
    build: (options) => new ArrayRecordWriter(path.join(dir, 'metadata.array_record'), '', { metadata: options as never }).close(),
    valid: { fileComment: 'ok' },
    typo: ['fileComent', 'fileComment'],
    python: ['record_type_name', 'recordTypeName'],
    wrong: [
      ['fileComment', 5, /metadata\.fileComment must be a string \(got 5\)/],
      ['numRecords', 1.5, /metadata\.numRecords must be a safe integer \(got 1\.5\)/],
      ['fileDescriptors', ['x'], /metadata\.fileDescriptors must be an array of Uint8Array/],
    ],
  },
  {
    name: 'fixedLen options',
    build: (options) => fixedLen([2], 'int64', options as never),
    valid: { as: 'float64' },
    typo: ['defaultValeu', 'defaultValue'],
    python: ['default_value', 'defaultValue'],
    wrong: [['as', 'int16', /as must be one of int32, float64, bigint for int64, got int16/]],
    wrongClass: InvalidArgumentError,
  },
  {
    name: 'fixedLenRaw options',
    build: (options) => fixedLenRaw([2], options as never),
    valid: { rawType: 'uint8' },
    typo: ['rawtyp', 'rawType'],
    python: ['out_type', 'rawType'],
    wrong: [['rawType', 'uint16', /rawType must be one of uint8, int32, float32, got uint16/]],
    wrongClass: InvalidArgumentError,
  },
  {
    name: 'varLen options',
    build: (options) => varLen('int64', options as never),
    valid: { layout: 'padded' },
    typo: ['layuot', 'layout'],
    python: ['row_splits_dtype', 'layout'],
    wrong: [['layout', 'dense', /layout must be 'ragged' or 'padded', got dense/]],
    wrongClass: InvalidArgumentError,
  },
  {
    name: 'fixedLenSequence options',
    build: (options) => fixedLenSequence([2], 'float32', options as never),
    valid: { allowMissing: true },
    typo: ['alowMissing', 'allowMissing'],
    python: ['allow_missing', 'allowMissing'],
    wrong: [['allowMissing', 'yes', /allowMissing must be a boolean, got yes/]],
    wrongClass: InvalidArgumentError,
  },
  {
    name: 'a hand-written feature of a spec',
    build: (options) => new ExampleParser({ label: options as never }),
    valid: { kind: 'fixedLen', shape: [], dtype: 'int64' },
    typo: ['valuetype', 'valueType'],
    python: ['default_value', 'defaultValue'],
    wrong: [['dtype', 'int32', /feature 'label': .*dtype must be one of int64, float32, bytes, got int32/]],
    wrongClass: InvalidArgumentError,
  },
  {
    name: 'ParserOptions (ExampleParser)',
    build: (options) => new ExampleParser(spec, options as never),
    valid: { reuseOutputs: true },
    typo: ['reuseOutput', 'reuseOutputs'],
    python: ['reuse_outputs', 'reuseOutputs'],
    wrong: [['reuseOutputs', 'yes', /reuseOutputs must be a boolean \(got "yes"\)/]],
  },
  {
    name: 'ParserOptions (SequenceExampleParser)',
    build: (options) => new SequenceExampleParser({ context: spec }, options as never),
    valid: { reuseOutputs: false },
    typo: ['reuseOutptus', 'reuseOutputs'],
    python: ['reuse', 'reuseOutputs'],
    wrong: [['reuseOutputs', 1, /reuseOutputs must be a boolean \(got 1\)/]],
  },
  {
    name: 'SequenceExampleSpec',
    build: (options) => new SequenceExampleParser(options as never),
    valid: { context: spec },
    typo: ['contxt', 'context'],
    python: ['sequence_features', 'featureLists'],
    wrong: [['featureLists', { frames: fixedLen([], 'int64') }, /kind fixedLen is not one of fixedLenSequence, varLen here/]],
    wrongClass: InvalidArgumentError,
  },
  {
    name: 'encodeSequenceExample input',
    build: (options) => encodeSequenceExample(options as never),
    valid: { context: {} },
    typo: ['featureList', 'featureLists'],
    python: ['feature_lists', 'featureLists'],
    wrong: [['context', 5, /context features must be an object/]],
    wrongClass: InvalidArgumentError,
  },
  {
    name: 'ExampleDatasetOptions (tfjs)',
    build: (options) => exampleDataset(fakeTf, options as never),
    valid: { batches: noBatches, spec, mapping: { xs: 'image', ys: 'label' } },
    typo: ['batchesPerEpoc', 'batchesPerEpoch'],
    python: ['steps_per_epoch', 'batchesPerEpoch'],
    wrong: [
      ['batches', [], /batches must be a function of the epoch returning batches of records \(got an array\)/],
      ['toElement', 'xs', /toElement must be a function of a parsed batch and tf \(got "xs"\)/],
      ['firstEpoch', -1, /firstEpoch must be an integer >= 0 \(got -1\)/],
      ['mapping', { xs: 'imgae' }, /mapping\.xs names feature imgae, which the spec lacks; did you mean image\?/],
      ['mapping', { xs: 'pixels' }, /mapping\.xs names feature pixels, which the spec lacks; features: image, label/],
    ],
  },
  {
    name: 'ElementMapping (tfjs)',
    build: (options) => exampleDataset(fakeTf, { batches: noBatches, spec, mapping: options as never }),
    valid: { xs: 'image', ys: 'label' },
    typo: ['onehot', 'oneHot'],
    python: ['labels', 'ys'],
    wrong: [
      ['oneHot', 0, /mapping\.oneHot must be an integer >= 1 \(got 0\)/],
      ['ys', 3, /mapping\.ys must be a feature name \(got 3\)/],
    ],
  },
  {
    name: 'SampleDatasetOptions (tfjs)',
    build: (options) => sampleDataset(fakeTf, options as never),
    valid: { source: { length: 10, getItemsAsync: async () => [] }, count: 4, seed: 1, batchSize: 2, spec, mapping: { xs: 'image' } },
    typo: ['batchSise', 'batchSize'],
    python: ['num_samples', 'count'],
    wrong: [
      ['seed', -1, /seed must be an integer in \[0, 2\^32\) \(got -1\)/],
      ['source', [], /source must have length and getItemsAsync/],
    ],
  },
];

describe('the three silent mistakes of issue 10', () => {
  it('IndexSampler with shard_options throws instead of giving every rank all 10 records', () => {
    const call = () => new IndexSampler({ numRecords: 10, shard_options: shardOptions(1, 3) } as never);
    expect(call).toThrow(InvalidOptionsError);
    expect(call).toThrow('IndexSampler: unknown option shard_options; did you mean shardOptions?');
  });

  it('DataLoader with shuffle, drop_last and num_workers throws instead of yielding sequential batches', () => {
    const call = () =>
      new DataLoader({ source: memory, sampler: sequential(), batchSize: 3, shuffle: true, drop_last: true, num_workers: 2 } as never);
    expect(call).toThrow(InvalidOptionsError);
    const { message } = thrown(call);
    expect(message).toMatch(/^DataLoader: unknown option shuffle; did you mean sampler\? \(DataLoader takes its order from the sampler: sampler: new ShuffleSampler/);
    expect(message).toContain('unknown option drop_last; did you mean dropRemainder?');
    expect(message).toContain('unknown option num_workers; did you mean workers? (worker threads run the transforms and need transformModule)');
  });

  it('ShuffleSampler with num_epochs throws instead of running one epoch', () => {
    const call = () => new ShuffleSampler({ numRecords: 10, seed: 0, num_epochs: 2 } as never);
    expect(call).toThrow(InvalidOptionsError);
    expect(call).toThrow('ShuffleSampler: unknown option num_epochs; did you mean numEpochs?');
  });
});

describe.each(CASES)('$name', (options) => {
  it('accepts the valid options', () => {
    expect(() => options.build({ ...options.valid })).not.toThrow();
  });

  it('rejects an unknown key, listing the valid options when nothing is close', () => {
    const error = thrown(() => options.build({ ...options.valid, frobnicate: 1 }));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.message).toMatch(unknownClause('frobnicate'));
  });

  it('rejects a misspelled key, suggesting the nearest option', () => {
    const [key, suggestion] = options.typo;
    const error = thrown(() => options.build({ ...options.valid, [key]: options.valid[suggestion] ?? 1 }));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.message).toMatch(unknownClause(key, suggestion));
  });

  it('rejects a Python spelling, suggesting our name for it', () => {
    const [key, suggestion] = options.python;
    const error = thrown(() => options.build({ ...options.valid, [key]: 1 }));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.message).toMatch(unknownClause(key, suggestion));
  });

  it('rejects values of the wrong type, naming the option, expected and found', () => {
    for (const [key, value, message] of options.wrong) {
      const error = thrown(() => options.build({ ...options.valid, [key]: value }));
      expect(error, `${key}: ${describeFound(value)}`).toBeInstanceOf(options.wrongClass ?? InvalidOptionsError);
      expect(error.message, `${key}: ${describeFound(value)}`).toMatch(message);
    }
  });

  it('rejects options that are not an object', () => {
    expect(() => options.build(null as never)).toThrow();
  });
});

describe('ConvertOptions and RepairOptions (async: they reject)', () => {
  const out = (name: string): string => path.join(dir, name);
  it.each([
    [{ num_shards: 2 }, 'convert: unknown option num_shards; did you mean shards?'],
    [{ writer_options: 'zstd' }, 'convert: unknown option writer_options; did you mean writerOptions?'],
    [{ options: 'zstd' }, 'convert: unknown option options; did you mean writerOptions?'],
    [{ frobnicate: 1 }, 'convert: unknown option frobnicate, valid options: from, to, writerOptions, shards'],
    [{ onProgress: 'yes' }, 'convert: onProgress must be a function (got "yes")'],
    [{ shards: '2' }, /shards must be a positive integer/],
  ])('convert %j', async (options, expected) => {
    const result = convert([DIGITS], out('converted.array_record'), options as never);
    await expect(result).rejects.toThrow(InvalidOptionsError);
    await expect(convert([DIGITS], out('converted.array_record'), options as never)).rejects.toThrow(expected);
  });

  it.each([
    [{ writer_option: 'zstd' }, 'repair: unknown option writer_option; did you mean writerOptions?'],
    [{ on_progress: () => undefined }, 'repair: unknown option on_progress; did you mean onProgress?'],
    [{ onProgress: 5 }, 'repair: onProgress must be a function (got 5)'],
  ])('repair %j', async (options, expected) => {
    await expect(repair(DIGITS, out('repaired.array_record'), options as never)).rejects.toThrow(InvalidOptionsError);
    await expect(repair(DIGITS, out('repaired.array_record'), options as never)).rejects.toThrow(expected);
  });
});

describe('OpenInputOptions (async: it rejects)', () => {
  it.each([
    [{ format: 'tfrecord' }, 'openRecordInput: unknown option format; did you mean from?'],
    [{ accept_text: true }, 'openRecordInput: unknown option accept_text; did you mean acceptText?'],
    [{ acceptText: 'yes' }, 'openRecordInput: acceptText must be a boolean (got "yes")'],
  ])('%j', async (options, expected) => {
    await expect(openRecordInput(DIGITS, options as never)).rejects.toThrow(InvalidOptionsError);
    await expect(openRecordInput(DIGITS, options as never)).rejects.toThrow(expected);
  });
});

describe('RemoteOptions of a reader opened on a local path (async: it rejects)', () => {
  // Checked wherever the file lives: a misspelt key must not pass because this file happens to be local.
  it.each([
    [{ maxRetry: 1 }, /remote options: unknown option maxRetry, valid options: headers, .*maxRetries/],
    [5, /options must be an object \(got 5\)/],
    ['x', /options must be an object \(got "x"\)/],
  ])('%j', async (remote, expected) => {
    await expect(ArrayRecordReader.open(DIGITS, '', remote as never)).rejects.toThrow(InvalidOptionsError);
    await expect(ArrayRecordReader.open(DIGITS, '', remote as never)).rejects.toThrow(expected);
    await expect(ArrayRecordReader.infoAsync(DIGITS, remote as never)).rejects.toThrow(expected);
  });
});

describe('options strings', () => {
  it.each([
    ['writer', () => parseWriterOptions('groupSize:2'), 'unknown option "groupSize"; did you mean group_size?'],
    ['writer', () => parseWriterOptions('group-size:2'), 'unknown option "group-size"; did you mean group_size?'],
    ['writer', () => parseWriterOptions('zstd,windowlog:20'), 'unknown option "windowlog"; did you mean window_log?'],
    ['writer', () => parseWriterOptions('pad_to_block_boundry:true'), 'unknown option "pad_to_block_boundry"; did you mean pad_to_block_boundary?'],
    ['reader', () => parseReaderOptions('readahead:16M'), 'unknown option "readahead"; did you mean readahead_buffer_size?'],
    ['reader', () => parseReaderOptions('maxParallelism:2'), 'unknown option "maxParallelism"; did you mean max_parallelism?'],
    ['reader', () => parseReaderOptions('index_storage:offloaded'), 'unknown option "index_storage"; did you mean index_storage_option?'],
  ])('%s options: an unknown key suggests the nearest one', (_kind, call, expected) => {
    expect(call).toThrow(InvalidOptionsError);
    expect(call).toThrow(expected);
  });

  it('list the valid options when no key is close, as before', () => {
    expect(() => parseWriterOptions('frobnicate')).toThrow(/unknown option "frobnicate", valid options: default, group_size/);
    expect(() => parseReaderOptions('group_size:1')).toThrow(/unknown option "group_size", valid options: max_parallelism, readahead_buffer_size/);
  });

  it('data source options given as reader options are pointed to their argument', () => {
    expect(() => new ArrayRecordDataSource(DIGITS, { maxOpenReaders: 2 } as never)).toThrow(
      'reader options: maxOpenReaders is a data source option; pass it in the third argument, { maxOpenReaders }',
    );
    expect(() => new ArrayRecordDataSource(DIGITS, { readaheadBufferSize: 0 } as never)).toThrow(/did you mean readahead_buffer_size\?/);
  });

  it('the writer options string is checked before the extras, which are checked before the file is created', () => {
    const file = path.join(dir, 'never.array_record');
    expect(() => new ArrayRecordWriter(file, '', { metadata: { file_comment: 'x' } } as never)).toThrow(
      'ArrayRecordWriter: metadata: unknown option file_comment; did you mean fileComment?',
    );
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('the note where our API works differently', () => {
  it.each([
    [() => new ShuffleSampler({ numRecords: 3, seed: 1, shuffle: true } as never), 'ShuffleSampler always shuffles'],
    [() => new SequentialSampler({ numRecords: 3, shuffle: true } as never), 'SequentialSampler never shuffles; use ShuffleSampler'],
    [() => new DataLoader({ source: memory, sampler: sequential(), num_epochs: 2 } as never), 'did you mean sampler? (the sampler sets the epochs'],
    [() => new DataLoader({ source: memory, sampler: sequential(), prefetch_factor: 2 } as never), 'did you mean prefetch? (blocks read ahead in all, not per worker)'],
    [() => new DataLoader({ source: memory, sampler: sequential(), worker_count: 2 } as never), 'did you mean workers?'],
    [() => new DataLoader({ source: memory, sampler: sequential(), read_options: {} } as never), "did you mean readSize? (Grain's ReadOptions"],
    [() => new BatchSampler(sequential(), { batchSize: 2, num_epochs: 2 } as never), 'unknown option num_epochs (the sampler sets the epochs'],
    [() => new IndexSampler({ numRecords: 10, drop_remainder: true } as never), 'did you mean shardOptions? (dropRemainder is part of the shard options'],
    [() => new WindowShuffleSampler({ numRecords: 10, windowSize: 2, seed: 1, shuffle: true } as never), 'did you mean shuffleWindowOrder?'],
    [() => new ArrayRecordDataSource(DIGITS, '', { shuffle: true } as never), 'unknown option shuffle (the order comes from a sampler'],
    [() => exampleDataset(fakeTf, { batches: noBatches, spec, mapping: { xs: 'image' }, epochs: 3 } as never), 'model.fitDataset(dataset, { epochs })'],
    [() => new ArrayRecordWriter(path.join(dir, 'x.array_record'), '', { options: 'zstd' } as never), 'the writer options string is the second argument'],
  ])('%#', (call, expected) => {
    expect(call).toThrow(InvalidOptionsError);
    expect(call).toThrow(expected);
  });
});

describe('options-check helpers', () => {
  it('normalizes case and snake_case / camelCase / kebab-case', () => {
    expect(normalizeOptionName('drop_remainder')).toBe(normalizeOptionName('dropRemainder'));
    expect(normalizeOptionName('Drop-Remainder')).toBe('dropremainder');
    expect(suggestOption('BATCH_SIZE', ['batchSize'])?.option).toBe('batchSize');
  });

  it('suggests by small edit distance, swaps included, and not for far names', () => {
    expect(suggestOption('sede', ['numRecords', 'seed'])?.option).toBe('seed');
    expect(suggestOption('numEpoch', ['numRecords', 'numEpochs'])?.option).toBe('numEpochs');
    expect(suggestOption('xyz', ['numRecords', 'seed'])).toBeUndefined();
    expect(suggestOption('ab', ['xs', 'ys'])).toBeUndefined();
  });

  it("prefers the caller's aliases, then the same name, then the Python spelling, then typos", () => {
    expect(suggestOption('shuffle', ['sampler'], { shuffle: { option: 'sampler', note: 'use a sampler' } })).toEqual({ option: 'sampler', note: 'use a sampler' });
    expect(suggestOption('drop_last', ['dropLast', 'dropRemainder'])?.option).toBe('dropLast');
    expect(suggestOption('drop_last', ['batchSize', 'dropRemainder'])?.option).toBe('dropRemainder');
    expect(suggestOption('shuffle', ['numRecords'])).toEqual({ option: undefined, note: expect.stringContaining('ShuffleSampler') });
  });

  it('maps every Python spelling of the alias table to its option where that option exists', () => {
    for (const [spelling, entry] of Object.entries(PYTHON_OPTION_ALIASES)) {
      const aliases = (Array.isArray(entry) ? entry : [entry]) as readonly OptionAlias[];
      for (const alias of aliases) {
        if (alias.option === undefined) continue;
        expect(suggestOption(spelling, [alias.option])?.option, spelling).toBe(alias.option);
      }
    }
  });

  it('words single and several unknown keys', () => {
    expect(unknownOptionMessage(['drop_last'], ['batchSize', 'dropRemainder'])).toBe('unknown option drop_last; did you mean dropRemainder?');
    expect(unknownOptionMessage(['frobnicate'], ['group_size', 'zstd'], { quote: true })).toBe('unknown option "frobnicate", valid options: group_size, zstd');
    expect(unknownOptionMessage(['batch_size', 'foo'], ['batchSize'])).toBe(
      'unknown option batch_size; did you mean batchSize?; unknown option foo, valid options: batchSize',
    );
  });

  it('checkOptions accepts known keys (even undefined ones) and rejects non-objects', () => {
    expect(checkOptions('T', { a: 1, b: undefined }, ['a', 'b'])).toEqual({ a: 1, b: undefined });
    expect(() => checkOptions('T', { c: undefined }, ['a', 'b'])).toThrow('T: unknown option c, valid options: a, b');
    expect(() => checkOptions('T', [1], ['a'])).toThrow('T: options must be an object (got an array)');
    expect(() => checkOptions('T', 'a:1', ['a'])).toThrow('T: options must be an object (got "a:1")');
  });

  it('optionNames lists the names of an options type', () => {
    interface Options {
      readonly size?: number;
      readonly name: string;
    }
    expect(optionNames<Options>({ size: true, name: true })).toEqual(['size', 'name']);
  });

  it('describeFound shows values by kind', () => {
    expect([describeFound('10'), describeFound(10), describeFound(undefined), describeFound(null), describeFound(5n)]).toEqual([
      '"10"',
      '10',
      'undefined',
      'null',
      '5n',
    ]);
    expect([describeFound([]), describeFound({}), describeFound(() => 1), describeFound(new Map())]).toEqual(['an array', 'an object', 'a function', 'a Map']);
  });
});
