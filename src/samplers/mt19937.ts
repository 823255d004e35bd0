// The 32-bit Mersenne Twister (MT19937) with the standard integer seeding, as C++ std::mt19937 and PyTorch's CPU generator use.

const STATE_WORDS = 624;
const SHIFT_WORDS = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/**
 * A Mersenne Twister seeded like `std::mt19937(seed)` and `torch.Generator().manual_seed(seed)`
 * (both keep the low 32 bits of the seed). `next()` returns the same u32 sequence.
 *
 * @example
 * const twister = new Mt19937(5489);
 * twister.next(); // 3499211612, the first output of a default-constructed std::mt19937
 */
export class Mt19937 {
  private readonly state = new Uint32Array(STATE_WORDS);
  private index = STATE_WORDS;

  /** `seed` is taken modulo 2^32. */
  constructor(seed: number) {
    const state = this.state;
    state[0] = seed % 0x1_0000_0000;
    for (let i = 1; i < STATE_WORDS; i++) {
      const previous = state[i - 1]!;
      state[i] = Math.imul(1812433253, previous ^ (previous >>> 30)) + i;
    }
  }

  /** The next 32-bit output, as a non-negative number. */
  next(): number {
    if (this.index >= STATE_WORDS) this.twist();
    let y = this.state[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const state = this.state;
    for (let i = 0; i < STATE_WORDS; i++) {
      const y = (state[i]! & UPPER_MASK) | (state[(i + 1) % STATE_WORDS]! & LOWER_MASK);
      state[i] = state[(i + SHIFT_WORDS) % STATE_WORDS]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }
}
