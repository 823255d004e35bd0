// Feature specs for tf.Example parsing (fixedLen, fixedLenRaw, varLen, fixedLenSequence): builders and validation.

import { InvalidArgumentError } from '../format/errors.js';
import { unzeroed } from '../format/io/read-scratch.js';
import { checkOptions, describeFound, optionNames, type OptionAliases } from '../format/options-check.js';

/** The three value lists a tf.train.Feature can hold. */
export type FeatureDtype = 'int64' | 'float32' | 'bytes';

/** How int64 values are returned: Int32Array (checked), Float64Array (exact below 2^53) or BigInt64Array. */
export type Int64As = 'int32' | 'float64' | 'bigint';

/** How bytes values are returned: a copied Uint8Array each, or a string decoded as UTF-8. */
export type BytesAs = 'bytes' | 'string';

/** Element type of parsed values; it decides the array type of `values`. */
export type ValueType = 'int32' | 'float64' | 'bigint' | 'float32' | 'uint8' | 'bytes' | 'string';

/** Element types a raw bytes feature can be read as (little-endian, like tf.io.decode_raw). */
export type RawType = 'uint8' | 'int32' | 'float32';

/** `ragged`: values plus row splits; `padded`: a dense array padded to the longest row, plus row lengths. */
export type Layout = 'ragged' | 'padded';

/** The array type holding values of a value type. */
export type ValuesOf<T extends ValueType> = T extends 'int32'
  ? Int32Array
  : T extends 'float64'
    ? Float64Array
    : T extends 'bigint'
      ? BigInt64Array
      : T extends 'float32'
        ? Float32Array
        : T extends 'uint8'
          ? Uint8Array
          : T extends 'string'
            ? string[]
            : Uint8Array[];

/** One value of a value type, as given in defaults and padding. */
export type ScalarOf<T extends ValueType> = T extends 'bigint'
  ? bigint | number
  : T extends 'bytes' | 'string'
    ? string | Uint8Array
    : number;

/** The value type a dtype yields with an `as` option. */
export type ValueTypeOf<D extends FeatureDtype, A> = D extends 'float32'
  ? 'float32'
  : D extends 'int64'
    ? A extends Int64As
      ? A
      : 'int32'
    : A extends BytesAs
      ? A
      : 'bytes';

type AsOf<O> = O extends { readonly as: infer A } ? A : undefined;
type LayoutOf<O, Fallback extends Layout> = O extends { readonly layout: infer L extends Layout } ? L : Fallback;

/** Options for the value type of a dtype: `as` picks the output array for int64 and bytes. */
export interface ValueOptions<D extends FeatureDtype> {
  /** The output array: for int64 `'int32'` (default), `'float64'` or `'bigint'`; for bytes `'bytes'` (default) or `'string'`; float32 is always `'float32'`. */
  readonly as?: D extends 'int64' ? Int64As : D extends 'bytes' ? BytesAs : 'float32';
}

/** A feature with a fixed number of values per example (tf.io.FixedLenFeature). */
export interface FixedLenFeature<T extends ValueType = ValueType> {
  /** Discriminates the feature kinds: always `fixedLen`. */
  readonly kind: 'fixedLen';
  /** The shape of one example's values (`[]` for a scalar); a batch prepends the batch dimension. */
  readonly shape: readonly number[];
  /** The list the Feature holds: `'int64'`, `'float32'` or `'bytes'`. */
  readonly dtype: FeatureDtype;
  /** The element type of the parsed values; it decides the array type of `values`. */
  readonly valueType: T;
  /** Values used when the feature is missing (`size` of them), or undefined when it is required. */
  readonly defaultValue: ValuesOf<T> | undefined;
}

/** A bytes feature with one value whose bytes are the elements of a fixed shape (parse + tf.io.decode_raw). */
export interface FixedLenRawFeature<T extends RawType = RawType> {
  /** Discriminates the feature kinds: always `fixedLenRaw`. */
  readonly kind: 'fixedLenRaw';
  /** The shape of the elements held in the single bytes value; a batch prepends the batch dimension. */
  readonly shape: readonly number[];
  /** The list the Feature holds: `'int64'`, `'float32'` or `'bytes'`. */
  readonly dtype: 'bytes';
  /** How the bytes value is read: as uint8, or as little-endian int32 or float32 elements. */
  readonly rawType: RawType;
  /** The element type of the parsed values; it decides the array type of `values`. */
  readonly valueType: T;
  /** Values used when the feature is missing, or undefined when it is required. */
  readonly defaultValue: ValuesOf<T> | undefined;
}

