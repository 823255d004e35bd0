// Decodes one SequenceExample feature list across a batch: fixed-shape steps (padded or ragged) or variable steps (ragged twice).

import { InvalidArgumentError } from '../format/errors.js';
import { MAX_VALUES, type BatchInput, type Column } from './batch-column.js';
import { KIND_BYTES, KIND_FLOAT, KIND_INT64, KIND_NONE, KIND_OF_DTYPE, kindName } from './feature-cursor.js';
import { shapeSize, type FixedLenSequenceFeature, type SequenceFeature, type VarLenFeature } from './feature-spec.js';
import { Int32Buffer, OutputBuffer } from './output-buffers.js';
import {
  featureListError,
  missingFeatureListError,
  rethrowDecodeFailure,
  stepCountError,
  type RecordNames,
} from './parse-errors.js';
import type { FeatureValues, ParsedFeature } from './parsed-feature.js';
import { fillValues, valueReader, type ListValueType, type ValueReader } from './value-readers.js';
import { WireReader, delimitedTag } from './wire.js';

const STEP_TAG = delimitedTag(1);
/** The fewest bytes one value takes in a list: a packed varint, a packed float, a bytes value's tag and length. */
const MIN_VALUE_BYTES: Readonly<Record<number, number>> = { [KIND_INT64]: 1, [KIND_FLOAT]: 4, [KIND_BYTES]: 2 };

/** The column for a feature list. */
export function featureListColumn(key: string, feature: SequenceFeature, reuse: boolean): Column {
  return feature.kind === 'varLen' ? new VarStepsColumn(key, feature, reuse) : new FixedStepsColumn(key, feature, reuse);
}

/** Walks the steps (Feature messages) of one serialized FeatureList, skipping unknown fields. */
class StepWalker {
  stepStart = 0;
  stepEnd = 0;
  buffer: Uint8Array = new Uint8Array(0);
  private readonly reader = new WireReader();

  /** Opens the FeatureList of slot `feature` of record `index`; false when the record lacks it. */
  begin(input: BatchInput, index: number, feature: number): boolean {
    const slots = input.slots;
    const slot = index * slots.width + feature;
    const start = slots.start[slot]!;
    if (start < 0) return false;
    this.buffer = slots.bufferOf(slot, input.records[index]!);
    this.reader.reset(this.buffer, start, slots.end[slot]!);
    return true;
  }

  /** Bytes of the FeatureList of slot `feature` of record `index` (0 when the record lacks it). */
  listBytes(input: BatchInput, index: number, feature: number): number {
    const slot = index * input.slots.width + feature;
    return input.slots.start[slot]! < 0 ? 0 : input.slots.end[slot]! - input.slots.start[slot]!;
  }

  /** Moves to the next step; false after the last. */
  next(): boolean {
    const reader = this.reader;
    while (reader.pos < reader.end) {
      const tag = reader.readTag();
      if (tag === STEP_TAG) {
        const length = reader.readLength();
        this.stepStart = reader.pos;
        this.stepEnd = reader.pos + length;
        reader.pos += length;
        return true;
      }
      reader.skipField(tag);
    }
    return false;
  }
}

/** Shared state of the per-step loops, so errors can name the record and step. */
abstract class StepsColumn implements Column {
  readonly eager = undefined;
  protected readonly kind: number;
  protected readonly read: ValueReader;
  protected readonly walker = new StepWalker();
  protected readonly output: OutputBuffer<ListValueType>;
  protected readonly stepSplitsBuffer: Int32Buffer;
  protected index = 0;
  protected step = 0;

  constructor(
    protected readonly key: string,
    feature: SequenceFeature,
    reuse: boolean,
  ) {
    this.kind = KIND_OF_DTYPE[feature.dtype];
    this.read = valueReader(feature.valueType as ListValueType);
    this.output = new OutputBuffer(feature.valueType as ListValueType, reuse);
    this.stepSplitsBuffer = new Int32Buffer(reuse);
  }

  /** Nothing to prepare: outputs are sized after the scan has counted the steps. */
  begin(): void {}

  decodeBatch(input: BatchInput, feature: number): ParsedFeature {
    this.index = 0;
    this.step = -1;
    try {
      return this.decode(input, feature);
    } catch (error) {
      // A value that does not fit its output (an int32 overflow) is no parse failure: say only what it is.
      rethrowDecodeFailure(error, (failure) =>
        featureListError(
          input.names,
          this.key,
          this.index,
          Math.max(this.step, 0),
          failure.malformed ? `Can't parse serialized SequenceExample: ${failure.reason}` : failure.reason,
        ),
      );
    }
  }

  protected abstract decode(input: BatchInput, feature: number): ParsedFeature;

  /** Counts the steps of every record into splits (length count + 1); absent lists count 0. */
  protected countSteps(input: BatchInput, feature: number, allowMissing: boolean): Int32Array {
    const splits = this.stepSplitsBuffer.take(input.count + 1);
    splits[0] = 0;
    let total = 0;
    for (this.index = 0; this.index < input.count; this.index++) {
      if (this.walker.begin(input, this.index, feature)) {
        for (this.step = 0; this.walker.next(); this.step++) total++;
      } else if (!allowMissing) {
        throw missingFeatureListError(input.names, this.key, this.index);
      }
      splits[this.index + 1] = total;
    }
    return splits;
  }

  /** Opens the current step and checks its kind; KIND_NONE for a step with no list. */
  protected openStep(input: BatchInput, names: RecordNames): number {
    const kind = input.cursor.open(this.walker.buffer, this.walker.stepStart, this.walker.stepEnd);
    if (kind !== KIND_NONE && kind !== this.kind) {
      throw featureListError(
        names,
        this.key,
        this.index,
        this.step,
        `Data types don't match. Expected type: ${kindName(this.kind)}, Actual type: ${kindName(kind)}`,
      );
    }
    return kind;
  }
}

