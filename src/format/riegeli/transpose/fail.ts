// The error of a transposed chunk that contradicts itself, with its message built only when thrown.

import { CorruptFileError } from '../../errors.js';
import type { Where } from '../../place.js';

/**
 * Throws CorruptFileError for `message` with `$0`, `$1`... replaced by `values`. Hot loops pass
 * numbers, never template strings: TurboFan merges a template's number-to-string conversions of one
 * value and computes them where all their uses meet, which in a loop is every step.
 */
export function fail(where: Where, message: string, ...values: number[]): never {
  const text = values.length === 0 ? message : message.replace(/\$(\d)/g, (_, index: string) => String(values[Number(index)]));
  throw new CorruptFileError(`transposed ${where}: ${text}`);
}