/** A feature with any number of values per example (tf.io.VarLenFeature / RaggedFeature). */
export interface VarLenFeature<T extends ValueType = ValueType, L extends Layout = Layout> {
  /** Discriminates the feature kinds: always `varLen`. */
  readonly kind: 'varLen';
  /** The list the Feature holds: `'int64'`, `'float32'` or `'bytes'`. */
  readonly dtype: FeatureDtype;
  /** The element type of the parsed values; it decides the array type of `values`. */
  readonly valueType: T;
  /** `'ragged'`: values plus row splits; `'padded'`: dense, padded to the longest row, plus `lengths`. */
  readonly layout: L;
  /** Fills the padded layout past each row's end. */
  readonly padValue: ScalarOf<T>;
}

/** Rows of a fixed shape, any number per example (tf.io.FixedLenSequenceFeature). */
export interface FixedLenSequenceFeature<T extends ValueType = ValueType, L extends Layout = Layout> {
  /** Discriminates the feature kinds: always `fixedLenSequence`. */
  readonly kind: 'fixedLenSequence';
  /** The shape of one row; an example holds any number of rows. */
  readonly shape: readonly number[];
  /** The list the Feature holds: `'int64'`, `'float32'` or `'bytes'`. */
  readonly dtype: FeatureDtype;
  /** The element type of the parsed values; it decides the array type of `values`. */
  readonly valueType: T;
  /** `'padded'`: dense `[n, most rows, ...shape]` plus `lengths`; `'ragged'`: rows plus row splits. */
  readonly layout: L;
  /** Whether an example (or a SequenceExample feature list) may lack the feature; it then has 0 rows. */
  readonly allowMissing: boolean;
  /** Fills the padded layout past each example's last row (TensorFlow's default_value). */
  readonly padValue: ScalarOf<T>;
}

/** Any feature of an Example spec. */
export type ExampleFeature = FixedLenFeature | FixedLenRawFeature | VarLenFeature | FixedLenSequenceFeature;

/** A spec for tf.Example parsing: feature key -> feature. */
export type ExampleSpec = Readonly<Record<string, ExampleFeature>>;

/** Features of a SequenceExample's context: what an Example allows except fixedLenSequence. */
export type ContextFeature = FixedLenFeature | FixedLenRawFeature | VarLenFeature;

/** Features of a SequenceExample's feature lists: one row per step, fixed or variable. */
export type SequenceFeature = FixedLenSequenceFeature | VarLenFeature;

/**
 * A feature with `shape` values per example; required unless `defaultValue` is given.
 * @throws InvalidArgumentError for a bad shape, dtype, `as` or default; InvalidOptionsError for an
 *   unknown option (named, with the nearest known one: `default_value` suggests defaultValue).
 * @example
 * const spec = { label: fixedLen([], 'int64'), score: fixedLen([2], 'float32', { defaultValue: 0 }) };
 */
export function fixedLen<
  D extends FeatureDtype,
  const O extends ValueOptions<D> & {
    /** Values used when the feature is missing (a scalar is repeated); without it the feature is required. */
    readonly defaultValue?: unknown;
  } = object,
>(
  shape: readonly number[],
  dtype: D,
  options?: O,
): FixedLenFeature<ValueTypeOf<D, AsOf<O>>> {
  const what = `fixedLen(${describeShape(shape)}, '${String(dtype)}')`;
  if (options !== undefined) checkOptions(what, options, FIXED_LEN_OPTIONS);
  checkShape(shape, what);
  const valueType = resolveValueType(dtype, options?.as, what) as ValueTypeOf<D, AsOf<O>>;
  const size = shapeSize(shape);
  const given = options?.defaultValue;
  const defaultValue = given === undefined ? undefined : normalizeValues(given, valueType, size, `${what} defaultValue`);
  return Object.freeze({ kind: 'fixedLen', shape: Object.freeze([...shape]), dtype, valueType, defaultValue });
}

/** Options of fixedLenRaw. */
export interface RawOptions {
  /** How the value's bytes are read; default 'uint8'. */
  readonly rawType?: RawType;
  /** Output element type; default `rawType`. uint8 widens to int32 or float32, int32 to float32. */
  readonly as?: RawType;
  /** Output values used when the feature is missing; without it the feature is required. */
  readonly defaultValue?: number | ArrayLike<unknown>;
}

