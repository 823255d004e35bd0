// TFDS split strings ('train', 'train[:80%]', 'test[10:20]', 'train[-5%:]', 'train+test', 'all',
// 'train[1shard]') and ReadInstruction objects, resolved to record ranges of the split's shards with
// the rules of tfds.core.splits and tfds.core.utils.shard_utils, percent rounding included.

import { InvalidArgumentError } from '../format/errors.js';
import { checkOptions, describeFound, optionNames } from '../format/options-check.js';

/** How slice bounds are counted: records, percent of the split, or whole shards. */
export type SplitUnit = 'abs' | '%' | 'shard';

/**
 * How percent bounds become record numbers. `closest` (TFDS's default, and the only one a split
 * string gets) rounds `percent * numExamples / 100` to the nearest integer, ties to even as Python's
 * round(); `pct1_dropremainder` counts whole 1% blocks of trunc(numExamples / 100) records, so that
 * every 1% is the same size (the split needs at least 100 records).
 */
export type SplitRounding = 'closest' | 'pct1_dropremainder';

/**
 * One part of a split selection, as `tfds.core.ReadInstruction`: records [from, to) of `split` in
 * `unit`s. Negative bounds count from the end; a missing bound is the start or the end.
 */
export interface TfdsReadInstruction {
  /** The split's name. */
  readonly split: string;
  /** The first record (or percent) read; negative counts from the end; default the start. */
  readonly from?: number;
  /** One past the last record (or percent) read; negative counts from the end; default the end. */
  readonly to?: number;
  /** Default 'abs'. */
  readonly unit?: SplitUnit;
  /** Default 'closest'; only used with unit '%'. */
  readonly rounding?: SplitRounding;
}

/** A split selection: a TFDS split string, a ReadInstruction, or a list of them read one after another. */
export type TfdsSplitArg = string | TfdsReadInstruction | readonly (string | TfdsReadInstruction)[];

/** Records [from, to) of one split, in split order. */
export interface SplitRange {
  /** The split's name. */
  readonly split: string;
  /** The first record of the split read. */
  readonly from: number;
  /** One past the last record of the split read. */
  readonly to: number;
}

/** Records [start, end) of shard `shard` of `split`: what one data source entry reads. */
export interface ShardRange {
  /** The split's name. */
  readonly split: string;
  /** The shard's number in the split. */
  readonly shard: number;
  /** The first record of the shard read. */
  readonly start: number;
  /** One past the last record of the shard read. */
  readonly end: number;
}

/** What a split selection needs to know of the dataset: each split's shard lengths, in dataset order. */
export type SplitShardLengths = ReadonlyMap<string, readonly number[]>;

const INSTRUCTION_KEYS = optionNames<TfdsReadInstruction>({ split: true, from: true, to: true, unit: true, rounding: true });
const UNITS: readonly SplitUnit[] = ['abs', '%', 'shard'];
const ROUNDINGS: readonly SplitRounding[] = ['closest', 'pct1_dropremainder'];
const FORMAT_NOTE = 'See format at https://www.tensorflow.org/datasets/splits';

/** `<split_name>[<split_selector>]`, as tfds.core.splits._SUB_SPEC_RE (Python's \w is Unicode-aware). */
const SUB_SPEC = /^(?<name>[\p{L}\p{N}_-]+)(?:\[(?<selector>[\p{L}\p{N}_%:.-]+)\])?$/u;
/** `<val><unit>` of one bound, as tfds.core.splits._SLICE_RE. */
const SLICE = /^(?:(?<val>-?[\d_.]+)(?<unit>%|shard)?)?$/;
/** The `+` between parts, spaces around it allowed. */
const ADDITION = /\s*\+\s*/;

/** A part of a parsed split string: a read instruction, or every split of the dataset (`all`). */
type SplitPart = TfdsReadInstruction | { readonly all: true };

