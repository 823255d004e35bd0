// Padded batches (tf.data's padded_batch): a collate function that pads variable-length fields of a batch's
// elements to the longest in the batch or to a fixed length, and gives each row's length and optionally a
// mask. Works on typed arrays, plain arrays and parsed tf.Example features ({ kind: 'dense', values, shape },
// as ExampleParser.parse returns varLen and fixedLenSequence features); the result has the layout of the
// parser's own `padded` batches, so the same code turns either into tensors.

import { InvalidArgumentError, InvalidOptionsError, UnsupportedError } from '../format/errors.js';
import { checkOptions, describeFound, optionNames, requireBoolean, requireInteger } from '../format/options-check.js';

/**
 * A typed array of any element type.
 * @example const rows: TypedArray[] = [new Float32Array(3), new Int32Array(2)];
 */
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/**
 * A dense feature as the tf.Example parsers return it: `values` in row-major order with `shape`.
 * @example const feature: DenseValues<Int32Array> = { kind: 'dense', values: new Int32Array([1, 2, 3]), shape: [3] };
 */
export interface DenseValues<V = unknown> {
  /** Always `dense`, as the parsers' dense features. */
  readonly kind: 'dense';
  /** The values in row-major order. */
  readonly values: V;
  /** The shape of `values`. */
  readonly shape: readonly number[];
}

/**
 * A padded (or stacked) field of a batch, laid out as ExampleParser's padded features: `values` in
 * row-major order with `shape` = [batch, length, ...inner], `lengths` the rows' lengths before padding
 * (after truncation), and `mask` (with `mask: true`) 1 for values and 0 for padding, [batch, length].
 * @example
 * const padded: PaddedValues<Float32Array> = padBatch({ mask: true })([new Float32Array([1, 2]), new Float32Array([3])]);
 * padded.shape; // [2, 2]
 */
export interface PaddedValues<V> {
  /** Always `dense`, as the parsers' padded features. */
  readonly kind: 'dense';
  /** The values in row-major order, padding included. */
  readonly values: V;
  /** `[batch, length, ...inner]`. */
  readonly shape: readonly number[];
  /** Each row's length before padding (after truncation). */
  readonly lengths: Int32Array;
  /** With `mask: true`: 1 for values and 0 for padding, `[batch, length]`. */
  readonly mask?: Uint8Array;
}

/**
 * How one field is padded.
 * @example const settings: PadSettings = { length: 128, truncate: true, value: -1, mask: true };
 */
export interface PadSettings {
  /** Pad to this length instead of the longest in the batch; a longer row is an error unless `truncate`. */
  readonly length?: number;
  /** Round the padded length up to a multiple of this (e.g. 8), after `length` or the longest. */
  readonly multipleOf?: number;
  /** Cut rows longer than `length` to it (default false: they are an error). */
  readonly truncate?: boolean;
  /**
   * The padding value. Default: 0 (0n for bigint arrays), '' for strings, an empty Uint8Array for
   * bytes, null for plain arrays of anything else.
   */
  readonly value?: unknown;
  /** Also give `mask`: 1 where a row has a value, 0 where it is padding (default false). */
  readonly mask?: boolean;
}

/**
 * Options of {@link padBatch}: the settings of every padded field, and which fields of object elements to pad.
 * @example const options: PadBatchOptions<'tokens' | 'chars'> = { fields: { tokens: true, chars: { length: 16 } }, mask: true };
 */
export interface PadBatchOptions<Field extends string = string> extends PadSettings {
  /**
   * For elements that are objects: the fields to pad, as names or as names with settings of their own
   * (overriding the shared ones). The other fields are stacked: dense features of one shape become one
   * [batch, ...shape] feature, anything else an array of the elements' values. Omit when each element
   * is itself a sequence.
   */
  readonly fields?: readonly Field[] | { readonly [K in Field]: PadSettings | true };
}

/**
 * A padded field: the same kind of values as the elements had.
 * @example type Tokens = PaddedOf<Int32Array>; // PaddedValues<Int32Array>
 */
export type PaddedOf<V> = V extends TypedArray
  ? PaddedValues<V>
  : V extends DenseValues<infer Values>
    ? PaddedValues<Values>
    : V extends readonly (infer Item)[]
      ? PaddedValues<Item[]>
      : never;

