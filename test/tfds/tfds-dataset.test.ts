// TFDS dataset directories, built here in TFDS's own formats (see tfds-fixtures.ts): info, splits and
// features from both features.json forms and both file name styles, split selections read through the
// data source, every feature kind parsed and decoded, decoded records, and what is not supported.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrayRecordWriter, ExampleParser, IoError, InvalidArgumentError, InvalidOptionsError, ParseError, UnsupportedError, bytesFeature, encodeExample, floatFeature, int64Feature } from '../../src/index.js';
import { TfdsDataset, decodeImage, type TfdsParsedFeatures } from '../../src/tfds/index.js';
import { LABEL_NAMES, RICH_FEATURES_PROTO, encodePng, richExamples, testPixels, writeRichDataset, type RichExample } from './tfds-fixtures.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-tfds-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const TEMPLATE = '{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}';
let rich: TfdsDataset;
let legacy: TfdsDataset;
const train = richExamples('train', 101);
const test = richExamples('test', 10);

beforeAll(async () => {
  rich = await TfdsDataset.open(await writeRichDataset(root, 'rich', { features: 'proto', template: TEMPLATE, fileFormat: 'array_record', splits: { train: [34, 34, 33], test: [10] } }));
  legacy = await TfdsDataset.open(await writeRichDataset(root, 'legacy_rich', { features: 'legacy', fileFormat: 'array_record', splits: { train: [4, 3], test: [2] } }));
});