type RawValueTypeOf<O> = O extends { readonly as: infer A extends RawType }
  ? A
  : O extends { readonly rawType: infer R extends RawType }
    ? R
    : 'uint8';

/**
 * A bytes feature with exactly one value whose bytes are `shape` elements of `rawType` — the
 * way images are stored (tf.io.decode_raw after parsing). The bytes land straight in the output
 * typed array, widened natively to int32 or float32 on request, so a tfjs user gets an image
 * batch without an intermediate copy. Normalize on the tensor (e.g. `images.div(255)`), where
 * tfjs does it natively.
 * @throws InvalidArgumentError for a bad shape, a narrowing conversion or a bad default;
 *   InvalidOptionsError for an unknown option (named, with the nearest known one: `out_type` suggests rawType).
 * @example
 * const spec = { image: fixedLenRaw([28, 28, 1], { as: 'float32' }) };
 */
export function fixedLenRaw<const O extends RawOptions = object>(
  shape: readonly number[],
  options?: O,
): FixedLenRawFeature<RawValueTypeOf<O>> {
  const what = `fixedLenRaw(${describeShape(shape)})`;
  if (options !== undefined) checkOptions(what, options, RAW_OPTIONS, { aliases: RAW_ALIASES });
  checkShape(shape, what);
  const rawType: RawType = options?.rawType ?? 'uint8';
  if (!RAW_TYPES.includes(rawType)) {
    throw new InvalidArgumentError(`${what}: rawType must be one of ${RAW_TYPES.join(', ')}, got ${String(rawType)}`);
  }
  const valueType = (options?.as ?? rawType) as RawValueTypeOf<O>;
  if (!RAW_WIDENINGS[rawType].includes(valueType)) {
    throw new InvalidArgumentError(
      `${what}: ${rawType} values can be returned as ${RAW_WIDENINGS[rawType].join(' or ')}, not ${String(valueType)}`,
    );
  }
  const given = options?.defaultValue;
  const defaultValue =
    given === undefined ? undefined : normalizeValues(given, valueType, shapeSize(shape), `${what} defaultValue`);
  return Object.freeze({
    kind: 'fixedLenRaw',
    shape: Object.freeze([...shape]),
    dtype: 'bytes',
    rawType,
    valueType,
    defaultValue,
  });
}

/** Options of varLen. */
export type VarLenOptions<D extends FeatureDtype> = ValueOptions<D> & {
  /** 'ragged' (default): values + rowSplits; 'padded': [batch, longest] padded with `padValue`. */
  readonly layout?: Layout;
  /** The value that fills the padded layout past each row's end; default 0 (empty for bytes). */
  readonly padValue?: unknown;
};

/**
 * A feature with any number of values per example. A missing feature is an empty row.
 * @throws InvalidArgumentError for a bad dtype, `as`, layout or pad value; InvalidOptionsError for an
 *   unknown option (named, with the nearest known one: `pad_value` suggests padValue).
 * @example
 * const spec = { tags: varLen('int64'), tokens: varLen('int64', { layout: 'padded', padValue: -1 }) };
 */
export function varLen<D extends FeatureDtype, const O extends VarLenOptions<D> = object>(
  dtype: D,
  options?: O,
): VarLenFeature<ValueTypeOf<D, AsOf<O>>, LayoutOf<O, 'ragged'>> {
  const what = `varLen('${String(dtype)}')`;
  if (options !== undefined) checkOptions(what, options, VAR_LEN_OPTIONS);
  const valueType = resolveValueType(dtype, options?.as, what) as ValueTypeOf<D, AsOf<O>>;
  const layout = resolveLayout(options?.layout, 'ragged', what) as LayoutOf<O, 'ragged'>;
  const padValue = normalizeScalar(options?.padValue, valueType, `${what} padValue`);
  return Object.freeze({ kind: 'varLen', dtype, valueType, layout, padValue });
}

/** Options of fixedLenSequence. */
export type FixedLenSequenceOptions<D extends FeatureDtype> = ValueOptions<D> & {
  /** Whether the feature may be missing (then 0 rows). parse_example requires true, as TensorFlow does. */
  readonly allowMissing?: boolean;
  /** Padding value for the padded layout (TensorFlow's default_value); default 0 / empty. */
  readonly defaultValue?: unknown;
  /** 'padded' (default): [batch, most rows, ...shape] plus `lengths`; 'ragged': rows + rowSplits. */
  readonly layout?: Layout;
};

