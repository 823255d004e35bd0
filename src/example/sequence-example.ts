// Parses serialized tf.SequenceExample records: context features like an Example, feature lists step by step.

import { InvalidArgumentError } from '../format/errors.js';
import { checkOptions, optionNames } from '../format/options-check.js';
import type { BatchInput, Column } from './batch-column.js';
import { exampleColumn } from './example-columns.js';
import { FeatureCursor } from './feature-cursor.js';
import { KeyMatcher, MapScanner, SlotTable } from './feature-map-scan.js';
import { resolveFeature, type ContextFeature, type SequenceFeature } from './feature-spec.js';
import { checkRecordArray, RecordNames, recordError, rethrowDecodeFailure } from './parse-errors.js';
import { describe, resolveParserOptions, unbatch, type ParserOptions } from './parse-example.js';
import type {
  ParsedBatch,
  ParsedExample,
  ParsedFeature,
  SequenceBatchFeatureOf,
  SequenceSingleFeatureOf,
} from './parsed-feature.js';
import { featureListColumn } from './sequence-columns.js';
import { WireReader, delimitedTag } from './wire.js';

/** Context features of a SequenceExample spec. */
export type ContextSpec = Readonly<Record<string, ContextFeature>>;

/** Feature-list features of a SequenceExample spec. */
export type FeatureListsSpec = Readonly<Record<string, SequenceFeature>>;

/** A SequenceExample spec: context features and feature lists (either may be omitted). */
export interface SequenceExampleSpec<C extends ContextSpec, L extends FeatureListsSpec> {
  /** The spec of the context features (as an Example's, without fixedLenSequence). */
  readonly context?: C;
  /** The spec of the feature lists: fixedLenSequence or varLen, one row per step. */
  readonly featureLists?: L;
}

/** A parsed batch of SequenceExamples. */
export interface ParsedSequenceBatch<C, L> {
  /** The context features of the batch, as an Example batch parse gives them. */
  readonly context: ParsedBatch<C>;
  /** The feature lists, with the batch and step dimensions. */
  readonly featureLists: { readonly [K in keyof L]: SequenceBatchFeatureOf<L[K]> };
}

/** One parsed SequenceExample. */
export interface ParsedSequenceExample<C, L> {
  /** The context features of the record. */
  readonly context: ParsedExample<C>;
  /** The feature lists of the record, with the step dimension first. */
  readonly featureLists: { readonly [K in keyof L]: SequenceSingleFeatureOf<L[K]> };
}

const CONTEXT_KINDS = ['fixedLen', 'fixedLenRaw', 'varLen'] as const;
const SPEC_KEYS = optionNames<SequenceExampleSpec<ContextSpec, FeatureListsSpec>>({ context: true, featureLists: true });
const LIST_KINDS = ['fixedLenSequence', 'varLen'] as const;
const CONTEXT_TAG = delimitedTag(1);
const FEATURE_LISTS_TAG = delimitedTag(2);

/** The columns of one of the two maps of a SequenceExample. */
interface MapPart {
  readonly keys: readonly string[];
  readonly columns: readonly Column[];
  readonly scanner: MapScanner;
  readonly slots: SlotTable;
}

function buildPart(keys: readonly string[], columns: readonly Column[]): MapPart {
  // A SequenceExample holds two maps, so its records take the scanner's field-by-field path,
  // which leaves all decoding to the columns.
  return { keys, columns, scanner: new MapScanner(new KeyMatcher(keys)), slots: new SlotTable(keys.length) };
}

/**
 * Parses tf.SequenceExample records with the semantics of `tf.io.parse_sequence_example`:
 * context features as in an Example; feature lists with fixedLenSequence (each step one row of
 * the shape; padded to the longest list with `lengths`, or ragged) or varLen (ragged by steps,
 * then by values). A missing feature list is an error unless `allowMissing` (varLen lists may
 * always be missing).
 *
 * @throws InvalidArgumentError from the constructor when the spec is invalid; InvalidOptionsError for
 *   an unknown key of the spec or the options (named, with the nearest known one: `sequence_features`
 *   suggests featureLists).
 * @example
 * const parser = new SequenceExampleParser({
 *   context: { label: fixedLen([], 'int64') },
 *   featureLists: { frames: fixedLenSequence([3], 'float32'), tokens: varLen('int64') },
 * });
 * const { context, featureLists } = parser.parseBatch(records);
 */
export class SequenceExampleParser<C extends ContextSpec = Record<never, never>, L extends FeatureListsSpec = Record<never, never>> {
  private readonly context: MapPart;
  private readonly lists: MapPart;
  private readonly cursor = new FeatureCursor();
  private readonly reader = new WireReader();