/** The meta/id of every record a source reads, in order. */
async function idsOf(dataset: TfdsDataset, split: string, rounding?: 'closest' | 'pct1_dropremainder'): Promise<number[]> {
  const source = await dataset.source(split, rounding === undefined ? {} : { rounding });
  try {
    if (source.length === 0) return [];
    const batch = dataset.createParser({ features: ['meta/id'] }).parseBatch(source.getItems(Array.from({ length: source.length }, (_, i) => i)));
    return [...(batch['meta/id']!.values as Int32Array)];
  } finally {
    source.close();
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

describe('TfdsDataset.open', () => {
  it('reads dataset_info.json: info and splits', () => {
    expect(rich.info).toMatchObject({
      name: 'rich',
      version: '1.0.0',
      description: 'Every kind of feature array-record reads.',
      citation: '@misc{rich, title={A rich test dataset}}',
      homepage: 'https://example.org/rich',
      fileFormat: 'array_record',
      supervisedKeys: { input: 'image', output: 'label' },
      disableShuffling: false,
    });
    expect(rich.info.json['releaseNotes']).toEqual({ '1.0.0': 'Initial release.' });
    expect(Object.keys(rich.splits)).toEqual(['train', 'test']);
    expect(rich.splits.train).toMatchObject({ name: 'train', numExamples: 101, numShards: 3, shardLengths: [34, 34, 33], numBytes: 12345, filepathTemplate: TEMPLATE });
    expect(rich.splits.train!.files.map((file) => path.relative(rich.dir, file))).toEqual([
      'rich-train.array_record-00000-of-00003',
      'rich-train.array_record-00001-of-00003',
      'rich-train.array_record-00002-of-00003',
    ]);
    expect(rich.fileFormat).toBe('array_record');
  });

  it('reads features.json (Feature proto form) with ClassLabel names from label.labels.txt', () => {
    const { image, photo, thumb, label, tokens, meta } = rich.features;
    expect(image).toMatchObject({ kind: 'image', shape: [8, 6, 3], dtype: 'uint8', encodingFormat: 'png', className: 'tensorflow_datasets.core.features.image_feature.Image' });
    expect(photo).toMatchObject({ kind: 'image', shape: [8, 8, 1], encodingFormat: 'jpeg' });
    expect(thumb).toMatchObject({ kind: 'image', shape: [null, null, 3], encodingFormat: undefined });
    expect(label).toMatchObject({ kind: 'classLabel', numClasses: 3, names: LABEL_NAMES, description: 'what it shows' });
    expect(tokens).toMatchObject({ kind: 'tensor', shape: [null], dtype: 'int64', encoding: 'none' });
    expect(rich.features.embedding).toMatchObject({ kind: 'tensor', shape: [4], dtype: 'float32', encoding: 'zlib' });
    expect(meta!.kind).toBe('dict');
    expect(rich.feature('meta/id')).toMatchObject({ kind: 'tensor', shape: [], dtype: 'int64', className: 'tensorflow_datasets.core.features.scalar.Scalar' });
    expect(rich.feature('meta/tags')).toMatchObject({ kind: 'sequence', length: null, feature: { kind: 'text' } });
    expect(rich.feature('meta/flags')).toMatchObject({ kind: 'tensor', shape: [3], dtype: 'bool' });
    expect(() => rich.feature('meta/nothing')).toThrow(InvalidArgumentError);
  });

  it('reads the older { type, content } features.json and TFDS default file names when no template is given', () => {
    expect(legacy.splits.train!.filepathTemplate).toBe(TEMPLATE);
    expect(legacy.splits.train!.files.map((file) => path.basename(file))).toEqual([
      'legacy_rich-train.array_record-00000-of-00002',
      'legacy_rich-train.array_record-00001-of-00002',
    ]);
    const kinds = (dataset: TfdsDataset) => JSON.parse(JSON.stringify(dataset.featuresDict, (key, value: unknown) => (key === 'className' || key === 'description' ? undefined : value)));
    expect(kinds(legacy)).toEqual(kinds(rich));
  });

  it('reads shards named by another template, in subdirectories', async () => {
    const dir = await writeRichDataset(root, 'by_split', { features: 'proto', template: '{SPLIT}/{DATASET}-{SHARD_INDEX}.{FILEFORMAT}', fileFormat: 'array_record', splits: { train: [2, 2] } });
    const dataset = await TfdsDataset.open(new URL(`file://${dir}`));
    expect(dataset.splits.train!.files.map((file) => path.relative(dir, file))).toEqual(['train/by_split-00000.array_record', 'train/by_split-00001.array_record']);
    expect(await idsOf(dataset, 'train[1:]')).toEqual([1, 2, 3]);
  });

  it('says what a directory without dataset_info.json holds', async () => {
    await expect(TfdsDataset.open(path.join(root, 'rich'))).rejects.toThrow(/has no dataset_info.json.*it holds versions 1.0.0: open one of them/);
    await expect(TfdsDataset.open(path.join(root, 'rich'))).rejects.toBeInstanceOf(IoError);
    await expect(TfdsDataset.open('gs://bucket/mnist/3.0.1')).rejects.toThrow(/local directories for now, not gs: URLs/);
  });

  it('rejects a dataset_info.json that is not what TFDS writes, naming the field', async () => {
    const dir = path.join(root, 'broken', '1.0.0');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'dataset_info.json'), JSON.stringify({ name: 'broken', splits: [{ name: 'train', shardLengths: ['x'] }] }));
    fs.writeFileSync(path.join(dir, 'features.json'), JSON.stringify(RICH_FEATURES_PROTO));
    await expect(TfdsDataset.open(dir)).rejects.toThrow(ParseError);
    await expect(TfdsDataset.open(dir)).rejects.toThrow(/split train: shardLengths\[0\] must be a non-negative integer, got "x"/);
  });
});

describe('split selections through the data source', () => {
  it('read the records TFDS reads, in order, across shards', async () => {
    expect(await idsOf(rich, 'train')).toEqual(range(0, 101));
    expect(await idsOf(rich, 'train[:50%]')).toEqual(range(0, 50)); // 50.5 -> 50 (ties to even)
    expect(await idsOf(rich, 'train[:80%]')).toEqual(range(0, 81)); // 80.8 -> 81
    expect(await idsOf(rich, 'train[-5%:]')).toEqual(range(96, 101)); // -5.05 -> -5
    expect(await idsOf(rich, 'train[30:40]')).toEqual(range(30, 40)); // shards 0 and 1
    expect(await idsOf(rich, 'train[1shard]')).toEqual(range(34, 68));
    expect(await idsOf(rich, 'train[:10%]+test[-2:]')).toEqual([...range(0, 10), 8, 9]);
    expect(await idsOf(rich, 'test[-5%:]')).toEqual(range(0, 10)); // -0.5 -> 0: the whole split
    expect((await idsOf(rich, 'all')).length).toBe(111);
    expect(await idsOf(rich, 'train[:80%]', 'pct1_dropremainder')).toEqual(range(0, 80)); // 80 * trunc(1.01)
  });

  it('give an empty source for an empty selection, and count records without reading them', async () => {
    expect(await idsOf(rich, 'train[5:3]')).toEqual([]);
    expect(rich.numExamples('train[:80%]+test')).toBe(91);
    expect(rich.numExamples('train[:80%]', { rounding: 'pct1_dropremainder' })).toBe(80);
  });

  it('map to ArrayRecordDataSource read instructions', () => {
    const files = rich.splits.train!.files;
    expect(rich.readInstructions('train[30:40]')).toEqual([
      { path: files[0], start: 30, end: 34 },
      { path: files[1], start: 0, end: 6 },
    ]);
    expect(rich.readInstructions({ split: 'test', from: 2, to: 4 })).toEqual([{ path: rich.splits.test!.files[0], start: 2, end: 4 }]);
    expect(() => rich.readInstructions('validation')).toThrow(/Unknown split "validation"/);
  });
});

