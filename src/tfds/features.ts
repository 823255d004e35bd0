// features.json of a prepared TFDS dataset: the FeaturesDict tree, in either of the two forms TFDS writes —
// the Feature proto's JSON (`{ pythonClassName, featuresDict | tensor | image | classLabel | text | sequence
// | jsonFeature ... }`, TFDS 4.5 and later) and the older `{ type, content }` form.

import { ParseError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';
import { int64 } from './dataset-info.js';

/** Element types of TFDS tensors (numpy dtype names). */
export type TfdsDtype =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'float16'
  | 'bfloat16'
  | 'float32'
  | 'float64'
  | 'string';

/** A dimension: its size, or null when it varies from example to example. */
export type Dim = number | null;

interface FeatureBase {
  /** TFDS's Python class, e.g. `tensorflow_datasets.core.features.image_feature.Image`. */
  readonly className: string;
  /** The feature's documentation, when features.json has one. */
  readonly description: string | undefined;
}

/** `tfds.features.Tensor` (also Scalar and BBoxFeature): `shape` values of `dtype`. */
export interface TfdsTensor extends FeatureBase {
  /** Discriminates the feature kinds. */
  readonly kind: 'tensor';
  /** The shape of one example's values; `null` for a dimension of any size. */
  readonly shape: readonly Dim[];
  /** The values' type, as TFDS names it (`int64`, `float32`, `uint8`, ...). */
  readonly dtype: TfdsDtype;
  /** 'none': an int64, float or bytes list; 'bytes' / 'zlib': the raw little-endian values in one bytes value. */
  readonly encoding: 'none' | 'bytes' | 'zlib';
}

/** `tfds.features.ClassLabel`: an int64 class id with its names (`<feature>.labels.txt`, else '0', '1', ...). */
export interface TfdsClassLabel extends FeatureBase {
  /** Discriminates the feature kinds. */
  readonly kind: 'classLabel';
  /** The number of classes. */
  readonly numClasses: number;
  /** The class names, by class id. */
  readonly names: readonly string[];
}

/** `tfds.features.Text`: one UTF-8 string. */
export interface TfdsText extends FeatureBase {
  /** Discriminates the feature kinds. */
  readonly kind: 'text';
}

/** `tfds.features.Image`: an encoded PNG or JPEG, decoded to `shape` ([height, width, channels]) pixels. */
export interface TfdsImage extends FeatureBase {
  /** Discriminates the feature kinds. */
  readonly kind: 'image';
  /** `[height, width, channels]`; `null` for a dimension of any size. */
  readonly shape: readonly Dim[];
  /** The pixels' type: `uint8`, or `uint16` for 16-bit PNGs. */
  readonly dtype: TfdsDtype;
  /** The format TFDS encoded arrays with; decoding recognises PNG and JPEG by their bytes either way. */
  readonly encodingFormat: 'png' | 'jpeg' | undefined;
}

/** `tfds.features.Sequence` (and `tfds.features.Dataset`): `length` elements (null: any number) of `feature`. */
export interface TfdsSequence extends FeatureBase {
  /** Discriminates the feature kinds. */
  readonly kind: 'sequence';
  /** The feature of each element. */
  readonly feature: TfdsFeature;
  /** Elements per example; `null` for any number. */
  readonly length: number | null;
}

/** `tfds.features.FeaturesDict`: named sub-features, stored under `parent/child` keys. */
export interface TfdsFeaturesDict extends FeatureBase {
  /** Discriminates the feature kinds. */
  readonly kind: 'dict';
  /** The sub-features, by name. */
  readonly features: Readonly<Record<string, TfdsFeature>>;
}

/** A feature this package does not read (Video, Audio, Translation, custom classes, ...). */
export interface TfdsUnsupportedFeature extends FeatureBase {
  /** Discriminates the feature kinds. */
  readonly kind: 'unsupported';
  /** Why: the class, or the option of a known class, that is not read. */
  readonly reason: string;
}

/** Any feature of a FeaturesDict. */
export type TfdsFeature = TfdsTensor | TfdsClassLabel | TfdsText | TfdsImage | TfdsSequence | TfdsFeaturesDict | TfdsUnsupportedFeature;

/** Reads the ClassLabel names file `<stem>.labels.txt` of the dataset directory, if there is one. */
export type LabelNames = (stem: string) => readonly string[] | undefined;

const PREFIX = 'tensorflow_datasets.core.features.';
/** Most classes of a ClassLabel without names ('0', '1', ... are made for each). */
const MAX_UNNAMED_CLASSES = 1 << 20;
const DICT = new Set([`${PREFIX}features_dict.FeaturesDict`]);
const TENSOR = new Set([`${PREFIX}tensor_feature.Tensor`, `${PREFIX}feature.Tensor`, `${PREFIX}scalar.Scalar`]);
const BBOX = new Set([`${PREFIX}bounding_boxes.BBoxFeature`]);
const CLASS_LABEL = new Set([`${PREFIX}class_label_feature.ClassLabel`]);
const TEXT = new Set([`${PREFIX}text_feature.Text`]);
const IMAGE = new Set([`${PREFIX}image_feature.Image`]);
const SEQUENCE = new Set([`${PREFIX}sequence_feature.Sequence`, `${PREFIX}dataset_feature.Dataset`]);
const DTYPES: readonly TfdsDtype[] = ['bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float16', 'bfloat16', 'float32', 'float64', 'string'];
const DTYPE_ALIASES: Readonly<Record<string, TfdsDtype>> = { object: 'string', str: 'string', bytes: 'string', float: 'float32', double: 'float64' };

/**
 * Reads the top FeaturesDict of features.json; ClassLabel names come from `labelNames`, by the file
 * stem TFDS saves them under (`label`, `objects-label` for nested features).
 * @throws ParseError when the JSON is not a feature tree (a missing class name, a bad shape or dtype).
 */
export function readFeatures(json: unknown, where: string, labelNames: LabelNames): TfdsFeaturesDict {
  const top = readFeature(json, where, undefined, labelNames);
  if (top.kind !== 'dict') throw new ParseError(`${where}: the top feature must be a FeaturesDict, found ${top.className}`);
  return top;
}

/** One feature, from either JSON form. `stem` is the ClassLabel names file stem of this feature. */
function readFeature(json: unknown, where: string, stem: string | undefined, labelNames: LabelNames): TfdsFeature {
  const node = object(json, where);
  if (typeof node['type'] === 'string') {
    // The legacy form: { type, content, proto_cls? }; a proto content is its JSON mapping.
    return fromContent(node['type'], node['content'] ?? {}, undefined, where, stem, labelNames);
  }
  const className = node['pythonClassName'];
  if (typeof className !== 'string' || className === '') {
    throw new ParseError(`${where}: a feature needs pythonClassName (or the older type), got ${describeFound(className)}`);
  }
  const description = typeof node['description'] === 'string' && node['description'] !== '' ? node['description'] : undefined;
  const contentKeys = Object.keys(node).filter((key) => key !== 'pythonClassName' && key !== 'description' && key !== 'valueRange');
  if (contentKeys.length === 0) return fromContent(className, {}, description, where, stem, labelNames);
  const field = contentKeys[0]!;
  const content = node[field];
  if (field === 'jsonFeature') {
    const text = object(content, `${where}.jsonFeature`)['json'];
    let parsed: unknown = {};
    if (typeof text === 'string' && text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new ParseError(`${where}.jsonFeature.json is not JSON: ${(error as Error).message}`);
      }
    }
    return fromContent(className, parsed, description, where, stem, labelNames);
  }
  return fromProto(className, field, content, description, where, stem, labelNames);
}