  constructor(spec: SequenceExampleSpec<C, L>, options: ParserOptions = {}) {
    if (typeof spec !== 'object' || spec === null) {
      throw new InvalidArgumentError('spec must be an object { context?, featureLists? }');
    }
    checkOptions('SequenceExampleParser', spec, SPEC_KEYS, { name: 'spec' });
    const reuse = resolveParserOptions('SequenceExampleParser', options);
    const contextSpec: Readonly<Record<string, unknown>> = spec.context ?? {};
    const listSpec: Readonly<Record<string, unknown>> = spec.featureLists ?? {};
    const contextKeys = Object.keys(contextSpec);
    const listKeys = Object.keys(listSpec);
    this.context = buildPart(
      contextKeys,
      contextKeys.map((key) => exampleColumn(key, resolveFeature(key, contextSpec[key], CONTEXT_KINDS), reuse, true)),
    );
    this.lists = buildPart(
      listKeys,
      listKeys.map((key) => {
        const feature = resolveFeature(key, listSpec[key], LIST_KINDS);
        if (feature.kind === 'varLen' && feature.layout !== 'ragged') {
          throw new InvalidArgumentError(`feature list '${key}': varLen feature lists are ragged; layout 'padded' is not supported`);
        }
        return featureListColumn(key, feature as SequenceFeature, reuse);
      }),
    );
  }

  /**
   * Parses a batch of SequenceExamples.
   * @param names optional record names for error messages, else `<unknown>`.
   * @throws ParseError for a malformed record or a feature that breaks the spec (index = record).
   * @throws InvalidArgumentError when a record is not a Uint8Array.
   */
  parseBatch(records: readonly Uint8Array[], names?: readonly string[]): ParsedSequenceBatch<C, L> {
    checkRecordArray(records, 'SequenceExampleParser');
    const count = records.length;
    const recordNames = new RecordNames(names);
    for (const part of [this.context, this.lists]) {
      part.slots.reset(count);
      for (const column of part.columns) column.begin(count);
    }
    let index = 0;
    try {
      for (; index < count; index++) this.scanRecord(records[index], index);
    } catch (error) {
      rethrowDecodeFailure(error, (failure) => recordError(recordNames, index, 'sequence example', failure));
    }
    return {
      context: this.decodePart(this.context, records, recordNames) as ParsedBatch<C>,
      featureLists: this.decodePart(this.lists, records, recordNames) as ParsedSequenceBatch<C, L>['featureLists'],
    };
  }

  /**
   * Parses one SequenceExample (`tf.io.parse_single_sequence_example`): no batch dimension.
   * @throws ParseError as parseBatch does (index 0).
   */
  parse(record: Uint8Array, name?: string): ParsedSequenceExample<C, L> {
    const batch = this.parseBatch([record], name === undefined ? undefined : [name]);
    const strip = (part: object): Record<string, ParsedFeature> => {
      const out: Record<string, ParsedFeature> = {};
      for (const [key, feature] of Object.entries(part as Record<string, ParsedFeature>)) out[key] = unbatch(feature);
      return out;
    };
    return {
      context: strip(batch.context) as ParsedExample<C>,
      featureLists: strip(batch.featureLists) as ParsedSequenceExample<C, L>['featureLists'],
    };
  }

  private decodePart(part: MapPart, records: readonly Uint8Array[], names: RecordNames): Record<string, ParsedFeature> {
    const input: BatchInput = { records, count: records.length, slots: part.slots, names, cursor: this.cursor };
    const result: Record<string, ParsedFeature> = {};
    for (let feature = 0; feature < part.columns.length; feature++) {
      result[part.keys[feature]!] = part.columns[feature]!.decodeBatch(input, feature);
    }
    return result;
  }

  private scanRecord(record: Uint8Array | undefined, index: number): void {
    if (!(record instanceof Uint8Array)) {
      throw new InvalidArgumentError(`record ${index} is ${describe(record)}, expected a Uint8Array`, { index });
    }
    const reader = this.reader;
    reader.reset(record, 0, record.length);
    while (reader.pos < reader.end) {
      const tag = reader.readTag();
      const part = tag === CONTEXT_TAG ? this.context : tag === FEATURE_LISTS_TAG ? this.lists : undefined;
      if (part === undefined) {
        reader.skipField(tag);
        continue;
      }
      const length = reader.readLength();
      part.scanner.scan(record, reader.pos, reader.pos + length, part.slots, index);
      reader.pos += length;
    }
  }
}

const parsers = new WeakMap<object, SequenceExampleParser<ContextSpec, FeatureListsSpec>>();

/**
 * Parses one serialized tf.SequenceExample; the parser built for `spec` is cached, so calling
 * this in a loop with the same spec object costs no setup.
 * @throws InvalidArgumentError for an invalid spec; ParseError for a record that breaks it.
 * @example
 * const { featureLists } = parseSequenceExample(record, { featureLists: { tokens: varLen('int64') } });
 */
export function parseSequenceExample<C extends ContextSpec = Record<never, never>, L extends FeatureListsSpec = Record<never, never>>(
  record: Uint8Array,
  spec: SequenceExampleSpec<C, L>,
): ParsedSequenceExample<C, L> {
  let parser = parsers.get(spec);
  if (parser === undefined) {
    parser = new SequenceExampleParser(spec);
    parsers.set(spec, parser);
  }
  return (parser as SequenceExampleParser<C, L>).parse(record);
}
