// Grain's index_shuffle: a seeded permutation of [0, maxIndex] by a cycle-walking Simon-style Feistel cipher.
//
// Facts from grain/_src/python/experimental/index_shuffle/index_shuffle.cc: the block has B bits,
// B = max(ceil(log2(maxIndex)) rounded up to even, 16); a value splits into a high word `left` and a
// low word `right` of W = B/2 bits; each pair of rounds does left ^= F(right) ^ k[i], then
// right ^= F(left) ^ k[i+1], with F(x) = (rotl(x,1) & rotl(x,8)) ^ rotl(x,2) on W-bit words and the
// round keys k from std::seed_seq{seed} truncated to W bits. The cipher is re-applied until the
// value is <= maxIndex (cycle walking). The C++ works on 64-bit words, but a word never has more than
// W bits, and W <= 27 for any maxIndex below 2^53, so plain 32-bit integer operations are exact here.

import { InvalidArgumentError, OutOfRangeError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';
import { seedSeqGenerate } from './seed-seq.js';

/** Grain's round count (samplers and MapDataset.shuffle always pass 4). */
export const DEFAULT_ROUNDS = 4;

/** Upstream's smallest block: smaller blocks gave visible patterns. */
const MIN_BLOCK_BITS = 16;

/**
 * `ceil(log2(x))` as the C++ computes it: `std::log2` of the value converted to double. For x up to
 * 2^50 that is the exact ceiling; just above 2^n with n >= 49 the correctly rounded log2 equals n, so
 * the C++ gets n where the exact ceiling is n + 1. That happens when
 * x - 2^n < ln(2) * 2^(n + floor(log2 n) - 53), a handful of values above 2^50.
 */
function libmCeilLog2(x: number): number {
  if (x <= 1) return 0;
  const exact = bitLength(x - 1);
  const n = exact - 1;
  if (n >= 49) {
    const excess = x - 2 ** n;
    if (excess < Math.LN2 * 2 ** (n + (31 - Math.clz32(n)) - 53)) return n;
  }
  return exact;
}

/**
 * Which block size to use. `'grain'` is upstream's rule, `ceil(log2(maxIndex))` rounded up to even:
 * it is one bit short when maxIndex is a power of two 2^k with k even >= 16 (and for a few maxIndex
 * above 2^50 where double log2 rounds down), and then maxIndex (and its neighbours above 2^50) is
 * never returned while another index repeats. `'bijective'` uses the bit length of maxIndex instead,
 * which differs from upstream only at those sizes and is a permutation for every maxIndex.
 */
export type BlockRule = 'grain' | 'bijective';

/**
 * The block size in bits of the cipher for `maxIndex` (even, at least 16) under `rule`.
 * @example
 * feistelBlockBits(65536); // 16, Grain's (one bit short)
 * feistelBlockBits(65536, 'bijective'); // 18
 */
export function feistelBlockBits(maxIndex: number, rule: BlockRule = 'grain'): number {
  const bits = rule === 'grain' ? libmCeilLog2(maxIndex) : bitLength(maxIndex);
  return Math.max(bits + (bits % 2), MIN_BLOCK_BITS);
}

function bitLength(value: number): number {
  return value < 0x1_0000_0000 ? 32 - Math.clz32(value) : 32 + bitLength(Math.floor(value / 0x1_0000_0000));
}

function checkMaxIndex(maxIndex: number): void {
  if (!Number.isSafeInteger(maxIndex) || maxIndex < 0) {
    throw new InvalidArgumentError(`index_shuffle: maxIndex must be an integer in [0, 2^53) (got ${describeFound(maxIndex)})`);
  }
}

function checkSeedAndRounds(seed: number, rounds: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed >= 0x1_0000_0000) {
    throw new InvalidArgumentError(`index_shuffle: seed must be an integer in [0, 2^32) (got ${describeFound(seed)})`);
  }
  if (!Number.isInteger(rounds) || rounds < 4 || rounds > 1024 || rounds % 2 !== 0) {
    throw new InvalidArgumentError(`index_shuffle: rounds must be an even integer in [4, 1024] (got ${describeFound(rounds)})`);
  }
}

/**
 * One fixed permutation of `[0, maxIndex]`: Grain's `index_shuffle(·, maxIndex, seed, rounds)` with the
 * round keys computed once, or with `blockRule: 'bijective'` the same cipher with a block that always
 * holds maxIndex (see {@link BlockRule}). `apply` allocates nothing and uses no BigInt.
 *
 * @throws InvalidArgumentError for a maxIndex outside [0, 2^53), a seed outside [0, 2^32) or rounds
 *   that are not even in [4, 1024].
 * @example
 * const shuffle = new IndexShuffle(9, 0);
 * [0, 1, 2].map((i) => shuffle.apply(i)); // [0, 4, 6], as Grain's index_shuffle(i, 9, 0, 4)
 */