/** fixedLenSequence feature lists: each step is one row of `shape`. */
class FixedStepsColumn extends StepsColumn {
  private readonly rowSize: number;
  private readonly lengthsBuffer: Int32Buffer;

  constructor(
    key: string,
    private readonly feature: FixedLenSequenceFeature,
    reuse: boolean,
  ) {
    super(key, feature, reuse);
    this.rowSize = shapeSize(feature.shape);
    this.lengthsBuffer = new Int32Buffer(reuse);
  }

  protected decode(input: BatchInput, feature: number): ParsedFeature {
    const { count, names, cursor } = input;
    const { rowSize, read } = this;
    const { shape, layout, padValue } = this.feature;
    const stepSplits = this.countSteps(input, feature, this.feature.allowMissing);
    this.checkRowsFit(input, feature, stepSplits);
    let longest = 0;
    for (let row = 0; row < count; row++) longest = Math.max(longest, stepSplits[row + 1]! - stepSplits[row]!);
    const padded = layout === 'padded';
    const size = (padded ? count * longest : stepSplits[count]!) * rowSize;
    if (size > MAX_VALUES) {
      throw new InvalidArgumentError(`feature list '${this.key}': a batch of ${count} holds more than ${MAX_VALUES} values`);
    }
    const values: FeatureValues = this.output.take(size);
    if (padded) fillValues(values, padValue, 0, size);
    for (this.index = 0; this.index < count; this.index++) {
      if (!this.walker.begin(input, this.index, feature)) continue;
      const firstRow = padded ? this.index * longest : stepSplits[this.index]!;
      for (this.step = 0; this.walker.next(); this.step++) {
        const found = this.openStep(input, names) === KIND_NONE ? 0 : read(cursor, values, (firstRow + this.step) * rowSize, rowSize);
        if (found !== rowSize) throw stepCountError(names, this.key, this.index, this.step, found, shape);
      }
    }
    if (!padded) {
      return { kind: 'ragged', values, shape: [stepSplits[count]!, ...shape], rowSplits: stepSplits, nestedRowSplits: [stepSplits] };
    }
    const lengths = this.lengthsBuffer.take(count);
    for (let row = 0; row < count; row++) lengths[row] = stepSplits[row + 1]! - stepSplits[row]!;
    return { kind: 'dense', values, shape: [count, longest, ...shape], lengths };
  }

  /**
   * Refuses a record whose list is too short to hold a row in every step before the output is sized
   * from its step count: an empty step takes 2 bytes, so a few KB of them would otherwise allocate
   * (and pad) `rowSize` values each before the first one is found short.
   */
  private checkRowsFit(input: BatchInput, feature: number, stepSplits: Int32Array): void {
    const minBytes = MIN_VALUE_BYTES[this.kind]!;
    for (let index = 0; index < input.count; index++) {
      const steps = stepSplits[index + 1]! - stepSplits[index]!;
      if (steps * this.rowSize * minBytes <= this.walker.listBytes(input, index, feature)) continue;
      // A step of this record is short: report the first bad step, in the order decode would.
      for (this.index = 0; this.index <= index; this.index++) this.checkSteps(input, feature);
    }
  }

  /** Checks the kind and value count of every step of record `this.index`. */
  private checkSteps(input: BatchInput, feature: number): void {
    if (!this.walker.begin(input, this.index, feature)) return;
    for (this.step = 0; this.walker.next(); this.step++) {
      const found = this.openStep(input, input.names) === KIND_NONE ? 0 : input.cursor.count();
      if (found !== this.rowSize) throw stepCountError(input.names, this.key, this.index, this.step, found, this.feature.shape);
    }
  }
}

/** varLen feature lists: any number of values per step, returned ragged twice. */
class VarStepsColumn extends StepsColumn {
  private readonly valueSplitsBuffer: Int32Buffer;

  constructor(key: string, feature: VarLenFeature, reuse: boolean) {
    super(key, feature, reuse);
    this.valueSplitsBuffer = new Int32Buffer(reuse);
  }

  protected decode(input: BatchInput, feature: number): ParsedFeature {
    const { count, names, cursor } = input;
    const stepSplits = this.countSteps(input, feature, true);
    const valueSplits = this.valueSplitsBuffer.take(stepSplits[count]! + 1);
    valueSplits[0] = 0;
    let total = 0;
    let flatStep = 0;
    for (this.index = 0; this.index < count; this.index++) {
      if (!this.walker.begin(input, this.index, feature)) continue;
      for (this.step = 0; this.walker.next(); this.step++) {
        if (this.openStep(input, names) !== KIND_NONE) total += cursor.count();
        if (total > MAX_VALUES) {
          throw featureListError(names, this.key, this.index, this.step, `Batch holds more than ${MAX_VALUES} values`);
        }
        valueSplits[++flatStep] = total;
      }
    }
    const values = this.output.take(total);
    flatStep = 0;
    for (this.index = 0; this.index < count; this.index++) {
      if (!this.walker.begin(input, this.index, feature)) continue;
      for (this.step = 0; this.walker.next(); this.step++, flatStep++) {
        const start = valueSplits[flatStep]!;
        const found = valueSplits[flatStep + 1]! - start;
        if (found > 0 && this.openStep(input, names) !== KIND_NONE) this.read(cursor, values, start, found);
      }
    }
    return { kind: 'ragged', values, shape: [total], rowSplits: stepSplits, nestedRowSplits: [stepSplits, valueSplits] };
  }
}
