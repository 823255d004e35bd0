// Dataset directories that are not what TFDS writes, or that disagree with their shards: each gives a typed
// error naming the file and what was expected and found, never wrong or missing records.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordWriter, CorruptFileError, ParseError, encodeExample, int64Feature } from '../../src/index.js';
import { TfdsDataset } from '../../src/tfds/index.js';

const F = 'tensorflow_datasets.core.features.';
const FEATURES = {
  pythonClassName: `${F}features_dict.FeaturesDict`,
  featuresDict: {
    features: {
      id: { pythonClassName: `${F}scalar.Scalar`, tensor: { shape: {}, dtype: 'int64', encoding: 'none' } },
      label: { pythonClassName: `${F}class_label_feature.ClassLabel`, classLabel: { numClasses: '3' } },
    },
  },
};

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-tfds-hostile-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let count = 0;

interface Layout {
  /** Shard lengths dataset_info.json declares, per split. */
  readonly declared: Readonly<Record<string, readonly string[]>>;
  /** Records actually written per shard (default: as declared). */
  readonly written?: Readonly<Record<string, readonly number[]>>;
  readonly template?: string;
  readonly features?: object;
  readonly labels?: string;
}

/** A dataset directory `toy` with `id` = record number in its split, ArrayRecord shards of TFDS's default names. */
function writeDataset(layout: Layout): string {
  const dir = path.join(root, `ds${count++}`);
  fs.mkdirSync(dir);
  const splits = Object.entries(layout.declared).map(([name, lengths]) => ({
    name,
    numBytes: '100',
    shardLengths: lengths,
    ...(layout.template === undefined ? {} : { filepathTemplate: layout.template }),
  }));
  fs.writeFileSync(path.join(dir, 'dataset_info.json'), JSON.stringify({ name: 'toy', version: '1.0.0', fileFormat: 'array_record', splits }));
  fs.writeFileSync(path.join(dir, 'features.json'), JSON.stringify(layout.features ?? FEATURES));
  if (layout.labels !== undefined) fs.writeFileSync(path.join(dir, 'label.labels.txt'), layout.labels);
  const written = layout.written ?? Object.fromEntries(Object.entries(layout.declared).map(([name, lengths]) => [name, lengths.map(Number)]));
  for (const [split, lengths] of Object.entries(written)) {
    let id = 0;
    lengths.forEach((length, shard) => {
      const digits = (n: number): string => String(n).padStart(5, '0');
      const writer = new ArrayRecordWriter(path.join(dir, `toy-${split}.array_record-${digits(shard)}-of-${digits(lengths.length)}`), 'group_size:1');
      for (let k = 0; k < length; k++) writer.write(encodeExample({ id: int64Feature([id++]), label: int64Feature([0]) }));
      writer.close();
    });
  }
  return dir;
}

describe('shards that disagree with dataset_info.json', () => {
  it('a shard with more records than declared: CorruptFileError, not a split with records dropped', async () => {
    const dataset = await TfdsDataset.open(writeDataset({ declared: { train: ['6', '4'] }, written: { train: [7, 4] } }));
    const file = dataset.splits.train!.files[0]!;
    for (const split of ['train', 'train[:3]', 'train[5:8]']) {
      const error = await dataset.source(split).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptFileError);
      expect(error).toMatchObject({ path: file, message: expect.stringMatching(/shard 0 of split train holds 7 records, but .*dataset_info.json declares 6/) });
    }
    // A selection that reads only the other shard is still right.
    const source = await dataset.source('train[6:]');
    expect(dataset.createParser({ features: ['id'] }).parseBatch(source.getItems([0, 3]))['id']!.values).toEqual(Int32Array.from([7, 10]));
    source.close();
  });

  it('a shard with fewer records than declared: CorruptFileError naming both counts', async () => {
    const dataset = await TfdsDataset.open(writeDataset({ declared: { train: ['6', '4'] }, written: { train: [6, 3] } }));
    await expect(dataset.source('train[7:9]')).rejects.toThrow(CorruptFileError);
    await expect(dataset.source('train[7:9]')).rejects.toThrow(/shard 1 of split train holds 3 records, but .*declares 4/);
  });
});

describe('dataset_info.json that TFDS refuses or that would read wrong records', () => {
  it('a split listed twice', async () => {
    const dir = writeDataset({ declared: { train: ['3'] } });
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'dataset_info.json'), 'utf8')) as { splits: object[] };
    info.splits.push({ name: 'train', shardLengths: ['1'] });
    fs.writeFileSync(path.join(dir, 'dataset_info.json'), JSON.stringify(info));
    await expect(TfdsDataset.open(dir)).rejects.toThrow(ParseError);
    await expect(TfdsDataset.open(dir)).rejects.toThrow(/split "train" is listed twice/);
  });

  it('a template that names two shards by one file', async () => {
    const dir = writeDataset({ declared: { train: ['3', '3'] }, written: {}, template: '{DATASET}-{SPLIT}.{FILEFORMAT}' });
    await expect(TfdsDataset.open(dir)).rejects.toThrow(ParseError);
    await expect(TfdsDataset.open(dir)).rejects.toThrow(/shard 0 of split train and shard 1 of split train are both the file .*toy-train.array_record /);
  });

  it('shard lengths adding up past the safe integers, naming the file', async () => {
    const dir = writeDataset({ declared: { train: ['9007199254740991', '4'] }, written: {} });
    await expect(TfdsDataset.open(dir)).rejects.toThrow(ParseError);
    await expect(TfdsDataset.open(dir)).rejects.toMatchObject({ path: path.join(dir, 'dataset_info.json'), message: expect.stringMatching(/split train: shardLengths add up to more than/) });
  });

  it('splits named __proto__ and constructor are splits like any other', async () => {
    const dataset = await TfdsDataset.open(writeDataset({ declared: Object.fromEntries([['__proto__', ['2']], ['train', ['3']]]) }));
    expect(Object.keys(dataset.splits)).toEqual(['__proto__', 'train']);
    expect(dataset.numExamples('__proto__')).toBe(2);
    expect(dataset.splits['constructor']).toBeUndefined();
  });
});

describe('features.json ClassLabels', () => {
  it('names whose count is not numClasses (TFDS refuses them)', async () => {
    const dir = writeDataset({ declared: { train: ['1'] }, labels: 'a\nb\n' });
    await expect(TfdsDataset.open(dir)).rejects.toThrow(ParseError);
    await expect(TfdsDataset.open(dir)).rejects.toThrow(/ClassLabel of 3 classes has 2 names \(label.labels.txt\).*features.json/);
  });

  it('a huge class count without names: ParseError, not billions of names', async () => {
    const features = structuredClone(FEATURES);
    features.featuresDict.features.label.classLabel.numClasses = '9007199254740991';
    const dir = writeDataset({ declared: { train: ['1'] }, features });
    await expect(TfdsDataset.open(dir)).rejects.toThrow(ParseError);
    await expect(TfdsDataset.open(dir)).rejects.toThrow(/ClassLabel of 9007199254740991 classes without a names file/);
  });
});
