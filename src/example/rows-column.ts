// Column decoder of Example features with rows: varLen (rows of one value) and fixedLenSequence (rows of a shape).

import { InvalidArgumentError } from '../format/errors.js';
import { MAX_VALUES, openSlot, type BatchInput, type Column } from './batch-column.js';
import { KIND_NONE, KIND_OF_DTYPE } from './feature-cursor.js';
import { shapeSize, type FixedLenSequenceFeature, type VarLenFeature } from './feature-spec.js';
import { Int32Buffer, OutputBuffer } from './output-buffers.js';
import {
  decodeError,
  featureError,
  fixedTypeError,
  rethrowDecodeFailure,
  strideError,
  varLenTypeError,
} from './parse-errors.js';
import type { FeatureValues, ParsedFeature } from './parsed-feature.js';
import { fillValues, valueReader, type ListValueType, type ValueReader } from './value-readers.js';

/** varLen (rows of one value) and fixedLenSequence (rows of `shape`) in an Example. */
export class RowsColumn implements Column {
  readonly eager = undefined;
  private readonly rowShape: readonly number[];
  private readonly rowSize: number;
  private readonly kind: number;
  private readonly read: ValueReader;
  private readonly output: OutputBuffer<ListValueType>;
  private readonly splitsBuffer: Int32Buffer;
  private readonly lengthsBuffer: Int32Buffer;

  constructor(
    private readonly key: string,
    private readonly feature: VarLenFeature | FixedLenSequenceFeature,
    reuse: boolean,
  ) {
    this.rowShape = feature.kind === 'varLen' ? [] : feature.shape;
    this.rowSize = shapeSize(this.rowShape);
    this.kind = KIND_OF_DTYPE[feature.dtype];
    this.read = valueReader(feature.valueType as ListValueType);
    this.output = new OutputBuffer(feature.valueType as ListValueType, reuse);
    this.splitsBuffer = new Int32Buffer(reuse);
    this.lengthsBuffer = new Int32Buffer(reuse);
  }

  /** Nothing to prepare: outputs are sized after the scan has counted the rows. */
  begin(): void {}

  decodeBatch(input: BatchInput, feature: number): ParsedFeature {
    const { count, cursor, names } = input;
    const { rowSize, kind: expected, read, key, rowShape } = this;
    const valueSplits = this.splitsBuffer.take(count + 1);
    let index = 0;
    try {
      valueSplits[0] = 0;
      let total = 0;
      for (; index < count; index++) {
        const kind = openSlot(input, index, feature);
        let found = 0;
        if (kind !== KIND_NONE) {
          if (kind !== expected) {
            throw this.feature.kind === 'varLen'
              ? varLenTypeError(names, key, index, kind, expected)
              : fixedTypeError(names, key, index, kind, expected);
          }
          found = cursor.count();
          if (found % rowSize !== 0) throw strideError(names, key, index, expected, found, rowShape);
        }
        total += found;
        if (total > MAX_VALUES) throw featureError(names, key, index, `Batch holds more than ${MAX_VALUES} values`);
        valueSplits[index + 1] = total;
      }
      if (this.feature.layout === 'ragged') {
        const values = this.output.take(total);
        for (index = 0; index < count; index++) {
          const start = valueSplits[index]!;
          const found = valueSplits[index + 1]! - start;
          if (found > 0 && openSlot(input, index, feature) !== KIND_NONE) read(cursor, values, start, found);
        }
        const rowSplits = rowSize === 1 ? valueSplits : valueSplits.map((split) => split / rowSize);
        return {
          kind: 'ragged',
          values,
          shape: [total / rowSize, ...rowShape],
          rowSplits,
          nestedRowSplits: [rowSplits],
        };
      }
      const lengths = this.lengthsBuffer.take(count);
      let longest = 0;
      for (let row = 0; row < count; row++) {
        lengths[row] = (valueSplits[row + 1]! - valueSplits[row]!) / rowSize;
        if (lengths[row]! > longest) longest = lengths[row]!;
      }
      const stride = longest * rowSize;
      if (count * stride > MAX_VALUES) {
        throw new InvalidArgumentError(`feature '${key}': padded to ${longest} rows, a batch of ${count} holds more than ${MAX_VALUES} values`);
      }
      const values: FeatureValues = this.output.take(count * stride);
      fillValues(values, this.feature.padValue, 0, count * stride);
      for (index = 0; index < count; index++) {
        const found = lengths[index]! * rowSize;
        if (found > 0 && openSlot(input, index, feature) !== KIND_NONE) read(cursor, values, index * stride, found);
      }
      return { kind: 'dense', values, shape: [count, longest, ...rowShape], lengths };
    } catch (error) {
      rethrowDecodeFailure(error, (failure) => decodeError(names, key, index, failure));
    }
  }
}