/** A feature from its Feature proto content field (`tensor`, `image`, `featuresDict`, ...). */
function fromProto(
  className: string,
  field: string,
  content: unknown,
  description: string | undefined,
  where: string,
  stem: string | undefined,
  labelNames: LabelNames,
): TfdsFeature {
  const base = { className, description };
  const at = `${where}.${field}`;
  const fields = object(content, at);
  switch (field) {
    case 'featuresDict':
      if (!DICT.has(className)) break;
      return readDict(object(fields['features'] ?? {}, `${at}.features`), at, stem, labelNames, base);
    case 'tensor':
    case 'boundingBox':
      if (!TENSOR.has(className) && !BBOX.has(className)) break;
      return tensor(base, protoShape(fields['shape'], `${at}.shape`), fields['dtype'], fields['encoding'], at);
    case 'classLabel':
      if (!CLASS_LABEL.has(className)) break;
      return classLabel(at, base, fields['numClasses'] === undefined ? undefined : int64(fields['numClasses'], `${at}.numClasses`), undefined, stem, labelNames);
    case 'text':
      if (!TEXT.has(className)) break;
      return { kind: 'text', ...base };
    case 'image':
      if (!IMAGE.has(className)) break;
      return image(base, protoShape(fields['shape'], `${at}.shape`), fields['dtype'], fields['encodingFormat'], at);
    case 'sequence': {
      if (!SEQUENCE.has(className)) break;
      const length = fields['length'] === undefined ? null : protoDim(fields['length'], `${at}.length`);
      return { kind: 'sequence', ...base, feature: readFeature(fields['feature'], `${at}.feature`, stem, labelNames), length };
    }
    default:
      break;
  }
  return unsupported(base, className);
}