/**
 * Rows of `shape` values, any number per example: in an Example the value count must be a
 * multiple of the row size; in a SequenceExample feature list each step is one row.
 * @throws InvalidArgumentError for a bad shape, dtype, `as`, layout or default; InvalidOptionsError for
 *   an unknown option (named, with the nearest known one: `allow_missing` suggests allowMissing).
 * @example
 * const spec = { points: fixedLenSequence([2], 'float32', { allowMissing: true }) };
 */
export function fixedLenSequence<D extends FeatureDtype, const O extends FixedLenSequenceOptions<D> = object>(
  shape: readonly number[],
  dtype: D,
  options?: O,
): FixedLenSequenceFeature<ValueTypeOf<D, AsOf<O>>, LayoutOf<O, 'padded'>> {
  const what = `fixedLenSequence(${describeShape(shape)}, '${String(dtype)}')`;
  if (options !== undefined) checkOptions(what, options, SEQUENCE_OPTIONS);
  checkShape(shape, what);
  if (shapeSize(shape) === 0) throw new InvalidArgumentError(`${what}: rows must hold at least one value`);
  const valueType = resolveValueType(dtype, options?.as, what) as ValueTypeOf<D, AsOf<O>>;
  const layout = resolveLayout(options?.layout, 'padded', what) as LayoutOf<O, 'padded'>;
  const allowMissing = options?.allowMissing ?? false;
  if (typeof allowMissing !== 'boolean') {
    throw new InvalidArgumentError(`${what}: allowMissing must be a boolean, got ${String(allowMissing)}`);
  }
  const padValue = normalizeScalar(options?.defaultValue, valueType, `${what} defaultValue`);
  return Object.freeze({
    kind: 'fixedLenSequence',
    shape: Object.freeze([...shape]),
    dtype,
    valueType,
    layout,
    allowMissing,
    padValue,
  });
}

const FIXED_LEN_OPTIONS = optionNames<ValueOptions<FeatureDtype> & { readonly defaultValue?: unknown }>({ as: true, defaultValue: true });
const RAW_OPTIONS = optionNames<RawOptions>({ rawType: true, as: true, defaultValue: true });
const RAW_ALIASES: OptionAliases = {
  dtype: { option: 'rawType', note: 'rawType is how the bytes are read, as the output type' },
  little_endian: { note: 'raw values are always read little-endian, as tf.io.decode_raw does by default' },
};
const VAR_LEN_OPTIONS = optionNames<VarLenOptions<FeatureDtype>>({ as: true, layout: true, padValue: true });
const SEQUENCE_OPTIONS = optionNames<FixedLenSequenceOptions<FeatureDtype>>({ as: true, allowMissing: true, defaultValue: true, layout: true });
/** The fields of hand-written features, by kind. */
const FEATURE_FIELDS: Readonly<Record<ExampleFeature['kind'], readonly string[]>> = {
  fixedLen: optionNames<FixedLenFeature>({ kind: true, shape: true, dtype: true, valueType: true, defaultValue: true }),
  fixedLenRaw: optionNames<FixedLenRawFeature>({ kind: true, shape: true, dtype: true, rawType: true, valueType: true, defaultValue: true }),
  varLen: optionNames<VarLenFeature>({ kind: true, dtype: true, valueType: true, layout: true, padValue: true }),
  fixedLenSequence: optionNames<FixedLenSequenceFeature>({
    kind: true,
    shape: true,
    dtype: true,
    valueType: true,
    layout: true,
    allowMissing: true,
    padValue: true,
  }),
};
const FEATURE_ALIASES: OptionAliases = { as: { option: 'valueType' } };

const DTYPES: readonly FeatureDtype[] = ['int64', 'float32', 'bytes'];
const RAW_TYPES: readonly RawType[] = ['uint8', 'int32', 'float32'];
const RAW_WIDENINGS: Readonly<Record<RawType, readonly RawType[]>> = {
  uint8: ['uint8', 'int32', 'float32'],
  int32: ['int32', 'float32'],
  float32: ['float32'],
};
const VALUE_TYPES_OF: Readonly<Record<FeatureDtype, readonly ValueType[]>> = {
  int64: ['int32', 'float64', 'bigint'],
  float32: ['float32'],
  bytes: ['bytes', 'string'],
};

/** Number of values a shape holds (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** A shape as TensorFlow prints it: `[2,3]`, `[]`, `[?,2]` for an unknown first dimension. */
export function describeShape(shape: readonly (number | '?')[]): string {
  // Also names a shape that is not an array, for the message that refuses it (checkShape).
  return Array.isArray(shape) ? `[${shape.join(',')}]` : describeFound(shape);
}

