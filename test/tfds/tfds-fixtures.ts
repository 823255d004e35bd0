// TFDS dataset directories built in the tests, in TFDS's own formats: dataset_info.json as protobuf's JSON
// mapping of DatasetInfo (int64 as strings, lowerCamelCase), features.json in the Feature proto form (TFDS
// 4.5+) or the older { type, content } form, `<feature>.labels.txt`, and ArrayRecord shards of serialized
// tf.Examples laid out as TFDS's example serializer writes them (nested keys joined with '/', integers
// and bools as int64 lists, floats as float lists, images as their encoded bytes).

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { ArrayRecordWriter, bytesFeature, encodeExample, floatFeature, int64Feature, type FeatureInput } from '../../src/index.js';

declare const WebAssembly: { Module: new (bytes: Uint8Array) => object };

const require = createRequire(import.meta.url);
const F = 'tensorflow_datasets.core.features.';

/** One PNG chunk: length, type, data and the CRC-32 of type and data. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(zlib.crc32(body), 8 + data.length);
  return out;
}

/** A PNG of 8-bit samples (color type by channel count), filter 0 on every row, zlib from node:zlib. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  const colorType = { 1: 0, 2: 4, 3: 2, 4: 6 }[channels]!;
  const rows = Buffer.alloc(height * (1 + width * channels));
  for (let y = 0; y < height; y++) rows.set(pixels.subarray(y * width * channels, (y + 1) * width * channels), y * (1 + width * channels) + 1);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, colorType, 0, 0, 0], 8);
  return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', zlib.deflateSync(rows)), pngChunk('IEND', new Uint8Array(0))]));
}

let jpegEncoder: ((data: { data: Uint8ClampedArray; width: number; height: number }, options: object) => Promise<ArrayBuffer>) | undefined;

/** A JPEG from MozJPEG's encoder (@jsquash/jpeg): gray pixels give a one-component JPEG. */
export async function encodeJpeg(pixels: Uint8Array, width: number, height: number, channels: 1 | 3, quality = 95): Promise<Uint8Array> {
  if (jpegEncoder === undefined) {
    const module = (await import('@jsquash/jpeg/encode.js')) as unknown as { init(module: object): Promise<void>; default: typeof jpegEncoder };
    await module.init(new WebAssembly.Module(fs.readFileSync(require.resolve('@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm'))));
    jpegEncoder = module.default;
  }
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < 3; k++) rgba[4 * p + k] = pixels[p * channels + (channels === 1 ? 0 : k)]!;
    rgba[4 * p + 3] = 255;
  }
  const options = { quality, color_space: channels === 1 ? 1 : 3, chroma_subsample: 1, progressive: false, baseline: true };
  return new Uint8Array(await jpegEncoder!({ data: rgba, width, height }, options));
}

/** Deterministic test pixels: smooth gradients without wrap-around (JPEG keeps them close), a per-image offset. */
export function testPixels(seed: number, height: number, width: number, channels: number): Uint8Array {
  const pixels = new Uint8Array(height * width * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < channels; k++) pixels[(y * width + x) * channels + k] = Math.min(255, 20 + ((seed * 29) % 60) + x * 9 + y * 5 + k * 20);
    }
  }
  return pixels;
}

/** One example of the rich fixture, as the test expects it back. */
export interface RichExample {
  readonly id: number;
  readonly image: Uint8Array; // 8 x 6 x 3, PNG
  readonly photo: Uint8Array; // 8 x 8 x 1, JPEG
  readonly thumb: { readonly pixels: Uint8Array; readonly height: number; readonly width: number }; // varying size, PNG
  readonly label: number;
  readonly score: readonly number[];
  readonly tokens: readonly number[];
  readonly caption: string;
  readonly embedding: Float32Array;
  readonly tags: readonly string[];
  readonly flags: readonly number[];
}

export const LABEL_NAMES = ['cat', 'dog', 'bird'];

/** The examples of split `split` (ids count within the split). */
export function richExamples(split: string, count: number): RichExample[] {
  const base = split === 'train' ? 0 : 1000;
  return Array.from({ length: count }, (_, id) => {
    const seed = base + id;
    const thumbHeight = 2 + (id % 3);
    const thumbWidth = 3 + (id % 2);
    return {
      id,
      image: testPixels(seed, 8, 6, 3),
      photo: testPixels(seed + 7, 8, 8, 1),
      thumb: { pixels: testPixels(seed + 3, thumbHeight, thumbWidth, 3), height: thumbHeight, width: thumbWidth },
      label: seed % 3,
      score: [seed / 4, -seed],
      tokens: Array.from({ length: id % 4 }, (_, k) => seed * 10 + k),
      caption: `example ${split} ${id} ✓`,
      embedding: Float32Array.from({ length: 4 }, (_, k) => seed + k / 8),
      tags: Array.from({ length: id % 3 }, (_, k) => `tag${k}`),
      flags: [id % 2, 1, 0],
    };
  });
}