/** Compares a batch of parsed rich examples with what was written. */
function expectRich(batch: TfdsParsedFeatures, examples: readonly RichExample[]): void {
  const n = examples.length;
  expect(batch.image).toEqual({ kind: 'dense', values: concat(examples.map((e) => e.image)), shape: [n, 8, 6, 3] });
  // JPEG is lossy: the decoded pixels are within a few levels of the encoded ones.
  expect(batch.photo!.shape).toEqual([n, 8, 8, 1]);
  const photo = batch.photo!.values as Uint8Array;
  const written = concat(examples.map((e) => e.photo));
  expect(photo).toBeInstanceOf(Uint8Array);
  expect(Math.max(...photo.map((v, i) => Math.abs(v - written[i]!)))).toBeLessThanOrEqual(3);
  expect(batch.label).toEqual({ kind: 'dense', values: Int32Array.from(examples.map((e) => e.label)), shape: [n] });
  expect(batch.score).toEqual({ kind: 'dense', values: Float32Array.from(examples.flatMap((e) => e.score)), shape: [n, 2] });
  expect(batch.tokens!.kind).toBe('ragged');
  expect(batch.tokens!.values).toEqual(Int32Array.from(examples.flatMap((e) => e.tokens)));
  expect((batch.tokens as { rowSplits: Int32Array }).rowSplits).toEqual(splitsOf(examples.map((e) => e.tokens.length)));
  expect(batch.caption).toEqual({ kind: 'dense', values: examples.map((e) => e.caption), shape: [n] });
  expect(batch.embedding).toEqual({ kind: 'dense', values: Float32Array.from(examples.flatMap((e) => [...e.embedding])), shape: [n, 4] });
  expect(batch['meta/id']).toEqual({ kind: 'dense', values: Int32Array.from(examples.map((e) => e.id)), shape: [n] });
  expect(batch['meta/tags']!.values).toEqual(examples.flatMap((e) => e.tags));
  expect((batch['meta/tags'] as { rowSplits: Int32Array }).rowSplits).toEqual(splitsOf(examples.map((e) => e.tags.length)));
  expect(batch['meta/flags']).toEqual({ kind: 'dense', values: Int32Array.from(examples.flatMap((e) => e.flags)), shape: [n, 3] });
  // Images of varying size: ragged [batch, (height), (width), 3].
  const thumb = batch.thumb as { kind: string; values: Uint8Array; shape: number[]; nestedRowSplits: Int32Array[] };
  expect(thumb.kind).toBe('ragged');
  expect(thumb.values).toEqual(concat(examples.map((e) => e.thumb.pixels)));
  expect(thumb.shape).toEqual([examples.reduce((sum, e) => sum + e.thumb.height * e.thumb.width, 0), 3]);
  expect(thumb.nestedRowSplits[0]).toEqual(splitsOf(examples.map((e) => e.thumb.height)));
  expect(thumb.nestedRowSplits[1]).toEqual(splitsOf(examples.flatMap((e) => Array<number>(e.thumb.height).fill(e.thumb.width))));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

function splitsOf(lengths: readonly number[]): Int32Array {
  const splits = new Int32Array(lengths.length + 1);
  lengths.forEach((length, i) => (splits[i + 1] = splits[i]! + length));
  return splits;
}

describe('parsing records', () => {
  it('decodes every feature kind: PNG pixels exact, JPEG close, class ids, tensors, text, nested dicts, sequences', async () => {
    const source = await rich.source('train');
    const indices = [0, 5, 34, 67, 100];
    expectRich(rich.parseBatch(source.getItems(indices)), indices.map((i) => train[i]!));
    source.close();
  });

  it('reads the older features.json form the same way', async () => {
    const source = await legacy.source('test');
    expectRich(legacy.parseBatch(source.getItems([0, 1])), test.slice(0, 2));
    source.close();
  });

  it('parses one record without the batch dimension, varying sizes dense', async () => {
    const source = await rich.source('train');
    const one = rich.parser.parse((source.getItems([4]))[0]!);
    source.close();
    const example = train[4]!;
    expect(one.image).toEqual({ kind: 'dense', values: example.image, shape: [8, 6, 3] });
    expect(one.thumb).toEqual({ kind: 'dense', values: example.thumb.pixels, shape: [example.thumb.height, example.thumb.width, 3] });
    expect(one.tokens).toEqual({ kind: 'dense', values: Int32Array.from(example.tokens), shape: [example.tokens.length] });
    expect(one['meta/tags']).toEqual({ kind: 'dense', values: [...example.tags], shape: [example.tags.length] });
    expect(one.label).toEqual({ kind: 'dense', values: Int32Array.of(example.label), shape: [] });
    const label = rich.feature('label');
    expect(label.kind === 'classLabel' && label.names[one.label!.values[0] as number]).toBe(LABEL_NAMES[example.label]);
  });

  it('parses some features only, with int64 as asked', async () => {
    const source = await rich.source('test[:2]');
    const parser = rich.createParser({ features: ['meta', 'tokens'], int64As: 'bigint' });
    expect(parser.keys).toEqual(['tokens', 'meta/id', 'meta/tags', 'meta/flags']);
    const batch = parser.parseBatch(source.getItems([0, 1]));
    source.close();
    expect(batch['meta/id']!.values).toEqual(BigInt64Array.of(0n, 1n));
    expect(batch['meta/flags']!.values).toBeInstanceOf(Int32Array); // bools always int32
    expect(() => rich.createParser({ features: ['nope'] })).toThrow(/has no feature "nope"/);
    expect(() => rich.createParser({ keys: ['image'] } as never)).toThrow(/unknown option keys; did you mean features\?/);
  });

  it('names the record and key of an image that does not fit or does not decode', () => {
    const parser = rich.createParser({ features: ['image', 'label'] });
    const wrongSize = encodeExample({ image: bytesFeature([encodePng(testPixels(1, 7, 6, 3), 6, 7, 3)]), label: int64Feature([1]) });
    expect(() => parser.parseBatch([wrongSize], ['r0'])).toThrow(ParseError);
    expect(() => parser.parseBatch([wrongSize], ['r0'])).toThrow(/Name: r0, Key: image, Index: 0\..*7x6x3, the feature's shape is \[8, 6, 3\]/);
    const gif = encodeExample({ image: bytesFeature([Uint8Array.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0])]), label: int64Feature([1]) });
    expect(() => parser.parseBatch([gif])).toThrow(UnsupportedError);
    expect(() => parser.parseBatch([gif])).toThrow(/Key: image, Index: 0\.\s+cannot decode GIF image data/);
    const broken = encodeExample({ image: bytesFeature([Uint8Array.from([0xff, 0xd8, 0xff, 0xdb, 0, 0])]), label: int64Feature([1]) });
    expect(() => parser.parseBatch([broken])).toThrow(/Key: image, Index: 0\.\s+JPEG data does not decode/);
  });

  it("decodeImage converts channels: gray from RGB with libpng's weights as TensorFlow sets them, RGB from gray, alpha added opaque", () => {
    const rgb = Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 10, 10);
    const png = encodePng(rgb, 2, 2, 3);
    expect(decodeImage(png)).toMatchObject({ height: 2, width: 2, channels: 3, data: rgb });
    expect([...decodeImage(png, { channels: 1 }).data]).toEqual([76, 149, 29, 10]);
    expect([...decodeImage(png, { channels: 4 }).data.subarray(0, 4)]).toEqual([255, 0, 0, 255]);
    expect([...decodeImage(encodePng(Uint8Array.of(7, 9), 2, 1, 1), { channels: 3 }).data]).toEqual([7, 7, 7, 9, 9, 9]);
    expect([...decodeImage(encodePng(Uint8Array.of(7, 9), 2, 1, 1), { depth: 16 }).data]).toEqual([7 * 257, 9 * 257]);
  });
});

