// The fuzzer's own machinery: rebuilt files are byte-identical when nothing is forged, forged chunks still
// verify, the hashes' proofs are what the oracle expects, and the oracle catches wrong records.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCorpus } from '../../tools/fuzz/corpus.js';
import { expectationsFor } from '../../tools/fuzz/expectations.js';
import { patchChunk } from '../../tools/fuzz/frame.js';
import { generateMutant } from '../../tools/fuzz/mutants.js';
import { judge } from '../../tools/fuzz/oracle.js';
import type { PathName, PathOutcome } from '../../tools/fuzz/protocol.js';
import { rebuild } from '../../tools/fuzz/rebuild.js';
import { chunkAt } from '../../tools/fuzz/structure.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-tools-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const { files, problems } = buildCorpus(dir);
const byName = (name: string) => files.find((file) => file.name === name)!;

function ok(keys: number[], digests: string[], extra: Partial<PathOutcome> = {}): PathOutcome {
  return { status: 'ok', keyKind: 'index', keys, digests, complete: false, ms: 0, ...extra };
}

describe('fuzzer tools', () => {
  it('builds a corpus whose intact files read back as expected', () => {
    expect(problems).toEqual([]);
    expect(files.length).toBeGreaterThan(25);
  });

  it('rebuilds every corpus file byte for byte when nothing is forged', () => {
    for (const file of files) expect(Buffer.compare(Buffer.from(rebuild(file, {})), Buffer.from(file.bytes)), file.name).toBe(0);
  });

  it('forges a chunk header whose hashes verify', () => {
    const file = byName('w_zstd_g1');
    const site = file.chunks[3]!;
    const bytes = file.bytes.slice();
    patchChunk(bytes, site.begin, { dataSize: site.data.length, chunkType: site.chunkType, numRecords: site.numRecords, decodedDataSize: site.decodedDataSize }, { numRecords: 2 ** 24 });
    expect(chunkAt(bytes, site.begin)?.numRecords).toBe(2 ** 24);
    const expected = expectationsFor(file, bytes);
    expect(expected.forged).toBe(true);
    expect(expected.byIndex.size).toBe(file.recordDigests.length - 1);
  });

  it('holds every record to the original after a raw flip (nothing forged)', () => {
    const file = byName('w_zstd_g1');
    const site = file.chunks[5]!;
    const bytes = file.bytes.slice();
    bytes[site.begin + 45]! ^= 1;
    const expected = expectationsFor(file, bytes);
    expect(expected.forged).toBe(false);
    expect(expected.numRecords).toBe(file.recordDigests.length);
    expect(expected.byIndex.size).toBe(file.recordDigests.length);
    expect(expected.indexLimit).toBe(file.recordDigests.length);
  });

  it('generates the same mutant for the same seed and id', () => {
    const a = generateMutant(5, 17, files);
    const b = generateMutant(5, 17, files);
    expect(a.type).toBe(b.type);
    expect(Buffer.compare(Buffer.from(a.bytes), Buffer.from(b.bytes))).toBe(0);
  });

  it('judges wrong records, disagreeing paths and untyped errors', () => {
    const file = byName('w_zstd_g1');
    const expected = expectationsFor(file, file.bytes);
    const digests = file.recordDigests;
    const right = new Map<PathName, PathOutcome>([
      ['readAll', ok([0, 1], [digests[0]!, digests[1]!])],
      ['readIndices', ok([1], [digests[1]!])],
    ]);
    expect(judge(right, expected, 'test')).toEqual([]);
    const wrong = new Map<PathName, PathOutcome>([['readAll', ok([0, 1], [digests[0]!, digests[2]!])]]);
    expect(judge(wrong, expected, 'test').map((finding) => finding.kind)).toContain('wrong-record');
    const noProof = { ...expected, byIndex: new Map<number, string>() };
    const differ = new Map<PathName, PathOutcome>([
      ['readAll', ok([1], ['a'])],
      ['readIndices', ok([1], ['b'])],
    ]);
    expect(judge(differ, noProof, 'test').map((finding) => finding.kind)).toEqual(['differential']);
    const untyped = new Map<PathName, PathOutcome>([['readAll', { ...ok([], []), status: 'untyped', error: { name: 'RangeError', message: 'Invalid typed array length' } }]]);
    expect(judge(untyped, noProof, 'test').map((finding) => finding.kind)).toEqual(['untyped']);
    const counts = new Map<PathName, PathOutcome>([
      ['readAll', ok([], [], { numRecords: 40 })],
      ['dataSource', ok([], [], { numRecords: 41 })],
    ]);
    expect(judge(counts, noProof, 'test').map((finding) => finding.kind)).toContain('count-mismatch');
  });
});

describe('fuzzer child pool', () => {
  it('records a hang, a crash and a memory blow-up against the path, and goes on in a new child', { timeout: 120_000 }, async () => {
    const { ChildPool } = await import('../../tools/fuzz/pool.js');
    const selfTest = { ARRAY_RECORD_FUZZ_SELFTEST: '1' };
    // A short time limit for the hang; a long one for the rest, so a busy machine still reaches the memory limit first.
    const quick = new ChildPool(1, { timeoutMs: 2000, maxRssMb: 300, maxOldSpaceMb: 256 }, selfTest);
    const patient = new ChildPool(1, { timeoutMs: 60_000, maxRssMb: 300, maxOldSpaceMb: 256 }, selfTest);
    try {
      for (const [pool, kind] of [[quick, 'hang'], [patient, 'crash'], [patient, 'memory']] as const) {
        const results = await pool.run({ id: 1, file: path.join(dir, `selftest-${kind}.array_record`), kind: 'arrayrecord', paths: ['readAll', 'metadata'], seed: 1 });
        expect(results.get('readAll')?.status, kind).toBe(kind);
        // The next path ran in a fresh child (which misbehaves again on this file).
        expect(results.get('metadata')?.status, kind).toBe(kind);
      }
      const results = await patient.run({ id: 2, file: path.join(dir, 'w_zstd_g1.array_record'), kind: 'arrayrecord', paths: ['readAll'], seed: 1 });
      expect(results.get('readAll')?.status).toBe('ok');
      expect(quick.starts + patient.starts).toBe(7);
    } finally {
      quick.close();
      patient.close();
    }
  });
});
