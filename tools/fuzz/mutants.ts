// Mutant generation: mutant `id` of a run is drawn from its own random stream (seed, id), so any one
// mutant can be regenerated alone (`--only id`) with the same bytes.

import type { CorpusFile } from './corpus.js';
import { FOOTER_MUTATORS } from './forge-footer.js';
import { HEADER_MUTATORS } from './forge-header.js';
import { SIMPLE_MUTATORS } from './forge-simple.js';
import { STRUCTURE_MUTATORS } from './forge-structure.js';
import { TRANSPOSED_MUTATORS } from './forge-transposed.js';
import { RAW_MUTATORS } from './mutate-raw.js';
import type { Mutation, MutationFamily, MutatorEntry } from './mutation.js';
import { Rng } from './rng.js';

/** Every mutator; forged ones are the important ones and get about two thirds of the mutants. */
export const MUTATORS: readonly MutatorEntry[] = [...RAW_MUTATORS, ...HEADER_MUTATORS, ...SIMPLE_MUTATORS, ...TRANSPOSED_MUTATORS, ...FOOTER_MUTATORS, ...STRUCTURE_MUTATORS];

/** A mutated corpus file, ready to be read. */
export interface Mutant extends Mutation {
  readonly id: number;
  readonly family: MutationFamily;
  readonly source: CorpusFile;
  /** Forgeries that threw on their input before this one applied (a fuzzer limitation worth a look when frequent). */
  readonly forgeErrors: readonly string[];
}

/** Attempts before giving up on a mutant (a mutator may not apply to the file drawn). */
const ATTEMPTS = 50;

/**
 * Mutant `id` of the run with `seed`.
 * @throws Error when no mutator applies after many attempts (a corpus without any file it can mutate).
 */
export function generateMutant(seed: number, id: number, corpus: readonly CorpusFile[], mutators: readonly MutatorEntry[] = MUTATORS): Mutant {
  const rng = new Rng(seed, id);
  const fileWeights = Object.fromEntries(corpus.map((file, i) => [String(i), file.weight]));
  const mutatorWeights = Object.fromEntries(mutators.map((mutator, i) => [String(i), mutator.weight]));
  const failures: string[] = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const file = corpus[Number(rng.weighted(fileWeights))]!;
    const mutator = mutators[Number(rng.weighted(mutatorWeights))]!;
    try {
      const mutation = mutator.run({ rng, file, corpus });
      if (mutation === undefined) continue;
      return { ...mutation, id, family: mutator.family, source: file, forgeErrors: failures };
    } catch (error) {
      // A forgery that trips over its own input is a fuzzer limitation, not a finding: try another.
      failures.push(`${mutator.name} on ${file.name}: ${(error as Error).message}`);
    }
  }
  throw new Error(`no mutation applied for mutant ${id}: ${failures.slice(0, 3).join('; ')}`);
}