/** A feature from the JSON content of the legacy form (or of a jsonFeature). */
function fromContent(
  className: string,
  content: unknown,
  description: string | undefined,
  where: string,
  stem: string | undefined,
  labelNames: LabelNames,
): TfdsFeature {
  const base = { className, description };
  const at = `${where}.content`;
  if (DICT.has(className)) {
    return readDict(object(content, at), at, stem, labelNames, base);
  }
  const fields = object(content, at);
  if (TENSOR.has(className)) return tensor(base, legacyShape(fields['shape'], `${at}.shape`), fields['dtype'], fields['encoding'], at);
  if (BBOX.has(className)) {
    return tensor(base, fields['shape'] === undefined ? [4] : legacyShape(fields['shape'], `${at}.shape`), fields['dtype'] ?? 'float32', 'none', at);
  }
  if (CLASS_LABEL.has(className)) {
    const names = Array.isArray(fields['names']) ? fields['names'].map((name, k) => string(name, `${at}.names[${k}]`)) : undefined;
    const numClasses = fields['num_classes'] ?? fields['numClasses'];
    return classLabel(at, base, numClasses === undefined || numClasses === null ? undefined : int64(numClasses, `${at}.num_classes`), names, stem, labelNames);
  }
  if (TEXT.has(className)) {
    const encoder = fields['encoder'] ?? fields['encoder_config'];
    if (encoder !== undefined && encoder !== null) return unsupported(base, `${className} with an encoder`);
    return { kind: 'text', ...base };
  }
  if (IMAGE.has(className)) return image(base, legacyShape(fields['shape'] ?? [null, null, 3], `${at}.shape`), fields['dtype'] ?? 'uint8', fields['encoding_format'], at);
  if (SEQUENCE.has(className)) {
    const length = fields['length'] === undefined || fields['length'] === null ? null : protoDim(fields['length'], `${at}.length`);
    return { kind: 'sequence', ...base, feature: readFeature(fields['feature'], `${at}.feature`, stem, labelNames), length };
  }
  return unsupported(base, className);
}

