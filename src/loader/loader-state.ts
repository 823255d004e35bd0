// Saved loader positions: the plain JSON `DataLoader.getState()` returns, its validation, the check that
// it belongs to the loader it is restored into, and the merge of several ranks' states for elastic resume.

import { InvalidArgumentError, StateMismatchError } from '../format/errors.js';
import { SEED_MODULUS, isCount } from '../format/options-check.js';
import type { DistributedPlacement } from '../samplers/env.js';
import type { JsonValue, SamplerDescription } from '../samplers/sampler.js';
import { describeFingerprint, nonJsonReason, printState } from '../samplers/state.js';
import { shareLength, type ElasticChain, type SamplerFactory } from './elastic.js';

/** A loader's position as plain JSON, safe to store with a model checkpoint. */
export interface LoaderState {
  /** Identifies a loader state. */
  readonly kind: 'DataLoader';
  /** The state format's version. */
  readonly version: 1;
  /** The epoch of the next element the consumer will receive. */
  readonly epoch: number;
  /** Positions of that epoch the consumer has received (filtered-out elements count too). */
  readonly offset: number;
  /** Mix only: elements of this epoch taken from each component. */
  readonly counts?: readonly number[];
  /** Set by a sampler factory: this rank's place, so that states of all ranks can be merged. */
  readonly placement?: DistributedPlacement;
  /** Present while the epoch is the rest of an epoch resumed on another world size. */
  readonly elastic?: ElasticChain;
  /**
   * The loader's `seed` (of the transforms' per-record generators), when it has one: a random filter or
   * map would give another stream under another seed.
   */
  readonly seed?: number;
  /** The order's description (the sampler's, or the mix's). */
  readonly sampler: SamplerDescription;
  /** The source's description (a list `{ kind: 'Sources', sources }` for a mix). */
  readonly source: SamplerDescription;
}

const STATE_VERSION = 1;
/** Every field a LoaderState may have: anything else is not a state this loader wrote. */
const STATE_KEYS: readonly string[] = Object.keys({
  kind: true,
  version: true,
  epoch: true,
  offset: true,
  counts: true,
  placement: true,
  elastic: true,
  seed: true,
  sampler: true,
  source: true,
} satisfies { readonly [K in keyof Required<LoaderState>]: true });

function isCounts(value: unknown): value is readonly number[] {
  return Array.isArray(value) && value.every(isCount);
}