function checkShape(shape: readonly number[], what: string): void {
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
    throw new InvalidArgumentError(`${what}: shape must be an array of non-negative integers, got ${describeFound(shape)}`);
  }
  if (shapeSize(shape) > 0x7fff_ffff) throw new InvalidArgumentError(`${what}: shape holds more than 2^31-1 values`);
}

function resolveValueType(dtype: FeatureDtype, as: string | undefined, what: string): ValueType {
  if (!DTYPES.includes(dtype)) {
    throw new InvalidArgumentError(`${what}: dtype must be one of ${DTYPES.join(', ')}, got ${String(dtype)}`);
  }
  const allowed = VALUE_TYPES_OF[dtype];
  const valueType = (as ?? allowed[0]) as ValueType;
  if (!allowed.includes(valueType)) {
    throw new InvalidArgumentError(`${what}: as must be one of ${allowed.join(', ')} for ${dtype}, got ${String(as)}`);
  }
  return valueType;
}

function resolveLayout(layout: Layout | undefined, fallback: Layout, what: string): Layout {
  const resolved = layout ?? fallback;
  if (resolved !== 'ragged' && resolved !== 'padded') {
    throw new InvalidArgumentError(`${what}: layout must be 'ragged' or 'padded', got ${String(layout)}`);
  }
  return resolved;
}

/**
 * An array for `length` values of a value type, in fresh memory that is not zeroed first: every caller
 * writes every value (pad and default values included), as it must for the reused arrays of
 * reuseOutputs (test/example/output-memory.test.ts holds the parser to that). Zeroing 200 KB of images
 * per batch of 256 cost ~9% of a parse (perf, fresh uint8 images).
 */
export function allocateValues<T extends ValueType>(valueType: T, length: number): ValuesOf<T> {
  switch (valueType) {
    case 'uint8':
      return unzeroed(length) as ValuesOf<T>;
    case 'int32':
      return new Int32Array(unzeroed(4 * length).buffer, 0, length) as ValuesOf<T>;
    case 'float32':
      return new Float32Array(unzeroed(4 * length).buffer, 0, length) as ValuesOf<T>;
    case 'float64':
      return new Float64Array(unzeroed(8 * length).buffer, 0, length) as ValuesOf<T>;
    case 'bigint':
      return new BigInt64Array(unzeroed(8 * length).buffer, 0, length) as ValuesOf<T>;
    default:
      return new Array<unknown>(length) as ValuesOf<T>;
  }
}

/** The zero of a value type: 0, 0n, empty bytes or ''. */
export function zeroOf<T extends ValueType>(valueType: T): ScalarOf<T> {
  switch (valueType) {
    case 'bigint':
      return 0n as ScalarOf<T>;
    case 'bytes':
      return EMPTY_BYTES as ScalarOf<T>;
    case 'string':
      return '' as ScalarOf<T>;
    default:
      return 0 as ScalarOf<T>;
  }
}

const EMPTY_BYTES = new Uint8Array(0);
const INT64_LIMIT = 2 ** 63;
const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF: it is part of the value, not a byte order mark to drop.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Checks one value against a value type and returns it in the form `values` arrays hold.
 * @throws InvalidArgumentError when the value has the wrong type or range.
 */
export function normalizeScalar<T extends ValueType>(value: unknown, valueType: T, what: string): ScalarOf<T> {
  if (value === undefined) return zeroOf(valueType);
  const bad = (expected: string): never => {
    throw new InvalidArgumentError(`${what}: expected ${expected}, got ${describeValue(value)}`);
  };
  switch (valueType) {
    case 'int32':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < -0x8000_0000 || value > 0x7fff_ffff) {
        return bad('an int32 integer');
      }
      return value as ScalarOf<T>;
    case 'uint8':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 255) return bad('an integer 0..255');
      return value as ScalarOf<T>;
    case 'float64':
      // Only int64 features are read as float64, and TensorFlow makes a default an int64 tensor
      // (ops.convert_to_tensor refuses 1.5 or 2**64 for int64), so it must be an int64 value.
      if (typeof value !== 'number' || !Number.isInteger(value) || value < -INT64_LIMIT || value >= INT64_LIMIT) {
        return bad('an int64 integer (-2^63 <= value < 2^63)');
      }
      return value as ScalarOf<T>;
    case 'float32':
      if (typeof value !== 'number') return bad('a number');
      return value as ScalarOf<T>;
    case 'bigint':
      // Refused rather than wrapped to 64 bits, as ops.convert_to_tensor refuses it for int64.
      if (typeof value === 'bigint') return BigInt.asIntN(64, value) === value ? (value as ScalarOf<T>) : bad('an int64 value (-2^63 to 2^63-1)');
      if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value) as ScalarOf<T>;
      return bad('a bigint or a safe integer');
    case 'bytes':
      if (typeof value === 'string') return encoder.encode(value) as ScalarOf<T>;
      if (value instanceof Uint8Array) return value as ScalarOf<T>;
      return bad('a string or Uint8Array');
    default:
      if (typeof value === 'string') return value as ScalarOf<T>;
      if (value instanceof Uint8Array) {
        try {
          return decoder.decode(value) as ScalarOf<T>;
        } catch {
          return bad('valid UTF-8');
        }
      }
      return bad('a string or Uint8Array');
  }
}