describe('decoded records', () => {
  it('parse with the decoded spec into the columns the TFDS parser gives', async () => {
    const source = await rich.source('train[:6]');
    const records = source.getItems(range(0, 6));
    source.close();
    const features = ['image', 'photo', 'label', 'score', 'caption', 'embedding', 'meta'];
    const decoded = new ExampleParser(rich.decodedSpec({ features })).parseBatch(records.map((record) => rich.decodeRecord(record)));
    const parsed = rich.createParser({ features }).parseBatch(records);
    for (const key of ['image', 'photo', 'label', 'score', 'caption', 'embedding', 'meta/id', 'meta/flags']) expect(decoded[key], key).toEqual(parsed[key]);
    // Sequences of any length come padded, for tensors.
    expect(decoded['meta/tags']).toMatchObject({ kind: 'dense', shape: [6, 2], lengths: Int32Array.of(0, 1, 2, 0, 1, 2) });
    const floats = new ExampleParser(rich.decodedSpec({ features: ['image'], imagesAs: 'float32' })).parseBatch([rich.decodeRecord(records[0]!)]);
    expect(floats.image!.values).toEqual(Float32Array.from(train[0]!.image));
  });

  it('cannot hold images of varying size: the spec says which feature to leave out', () => {
    expect(() => rich.decodedSpec()).toThrow(UnsupportedError);
    expect(() => rich.decodedSpec()).toThrow(/feature 'thumb' holds images of shape \[None, None, 3\].*leave it out with the features option/);
  });

  it('map the supervised keys for exampleDataset', () => {
    expect(rich.asSupervised()).toEqual({ xs: 'image', ys: 'label' });
    expect(rich.asSupervised({ oneHot: true })).toEqual({ xs: 'image', ys: 'label', oneHot: 3 });
  });
});