function isDescription(value: unknown): value is SamplerDescription {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

function isChain(value: unknown): value is ElasticChain {
  if (typeof value !== 'object' || value === null) return false;
  const { epoch, levels } = value as { epoch?: unknown; levels?: unknown };
  // getState() writes a chain only once a job was interrupted: an empty one has nothing to resume from.
  return (
    isCount(epoch) &&
    Array.isArray(levels) &&
    levels.length > 0 &&
    levels.every((level: unknown) => {
      const { worldSize, consumed } = (level ?? {}) as { worldSize?: unknown; consumed?: unknown };
      return isCount(worldSize) && worldSize > 0 && isCounts(consumed) && consumed.length === worldSize;
    })
  );
}

/**
 * Checks that `value` has the shape of a LoaderState (as parsed from JSON).
 * @throws InvalidArgumentError naming the first bad field.
 */
export function parseLoaderState(value: unknown): LoaderState {
  const fail = (why: string): never => {
    throw new InvalidArgumentError(`not a DataLoader state (${why}): ${printState(value, 300)}`);
  };
  if (typeof value !== 'object' || value === null) return fail('not an object');
  const state = value as Partial<Record<keyof LoaderState, unknown>>;
  if (state.kind !== 'DataLoader') fail(`kind is ${String(state.kind)}`);
  if (state.version !== STATE_VERSION) fail(`version ${String(state.version)}, expected ${STATE_VERSION}`);
  // An unknown field would be ignored: most likely a misspelt or hand-edited one (`epochs` for `epoch`).
  const unknown = Object.keys(value).filter((key) => !STATE_KEYS.includes(key));
  if (unknown.length > 0) fail(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the fields are ${STATE_KEYS.join(', ')}`);
  if (!isCount(state.epoch)) fail('epoch must be a non-negative integer');
  if (!isCount(state.offset)) fail('offset must be a non-negative integer');
  if (state.counts !== undefined && !isCounts(state.counts)) fail('counts must be non-negative integers');
  if (!isDescription(state.sampler)) fail('sampler must be a description');
  if (!isDescription(state.source)) fail('source must be a description');
  // Compared below by their fingerprints, which a BigInt, a cycle or absurd nesting would crash.
  for (const field of ['sampler', 'source'] as const) {
    const why = nonJsonReason(state[field]);
    if (why !== undefined) fail(`${field} ${why}`);
  }
  if (state.elastic !== undefined && !isChain(state.elastic)) fail('elastic is malformed');
  if (state.seed !== undefined && !(isCount(state.seed) && state.seed < SEED_MODULUS)) fail('seed must be an integer in [0, 2^32)');
  if (state.placement !== undefined) {
    // null (or any non-object) would make the destructuring below throw a TypeError.
    const { rank, worldSize } = (typeof state.placement === 'object' && state.placement !== null ? state.placement : {}) as Partial<DistributedPlacement>;
    if (!isCount(rank) || !isCount(worldSize) || rank >= worldSize) fail('placement must be { rank, worldSize }');
  }
  return value as LoaderState;
}

/** What a state must have been saved for, to be restored into a loader. */
export interface StateOwner {
  /** The order's description (the sampler's, or the mix's). */
  readonly sampler: SamplerDescription;
  readonly source: SamplerDescription;
  /**
   * The restoring loader's place (sampler factory only): a state saved by another rank is refused even
   * when the samplers describe themselves alike, since the rest of an elastically resumed epoch is split by rank.
   */
  readonly placement?: DistributedPlacement | undefined;
  /** The loader's seed; a state that names another is refused (a state without one predates the field). */
  readonly seed: number | undefined;
}

/**
 * Refuses a state written for another order or source, by another rank, or under another seed.
 * @throws StateMismatchError with both values of whatever differs.
 */
export function checkStateMatches(state: LoaderState, owner: StateOwner, who = 'state'): void {
  const problems: string[] = [];
  const compare = (what: string, saved: SamplerDescription, expected: SamplerDescription): void => {
    const found = describeFingerprint(saved);
    const wanted = describeFingerprint(expected);
    if (found !== wanted) problems.push(`${what}: saved for ${found} but restored into ${wanted}`);
  };
  compare('sampler', state.sampler, owner.sampler);
  compare('source', state.source, owner.source);
  const { placement } = owner;
  const saved = state.placement;
  if (placement !== undefined && saved !== undefined && (saved.rank !== placement.rank || saved.worldSize !== placement.worldSize)) {
    problems.push(
      `placement: saved by rank ${saved.rank} of ${saved.worldSize} but restored into rank ${placement.rank} of ${placement.worldSize}` +
        (saved.worldSize === placement.worldSize ? '' : " (for another world size, give every rank's state to setElasticState)"),
    );
  }
  if (state.seed !== undefined && state.seed !== owner.seed) {
    problems.push(`seed: saved with seed ${state.seed} but restored into a loader with ${owner.seed === undefined ? 'none' : `seed ${owner.seed}`}`);
  }
  if (problems.length > 0) throw new StateMismatchError(`DataLoader ${who} does not belong to this loader; ${problems.join('; ')}`);
}

/** The description of a mix's sources, as saved in states. */
export function describeSources(sources: readonly { describe(): { readonly kind: string } }[]): SamplerDescription {
  if (sources.length === 1) return sources[0]!.describe() as SamplerDescription;
  return { kind: 'Sources', sources: sources.map((source) => source.describe() as unknown as JsonValue) };
}

/**
 * The chain to resume from, given the states of every rank of an interrupted job (any order; each
 * must carry its placement). They must be in one epoch E, except ranks that had finished E, which may
 * be at the very start of E + 1. The chain is undefined when nothing of E was consumed (no merge needed).
 * @param describeRank the description rank r of world size W must have saved.
 * @throws InvalidArgumentError for missing, repeated or inconsistent ranks or epochs;
 *   StateMismatchError for a state whose sampler or source does not match.
 */
export function mergeRankStates(
  states: readonly LoaderState[],
  samplerFor: SamplerFactory,
  describeRank: (placement: DistributedPlacement) => SamplerDescription,
  source: SamplerDescription,
  seed: number | undefined,
): { readonly epoch: number; readonly chain: ElasticChain | undefined } {
  if (states.length === 0) throw new InvalidArgumentError('elastic resume needs the states of all ranks of the old job (got none)');
  const worldSize = states.length;
  const byRank = new Array<LoaderState | undefined>(worldSize);
  for (const state of states) {
    const placement = state.placement;
    if (placement === undefined || placement.worldSize !== worldSize) {
      throw new InvalidArgumentError(
        `elastic resume needs one state per rank of the old job: got ${worldSize} states, one of which says ` +
          `${placement === undefined ? 'nothing about its rank (was the loader built with a sampler factory?)' : `rank ${placement.rank} of ${placement.worldSize}`}`,
      );
    }
    if (byRank[placement.rank] !== undefined) throw new InvalidArgumentError(`elastic resume: two states of rank ${placement.rank}`);
    checkStateMatches(state, { sampler: describeRank(placement), source, placement, seed }, `state of rank ${placement.rank}`);
    byRank[placement.rank] = state;
  }
  const ordered = byRank as LoaderState[];
  const epoch = Math.min(...ordered.map((state) => state.epoch));
  const inEpoch = ordered.filter((state) => state.epoch === epoch);
  const previous = inEpoch[0]!.elastic?.epoch === epoch ? inEpoch[0]!.elastic : undefined;
  const previousKey = JSON.stringify(previous ?? null);
  for (const state of inEpoch) {
    const chain = state.elastic?.epoch === epoch ? state.elastic : undefined;
    if (JSON.stringify(chain ?? null) !== previousKey) {
      throw new InvalidArgumentError(`elastic resume: the ranks resumed epoch ${epoch} from different earlier jobs`);
    }
  }
  const base: ElasticChain = previous ?? { epoch, levels: [] };
  const consumed = ordered.map((state, rank) => {
    if (state.epoch === epoch) return state.offset;
    if (state.epoch === epoch + 1 && state.offset === 0) return shareLength(samplerFor, base, { rank, worldSize });
    throw new InvalidArgumentError(
      `elastic resume: rank ${rank} is at epoch ${state.epoch} position ${state.offset}, too far ahead of epoch ${epoch}`,
    );
  });
  if (base.levels.length === 0 && consumed.every((count) => count === 0)) return { epoch, chain: undefined };
  return { epoch, chain: { epoch, levels: [...base.levels, { worldSize, consumed }] } };
}