/**
 * Turns a default (one value, or `size` values possibly nested) into a values array of `size`.
 * @throws InvalidArgumentError when the count or a value is wrong.
 */
export function normalizeValues<T extends ValueType>(value: unknown, valueType: T, size: number, what: string): ValuesOf<T> {
  const bytesLike = valueType === 'bytes' || valueType === 'string';
  const isList =
    typeof value === 'object' && value !== null && 'length' in value && !(bytesLike && value instanceof Uint8Array);
  const flat: unknown[] = isList ? flatten(value as ArrayLike<unknown>) : new Array<unknown>(size).fill(value);
  if (flat.length !== size) {
    throw new InvalidArgumentError(`${what}: expected one value (repeated) or a list of ${size} values, got a list of ${flat.length}`);
  }
  const out = allocateValues(valueType, size) as unknown as { [index: number]: unknown };
  for (let index = 0; index < size; index++) out[index] = normalizeScalar(flat[index], valueType, what);
  return out as ValuesOf<T>;
}

function flatten(value: ArrayLike<unknown>): unknown[] {
  const out: unknown[] = [];
  for (let index = 0; index < value.length; index++) {
    const item = value[index];
    if (Array.isArray(item)) out.push(...flatten(item));
    else out.push(item);
  }
  return out;
}

function describeValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/**
 * Rebuilds a feature through its builder, so objects written by hand (or deserialized) get the
 * same checks and normalized defaults as builder output.
 * @throws InvalidArgumentError naming the key when the feature is invalid or not allowed here;
 *   InvalidOptionsError naming the key and an unknown field of a hand-written feature.
 */
export function resolveFeature<K extends ExampleFeature['kind']>(
  key: string,
  feature: unknown,
  allowedKinds: readonly K[],
): Extract<ExampleFeature, { kind: K }> {
  const f = feature as Partial<Record<string, unknown>> | null;
  if (typeof f !== 'object' || f === null) {
    throw new InvalidArgumentError(`feature '${key}': not a feature spec (use fixedLen, varLen, ...)`);
  }
  const kind = f.kind as K;
  if (!allowedKinds.includes(kind)) {
    throw new InvalidArgumentError(`feature '${key}': kind ${String(kind)} is not one of ${allowedKinds.join(', ')} here`);
  }
  checkOptions(`feature '${key}'`, f, FEATURE_FIELDS[kind], { aliases: FEATURE_ALIASES, name: `${kind} fields` });
  const dtype = f.dtype as FeatureDtype;
  const shape = f.shape as number[];
  const as = f.valueType as never;
  try {
    switch (kind as ExampleFeature['kind']) {
      case 'fixedLen':
        return fixedLen(shape, dtype, { as, defaultValue: f.defaultValue }) as Extract<ExampleFeature, { kind: K }>;
      case 'fixedLenRaw':
        return fixedLenRaw(shape, {
          rawType: f.rawType as RawType,
          as,
          defaultValue: f.defaultValue as ArrayLike<unknown> | undefined,
        }) as unknown as Extract<ExampleFeature, { kind: K }>;
      case 'varLen':
        return varLen(dtype, { as, layout: f.layout as Layout, padValue: f.padValue }) as Extract<
          ExampleFeature,
          { kind: K }
        >;
      default:
        return fixedLenSequence(shape, dtype, {
          as,
          layout: f.layout as Layout,
          allowMissing: f.allowMissing as boolean,
          defaultValue: f.padValue,
        }) as Extract<ExampleFeature, { kind: K }>;
    }
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new InvalidArgumentError(`feature '${key}': ${error.message}`);
    throw error;
  }
}
