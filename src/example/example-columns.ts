// Column decoders of fixed-size Example features: fixedLen lists and fixedLenRaw bytes, one typed array per batch.

import { InvalidArgumentError } from '../format/errors.js';
import { MAX_VALUES, openSlot, type BatchInput, type Column } from './batch-column.js';
import { BYTES_LIST_TAG, EAGER_BY_CALL, EAGER_INT32_LIST, EAGER_SINGLE_BYTES, type EagerDecoder } from './eager-decoder.js';
import { KIND_BYTES, KIND_NONE, KIND_OF_DTYPE } from './feature-cursor.js';
import { SLOT_DECODED, SLOT_MISSING } from './feature-map-scan.js';
import { shapeSize, type ExampleFeature, type FixedLenFeature, type FixedLenRawFeature, type ValuesOf } from './feature-spec.js';
import { OutputBuffer } from './output-buffers.js';
import {
  countError,
  decodeError,
  featureError,
  fixedTypeError,
  missingFeatureError,
  rethrowDecodeFailure,
} from './parse-errors.js';
import type { FeatureValues, ParsedFeature } from './parsed-feature.js';
import { RowsColumn } from './rows-column.js';
import { copyRow, valueReader, type ListValueType, type ValueReader } from './value-readers.js';
import { LITTLE_ENDIAN } from './wire.js';

/**
 * The column for an Example (or, with `inContext`, a SequenceExample context) feature. In a context
 * a fixed-size feature whose entry holds an empty Feature is not missing but short of values:
 * TensorFlow takes the default only when no entry names the key (example_proto_fast_parsing.cc,
 * ParseContextDenseFeatures: `!protos_present[e]`), and an Example parse takes it for an empty
 * Feature too (FastParseSerializedExample: DT_INVALID counts as missing).
 */
export function exampleColumn(key: string, feature: ExampleFeature, reuse: boolean, inContext = false): Column {
  switch (feature.kind) {
    case 'fixedLen':
      return new FixedLenColumn(key, feature, reuse, inContext);
    case 'fixedLenRaw':
      return new RawColumn(key, feature, reuse, inContext);
    default:
      return new RowsColumn(key, feature, reuse);
  }
}

/** Allocates the `count * size` output of a fixed-size feature, checking the size limit. */
function takeRows<T extends FeatureValues>(output: { take(length: number): T }, key: string, count: number, size: number): T {
  if (count * size > MAX_VALUES) {
    throw new InvalidArgumentError(`feature '${key}': a batch of ${count} holds more than ${MAX_VALUES} values`);
  }
  return output.take(count * size);
}

/** fixedLen: `shape` values per record; int64-as-int32 values are decoded during the scan. */
class FixedLenColumn implements Column, EagerDecoder {
  readonly eager: EagerDecoder | undefined;
  readonly eagerKind = EAGER_INT32_LIST;
  readonly eagerSize: number;
  eagerOutput: Int32Array = new Int32Array(0);
  private readonly size: number;
  private readonly kind: number;
  private readonly read: ValueReader;
  private readonly output: OutputBuffer<ListValueType>;
  private values: FeatureValues = [];

  constructor(
    private readonly key: string,
    private readonly feature: FixedLenFeature,
    reuse: boolean,
    private readonly inContext: boolean,
  ) {
    this.size = shapeSize(feature.shape);
    this.kind = KIND_OF_DTYPE[feature.dtype];
    this.read = valueReader(feature.valueType as ListValueType);
    this.output = new OutputBuffer(feature.valueType as ListValueType, reuse);
    this.eagerSize = this.size;
    this.eager = feature.valueType === 'int32' ? this : undefined;
  }

  begin(count: number): void {
    this.values = takeRows(this.output, this.key, count, this.size);
    if (this.eager !== undefined) this.eagerOutput = this.values as Int32Array;
  }

  decodeBatch(input: BatchInput, feature: number): ParsedFeature {
    const { count, cursor, names, slots } = input;
    const { size, kind: expected, read, key, values } = this;
    const defaultValue = this.feature.defaultValue;
    const result: ParsedFeature = { kind: 'dense', values, shape: [count, ...this.feature.shape] };
    if (slots.decodedCounts[feature] === count) return result;
    let index = 0;
    try {
      for (; index < count; index++) {
        if (slots.start[index * slots.width + feature] === SLOT_DECODED) continue;
        const kind = openSlot(input, index, feature);
        if (kind === KIND_NONE) {
          if (this.inContext && isPresent(input, index, feature)) throw countError(names, key, index, expected, 0, this.feature.shape);
          if (defaultValue === undefined) throw missingFeatureError(names, key, expected, index);
          copyRow(values, index * size, defaultValue);
          continue;
        }
        if (kind !== expected) throw fixedTypeError(names, key, index, kind, expected);
        const found = read(cursor, values, index * size, size);
        if (found !== size) throw countError(names, key, index, expected, found, this.feature.shape);
      }
    } catch (error) {
      rethrowDecodeFailure(error, (failure) => decodeError(names, key, index, failure));
    }
    return result;
  }
}

/** fixedLenRaw: one bytes value per record, copied (and widened) into the output; decoded during the scan. */
class RawColumn implements Column, EagerDecoder {
  readonly eager: EagerDecoder;
  eagerKind = EAGER_BY_CALL;
  eagerSize = 0;
  eagerOutput: Uint8Array | Int32Array | Float32Array = new Uint8Array(0);
  private readonly size: number;
  private readonly byteLength: number;
  private readonly output: OutputBuffer<'uint8' | 'int32' | 'float32'>;
  private values: ValuesOf<'uint8' | 'int32' | 'float32'> = new Uint8Array(0);
  /** Byte view of `values`, when raw words are copied as bytes (int32 -> int32, float32 -> float32). */
  private valueBytes: Uint8Array | undefined;
  /** Receives int32 words that become float32: bytes in, then `set` converts natively. */
  private readonly wordScratch: Int32Array;
  private readonly wordScratchBytes: Uint8Array;