describe('what is not read', () => {
  it('feature classes this package does not read: UnsupportedError naming the class, when parsed', async () => {
    const features = structuredClone(RICH_FEATURES_PROTO) as { featuresDict: { features: Record<string, unknown> } };
    features.featuresDict.features['clip'] = {
      pythonClassName: 'tensorflow_datasets.core.features.video_feature.Video',
      video: { shape: { dimensions: ['-1', '64', '64', '3'] }, dtype: 'uint8', encodingFormat: 'png' },
    };
    features.featuresDict.features['custom'] = { pythonClassName: 'my_project.features.Fancy', jsonFeature: { json: '{"size": 3}' } };
    const dataset = await TfdsDataset.open(await writeRichDataset(root, 'with_video', { features, template: TEMPLATE, fileFormat: 'array_record', splits: { train: [3] } }));
    expect(dataset.features.clip).toMatchObject({ kind: 'unsupported', className: 'tensorflow_datasets.core.features.video_feature.Video' });
    expect(() => dataset.parser).toThrow(UnsupportedError);
    expect(() => dataset.parser).toThrow(/feature 'clip' is tensorflow_datasets.core.features.video_feature.Video, which is not read here/);
    expect(() => dataset.createParser({ features: ['custom'] })).toThrow(/feature 'custom' is my_project.features.Fancy/);
    expect(() => dataset.decodedSpec({ features: ['clip'] })).toThrow(UnsupportedError);
    // The rest of the dataset reads as usual, and decoding leaves the unknown features as they are.
    const source = await dataset.source('train');
    const records = source.getItems([0, 1, 2]);
    source.close();
    expect(dataset.createParser({ features: ['label', 'meta'] }).parseBatch(records)['meta/id']!.values).toEqual(Int32Array.of(0, 1, 2));
    expect(new ExampleParser(dataset.decodedSpec({ features: ['image'] })).parseBatch(records.map((r) => dataset.decodeRecord(r))).image!.shape).toEqual([3, 8, 6, 3]);
  });

  it('tfrecord datasets: random access needs ArrayRecord, and the error says how to convert', async () => {
    const dir = await writeRichDataset(root, 'as_tfrecord', { features: 'proto', splits: { train: [2, 2] } });
    const dataset = await TfdsDataset.open(dir);
    expect(dataset.fileFormat).toBe('tfrecord');
    expect(path.basename(dataset.splits.train!.files[0]!)).toBe('as_tfrecord-train.tfrecord-00000-of-00002');
    await expect(dataset.source('train')).rejects.toThrow(UnsupportedError);
    await expect(dataset.source('train')).rejects.toThrow(
      /stored as tfrecord shards, and random access needs ArrayRecord.*array-record convert .*as_tfrecord-train\.tfrecord-00000-of-00002 .*as_tfrecord-train\.array_record-00000-of-00002 --options group_size:1.*"alternativeFileFormats": \["array_record"\]/,
    );
    // With ArrayRecord shards listed as an alternative format, they are read.
    const converted = await TfdsDataset.open(await writeRichDataset(root, 'converted', { features: 'proto', alternativeFileFormats: ['array_record'], splits: { train: [2, 2] } }));
    expect(converted.info.fileFormat).toBe('tfrecord');
    expect(converted.fileFormat).toBe('array_record');
    expect(await idsOf(converted, 'train[1:]')).toEqual([1, 2, 3]);
  });
});