/**
 * The record ranges a split selection reads, in order, with TFDS's rules: percent bounds rounded as
 * `rounding` says, negative bounds counted from the end, bounds beyond the split rejected, and
 * `from >= to` giving an empty range. `all` is every split in dataset order.
 * @throws InvalidArgumentError for a malformed split string or instruction (TFDS's wording), an
 *   unknown split, a percent outside [-100, 100], a bound beyond the split, or pct1_dropremainder on
 *   a split of fewer than 100 records; InvalidOptionsError for an unknown key of an instruction.
 * @example
 * splitRanges('train[:10%]+test', new Map([['train', [51, 50]], ['test', [20]]]));
 * // [{ split: 'train', from: 0, to: 10 }, { split: 'test', from: 0, to: 20 }]  (10% of 101 is 10.1)
 */
export function splitRanges(selection: TfdsSplitArg, splits: SplitShardLengths, rounding: SplitRounding = 'closest'): SplitRange[] {
  const parts = toParts(selection, rounding);
  const ranges: SplitRange[] = [];
  for (const part of parts) {
    if ('all' in part) {
      for (const name of splits.keys()) ranges.push(absoluteRange({ split: name }, splits));
    } else {
      ranges.push(absoluteRange(part, splits));
    }
  }
  return ranges;
}

/**
 * The shard slices a split selection reads, in order, as TFDS's file instructions
 * (shard_utils.get_file_instructions): empty shards and empty ranges read nothing.
 * @throws as splitRanges.
 * @example
 * shardRanges('train[45:55]', new Map([['train', [50, 50]]]));
 * // [{ split: 'train', shard: 0, start: 45, end: 50 }, { split: 'train', shard: 1, start: 0, end: 5 }]
 */
export function shardRanges(selection: TfdsSplitArg, splits: SplitShardLengths, rounding: SplitRounding = 'closest'): ShardRange[] {
  const slices: ShardRange[] = [];
  for (const range of splitRanges(selection, splits, rounding)) {
    const lengths = splits.get(range.split)!;
    let first = 0;
    lengths.forEach((length, shard) => {
      if (length === 0) return;
      const last = first + length;
      if (range.from < last && range.to > first) {
        const start = Math.max(range.from, first) - first;
        const end = Math.min(range.to, last) - first;
        if (end > start) slices.push({ split: range.split, shard, start, end });
      }
      first = last;
    });
  }
  return slices;
}

/**
 * Parses a split string into its parts, as tfds.core.splits.AbstractSplit.from_spec does.
 * @throws InvalidArgumentError for a malformed string (TFDS's wording).
 * @example parseSplit('train[:75%]+test') // [{ split: 'train', to: 75, unit: '%' }, { split: 'test' }]
 */
export function parseSplit(spec: string): TfdsReadInstruction[] {
  return parseSplitString(spec, 'closest').map((part) => ('all' in part ? { split: 'all' } : part));
}

function toParts(selection: unknown, rounding: SplitRounding): SplitPart[] {
  if (typeof selection === 'string') return parseSplitString(selection, rounding);
  if (Array.isArray(selection)) {
    if (selection.length === 0) throw new InvalidArgumentError('a split selection needs at least one split, got an empty list');
    return selection.flatMap((item: unknown) => toParts(item, rounding));
  }
  if (typeof selection === 'object' && selection !== null) return [checkInstruction(selection)];
  throw new InvalidArgumentError(`a split is a string such as 'train[:80%]' or a read instruction { split, from, to, unit }, got ${describeFound(selection)}`);
}

function parseSplitString(spec: string, rounding: SplitRounding): SplitPart[] {
  const parts = spec.split(ADDITION);
  if (parts.length === 0 || spec.trim() === '') throw new InvalidArgumentError(`No instructions could be built out of ${JSON.stringify(spec)}`);
  return parts.map((part) => {
    try {
      return parsePart(part, rounding);
    } catch (error) {
      if (error instanceof InvalidArgumentError) {
        throw new InvalidArgumentError(`Error parsing split ${JSON.stringify(spec)}: ${error.message}`);
      }
      throw error;
    }
  });
}

