// C++ std::seed_seq::generate, bit for bit: Grain derives its Feistel round keys from it.

const FILL = 0x8b8b8b8b;
const MULTIPLIER_1 = 1664525;
const MULTIPLIER_2 = 1566083941;

/** The standard's T(x) = x xor (x >> 27), on a u32. */
function mix(value: number): number {
  return (value ^ (value >>> 27)) >>> 0;
}

/**
 * Fills `out` the way `std::seed_seq{seeds...}.generate(out.begin(), out.end())` does
 * ([rand.util.seedseq] of the C++ standard). Every seed is taken modulo 2^32, as the
 * standard's `uint_least32_t` storage does. All arithmetic is modulo 2^32.
 *
 * @example
 * const keys = new Uint32Array(4);
 * seedSeqGenerate([42], keys); // the round keys Grain's index_shuffle uses for seed 42
 */
export function seedSeqGenerate(seeds: readonly number[], out: Uint32Array): Uint32Array {
  const n = out.length;
  if (n === 0) return out;
  const s = seeds.length;
  out.fill(FILL);
  const t = n >= 623 ? 11 : n >= 68 ? 7 : n >= 39 ? 5 : n >= 7 ? 3 : (n - 1) >> 1;
  const p = (n - t) >> 1;
  const q = p + t;
  const m = Math.max(s + 1, n);
  for (let k = 0; k < m; k++) {
    const kn = k % n;
    const kp = (k + p) % n;
    const previous = (k + n - 1) % n;
    const r1 = Math.imul(MULTIPLIER_1, mix(out[kn]! ^ out[kp]! ^ out[previous]!)) >>> 0;
    let addend: number;
    if (k === 0) addend = s;
    else if (k <= s) addend = kn + (seeds[k - 1]! >>> 0);
    else addend = kn;
    const r2 = (r1 + addend) >>> 0;
    out[kp] = out[kp]! + r1;
    out[(k + q) % n] = out[(k + q) % n]! + r2;
    out[kn] = r2;
  }
  for (let k = m; k < m + n; k++) {
    const kn = k % n;
    const kp = (k + p) % n;
    const previous = (k + n - 1) % n;
    const r3 = Math.imul(MULTIPLIER_2, mix((out[kn]! + out[kp]! + out[previous]!) >>> 0)) >>> 0;
    const r4 = (r3 - kn) >>> 0;
    out[kp] = out[kp]! ^ r3;
    out[(k + q) % n] = out[(k + q) % n]! ^ r4;
    out[kn] = r4;
  }
  return out;
}