/**
 * A field that is not padded: stacked dense features, or an array of the values.
 * @example type Labels = StackedOf<number>; // number[]
 */
export type StackedOf<V> = V extends DenseValues<infer Values> ? DenseValues<Values> : V[];

/**
 * What padBatch's collate returns for elements of type `E` and padded fields `Field` (never: the
 * elements are sequences).
 * @example type Batch = PaddedBatch<{ tokens: Int32Array; label: number }, 'tokens'>; // { tokens: PaddedValues<Int32Array>; label: number[] }
 */
export type PaddedBatch<E, Field extends string> = [Field] extends [never]
  ? PaddedOf<E>
  : { [K in keyof E]: K extends Field ? PaddedOf<E[K]> : StackedOf<E[K]> };

const OWNER = 'padBatch';
const SETTING_NAMES = optionNames<PadSettings>({ length: true, multipleOf: true, truncate: true, value: true, mask: true });
const OPTION_NAMES = optionNames<PadBatchOptions>({ length: true, multipleOf: true, truncate: true, value: true, mask: true, fields: true });

/** Checked settings of one field. */
interface FieldPadding {
  readonly length: number | undefined;
  readonly multipleOf: number;
  readonly truncate: boolean;
  readonly value: unknown;
  readonly mask: boolean;
}

function checkSettings(where: string, settings: PadSettings, base: FieldPadding | undefined): FieldPadding {
  const length = settings.length ?? base?.length;
  const multipleOf = settings.multipleOf ?? base?.multipleOf;
  return {
    length: length === undefined ? undefined : requireInteger(where, 'length', length, 0),
    multipleOf: multipleOf === undefined ? 1 : requireInteger(where, 'multipleOf', multipleOf, 1),
    truncate: requireBoolean(where, 'truncate', settings.truncate ?? base?.truncate, false),
    value: 'value' in settings ? settings.value : base?.value,
    mask: requireBoolean(where, 'mask', settings.mask ?? base?.mask, false),
  };
}

/**
 * A collate function that pads variable-length sequences (tf.data's `padded_batch`): each padded field
 * becomes one row-major array of [batch, length, ...] with the rows' `lengths` (and `mask` if asked),
 * padded to the longest row of the batch or to a fixed `length`. Typed arrays stay typed arrays of the
 * same type, plain arrays stay plain arrays, and parsed tf.Example features ({ kind: 'dense', values,
 * shape } from ExampleParser.parse: varLen, fixedLenSequence) are padded along their first dimension,
 * as the parser's `layout: 'padded'` would. The output type follows from the element type.
 * @throws InvalidOptionsError for bad options (an unknown one is named with the nearest known one);
 *   the collate throws InvalidArgumentError for a row longer than a fixed length (without `truncate`), a
 *   field that is missing or not a sequence, or features whose inner shapes differ; UnsupportedError
 *   for a ragged feature (pad it in the parser instead: `layout: 'padded'`).
 * @example
 * const loader = new DataLoader({
 *   source, sampler, batchSize: 32,
 *   transforms: [map((record) => ({ tokens: tokenize(record), label: 1 }))],
 *   collate: padBatch({ fields: ['tokens'], mask: true }),
 * });
 * // each batch: { tokens: { values: Int32Array, shape: [32, longest], lengths, mask }, label: number[] }
 * @example
 * const collate = padBatch({ fields: { words: { length: 128, truncate: true }, chars: true }, value: -1 });
 * @example
 * padBatch()([new Float32Array([1, 2]), new Float32Array([3])]);
 * // { kind: 'dense', values: Float32Array [1, 2, 3, 0], shape: [2, 2], lengths: Int32Array [2, 1] }
 */
