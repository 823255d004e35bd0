// Parses serialized tf.Example records against a feature spec into typed arrays, one array per feature per batch.

import { InvalidArgumentError } from '../format/errors.js';
import { checkOptions, optionNames, requireBoolean } from '../format/options-check.js';
import type { BatchInput, Column } from './batch-column.js';
import { exampleColumn } from './example-columns.js';
import { FeatureCursor } from './feature-cursor.js';
import { KeyMatcher, MapScanner, SlotTable } from './feature-map-scan.js';
import { resolveFeature, type ExampleFeature, type ExampleSpec } from './feature-spec.js';
import { checkRecordArray, RecordNames, recordError, rethrowDecodeFailure } from './parse-errors.js';
import type { ParsedBatch, ParsedExample, ParsedFeature } from './parsed-feature.js';
import { WireReader, delimitedTag } from './wire.js';

/** Options of ExampleParser and SequenceExampleParser. */
export interface ParserOptions {
  /**
   * Reuse the typed arrays of the previous batch (returned as views of the needed length), so a
   * steady loop allocates nothing. Results are then valid only until the next parse call — use it
   * when each batch is consumed (e.g. copied into tensors) before the next one is parsed.
   */
  readonly reuseOutputs?: boolean;
}

const EXAMPLE_KINDS = ['fixedLen', 'fixedLenRaw', 'varLen', 'fixedLenSequence'] as const;
const PARSER_OPTIONS = optionNames<ParserOptions>({ reuseOutputs: true });

/**
 * The `reuseOutputs` flag of checked parser options.
 * @throws InvalidOptionsError for an unknown option (named, with the nearest known one) or a non-boolean.
 * @example
 * resolveParserOptions('ExampleParser', { reuseOutputs: true }); // true
 * resolveParserOptions('ExampleParser', { reuse: true }); // throws: ExampleParser: unknown option reuse; did you mean reuseOutputs?
 */
export function resolveParserOptions(owner: string, options: ParserOptions): boolean {
  checkOptions(owner, options, PARSER_OPTIONS);
  return requireBoolean(owner, 'reuseOutputs', options.reuseOutputs, false);
}
const FEATURES_TAG = delimitedTag(1);

/**
 * Parses tf.Example records with the semantics of `tf.io.parse_example`: fixedLen features are
 * required unless they have a default, varLen and fixedLenSequence features may be missing,
 * values must have the spec's dtype and count. Each batch parse writes every feature straight
 * into one typed array (no object per record). Protobuf rules hold throughout: packed and
 * unpacked lists, unknown fields skipped, the last map entry of a key wins (except that, as in
 * TensorFlow, a last entry holding an empty Feature does not replace an earlier one for a dense
 * feature, nor for any feature in `parse`), repeated messages merge. Errors are ParseErrors
 * worded like TensorFlow's, with the record index and key; when several records are bad, a malformed record is reported first, then the first bad record of
 * the first failing feature in spec order.
 *
 * @throws InvalidArgumentError from the constructor when the spec is invalid; InvalidOptionsError for
 *   an unknown option (named, with the nearest known one: `reuse` suggests reuseOutputs) or an unknown
 *   field of a hand-written feature.
 * @example
 * const parser = new ExampleParser({
 *   image: fixedLenRaw([28, 28, 1], { as: 'float32' }),
 *   label: fixedLen([], 'int64'),
 * });
 * const batch = parser.parseBatch(records); // batch.image.values: Float32Array, shape [n, 28, 28, 1]
 */
export class ExampleParser<S extends ExampleSpec> {
  /** The spec as the parser resolved it (hand-written features normalized). */
  readonly spec: S;
  private readonly keys: readonly string[];
  private readonly columns: readonly Column[];
  private readonly scanner: MapScanner;
  private readonly slots: SlotTable;
  private readonly cursor = new FeatureCursor();
  private readonly reader = new WireReader();
  /** MapScanner.keepOnEmpty of a batch parse: dense features keep an entry a later empty one repeats. */
  private readonly keepOnEmptyInBatch: Uint8Array;
  /** MapScanner.keepOnEmpty of a single parse: every feature does. */
  private readonly keepOnEmptyInSingle: Uint8Array;

  constructor(spec: S, options: ParserOptions = {}) {
    if (typeof spec !== 'object' || spec === null) throw new InvalidArgumentError('spec must be an object of features');
    const reuse = resolveParserOptions('ExampleParser', options);
    this.keys = Object.keys(spec);
    const resolved: Record<string, ExampleFeature> = {};
    for (const key of this.keys) {
      const feature = resolveFeature(key, spec[key], EXAMPLE_KINDS);
      if (feature.kind === 'fixedLenSequence' && !feature.allowMissing) {
        throw new InvalidArgumentError(
          `feature '${key}': fixedLenSequence in an Example needs allowMissing: true (as in tf.io.parse_example)`,
        );
      }
      resolved[key] = feature;
    }
    this.spec = resolved as S;
    this.columns = this.keys.map((key) => exampleColumn(key, resolved[key]!, reuse));
    this.scanner = new MapScanner(
      new KeyMatcher(this.keys),
      this.columns.map((column) => column.eager),
    );
    this.slots = new SlotTable(this.keys.length);
    // TensorFlow's rules for a key repeated in one record, its last entry an empty Feature
    // (example_proto_fast_parsing.cc): a batch skips the empty entry for dense features
    // (FastParseSerializedExample) but not for sparse or ragged ones; a single parse skips it for
    // every feature (FastParseSingleExample).
    this.keepOnEmptyInBatch = Uint8Array.from(this.keys, (key) => (resolved[key]!.kind === 'varLen' ? 0 : 1));
    this.keepOnEmptyInSingle = new Uint8Array(this.keys.length).fill(1);
  }