function parsePart(part: string, rounding: SplitRounding): SplitPart {
  const unrecognized = `Unrecognized split format: ${JSON.stringify(part)}. ${FORMAT_NOTE}`;
  const match = SUB_SPEC.exec(part);
  if (match === null) throw new InvalidArgumentError(unrecognized);
  const name = match.groups!['name']!;
  const selector = match.groups!['selector'];
  if (name === 'all') {
    if (selector !== undefined) throw new InvalidArgumentError(`'all' does not support slice (as in TFDS)`);
    return { all: true };
  }
  if (selector === undefined) return checkInstruction({ split: name, unit: 'abs', rounding });
  const bounds = selector.split(':').map((bound) => SLICE.exec(bound));
  if (bounds.some((bound) => bound === null) || !bounds.some((bound) => bound![0] !== '')) throw new InvalidArgumentError(unrecognized);
  if (bounds.length === 1) {
    const single = bounds[0]!.groups!;
    const unit = (single['unit'] ?? 'abs') as SplitUnit;
    if (unit !== 'shard') throw new InvalidArgumentError('Absolute or percent only support slice syntax.');
    const from = parseBound(single['val']!, unit, part);
    return checkInstruction({ split: name, from, to: from + 1, unit });
  }
  if (bounds.length !== 2) throw new InvalidArgumentError(unrecognized);
  const [low, high] = [bounds[0]!.groups!, bounds[1]!.groups!];
  const unit = (low['unit'] ?? high['unit'] ?? 'abs') as SplitUnit;
  const from = low['val'] === undefined ? undefined : parseBound(low['val'], unit, part);
  const to = high['val'] === undefined ? undefined : parseBound(high['val'], unit, part);
  return checkInstruction({ split: name, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), unit, rounding });
}

/** A bound as Python reads it: float() for percents (fractions allowed), int() otherwise; `_` between digits. */
function parseBound(text: string, unit: SplitUnit, part: string): number {
  const digits = String.raw`\d+(?:_\d+)*`;
  const pattern = unit === '%' ? new RegExp(`^-?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})$`) : new RegExp(`^-?${digits}$`);
  if (!pattern.test(text)) {
    throw new InvalidArgumentError(`invalid ${unit === '%' ? 'percent' : 'integer'} bound ${JSON.stringify(text)} in ${JSON.stringify(part)}`);
  }
  const value = Number(text.replace(/_/g, ''));
  return Object.is(value, -0) ? 0 : value;
}

/** An instruction object, checked as ReadInstruction.__post_init__ checks it. */
function checkInstruction(value: object): TfdsReadInstruction {
  const fields = checkOptions('split instruction', value, INSTRUCTION_KEYS);
  const { split, from, to } = fields;
  const unit = fields['unit'] ?? 'abs';
  const rounding = fields['rounding'] ?? 'closest';
  if (typeof split !== 'string' || split === '') throw new InvalidArgumentError(`split instruction: split must be a split name, got ${describeFound(split)}`);
  if (!UNITS.includes(unit as SplitUnit)) throw new InvalidArgumentError(`Unit should be one of ${UNITS.join(', ')}. Got ${describeFound(unit)}`);
  if (!ROUNDINGS.includes(rounding as SplitRounding)) {
    throw new InvalidArgumentError(`Rounding should be one of ${ROUNDINGS.join(', ')}. Got: ${describeFound(rounding)}`);
  }
  for (const [name, bound] of [['from', from], ['to', to]] as const) {
    if (bound === undefined) continue;
    const integral = unit !== '%';
    if (typeof bound !== 'number' || !Number.isFinite(bound) || (integral && !Number.isSafeInteger(bound))) {
      throw new InvalidArgumentError(`split instruction: ${name} must be ${integral ? 'an integer' : 'a number'}, got ${describeFound(bound)}`);
    }
    if (unit === '%' && Math.abs(bound) > 100) {
      throw new InvalidArgumentError(`When unit=%, percent slice boundaries should be in [-100, 100]. Got: ${describeInstruction(value as TfdsReadInstruction)}`);
    }
  }
  return { split, from, to, unit, rounding } as TfdsReadInstruction;
}