describe('strict options', () => {
  it('every options object rejects unknown keys, naming the nearest option', async () => {
    await expect(rich.source('train', { read_options: 'readahead_buffer_size:0' } as never)).rejects.toThrow(/unknown option read_options; did you mean readerOptions\?/);
    expect(() => rich.readInstructions('train', { round: 'closest' } as never)).toThrow(InvalidOptionsError);
    expect(() => rich.numExamples('train', { rounding: 'floor' } as never)).toThrow(/rounding must be 'closest' or 'pct1_dropremainder'/);
    expect(() => rich.asSupervised({ one_hot: true } as never)).toThrow(/unknown option one_hot; did you mean oneHot\?/);
    // A class count (exampleDataset's mapping.oneHot is one) or a string was taken as false: no one-hot, silently.
    for (const oneHot of [3, 'yes', 1]) {
      expect(() => rich.asSupervised({ oneHot } as never)).toThrow(InvalidOptionsError);
      expect(() => rich.asSupervised({ oneHot } as never)).toThrow(/TfdsDataset\.asSupervised: oneHot must be a boolean \(got .+\); the class count comes from the ClassLabel/);
    }
    expect(() => rich.decodedSpec({ images_as: 'float32' } as never)).toThrow(/unknown option images_as; did you mean imagesAs\?/);
    expect(() => rich.decodedSpec({ imagesAs: 'float64' } as never)).toThrow(/imagesAs must be one of 'uint8', 'int32', 'float32'/);
    expect(() => rich.createParser({ int64As: 'number' } as never)).toThrow(/int64As must be one of/);
    expect(() => decodeImage(encodePng(Uint8Array.of(1), 1, 1, 1), { channel: 1 } as never)).toThrow(/unknown option channel; did you mean channels\?/);
    expect(() => decodeImage(encodePng(Uint8Array.of(1), 1, 1, 1), { channels: 5 })).toThrow(/channels must be 1, 2, 3 or 4/);
  });
});