  /**
   * Parses a batch: each feature becomes one array with the batch dimension first.
   * @param names optional record names for error messages (TensorFlow's `names`), else `<unknown>`.
   * @throws ParseError for a malformed record or a feature that breaks the spec (index = record).
   * @throws InvalidArgumentError when a record is not a Uint8Array.
   */
  parseBatch(records: readonly Uint8Array[], names?: readonly string[]): ParsedBatch<S> {
    return this.parseRecords(records, names, this.keepOnEmptyInBatch);
  }

  private parseRecords(records: readonly Uint8Array[], names: readonly string[] | undefined, keepOnEmpty: Uint8Array): ParsedBatch<S> {
    checkRecordArray(records, 'ExampleParser');
    this.scanner.keepOnEmpty = keepOnEmpty;
    const count = records.length;
    const slots = this.slots;
    const recordNames = new RecordNames(names);
    slots.reset(count);
    for (const column of this.columns) column.begin(count);
    try {
      this.scanner.scanRecords(records, count, FEATURES_TAG, slots, this.scanOther);
    } catch (error) {
      const index = this.scanner.current;
      rethrowDecodeFailure(error, (failure) => recordError(recordNames, index, 'example', failure));
    }
    const input: BatchInput = { records, count, slots, names: recordNames, cursor: this.cursor };
    const result: Record<string, ParsedFeature> = {};
    for (let feature = 0; feature < this.columns.length; feature++) {
      result[this.keys[feature]!] = this.columns[feature]!.decodeBatch(input, feature);
    }
    return result as ParsedBatch<S>;
  }

  /**
   * Parses one record (`tf.io.parse_single_example`): shapes have no batch dimension, and
   * varLen / fixedLenSequence features come back dense with their own length.
   * @throws ParseError as parseBatch does (index 0).
   */
  parse(record: Uint8Array, name?: string): ParsedExample<S> {
    const names = name === undefined ? undefined : [name];
    const batch = this.parseRecords([record], names, this.keepOnEmptyInSingle) as Record<string, ParsedFeature>;
    const result: Record<string, ParsedFeature> = {};
    for (const key of this.keys) result[key] = unbatch(batch[key]!);
    return result as ParsedExample<S>;
  }

  /** Scans a record that is not just the `features` field (or not a record at all). */
  private readonly scanOther = (record: unknown, index: number): void => {
    if (!(record instanceof Uint8Array)) {
      throw new InvalidArgumentError(`record ${index} is ${describe(record)}, expected a Uint8Array`, { index });
    }
    const reader = this.reader;
    reader.reset(record, 0, record.length);
    while (reader.pos < reader.end) {
      const tag = reader.readTag();
      if (tag === FEATURES_TAG) {
        const length = reader.readLength();
        this.scanner.scan(record, reader.pos, reader.pos + length, this.slots, index);
        reader.pos += length;
      } else {
        reader.skipField(tag);
      }
    }
  };
}

/** Drops the batch dimension of a one-record batch result. */
export function unbatch(feature: ParsedFeature): ParsedFeature {
  if (feature.kind === 'dense') return { kind: 'dense', values: feature.values, shape: feature.shape.slice(1) };
  const inner = feature.nestedRowSplits.slice(1);
  if (inner.length === 0) return { kind: 'dense', values: feature.values, shape: feature.shape };
  return { kind: 'ragged', values: feature.values, shape: feature.shape, rowSplits: inner[0]!, nestedRowSplits: inner };
}

/** Describes a non-record value in an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'object'}`;
  return typeof value;
}

const parsers = new WeakMap<object, ExampleParser<ExampleSpec>>();

function parserFor<S extends ExampleSpec>(spec: S): ExampleParser<S> {
  let parser = parsers.get(spec);
  if (parser === undefined) {
    parser = new ExampleParser(spec);
    parsers.set(spec, parser);
  }
  return parser as ExampleParser<S>;
}

/**
 * Parses one serialized tf.Example (`tf.io.parse_single_example`); the parser built for `spec`
 * is cached, so calling this in a loop with the same spec object costs no setup.
 * @throws InvalidArgumentError for an invalid spec; ParseError for a record that breaks it.
 * @example
 * const { label, score } = parseExample(record, { label: fixedLen([], 'int64'), score: fixedLen([2], 'float32') });
 */
export function parseExample<S extends ExampleSpec>(record: Uint8Array, spec: S): ParsedExample<S> {
  return parserFor(spec).parse(record);
}

/**
 * Parses a batch of serialized tf.Examples (`tf.io.parse_example`) with a cached parser for `spec`.
 * @throws InvalidArgumentError for an invalid spec; ParseError for a record that breaks it.
 */
export function parseExampleBatch<S extends ExampleSpec>(records: readonly Uint8Array[], spec: S): ParsedBatch<S> {
  return parserFor(spec).parseBatch(records);
}