export function padBatch<const Field extends string = never>(options: PadBatchOptions<Field> = {}): <E>(items: readonly E[]) => PaddedBatch<E, Field> {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionsError(`${OWNER}: options must be an object (got ${describeFound(options)})`);
  checkOptions(OWNER, options, OPTION_NAMES);
  const shared = checkSettings(OWNER, options, undefined);
  const fields = options.fields;
  if (fields === undefined) {
    return <E>(items: readonly E[]) => padColumn(items, shared, 'element') as PaddedBatch<E, Field>;
  }
  const padded = new Map<string, FieldPadding>();
  if (Array.isArray(fields)) {
    for (const name of fields as readonly unknown[]) {
      if (typeof name !== 'string') throw new InvalidOptionsError(`${OWNER}: fields must be names (got ${describeFound(name)})`);
      padded.set(name, shared);
    }
  } else if (typeof fields === 'object' && fields !== null) {
    for (const [name, settings] of Object.entries(fields as Record<string, PadSettings | true>)) {
      if (settings === true) {
        padded.set(name, shared);
        continue;
      }
      if (typeof settings !== 'object' || settings === null) {
        throw new InvalidOptionsError(`${OWNER}: fields.${name} must be true or { length, multipleOf, truncate, value, mask } (got ${describeFound(settings)})`);
      }
      checkOptions(`${OWNER}: fields.${name}`, settings, SETTING_NAMES);
      padded.set(name, checkSettings(`${OWNER}: fields.${name}`, settings, shared));
    }
  } else {
    throw new InvalidOptionsError(`${OWNER}: fields must be a list of names or an object of settings (got ${describeFound(fields)})`);
  }
  return <E>(items: readonly E[]) => {
    if (items.length === 0) return {} as PaddedBatch<E, Field>;
    const first = items[0];
    if (typeof first !== 'object' || first === null) {
      throw new InvalidArgumentError(`${OWNER}: fields are given, so elements must be objects (got ${describeFound(first)})`);
    }
    const batch: Record<string, unknown> = {};
    for (const name of new Set([...Object.keys(first), ...padded.keys()])) {
      const column = items.map((item, row) => {
        const record = item as Record<string, unknown>;
        if (!(name in record)) throw new InvalidArgumentError(`${OWNER}: element ${row} of the batch has no field '${name}'`);
        return record[name];
      });
      const settings = padded.get(name);
      batch[name] = settings === undefined ? stack(column, name) : padColumn(column, settings, `field '${name}'`);
    }
    return batch as PaddedBatch<E, Field>;
  };
}

/** A row to pad: its values (flat, row-major) and its length along the padded dimension. */
interface Row {
  readonly values: ArrayLike<unknown>;
  readonly length: number;
}

function isDense(value: unknown): value is DenseValues<ArrayLike<unknown>> {
  const candidate = value as Partial<DenseValues> | null;
  return typeof candidate === 'object' && candidate !== null && candidate.kind === 'dense' && Array.isArray(candidate.shape) && 'values' in candidate;
}

type Constructor = new (length: number) => ArrayLike<unknown> & { [index: number]: unknown };

