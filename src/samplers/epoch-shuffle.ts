// Grain's per-epoch shuffle of positions [0, length): epoch e uses index_shuffle with seed (seed + e) mod 2^32.

import { epochSeed } from './checks.js';
import { DEFAULT_ROUNDS, IndexShuffle, type BlockRule } from './index-shuffle.js';

/**
 * Maps (epoch, position) to the shuffled position, as Grain's `MapDataset.shuffle(seed)` does for
 * element `epoch * length + position` (exactly so with blockRule 'grain'). Keeps the round keys of
 * the last epoch used, so consecutive steps cost one cipher evaluation each. Callers pass valid
 * arguments; nothing is checked here.
 */
export class EpochShuffle {
  private cachedEpoch = -1;
  private cached: IndexShuffle | undefined;

  constructor(
    readonly length: number,
    readonly seed: number,
    readonly blockRule: BlockRule,
  ) {}

  at(epoch: number, position: number): number {
    let shuffle = this.cached;
    if (epoch !== this.cachedEpoch || shuffle === undefined) {
      shuffle = new IndexShuffle(this.length - 1, epochSeed(this.seed, epoch), DEFAULT_ROUNDS, this.blockRule);
      this.cached = shuffle;
      this.cachedEpoch = epoch;
    }
    return shuffle.applyUnchecked(position);
  }
}