  constructor(
    private readonly key: string,
    private readonly feature: FixedLenRawFeature,
    reuse: boolean,
    private readonly inContext: boolean,
  ) {
    this.size = shapeSize(feature.shape);
    this.byteLength = this.size * (feature.rawType === 'uint8' ? 1 : 4);
    this.output = new OutputBuffer(feature.valueType, reuse);
    const converts = feature.rawType === 'int32' && feature.valueType !== 'int32';
    this.wordScratch = new Int32Array(converts ? this.size : 0);
    this.wordScratchBytes = new Uint8Array(this.wordScratch.buffer);
    this.eager = this;
  }

  begin(count: number): void {
    const values = takeRows(this.output, this.key, count, this.size);
    this.values = values;
    const { rawType, valueType } = this.feature;
    this.valueBytes =
      rawType !== 'uint8' && rawType === valueType ? new Uint8Array(values.buffer, values.byteOffset, values.byteLength) : undefined;
    // The scanner copies bytes itself where one `set` does the whole row: bytes into any output
    // (widened natively), or little-endian words into an output of their own type.
    if (rawType === 'uint8') this.eagerAs(EAGER_SINGLE_BYTES, values, this.size);
    else if (this.valueBytes !== undefined && LITTLE_ENDIAN) this.eagerAs(EAGER_SINGLE_BYTES, this.valueBytes, this.byteLength);
    else this.eagerAs(EAGER_BY_CALL, values, this.size);
  }

  private eagerAs(kind: number, output: Uint8Array | Int32Array | Float32Array, size: number): void {
    this.eagerKind = kind;
    this.eagerOutput = output;
    this.eagerSize = size;
  }

  decodeEager(bytes: Uint8Array, listTag: number, start: number, end: number, record: number): boolean {
    if (listTag !== BYTES_LIST_TAG || end - start !== this.byteLength) return false;
    this.copyRaw(bytes, start, record);
    return true;
  }

  /** Copies one raw value into row `record`: `set` widens uint8 natively; words go through bytes. */
  private copyRaw(bytes: Uint8Array, start: number, record: number): void {
    const raw = bytes.subarray(start, start + this.byteLength);
    const offset = record * this.size;
    const valueBytes = this.valueBytes;
    if (this.feature.rawType === 'uint8') {
      this.values.set(raw, offset);
    } else if (valueBytes !== undefined) {
      valueBytes.set(raw, offset * 4);
      if (!LITTLE_ENDIAN) swapWords(valueBytes, offset * 4, this.byteLength);
    } else {
      this.wordScratchBytes.set(raw);
      if (!LITTLE_ENDIAN) swapWords(this.wordScratchBytes, 0, this.byteLength);
      this.values.set(this.wordScratch, offset);
    }
  }

  decodeBatch(input: BatchInput, feature: number): ParsedFeature {
    const { count, cursor, names, slots } = input;
    const { size, byteLength, key, values } = this;
    const { rawType, defaultValue, shape } = this.feature;
    const result: ParsedFeature = { kind: 'dense', values, shape: [count, ...shape] };
    if (slots.decodedCounts[feature] === count) return result;
    let index = 0;
    try {
      for (; index < count; index++) {
        if (slots.start[index * slots.width + feature] === SLOT_DECODED) continue;
        const kind = openSlot(input, index, feature);
        if (kind === KIND_NONE) {
          if (this.inContext && isPresent(input, index, feature)) throw countError(names, key, index, KIND_BYTES, 0, []);
          if (defaultValue === undefined) throw missingFeatureError(names, key, KIND_BYTES, index);
          values.set(defaultValue, index * size);
          continue;
        }
        if (kind !== KIND_BYTES) throw fixedTypeError(names, key, index, kind, KIND_BYTES);
        const found = cursor.readSingleBytes();
        if (found !== 1) throw countError(names, key, index, KIND_BYTES, found, []);
        const length = cursor.valueEnd - cursor.valueStart;
        if (length !== byteLength) {
          throw featureError(
            names,
            key,
            index,
            `Number of raw bytes != expected.  Byte length: ${length} but output shape [${shape.join(',')}] of ${rawType} needs ${byteLength}`,
          );
        }
        this.copyRaw(cursor.buffer, cursor.valueStart, index);
      }
    } catch (error) {
      rethrowDecodeFailure(error, (failure) => decodeError(names, key, index, failure));
    }
    return result;
  }
}

/** Whether record `index` has a map entry for slot column `feature` (even one holding an empty Feature). */
function isPresent(input: BatchInput, index: number, feature: number): boolean {
  return input.slots.start[index * input.slots.width + feature] !== SLOT_MISSING;
}

function swapWords(bytes: Uint8Array, start: number, length: number): void {
  for (let pos = start; pos < start + length; pos += 4) {
    const b0 = bytes[pos]!;
    const b1 = bytes[pos + 1]!;
    bytes[pos] = bytes[pos + 3]!;
    bytes[pos + 1] = bytes[pos + 2]!;
    bytes[pos + 2] = b1;
    bytes[pos + 3] = b0;
  }
}
