// RemainingOrder and elasticResume: what is left of an interrupted job's per-rank orders, re-split for a new world size.
//
// Design: a saved job is, per old rank, the sampler it drove and how many steps it consumed. The rest
// of the work is each old rank's unconsumed steps [consumed, end). RemainingOrder merges those suffixes
// round-robin (old rank 0's next key, rank 1's next key, ...; ranks that run out drop out), so
// every remaining key appears exactly once and, for ranks that split one global order with a
// stride, the merge is exactly the rest of that global order. Any new world size then splits the
// merged order with a stride (StridedShardSampler), so over all new ranks the rest of the epoch is
// visited exactly once, with no key lost even when the old ranks had consumed different counts.

import { InvalidArgumentError, InvalidOptionsError, OutOfRangeError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';
import { checkOptions, checkStep, optionNames, requireInteger, requireSampler, type OptionAliases } from './checks.js';
import type { Environment } from './env.js';
import type { Sampler, SamplerDescription, StepRange } from './sampler.js';
import { StridedShardSampler } from './strided-shard.js';

/** What one rank of the old job had done. */
export interface RankProgress {
  /** The sampler the rank drove, rebuilt with the old world size (its description matches the saved one). */
  readonly sampler: Sampler;
  /** Steps the rank had consumed: its saved position. */
  readonly consumed: number;
  /**
   * Where the rank's share ends (exclusive); default `sampler.length`, which must then be finite.
   * For the rest of epoch e of a multi-epoch sampler pass `sampler.epochRange(e).end`.
   */
  readonly end?: number;
}

const OWNER = 'RemainingOrder';
const PROGRESS_KEYS = optionNames<RankProgress>({ sampler: true, consumed: true, end: true });
const PROGRESS_ALIASES: OptionAliases = { position: { option: 'consumed' }, step: { option: 'consumed' } };

interface CheckedProgress {
  readonly sampler: Sampler;
  readonly consumed: number;
  readonly end: number;
}

/**
 * The unconsumed keys of several ranks merged round-robin into one order (see the file comment).
 * Its epoch numbering is a single epoch 0 covering all steps. Memory: one small array per distinct
 * remaining count (in lockstep training there are at most two).
 *
 * @throws InvalidOptionsError for an empty list, a consumed count or end outside
 *   0 <= consumed <= end <= sampler.length, an unbounded sampler without `end`, or an unknown key
 *   of a rank's progress (named, with the nearest known one).
 * @example
 * const global = new ShuffleSampler({ numRecords: 10, seed: 3 });
 * const old = [0, 1, 2].map((rank) => new StridedShardSampler(global, { rank, worldSize: 3 }));
 * const rest = new RemainingOrder(old.map((sampler) => ({ sampler, consumed: 2 })));
 * rest.keyAt(0) === global.keyAt(6); // true: ranks in lockstep leave a suffix of the global order
 */
export class RemainingOrder implements Sampler {
  /** Each old rank's sampler, consumed steps and end, as checked. */
  readonly ranks: readonly CheckedProgress[];
  readonly length: number;
  private readonly segmentStarts: number[] = [];
  private readonly segmentRounds: number[] = [];
  private readonly segmentRanks: Int32Array[] = [];

  constructor(ranks: readonly RankProgress[]) {
    if (!Array.isArray(ranks) || ranks.length === 0) {
      throw new InvalidOptionsError(`${OWNER}: needs the progress of at least one rank`);
    }
    this.ranks = ranks.map((progress, rank) => checkProgress(progress, rank));
    const remaining = this.ranks.map(({ consumed, end }) => end - consumed);
    const rounds = [...new Set(remaining)].filter((count) => count > 0).sort((a, b) => a - b);
    let position = 0;
    let previousRound = 0;
    for (const round of rounds) {
      const active = Int32Array.from(remaining.flatMap((count, rank) => (count >= round ? [rank] : [])));
      this.segmentStarts.push(position);
      this.segmentRounds.push(previousRound);
      this.segmentRanks.push(active);
      position += active.length * (round - previousRound);
      previousRound = round;
    }
    this.length = position;
  }

  keyAt(step: number): number {
    checkStep(OWNER, step, this.length);
    let low = 0;
    let high = this.segmentStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.segmentStarts[middle]! <= step) low = middle;
      else high = middle - 1;
    }
    const active = this.segmentRanks[low]!;
    const offset = step - this.segmentStarts[low]!;
    const round = this.segmentRounds[low]! + Math.floor(offset / active.length);
    const progress = this.ranks[active[offset % active.length]!]!;
    return progress.sampler.keyAt(progress.consumed + round);
  }

  epochAt(step: number): number {
    checkStep(OWNER, step, this.length);
    return 0;
  }

  epochRange(epoch: number): StepRange {
    // Like every sampler (see uniformEpochRange): a malformed epoch is an argument error, not a missing epoch.
    if (!Number.isSafeInteger(epoch) || epoch < 0) {
      throw new InvalidArgumentError(`${OWNER}: epoch must be a non-negative integer (got ${describeFound(epoch)})`);
    }
    if (epoch !== 0 || this.length === 0) {
      throw new OutOfRangeError(`${OWNER}: only epoch 0 exists (and has ${this.length} steps); got ${epoch}`, {
        index: epoch,
      });
    }
    return { start: 0, end: this.length };
  }

  describe(): SamplerDescription {
    return {
      kind: OWNER,
      ranks: this.ranks.map(({ sampler, consumed, end }) => ({ consumed, end, sampler: sampler.describe() })),
    };
  }
}

