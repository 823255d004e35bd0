// Elastic resume for the loader: the rest of an epoch that several ranks had partly consumed, re-split
// over a new world size with the samplers' elasticResume, possibly several times over (a chain of levels).
//
// Level 0 is the original job: W0 ranks, rank r driving `samplerFor({ rank: r, worldSize: W0 })`, of
// whose epoch E it had consumed consumed[r] positions. elasticResume merges what they left and gives
// each rank of the next world size its share; those shares are samplers too, so a job resumed that way
// can itself be interrupted and resumed on yet another world size (level 1, 2, ...). Over all ranks of
// the last level, every position of epoch E that no earlier rank consumed is visited exactly once.

import { InvalidArgumentError } from '../format/errors.js';
import type { DistributedPlacement } from '../samplers/env.js';
import { elasticResume, type RankProgress } from '../samplers/remaining-order.js';
import type { Sampler } from '../samplers/sampler.js';
import { epochSpan } from './epoch-plan.js';

/** Builds the sampler of one rank of a job; the loader calls it for the ranks of earlier world sizes too. */
export type SamplerFactory = (placement: DistributedPlacement) => Sampler;

/** One interrupted job in a chain: its world size and how much of its share each of its ranks had consumed. */
export interface ElasticLevel {
  /** The number of ranks the interrupted job ran on. */
  readonly worldSize: number;
  /** Per rank: positions consumed (of epoch E for level 0, of the rank's resumed share for later levels). */
  readonly consumed: readonly number[];
}

/** The jobs an epoch was split between, oldest first. */
export interface ElasticChain {
  /** The epoch that was split between the jobs. */
  readonly epoch: number;
  /** Each interrupted job, oldest first. */
  readonly levels: readonly ElasticLevel[];
}

function checkConsumed(level: number, rank: number, consumed: number, available: number): void {
  if (!Number.isSafeInteger(consumed) || consumed < 0 || consumed > available) {
    throw new InvalidArgumentError(
      `elastic state: rank ${rank} of level ${level} consumed ${String(consumed)} of its ${available} positions`,
    );
  }
}

/** What each rank of `chain`'s last level had left: the input of the next elasticResume. */
function lastLevelProgress(samplerFor: SamplerFactory, chain: ElasticChain): RankProgress[] {
  let progress: RankProgress[] = [];
  chain.levels.forEach(({ worldSize, consumed }, level) => {
    if (consumed.length !== worldSize) {
      throw new InvalidArgumentError(`elastic state: level ${level} has world size ${worldSize} but ${consumed.length} counts`);
    }
    const previous = progress;
    progress = consumed.map((count, rank) => {
      if (level === 0) {
        const span = epochSpan(samplerFor({ rank, worldSize }), chain.epoch);
        checkConsumed(level, rank, count, span.length);
        return { sampler: span.sampler, consumed: span.start + count, end: span.start + span.length };
      }
      const share = elasticResume(previous, { rank, worldSize });
      checkConsumed(level, rank, count, share.length);
      return { sampler: share, consumed: count, end: share.length };
    });
  });
  return progress;
}

/**
 * This rank's part of what the chain's jobs left of epoch `chain.epoch`.
 * @throws InvalidArgumentError when a level's counts do not fit its ranks' shares.
 */
export function remainderSampler(samplerFor: SamplerFactory, chain: ElasticChain, placement: DistributedPlacement): Sampler {
  return elasticResume(lastLevelProgress(samplerFor, chain), placement);
}

/**
 * How many positions of epoch `epoch` a rank of a job with world size `worldSize` had in all: its
 * epoch's steps when `previous` is empty, else its share of what the previous levels left.
 */
export function shareLength(samplerFor: SamplerFactory, previous: ElasticChain, placement: DistributedPlacement): number {
  if (previous.levels.length === 0) return epochSpan(samplerFor(placement), previous.epoch).length;
  return remainderSampler(samplerFor, previous, placement).length;
}
