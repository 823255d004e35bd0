// Counter-based randomness for the loader: a hash of (seed, epoch, position) for mixing draws, and a small
// per-record generator seeded from (seed, epoch, source, record key), so a record's random transform never
// depends on which thread, worker or rank runs it, or on where an iteration was resumed.

import { InvalidArgumentError } from '../format/errors.js';
import { describeFound, isCount } from '../format/options-check.js';

const TWO_POW_32 = 0x1_0000_0000;
/** Rounds discarded after seeding, so that nearby seeds give unrelated streams (sfc32's usual warm-up). */
const WARM_UP_ROUNDS = 12;

function rotl(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/** MurmurHash3's finaliser: every input bit affects every output bit. */
function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One MurmurHash3 (x86, 32-bit) block step: folds the 32-bit word `word` into the running hash `h`. */
function murmurStep(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = rotl(k, 15);
  k = Math.imul(k, 0x1b873593);
  const folded = rotl(h ^ k, 13);
  return (Math.imul(folded, 5) + 0xe6546b64) | 0;
}

/** Start value of the record hash (any fixed constant; changing it changes every random transform). */
const HASH_SEED = 0x5eed1e55;

/**
 * MurmurHash3-32 of seven 32-bit words, without allocating: tag, seed, both halves of `epoch`,
 * `extra` (the source), both halves of `value` (a position or record key).
 */
function hashRecord(tag: number, seed: number, epoch: number, extra: number, value: number): number {
  let h = murmurStep(HASH_SEED, tag);
  h = murmurStep(h, seed);
  h = murmurStep(h, low(epoch));
  h = murmurStep(h, high(epoch));
  h = murmurStep(h, extra);
  h = murmurStep(h, low(value));
  h = murmurStep(h, high(value));
  return fmix32(h ^ 28);
}

/** Low and high 32-bit words of a non-negative safe integer. */
function low(value: number): number {
  return value >>> 0;
}
function high(value: number): number {
  return Math.floor(value / TWO_POW_32) >>> 0;
}

const OWNER = 'RecordRng';

function isCountBelow(value: unknown, limit: number): value is number {
  return isCount(value) && value < limit;
}

/**
 * Checks the arguments of a record's generator. The hash reads the seed and source as 32-bit words
 * and the epoch and key as two words each, so a value outside those ranges would silently alias
 * another (seed -1 gives the numbers of seed 2^32 - 1; 1.5 those of 1): each is refused, the seed
 * with the DataLoader's own rule for `seed`.
 * @throws InvalidArgumentError naming the argument, what it must be and what it is.
 */
function checkRecordArguments(seed: number, epoch: number, source: number, key: number): void {
  if (!isCountBelow(seed, TWO_POW_32)) badArgument('seed', 'an integer in [0, 2^32)', seed);
  if (!isCount(epoch)) badArgument('epoch', 'a non-negative integer', epoch);
  if (!isCountBelow(source, TWO_POW_32)) badArgument('source', 'an integer in [0, 2^32)', source);
  if (!isCount(key)) badArgument('key', 'a non-negative integer', key);
}

function badArgument(name: string, expected: string, found: unknown): never {
  throw new InvalidArgumentError(`${OWNER}: ${name} must be ${expected} (got ${describeFound(found)})`);
}

/**
 * A uniform number in [0, 1) that is a pure function of its arguments (32 bits of resolution): the
 * loader's mixing draws use it so that the choice at a position needs no generator state.
 */
export function uniformAt(seed: number, tag: number, epoch: number, position: number): number {
  return hashRecord(tag, seed, epoch, 0, position) / TWO_POW_32;
}

/**
 * A small, fast generator (sfc32: 128 bits of state, period at least 2^32) for random transforms. The
 * loader gives each record its own generator, seeded from the loader's seed, the epoch, the source and
 * the record key, so a record's augmentation is reproducible and independent of worker count, prefetch
 * depth, world size and resumes. Not for cryptography.
 * @example
 * const rng = recordRng(42, 0, 0, 1234);
 * rng.random();      // a double in [0, 1)
 * rng.int(0, 10);    // an integer in [0, 10)
 * rng.normal(0, 1);  // a standard normal sample
 */
export class RecordRng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 1;

  /** A generator for one record; see {@link recordRng}. */
  constructor(seed: number, epoch: number, source: number, key: number) {
    this.reseed(seed, epoch, source, key);
  }

  /**
   * Restarts the generator for another record, without allocating.
   * @throws InvalidArgumentError as {@link recordRng}.
   */
  reseed(seed: number, epoch: number, source: number, key: number): void {
    checkRecordArguments(seed, epoch, source, key);
    this.a = hashRecord(0x61, seed, epoch, source, key);
    this.b = hashRecord(0x62, seed, epoch, source, key);
    this.c = hashRecord(0x63, seed, epoch, source, key);
    this.d = 1;
    for (let round = 0; round < WARM_UP_ROUNDS; round++) this.uint32();
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = rotl(this.c, 21);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform double in [0, 1) with 53 random bits, like `Math.random()`. */
  random(): number {
    const upper = this.uint32() >>> 5;
    const lower = this.uint32() >>> 6;
    return (upper * 67_108_864 + lower) / 9_007_199_254_740_992;
  }

  /**
   * A uniform integer in [min, max).
   * @throws InvalidArgumentError unless min < max are safe integers.
   */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min)) throw new InvalidArgumentError(`${OWNER}.int: min must be an integer (got ${describeFound(min)})`);
    if (!Number.isSafeInteger(max) || max <= min) {
      throw new InvalidArgumentError(`${OWNER}.int: max must be an integer greater than min ${min} (got ${describeFound(max)})`);
    }
    return min + Math.floor(this.random() * (max - min));
  }

  /**
   * A normal sample with the given mean and standard deviation (Box-Muller).
   * @throws InvalidArgumentError unless mean is a finite number and std a finite number >= 0.
   */
  normal(mean = 0, std = 1): number {
    // NaN in, NaN out, silently poisoning an augmented record: refuse instead.
    if (typeof mean !== 'number' || !Number.isFinite(mean)) {
      throw new InvalidArgumentError(`${OWNER}.normal: mean must be a finite number (got ${describeFound(mean)})`);
    }
    if (typeof std !== 'number' || !Number.isFinite(std) || std < 0) {
      throw new InvalidArgumentError(`${OWNER}.normal: std must be a finite number >= 0 (got ${describeFound(std)})`);
    }
    const u = 1 - this.random();
    const v = this.random();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * Shuffles `items` in place (Fisher-Yates) and returns it; a typed array works too.
   * @throws InvalidArgumentError for anything else (a string cannot be shuffled in place).
   */
  shuffle<T>(items: T[]): T[] {
    const value: unknown = items;
    if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
      throw new InvalidArgumentError(`${OWNER}.shuffle: items must be an array or a typed array (got ${describeFound(items)})`);
    }
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const swap = items[i]!;
      items[i] = items[j]!;
      items[j] = swap;
    }
    return items;
  }
}

/**
 * The generator the loader hands a transform for the record `key` of `source` in `epoch`: the same
 * numbers whichever thread runs the transform. Useful to reproduce one record's augmentation.
 * @param seed the loader's `seed`, an integer in [0, 2^32).
 * @param epoch a non-negative integer.
 * @param source the component's index in a mix (else 0), an integer in [0, 2^32).
 * @param key the record key, a non-negative integer.
 * @throws InvalidArgumentError for any other value, naming the argument.
 * @example recordRng(seed, epoch, 0, key).random() // equals ctx.rng.random() inside the loader's transform
 */
export function recordRng(seed: number, epoch: number, source: number, key: number): RecordRng {
  return new RecordRng(seed, epoch, source, key);
}