export class IndexShuffle {
  /** The largest index permuted: the permutation is of [0, maxIndex]. */
  readonly maxIndex: number;
  /** The seed the round keys are derived from. */
  readonly seed: number;
  /** Feistel rounds per encryption. */
  readonly rounds: number;
  /** How the cipher block is sized: Grain's rule, or one that always fits (a true permutation at every size). */
  readonly blockRule: BlockRule;
  private readonly wordBits: number;
  private readonly wordScale: number;
  private readonly mask: number;
  private readonly keys: Int32Array;

  constructor(maxIndex: number, seed: number, rounds: number = DEFAULT_ROUNDS, blockRule: BlockRule = 'grain') {
    checkMaxIndex(maxIndex);
    checkSeedAndRounds(seed, rounds);
    if (blockRule !== 'grain' && blockRule !== 'bijective') {
      throw new InvalidArgumentError(`index_shuffle: blockRule must be 'grain' or 'bijective' (got ${describeFound(blockRule)})`);
    }
    this.maxIndex = maxIndex;
    this.seed = seed;
    this.rounds = rounds;
    this.blockRule = blockRule;
    this.wordBits = feistelBlockBits(maxIndex, blockRule) / 2;
    this.wordScale = 2 ** this.wordBits;
    this.mask = this.wordScale - 1;
    const generated = seedSeqGenerate([seed], new Uint32Array(rounds));
    // std::bitset<W> built from a uint32 key keeps only its low W bits.
    this.keys = new Int32Array(rounds);
    for (let i = 0; i < rounds; i++) this.keys[i] = generated[i]! & this.mask;
  }

  /**
   * Position of `index` in the permutation.
   * @throws InvalidArgumentError if `index` is not an integer.
   * @throws OutOfRangeError if `index` is outside [0, maxIndex].
   */
  apply(index: number): number {
    if (!Number.isSafeInteger(index)) {
      throw new InvalidArgumentError(`index_shuffle: index must be an integer (got ${describeFound(index)})`);
    }
    if (index < 0 || index > this.maxIndex) {
      throw new OutOfRangeError(`index_shuffle: index ${index} is outside [0, ${this.maxIndex}]`, { index });
    }
    return this.applyUnchecked(index);
  }

  /** `apply` without argument checks, for callers that already know `0 <= index <= maxIndex`. */
  applyUnchecked(index: number): number {
    if (this.maxIndex === 0) return 0;
    const w = this.wordBits;
    const scale = this.wordScale;
    const mask = this.mask;
    const keys = this.keys;
    const rounds = this.rounds;
    const maxIndex = this.maxIndex;
    // Division by a power of two is exact; `& mask` truncates like std::bitset<W>(value >> W).
    let left = (index / scale) & mask;
    let right = index % scale & mask;
    for (;;) {
      for (let i = 0; i < rounds; i += 2) {
        let x = right;
        left ^=
          ((((x << 1) | (x >>> (w - 1))) & ((x << 8) | (x >>> (w - 8)))) ^ ((x << 2) | (x >>> (w - 2)))) & mask;
        left ^= keys[i]!;
        x = left;
        right ^=
          ((((x << 1) | (x >>> (w - 1))) & ((x << 8) | (x >>> (w - 8)))) ^ ((x << 2) | (x >>> (w - 2)))) & mask;
        right ^= keys[i + 1]!;
      }
      // Exact below 2^53; above it the product rounds but stays > maxIndex, so the test is still right.
      const value = left * scale + right;
      if (value <= maxIndex) return value;
    }
  }
}

/**
 * Grain's `index_shuffle(index, max_index, seed, rounds)` in one call. For many indices with the same
 * seed, build an {@link IndexShuffle} once instead: this recomputes the round keys each time.
 *
 * @throws InvalidArgumentError / OutOfRangeError as {@link IndexShuffle} and its `apply`.
 * @example
 * indexShuffle(0, 4, 32); // 2, as Grain's index_shuffle(0, max_index=4, seed=32, rounds=4)
 */
export function indexShuffle(index: number, maxIndex: number, seed: number, rounds: number = DEFAULT_ROUNDS): number {
  return new IndexShuffle(maxIndex, seed, rounds).apply(index);
}