function describeInstruction(instruction: TfdsReadInstruction): string {
  const unit = instruction.unit === undefined || instruction.unit === 'abs' ? '' : instruction.unit;
  if (instruction.from === undefined && instruction.to === undefined) return instruction.split;
  return `${instruction.split}[${instruction.from ?? ''}${instruction.from === undefined ? '' : unit}:${instruction.to ?? ''}${instruction.to === undefined ? '' : unit}]`;
}

/** tfds.core.splits._rel_to_abs_instr followed by the default bounds of _file_instructions_for_split. */
function absoluteRange(instruction: TfdsReadInstruction, splits: SplitShardLengths): SplitRange {
  const lengths = splits.get(instruction.split);
  if (lengths === undefined) {
    throw new InvalidArgumentError(`Unknown split ${JSON.stringify(instruction.split)}. Should be one of ${JSON.stringify([...splits.keys()])}.`);
  }
  const numExamples = lengths.reduce((sum, length) => sum + length, 0);
  if (numExamples === 0) {
    throw new InvalidArgumentError(`split ${JSON.stringify(instruction.split)} has no examples (its dataset_info.json lists no shard lengths)`);
  }
  let from: number;
  let to: number;
  switch (instruction.unit ?? 'abs') {
    case '%': {
      const toRecords = (instruction.rounding ?? 'closest') === 'closest' ? percentClosest : percentDropRemainder;
      from = instruction.from === undefined ? 0 : toRecords(instruction.from, numExamples);
      to = instruction.to === undefined ? numExamples : toRecords(instruction.to, numExamples);
      break;
    }
    case 'shard': {
      let toShard = instruction.to;
      if (toShard !== undefined && toShard <= 0) toShard = lengths.length + toShard;
      from = instruction.from === undefined ? 0 : sumPrefix(lengths, instruction.from);
      to = toShard === undefined ? numExamples : sumPrefix(lengths, toShard);
      break;
    }
    default:
      from = instruction.from ?? 0;
      to = instruction.to ?? numExamples;
  }
  if (Math.abs(from) > numExamples || Math.abs(to) > numExamples) {
    throw new InvalidArgumentError(`Requested slice [${from || ''}:${to || ''}] incompatible with ${numExamples} examples.`);
  }
  if (from < 0) from += numExamples;
  if (to < 0) to += numExamples;
  return { split: instruction.split, from, to };
}

/** `int(round(boundary * numExamples / 100.0))`: Python's round() takes ties to the even neighbour. */
function percentClosest(boundary: number, numExamples: number): number {
  return roundHalfEven((boundary * numExamples) / 100);
}

/** `boundary * math.trunc(numExamples / 100.0)`: whole 1% blocks. */
function percentDropRemainder(boundary: number, numExamples: number): number {
  if (numExamples < 100) {
    throw new InvalidArgumentError(
      'Using "pct1_dropremainder" rounding on a split with less than 100 elements is forbidden: it always results in an empty dataset.',
    );
  }
  const records = boundary * Math.trunc(numExamples / 100);
  if (!Number.isInteger(records)) {
    throw new InvalidArgumentError(`pct1_dropremainder counts whole 1% blocks: ${boundary}% is not a whole number of them`);
  }
  return records;
}

/**
 * Python 3's round() of a double to an integer: the nearest one, ties to even (TFDS's 'closest').
 * @example [0.5, 1.5, 2.5, -2.5].map(roundHalfEven) // [0, 2, 2, -2]
 */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor; // exact for doubles below 2^52
  if (fraction < 0.5) return floor + 0;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor + 0 : floor + 1;
}

/** `sum(lengths[:end])` with Python's slice rules for a negative or too large end. */
function sumPrefix(lengths: readonly number[], end: number): number {
  const stop = end < 0 ? Math.max(0, lengths.length + end) : Math.min(end, lengths.length);
  let sum = 0;
  for (let i = 0; i < stop; i++) sum += lengths[i]!;
  return sum;
}