function readDict(
  entries: Readonly<Record<string, unknown>>,
  where: string,
  stem: string | undefined,
  labelNames: LabelNames,
  base: { className: string; description: string | undefined },
): TfdsFeaturesDict {
  const features: Record<string, TfdsFeature> = {};
  for (const [key, value] of Object.entries(entries)) {
    // As FeaturesDict.load_metadata: `/` in a key becomes `.`, nesting joins with `-`.
    const childStem = stem === undefined ? key.replace(/\//g, '.') : `${stem}-${key.replace(/\//g, '.')}`;
    features[key] = readFeature(value, `${where}.${key}`, childStem, labelNames);
  }
  return Object.freeze({ kind: 'dict', ...base, features: Object.freeze(features) });
}

function tensor(base: { className: string; description: string | undefined }, shape: Dim[], dtypeJson: unknown, encodingJson: unknown, where: string): TfdsTensor | TfdsUnsupportedFeature {
  const dtype = readDtype(dtypeJson, `${where}.dtype`);
  if (dtype === undefined) return unsupported(base, `${base.className} of dtype ${String(dtypeJson)}`);
  const encoding = encodingJson === undefined || encodingJson === null || encodingJson === '' ? 'none' : String(encodingJson).toLowerCase();
  if (encoding !== 'none' && encoding !== 'bytes' && encoding !== 'zlib') return unsupported(base, `${base.className} with encoding ${encoding}`);
  return Object.freeze({ kind: 'tensor', ...base, shape: Object.freeze(shape), dtype, encoding });
}

function image(base: { className: string; description: string | undefined }, shape: Dim[], dtypeJson: unknown, formatJson: unknown, where: string): TfdsImage | TfdsUnsupportedFeature {
  const dtype = readDtype(dtypeJson ?? 'uint8', `${where}.dtype`);
  if (shape.length !== 3) return unsupported(base, `${base.className} of shape [${shape.join(', ')}] (GIF frames)`);
  const format = formatJson === undefined || formatJson === null || formatJson === '' ? undefined : String(formatJson);
  if (format !== undefined && format !== 'png' && format !== 'jpeg') return unsupported(base, `${base.className} encoded as ${format}`);
  if (dtype !== 'uint8' && dtype !== 'uint16') return unsupported(base, `${base.className} of dtype ${String(dtypeJson)}`);
  return Object.freeze({ kind: 'image', ...base, shape: Object.freeze(shape), dtype, encodingFormat: format });
}

function classLabel(
  where: string,
  base: { className: string; description: string | undefined },
  numClasses: number | undefined,
  given: readonly string[] | undefined,
  stem: string | undefined,
  labelNames: LabelNames,
): TfdsClassLabel {
  const names = (stem === undefined ? undefined : labelNames(stem)) ?? given;
  // TFDS's ClassLabel refuses names whose count is not num_classes; class ids and one-hot sizes would disagree.
  if (numClasses !== undefined && names !== undefined && names.length !== numClasses) {
    throw new ParseError(`${where}: ClassLabel of ${numClasses} classes has ${names.length} names${stem === undefined ? '' : ` (${stem}.labels.txt)`}`);
  }
  const count = numClasses ?? names?.length ?? 0;
  // Without names each class is named by its number: a hostile count must not allocate billions of strings.
  if (names === undefined && count > MAX_UNNAMED_CLASSES) {
    throw new ParseError(`${where}: ClassLabel of ${count} classes without a names file; at most ${MAX_UNNAMED_CLASSES} are read`);
  }
  const all = names ?? Array.from({ length: count }, (_, i) => String(i));
  return Object.freeze({ kind: 'classLabel', ...base, numClasses: count, names: Object.freeze([...all]) });
}

function unsupported(base: { className: string; description: string | undefined }, reason: string): TfdsUnsupportedFeature {
  return Object.freeze({ kind: 'unsupported', ...base, reason });
}

function readDtype(value: unknown, where: string): TfdsDtype | undefined {
  if (typeof value !== 'string' || value === '') throw new ParseError(`${where} must be a dtype name, got ${describeFound(value)}`);
  const name = DTYPE_ALIASES[value] ?? value;
  return DTYPES.includes(name as TfdsDtype) ? (name as TfdsDtype) : undefined;
}

/** A Shape proto: `{ dimensions: ["28", "-1"] }`; no dimensions is a scalar; -1 is an unknown size. */
function protoShape(value: unknown, where: string): Dim[] {
  if (value === undefined) return [];
  const dimensions = object(value, where)['dimensions'] ?? [];
  if (!Array.isArray(dimensions)) throw new ParseError(`${where}.dimensions must be a list, got ${describeFound(dimensions)}`);
  return dimensions.map((dim, k) => protoDim(dim, `${where}.dimensions[${k}]`));
}

function protoDim(value: unknown, where: string): Dim {
  if (value === -1 || value === '-1') return null;
  return int64(value, where);
}

/** A legacy shape: `[28, 28, 1]`, null for an unknown size. */
function legacyShape(value: unknown, where: string): Dim[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ParseError(`${where} must be a list, got ${describeFound(value)}`);
  return value.map((dim, k) => (dim === null || dim === -1 ? null : int64(dim, `${where}[${k}]`)));
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

/**
 * The leaves of a FeaturesDict under their tf.Example keys (`parent/child`), in the dict's order;
 * sequences count as leaves.
 * @example flattenFeatures(features) // { image: {...}, label: {...}, 'meta/id': {...} }
 */
export function flattenFeatures(dict: TfdsFeaturesDict, prefix = ''): Record<string, Exclude<TfdsFeature, TfdsFeaturesDict>> {
  const flat: Record<string, Exclude<TfdsFeature, TfdsFeaturesDict>> = {};
  for (const [key, feature] of Object.entries(dict.features)) {
    const name = prefix === '' ? key : `${prefix}/${key}`;
    if (feature.kind === 'dict') Object.assign(flat, flattenFeatures(feature, name));
    else flat[name] = feature;
  }
  return flat;
}