/** The tf.Example of a rich example, as TFDS serializes it (encoded images, zlib tensor, nested keys). */
async function richRecord(example: RichExample): Promise<Uint8Array> {
  const features: Record<string, FeatureInput> = {
    image: bytesFeature([encodePng(example.image, 6, 8, 3)]),
    photo: bytesFeature([await encodeJpeg(example.photo, 8, 8, 1)]),
    thumb: bytesFeature([encodePng(example.thumb.pixels, example.thumb.width, example.thumb.height, 3)]),
    label: int64Feature([example.label]),
    score: floatFeature(example.score),
    tokens: int64Feature(example.tokens),
    caption: bytesFeature([example.caption]),
    embedding: bytesFeature([zlib.deflateSync(new Uint8Array(example.embedding.buffer))]),
    'meta/id': int64Feature([example.id]),
    'meta/tags': bytesFeature(example.tags),
    'meta/flags': int64Feature(example.flags),
  };
  return encodeExample(features);
}

/** features.json of the rich fixture in the Feature proto form TFDS 4.5+ writes. */
export const RICH_FEATURES_PROTO = {
  pythonClassName: `${F}features_dict.FeaturesDict`,
  featuresDict: {
    features: {
      image: { pythonClassName: `${F}image_feature.Image`, image: { shape: { dimensions: ['8', '6', '3'] }, dtype: 'uint8', encodingFormat: 'png' } },
      photo: { pythonClassName: `${F}image_feature.Image`, image: { shape: { dimensions: ['8', '8', '1'] }, dtype: 'uint8', encodingFormat: 'jpeg' } },
      thumb: { pythonClassName: `${F}image_feature.Image`, image: { shape: { dimensions: ['-1', '-1', '3'] }, dtype: 'uint8' } },
      label: { pythonClassName: `${F}class_label_feature.ClassLabel`, classLabel: { numClasses: '3' }, description: 'what it shows' },
      score: { pythonClassName: `${F}tensor_feature.Tensor`, tensor: { shape: { dimensions: ['2'] }, dtype: 'float32', encoding: 'none' } },
      tokens: { pythonClassName: `${F}tensor_feature.Tensor`, tensor: { shape: { dimensions: ['-1'] }, dtype: 'int64', encoding: 'none' } },
      caption: { pythonClassName: `${F}text_feature.Text`, text: {} },
      embedding: { pythonClassName: `${F}tensor_feature.Tensor`, tensor: { shape: { dimensions: ['4'] }, dtype: 'float32', encoding: 'zlib' } },
      meta: {
        pythonClassName: `${F}features_dict.FeaturesDict`,
        featuresDict: {
          features: {
            id: { pythonClassName: `${F}scalar.Scalar`, tensor: { shape: {}, dtype: 'int64', encoding: 'none' } },
            tags: { pythonClassName: `${F}sequence_feature.Sequence`, sequence: { feature: { pythonClassName: `${F}text_feature.Text`, text: {} }, length: '-1' } },
            flags: { pythonClassName: `${F}tensor_feature.Tensor`, tensor: { shape: { dimensions: ['3'] }, dtype: 'bool', encoding: 'none' } },
          },
        },
      },
    },
  },
};

/** The same features in the older `{ type, content }` form (TFDS before 4.5). */
export const RICH_FEATURES_LEGACY = {
  type: `${F}features_dict.FeaturesDict`,
  content: {
    image: { type: `${F}image_feature.Image`, content: { shape: [8, 6, 3], dtype: 'uint8', encoding_format: 'png' } },
    photo: { type: `${F}image_feature.Image`, content: { shape: [8, 8, 1], dtype: 'uint8', encoding_format: 'jpeg' } },
    thumb: { type: `${F}image_feature.Image`, content: { shape: [null, null, 3], dtype: 'uint8', encoding_format: null, use_colormap: false } },
    label: { type: `${F}class_label_feature.ClassLabel`, content: { num_classes: 3 } },
    score: { type: `${F}feature.Tensor`, content: { shape: [2], dtype: 'float32' } },
    tokens: { type: `${F}feature.Tensor`, content: { shape: [null], dtype: 'int64' } },
    caption: { type: `${F}text_feature.Text`, content: {} },
    embedding: { type: `${F}tensor_feature.Tensor`, content: { shape: [4], dtype: 'float32', encoding: 'zlib' }, proto_cls: '' },
    meta: {
      type: `${F}features_dict.FeaturesDict`,
      content: {
        id: { type: `${F}feature.Tensor`, content: { shape: [], dtype: 'int64' } },
        tags: { type: `${F}sequence_feature.Sequence`, content: { feature: { type: `${F}text_feature.Text`, content: {} }, length: null } },
        flags: { type: `${F}feature.Tensor`, content: { shape: [3], dtype: 'bool' } },
      },
    },
  },
};

