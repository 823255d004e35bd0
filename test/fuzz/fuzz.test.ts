// A short seeded pass of the reader fuzzer (tools/fuzz): every mutant must end in records that are right
// or a typed error naming the file, never a wrong record, an untyped error, a hang, a crash or a blow-up.

import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../tools/fuzz/options.js';
import { runFuzz } from '../../tools/fuzz/runner.js';

/** Small corpus files only, so the pass fits in well under a minute on two cores. */
const SMALL_FILES = /^(digits\.array_record-00000|metadata_zstd3|tfex_transpose_zstd3|zstd3_g64|plain_riegeli|w_zstd_g1|w_tfex|w_pad|w_empty|r_simple|r_mixed)/;

describe('reader fuzzer', () => {
  it('finds no BAD mutant in a short seeded pass', { timeout: 120_000 }, async () => {
    const lines: string[] = [];
    const result = await runFuzz({
      ...DEFAULTS,
      seed: 1,
      count: 50,
      // Bounded in time too, for a busy machine: the mutants that ran are judged all the same.
      timeLimitS: 40,
      files: SMALL_FILES,
      cliRate: 0.05,
      outDir: path.join(os.tmpdir(), 'array-record-fuzz-test'),
      log: (line) => lines.push(line),
    });
    expect(result.stats.mutants).toBeGreaterThan(15);
    expect(result.bad, `${lines.join('\n')}\n${result.report}`).toBe(0);
  });
});