/** Pads one column of values (one per element) into a PaddedValues. */
function padColumn(column: readonly unknown[], settings: FieldPadding, what: string): PaddedValues<unknown> {
  const batch = column.length;
  const rows: Row[] = [];
  let inner: readonly number[] | undefined;
  let kind: 'typed' | 'plain' | undefined;
  let make: Constructor | undefined;
  for (let row = 0; row < batch; row++) {
    const value = column[row];
    let values: ArrayLike<unknown>;
    let length: number;
    let shape: readonly number[];
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      values = value as unknown as ArrayLike<unknown>;
      length = values.length;
      shape = [];
    } else if (Array.isArray(value)) {
      values = value;
      length = value.length;
      shape = [];
    } else if (isDense(value)) {
      if (value.shape.length === 0) throw new InvalidArgumentError(`${OWNER}: ${what} of element ${row} is a scalar feature (shape []); there is no dimension to pad`);
      values = value.values;
      length = value.shape[0]!;
      shape = value.shape.slice(1);
    } else if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'ragged') {
      throw ragged(what);
    } else {
      throw new InvalidArgumentError(`${OWNER}: ${what} of element ${row} is not a sequence (got ${describeFound(value)})`);
    }
    const rowKind = Array.isArray(values) ? 'plain' : 'typed';
    if (row === 0) {
      inner = shape;
      kind = rowKind;
      make = rowKind === 'typed' ? (values.constructor as Constructor) : undefined;
    } else {
      if (shape.length !== inner!.length || shape.some((size, k) => size !== inner![k])) {
        throw new InvalidArgumentError(`${OWNER}: ${what} of element ${row} has inner shape [${shape.join(', ')}], element 0 has [${inner!.join(', ')}]`);
      }
      if (rowKind !== kind || (make !== undefined && values.constructor !== make)) {
        throw new InvalidArgumentError(`${OWNER}: ${what} of element ${row} is a ${values.constructor.name}, element 0 a ${kind === 'plain' ? 'Array' : make!.name}`);
      }
    }
    rows.push({ values, length });
  }
  const step = (inner ?? []).reduce((product, size) => product * size, 1);
  let longest = 0;
  for (const row of rows) longest = Math.max(longest, row.length);
  let target = settings.length ?? longest;
  if (settings.length !== undefined && longest > settings.length && !settings.truncate) {
    const row = rows.findIndex((candidate) => candidate.length > settings.length!);
    throw new InvalidArgumentError(`${OWNER}: ${what} of element ${row} has ${rows[row]!.length} rows, more than length ${settings.length}; pass truncate: true to cut it`);
  }
  target = Math.ceil(target / settings.multipleOf) * settings.multipleOf;
  const pad = settings.value !== undefined ? settings.value : defaultPad(rows, make);
  const total = batch * target * step;
  const values = make === undefined ? new Array<unknown>(total) : new make(total);
  const lengths = new Int32Array(batch);
  const mask = settings.mask ? new Uint8Array(batch * target) : undefined;
  const fill = make === undefined || pad !== 0 ? pad : undefined;
  for (let row = 0; row < batch; row++) {
    const source = rows[row]!;
    const kept = Math.min(source.length, target);
    lengths[row] = kept;
    const start = row * target * step;
    const used = kept * step;
    if (make !== undefined && ArrayBuffer.isView(source.values) && ArrayBuffer.isView(values)) {
      (values as unknown as TypedArray).set((source.values as unknown as TypedArray).subarray(0, used) as never, start);
    } else {
      for (let k = 0; k < used; k++) values[start + k] = source.values[k];
    }
    if (fill !== undefined) for (let k = used; k < target * step; k++) values[start + k] = fill;
    if (mask !== undefined) mask.fill(1, row * target, row * target + kept);
  }
  const shape = [batch, target, ...(inner ?? [])];
  return mask === undefined ? { kind: 'dense', values, shape, lengths } : { kind: 'dense', values, shape, lengths, mask };
}

function ragged(what: string): UnsupportedError {
  return new UnsupportedError(`${OWNER}: ${what} is a ragged feature (rows of rows); parse it with layout: 'padded', or pad it in a map step`);
}

/** The default padding value for rows of this kind. */
function defaultPad(rows: readonly Row[], make: Constructor | undefined): unknown {
  if (make === BigInt64Array || make === BigUint64Array) return 0n;
  if (make !== undefined) return 0;
  const sample = rows.find((row) => row.values.length > 0)?.values[0];
  if (typeof sample === 'number') return 0;
  if (typeof sample === 'bigint') return 0n;
  if (typeof sample === 'string') return '';
  if (sample instanceof Uint8Array) return new Uint8Array(0);
  return null;
}

/** A field that is not padded: dense features of one shape stacked, anything else listed. */
function stack(column: readonly unknown[], name: string): unknown {
  if (!column.every(isDense)) return column;
  const features = column as readonly DenseValues<ArrayLike<unknown>>[];
  const shape = features[0]!.shape;
  for (let row = 1; row < features.length; row++) {
    const other = features[row]!.shape;
    if (other.length !== shape.length || other.some((size, k) => size !== shape[k])) {
      throw new InvalidArgumentError(
        `${OWNER}: field '${name}' has shape [${other.join(', ')}] in element ${row} and [${shape.join(', ')}] in element 0; list it in fields to pad it`,
      );
    }
  }
  const { values } = padColumn(
    features.map((feature) => ({ kind: 'dense', values: feature.values, shape: [1, ...shape] })),
    { length: 1, multipleOf: 1, truncate: false, value: undefined, mask: false },
    `field '${name}'`,
  );
  return { kind: 'dense', values, shape: [features.length, ...shape] };
}