/** How a fixture dataset directory is laid out. */
export interface FixtureLayout {
  /** features.json form. */
  readonly features: 'proto' | 'legacy' | object;
  /** Write `filepathTemplate` (TFDS 4.8+) into each split, or leave it out (TFDS's default names). */
  readonly template?: string | undefined;
  /** fileFormat written (undefined: none, which TFDS reads as tfrecord). */
  readonly fileFormat?: string | undefined;
  readonly alternativeFileFormats?: readonly string[];
  /** Shard lengths per split. */
  readonly splits: Readonly<Record<string, readonly number[]>>;
}

/** The DatasetInfo JSON of a fixture, shaped as TFDS's dataset_info.json (mnist's in tensorflow_datasets/testing). */
export function datasetInfoJson(name: string, layout: FixtureLayout): Record<string, unknown> {
  return {
    citation: '@misc{rich, title={A rich test dataset}}',
    description: 'Every kind of feature array-record reads.',
    location: { urls: ['https://example.org/rich'] },
    name,
    ...(layout.fileFormat === undefined ? {} : { fileFormat: layout.fileFormat }),
    ...(layout.alternativeFileFormats === undefined ? {} : { alternativeFileFormats: layout.alternativeFileFormats }),
    moduleName: `${name}.${name}_dataset_builder`,
    releaseNotes: { '1.0.0': 'Initial release.' },
    splits: Object.entries(layout.splits).map(([split, lengths]) => ({
      ...(layout.template === undefined ? {} : { filepathTemplate: layout.template }),
      name: split,
      numBytes: '12345',
      shardLengths: lengths.map(String),
    })),
    supervisedKeys: { tuple: { items: [{ featureKey: 'image' }, { featureKey: 'label' }] } },
    version: '1.0.0',
  };
}

/**
 * Writes the rich fixture: `<root>/<name>/1.0.0/` with dataset_info.json, features.json, label.labels.txt
 * and one ArrayRecord shard per shard length, named by the template (TFDS's default when none).
 * @returns the dataset directory.
 */
export async function writeRichDataset(root: string, name: string, layout: FixtureLayout): Promise<string> {
  const dir = path.join(root, name, '1.0.0');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'dataset_info.json'), JSON.stringify(datasetInfoJson(name, layout), null, 2));
  const features = layout.features === 'proto' ? RICH_FEATURES_PROTO : layout.features === 'legacy' ? RICH_FEATURES_LEGACY : layout.features;
  fs.writeFileSync(path.join(dir, 'features.json'), JSON.stringify(features, null, 4));
  fs.writeFileSync(path.join(dir, 'label.labels.txt'), `${LABEL_NAMES.join('\n')}\n`);
  const format = layout.fileFormat === 'array_record' || layout.alternativeFileFormats?.includes('array_record') ? 'array_record' : (layout.fileFormat ?? 'tfrecord');
  const template = layout.template ?? '{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}';
  for (const [split, lengths] of Object.entries(layout.splits)) {
    const examples = richExamples(split, lengths.reduce((sum, length) => sum + length, 0));
    let next = 0;
    for (let shard = 0; shard < lengths.length; shard++) {
      const digits = (n: number): string => String(n).padStart(5, '0');
      const file = template
        .replace('{DATASET}', name)
        .replace('{SPLIT}', split)
        .replace('{FILEFORMAT}', format)
        .replace('{SHARD_X_OF_Y}', `${digits(shard)}-of-${digits(lengths.length)}`)
        .replace('{SHARD_INDEX}', digits(shard))
        .replace('{NUM_SHARDS}', digits(lengths.length));
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      const writer = new ArrayRecordWriter(path.join(dir, file), 'group_size:1');
      for (let k = 0; k < lengths[shard]!; k++) writer.write(await richRecord(examples[next++]!));
      writer.close();
    }
  }
  return dir;
}