function checkProgress(progress: RankProgress, rank: number): CheckedProgress {
  checkOptions(OWNER, progress, PROGRESS_KEYS, { aliases: PROGRESS_ALIASES, name: `ranks[${rank}]` });
  const sampler = requireSampler(OWNER, `ranks[${rank}].sampler`, progress.sampler);
  const end = progress.end ?? sampler.length;
  if (end === Infinity) {
    throw new InvalidOptionsError(`${OWNER}: rank ${rank}'s sampler is unbounded; give the end of its share`);
  }
  const consumed = requireInteger(OWNER, `ranks[${rank}].consumed`, progress.consumed, 0);
  requireInteger(OWNER, `ranks[${rank}].end`, end, consumed);
  if (end > sampler.length) {
    throw new InvalidOptionsError(`${OWNER}: ranks[${rank}].end ${end} is past its sampler's ${sampler.length} steps`);
  }
  return { sampler, consumed, end };
}

/** Options of {@link elasticResume}: this process's place in the new job. */
export interface ElasticResumeOptions {
  /** Defaults to the launcher's rank variable (see placementFromEnv). */
  readonly rank?: number;
  /** The new world size; defaults to the launcher's (see placementFromEnv); needed with `rank`. */
  readonly worldSize?: number;
  /** Where to read the launcher's variables (RANK / WORLD_SIZE, ...) when rank is omitted; default `process.env`. */
  readonly env?: Environment;
}

/**
 * This rank's share, in the new job, of what the old job's ranks left: rank r of W takes steps
 * r, r + W, ... of `new RemainingOrder(ranks)`. All new ranks together visit each remaining key
 * exactly once; their lengths differ by at most one.
 *
 * @throws InvalidOptionsError as RemainingOrder and StridedShardSampler (unknown options included).
 * @example
 * // An epoch of a global shuffle, saved by 4 ranks at step 100 each, resumed on 3 ranks:
 * const global = new ShuffleSampler({ numRecords: 1000, seed: 7 });
 * const old = [0, 1, 2, 3].map((rank) => ({
 *   sampler: new StridedShardSampler(global, { rank, worldSize: 4 }), consumed: 100,
 * }));
 * const mine = elasticResume(old, { rank: 0, worldSize: 3 }); // 200 steps: keys of global steps 400, 403, ...
 */
export function elasticResume(ranks: readonly RankProgress[], options: ElasticResumeOptions = {}): StridedShardSampler {
  return new StridedShardSampler(new RemainingOrder(ranks), options);
}
