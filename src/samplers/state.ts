// Saved sampler positions: a step (or batch) number plus the description of the sampler it belongs to.

import { InvalidArgumentError, OutOfRangeError, StateMismatchError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';
import type { JsonValue, SamplerDescription } from './sampler.js';

/** Anything whose position can be saved: every Sampler, and BatchSampler (position = batch number). */
export interface Positioned {
  /** Steps (or batches); Infinity when unbounded. */
  readonly length: number;
  /** Plain JSON of the arguments that decide the order. */
  describe(): SamplerDescription;
}

/** A saved position: plain JSON, safe to store with a model checkpoint. */
export interface SamplerState {
  /** The next step (or batch) to consume. */
  readonly position: number;
  /** The description of the sampler the position was saved for. */
  readonly sampler: SamplerDescription;
}

function canonical(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map((item: JsonValue) => canonical(item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as { readonly [key: string]: JsonValue })[key]!)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A saved state as JSON for an error message, up to `max` characters. A value JSON cannot print (a
 * BigInt, a cycle) must not turn the typed error into the TypeError of JSON.stringify.
 */
export function printState(value: unknown, max = Infinity): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${item}n` : item));
  } catch {
    text = undefined;
  }
  return (text ?? describeFound(value)).slice(0, max);
}

/**
 * Nesting a saved description may have: the samplers' own are a few levels deep (an elastic resume adds
 * four); far deeper, comparing it would overflow the stack.
 */
const MAX_DESCRIPTION_DEPTH = 200;

/**
 * Why a saved description cannot be compared (a BigInt, a cycle, or nesting deeper than 200 levels, each
 * with where it is), or undefined when it can. Such a value, hand-built or a corrupted checkpoint's, would
 * otherwise make describeFingerprint throw a TypeError or RangeError instead of the typed refusal.
 * @example
 * nonJsonReason({ kind: 'ShuffleSampler', seed: 1n }); // 'holds 1n at .seed'
 */
export function nonJsonReason(description: unknown): string | undefined {
  const ancestors = new Set<object>();
  const visit = (value: unknown, where: string, depth: number): string | undefined => {
    if (typeof value === 'bigint') return `holds ${describeFound(value)} at ${where || 'the top'}`;
    if (typeof value !== 'object' || value === null) return undefined;
    if (ancestors.has(value)) return `holds a cycle at ${where}`;
    if (depth >= MAX_DESCRIPTION_DEPTH) return `nests deeper than ${MAX_DESCRIPTION_DEPTH} levels at ${where.slice(0, 60)}...`;
    ancestors.add(value);
    try {
      for (const [key, item] of Object.entries(value)) {
        const why = visit(item, Array.isArray(value) ? `${where}[${key}]` : `${where}.${key}`, depth + 1);
        if (why !== undefined) return why;
      }
      return undefined;
    } finally {
      ancestors.delete(value);
    }
  };
  return visit(description, '', 0);
}

/**
 * A stable string for a description: JSON with keys sorted at every level, so two descriptions
 * are equal exactly when their fingerprints are.
 * @example
 * describeFingerprint(new SequentialSampler({ numRecords: 3 }).describe());
 * // '{"kind":"SequentialSampler","numEpochs":1,"numRecords":3}'
 */
export function describeFingerprint(description: SamplerDescription): string {
  return canonical(description);
}

/**
 * The state to save when `position` steps (or batches) of `sampler` have been consumed.
 * @throws InvalidArgumentError if position is not an integer in [0, length].
 * @example
 * const state = saveSamplerState(sampler, 1200); // JSON.stringify(state) goes into the checkpoint
 */
export function saveSamplerState(sampler: Positioned, position: number): SamplerState {
  checkPosition(sampler, position);
  return { position, sampler: sampler.describe() };
}

/**
 * The position to continue from, after checking that `state` was saved for a sampler with the same
 * description as `sampler` (same kind and arguments), so a job never resumes into a different order.
 *
 * @throws InvalidArgumentError if `state` is not a SamplerState, or has fields besides position and sampler.
 * @throws StateMismatchError if it was saved for another sampler; the message shows both descriptions.
 * @throws OutOfRangeError if its position is past this sampler's length.
 * @example
 * const step = restoreSamplerState(sampler, JSON.parse(saved));
 */
export function restoreSamplerState(sampler: Positioned, state: unknown): number {
  if (
    typeof state !== 'object' ||
    state === null ||
    typeof (state as SamplerState).position !== 'number' ||
    typeof (state as SamplerState).sampler !== 'object' ||
    (state as SamplerState).sampler === null
  ) {
    throw new InvalidArgumentError(`not a sampler state: ${printState(state)}`);
  }
  // As a DataLoader state's: an unknown field would be ignored, most likely a misspelt or hand-edited one.
  const unknown = Object.keys(state).filter((key) => key !== 'position' && key !== 'sampler');
  if (unknown.length > 0) {
    throw new InvalidArgumentError(`not a sampler state: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the fields are position, sampler`);
  }
  const { position, sampler: saved } = state as SamplerState;
  const why = nonJsonReason(saved);
  if (why !== undefined) throw new InvalidArgumentError(`not a sampler state: its sampler ${why}`);
  const expected = describeFingerprint(sampler.describe());
  const found = describeFingerprint(saved);
  if (expected !== found) {
    throw new StateMismatchError(`sampler state was saved for ${found} but is restored into ${expected}`);
  }
  checkPosition(sampler, position);
  return position;
}

function checkPosition(sampler: Positioned, position: number): void {
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new InvalidArgumentError(`sampler position must be a non-negative integer (got ${describeFound(position)})`);
  }
  if (position > sampler.length) {
    throw new OutOfRangeError(`sampler position ${position} is past the end (length ${sampler.length})`, {
      index: position,
    });
  }
}