describe('sequences', () => {
  it('of images, of dicts (ClassLabel names from <sequence>-<feature>.labels.txt, BBoxFeature) and of a fixed length', async () => {
    const dir = path.join(root, 'videos', '1.0.0');
    fs.mkdirSync(dir, { recursive: true });
    const F = 'tensorflow_datasets.core.features.';
    fs.writeFileSync(path.join(dir, 'features.json'), JSON.stringify({
      pythonClassName: `${F}features_dict.FeaturesDict`,
      featuresDict: {
        features: {
          frames: { pythonClassName: `${F}sequence_feature.Sequence`, sequence: { feature: { pythonClassName: `${F}image_feature.Image`, image: { shape: { dimensions: ['4', '4', '1'] }, dtype: 'uint8', encodingFormat: 'png' } }, length: '-1' } },
          objects: {
            pythonClassName: `${F}sequence_feature.Sequence`,
            sequence: {
              feature: {
                pythonClassName: `${F}features_dict.FeaturesDict`,
                featuresDict: {
                  features: {
                    label: { pythonClassName: `${F}class_label_feature.ClassLabel`, classLabel: { numClasses: '2' } },
                    bbox: { pythonClassName: `${F}bounding_boxes.BBoxFeature`, boundingBox: { shape: { dimensions: ['4'] }, dtype: 'float32' } },
                  },
                },
              },
              length: '-1',
            },
          },
          clip: { pythonClassName: `${F}sequence_feature.Sequence`, sequence: { feature: { pythonClassName: `${F}tensor_feature.Tensor`, tensor: { shape: { dimensions: ['2'] }, dtype: 'int64', encoding: 'none' } }, length: '3' } },
        },
      },
    }));
    fs.writeFileSync(path.join(dir, 'objects-label.labels.txt'), 'car\nperson\n');
    fs.writeFileSync(path.join(dir, 'dataset_info.json'), JSON.stringify({ name: 'videos', version: '1.0.0', fileFormat: 'array_record', splits: [{ name: 'train', shardLengths: ['2'] }] }));
    const frames = [[testPixels(1, 4, 4, 1), testPixels(2, 4, 4, 1)], [testPixels(3, 4, 4, 1)]];
    const writer = new ArrayRecordWriter(path.join(dir, 'videos-train.array_record-00000-of-00001'), 'group_size:1');
    writer.write(encodeExample({ frames: bytesFeature(frames[0]!.map((p) => encodePng(p, 4, 4, 1))), 'objects/label': int64Feature([1, 0, 1]), 'objects/bbox': floatFeature([0, 0, 0.5, 0.5, 0.1, 0.1, 1, 1, 0.25, 0.5, 0.75, 1]), clip: int64Feature([1, 2, 3, 4, 5, 6]) }));
    writer.write(encodeExample({ frames: bytesFeature(frames[1]!.map((p) => encodePng(p, 4, 4, 1))), 'objects/label': int64Feature([]), 'objects/bbox': floatFeature([]), clip: int64Feature([7, 8, 9, 10, 11, 12]) }));
    writer.close();

    const videos = await TfdsDataset.open(dir);
    expect(videos.feature('objects/label')).toMatchObject({ kind: 'classLabel', names: ['car', 'person'] });
    expect(videos.feature('objects/bbox')).toMatchObject({ kind: 'tensor', shape: [4], dtype: 'float32' });
    const source = await videos.source('train');
    const records = source.getItems([0, 1]);
    source.close();
    const batch = videos.parseBatch(records);
    expect(batch.frames).toEqual({ kind: 'ragged', values: concat(frames.flat()), shape: [3, 4, 4, 1], rowSplits: Int32Array.of(0, 2, 3), nestedRowSplits: [Int32Array.of(0, 2, 3)] });
    expect(batch['objects/label']).toMatchObject({ kind: 'ragged', values: Int32Array.of(1, 0, 1), rowSplits: Int32Array.of(0, 3, 3) });
    expect(batch['objects/bbox']).toMatchObject({ kind: 'ragged', shape: [3, 4], rowSplits: Int32Array.of(0, 3, 3) });
    expect(batch.clip).toEqual({ kind: 'dense', values: Int32Array.from({ length: 12 }, (_, i) => i + 1), shape: [2, 3, 2] });
    expect(videos.parser.parse(records[0]!).frames).toEqual({ kind: 'dense', values: concat(frames[0]!), shape: [2, 4, 4, 1] });
    // Decoded records: fixed shapes only; the boxes come padded.
    expect(() => videos.decodedSpec()).toThrow(/feature 'frames' holds images of shape \[None, 4, 4, 1\]/);
    const decoded = new ExampleParser(videos.decodedSpec({ features: ['objects', 'clip'] })).parseBatch(records.map((r) => videos.decodeRecord(r)));
    expect(decoded['objects/bbox']).toMatchObject({ kind: 'dense', shape: [2, 3, 4], lengths: Int32Array.of(3, 0) });
  });
});
