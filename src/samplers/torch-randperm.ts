// PyTorch's CPU torch.randperm(n, generator) for a generator seeded with manual_seed(seed), bit for bit.
//
// Facts from aten/src/ATen/native/TensorFactories.cpp (randperm_cpu): start from 0..n-1, then for
// i = 0..n-2 swap element i with element i + (random() % (n - i)), random() being the next u32 of the
// generator's MT19937. PyTorch 1.x and 2.x agree for n below 2^32 / 20; above that 2.x switches to a
// different algorithm on 64-bit draws, which is not reproduced here.

import { InvalidArgumentError, UnsupportedError } from '../format/errors.js';
import { describeFound } from '../format/options-check.js';
import { Mt19937 } from './mt19937.js';

/** The largest n (exclusive) for which every PyTorch version computes randperm the way reproduced here. */
export const TORCH_RANDPERM_LIMIT = Math.floor(0xffffffff / 20);

/**
 * The permutation `torch.randperm(n, generator=g).tolist()` returns after `g.manual_seed(seed)`
 * (only the low 32 bits of the seed matter, as in PyTorch). Takes O(n) time and memory.
 *
 * @throws InvalidArgumentError if `n` or `seed` is not a non-negative safe integer.
 * @throws UnsupportedError if `n >= TORCH_RANDPERM_LIMIT` (PyTorch versions disagree there).
 * @example
 * Array.from(torchRandperm(10, 0)); // [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]
 */
export function torchRandperm(n: number, seed: number): Uint32Array {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new InvalidArgumentError(`torchRandperm: n must be a non-negative integer (got ${describeFound(n)})`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidArgumentError(`torchRandperm: seed must be a non-negative integer (got ${describeFound(seed)})`);
  }
  if (n >= TORCH_RANDPERM_LIMIT) {
    throw new UnsupportedError(`torchRandperm: n = ${n} is at or above ${TORCH_RANDPERM_LIMIT}, where PyTorch versions differ`);
  }
  return fillTorchRandperm(new Uint32Array(n), n, seed);
}

/**
 * Writes `torchRandperm(n, seed)` into `out[0..n)` and returns `out` (no checks; `n <= out.length`,
 * `n < TORCH_RANDPERM_LIMIT`), so a caller can reuse one buffer for many permutations.
 */
export function fillTorchRandperm(out: Uint32Array, n: number, seed: number): Uint32Array {
  for (let i = 0; i < n; i++) out[i] = i;
  const twister = new Mt19937(seed);
  for (let i = 0; i < n - 1; i++) {
    const j = i + (twister.next() % (n - i));
    const saved = out[i]!;
    out[i] = out[j]!;
    out[j] = saved;
  }
  return out;
}
