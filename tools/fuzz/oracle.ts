// Judges one mutant's path outcomes. A path must end in success or a typed error naming the file.
// Records are checked against the original where the hashes prove what they must be, and against each
// other everywhere: paths that succeed must agree on every record and on the record count.

import type { Expectations } from './expectations.js';
import { FULL_PATHS, type PathName, type PathOutcome } from './protocol.js';

/** Kinds of findings; all but the disagreements are BAD. */
export type FindingKind =
  | 'untyped'
  | 'unnamed'
  | 'hang'
  | 'crash'
  | 'memory'
  | 'wrong-record'
  | 'wrong-count'
  | 'differential'
  | 'count-mismatch'
  | 'refused-intact'
  | 'disagreement'
  | 'disagreement-partial';

/** Findings that are not failures: one path read what another refused (legitimate when it avoided the damage). */
export const NOT_BAD: ReadonlySet<FindingKind> = new Set(['disagreement', 'disagreement-partial']);

/** One thing wrong (or worth a look) with one mutant. */
export interface Finding {
  readonly kind: FindingKind;
  readonly paths: readonly PathName[];
  readonly detail: string;
  /** What groups findings into one class: kind, paths, error type and message shape. */
  readonly signature: string;
}

/** Numbers, hex, paths and quoted text taken out of a message, so that one bug gives one signature. */
export function messageShape(message: string): string {
  return message
    .replace(/\/[^\s,)'"]+/g, '<path>')
    .replace(/0x[0-9a-f]+/gi, '<hex>')
    .replace(/\b[0-9a-f]{6,}h\b/gi, '<hex>h')
    .replace(/\b[0-9a-f]*[a-f][0-9a-f]*\d[0-9a-f]*h?\b|\b[0-9a-f]*\d[0-9a-f]*[a-f][0-9a-f]*h?\b/gi, '<hex>')
    .replace(/\d+/g, 'N')
    .replace(/"[^"]*"/g, '"…"')
    .slice(0, 160);
}

/** ArrayRecord index -> Riegeli position, through the chunk offsets of the mutant's own footer. */
function positionOf(index: number, mutantIndex: NonNullable<Expectations['mutantIndex']>): number | undefined {
  const { offsets, groupSize } = mutantIndex;
  if (groupSize <= 0) return undefined;
  const chunk = Math.floor(index / groupSize);
  const offset = offsets[chunk];
  return offset === undefined ? undefined : offset + index - chunk * groupSize;
}

/** Judges the outcomes of one mutant. */
export function judge(results: ReadonlyMap<PathName, PathOutcome>, expected: Expectations, mutationType: string): Finding[] {
  const findings: Finding[] = [];
  const add = (kind: FindingKind, paths: PathName[], detail: string, signature: string): void => {
    findings.push({ kind, paths, detail, signature: `${kind} | ${signature}` });
  };

  // 1. How each path ended.
  for (const [path, outcome] of results) {
    const error = outcome.error;
    if (outcome.status === 'untyped' || outcome.status === 'unnamed') {
      const where = outcome.status === 'untyped' && error?.stack !== undefined ? ` at ${error.stack.split(' | ')[0]}` : '';
      // One class per error shape, whichever paths hit it (the class lists them).
      add(outcome.status, [path], `${error?.name}: ${error?.message}${where}`, `${error?.name}${error?.code === undefined ? '' : ` ${error.code}`}: ${messageShape(error?.message ?? '')}`);
    } else if (outcome.status === 'hang' || outcome.status === 'crash' || outcome.status === 'memory') {
      add(outcome.status, [path], outcome.detail ?? '', `${path} | ${messageShape(outcome.detail ?? '').slice(0, 80)}`);
    }
  }

  // 2. Records the hashes prove, and the count an intact footer gives.
  for (const [path, outcome] of results) {
    const proven = outcome.keyKind === 'index' ? expected.byIndex : outcome.keyKind === 'position' ? expected.byPosition : undefined;
    if (proven !== undefined) {
      for (let i = 0; i < outcome.keys.length; i++) {
        const key = outcome.keys[i]!;
        const want = proven.get(key);
        if (want !== undefined && want !== outcome.digests[i]) {
          add('wrong-record', [path], `${outcome.keyKind} ${key} differs from the original record`, `${path} | ${mutationType}`);
          break;
        }
        if (outcome.keyKind === 'index' && expected.indexLimit !== undefined && (key >= expected.indexLimit || key < 0)) {
          add('wrong-record', [path], `record ${key} returned, the original has ${expected.indexLimit} records and nothing was forged`, `${path} | ${mutationType} | extra records`);
          break;
        }
      }
    }
    if (expected.numRecords !== undefined && outcome.keyKind === 'index') {
      const announced = outcome.numRecords;
      if (announced !== undefined && announced !== expected.numRecords) {
        add('wrong-count', [path], `numRecords ${announced}, the intact footer says ${expected.numRecords}`, `${path} | ${mutationType}`);
      } else if (outcome.complete && outcome.count !== undefined && outcome.count !== expected.numRecords) {
        add('wrong-count', [path], `read ${outcome.count} records, the intact footer says ${expected.numRecords}`, `${path} | ${mutationType}`);
      }
    }
    if (outcome.status === 'ok' && outcome.metadata !== undefined) {
      const want = path === 'metadata' ? expected.arrayRecordMetadata : expected.metadata;
      if (want !== undefined && want !== outcome.metadata) add('wrong-record', [path], `metadata ${outcome.metadata} differs from ${want}`, `${path} | ${mutationType}`);
    }
  }

  // 3. Paths against each other: the same index (or position) must give the same record everywhere.
  const byIndex = new Map<number, { path: PathName; digest: string }>();
  const byPosition = new Map<number, { path: PathName; digest: string }>();
  const reported = new Set<string>();
  const compare = (map: Map<number, { path: PathName; digest: string }>, key: number, path: PathName, value: string, what: string): void => {
    const seen = map.get(key);
    if (seen === undefined) {
      map.set(key, { path, digest: value });
      return;
    }
    if (seen.digest === value) return;
    const pair = [seen.path, path].sort().join(' vs ');
    if (reported.has(pair)) return;
    reported.add(pair);
    add('differential', [seen.path, path], `${what} ${key}: ${seen.path} and ${path} return different records`, `${pair} | ${mutationType}`);
  };
  for (const [path, outcome] of results) {
    for (let i = 0; i < outcome.keys.length; i++) {
      const key = outcome.keys[i]!;
      const value = outcome.digests[i]!;
      if (outcome.keyKind === 'position') compare(byPosition, key, path, value, 'position');
      else if (outcome.keyKind === 'index') {
        compare(byIndex, key, path, value, 'index');
        // The same record seen by the Riegeli reader: its chunk's offset (from the mutant's footer) + index in it.
        const position = expected.mutantIndex === undefined ? undefined : positionOf(key, expected.mutantIndex);
        if (position !== undefined) compare(byPosition, position, path, value, 'position');
      }
    }
  }

  // Counts: every ArrayRecord path that got as far as a count must give the same one, and complete reads must match it.
  const counts = new Map<number, PathName[]>();
  for (const [path, outcome] of results) {
    if (outcome.keyKind === 'position') continue;
    if (outcome.numRecords !== undefined) counts.set(outcome.numRecords, [...(counts.get(outcome.numRecords) ?? []), path]);
    if (outcome.status === 'ok' && outcome.complete && outcome.count !== undefined && outcome.numRecords !== undefined && outcome.count !== outcome.numRecords) {
      add('count-mismatch', [path], `announced ${outcome.numRecords} records, read ${outcome.count}`, `${path} announced vs read | ${mutationType}`);
    }
    if (outcome.status === 'ok' && !outcome.complete && outcome.count !== undefined) {
      add('count-mismatch', [path], `asked for ${outcome.keys.length} records, got ${outcome.count}`, `${path} asked vs returned | ${mutationType}`);
    }
  }
  if (counts.size > 1) {
    const groups = [...counts.entries()].map(([count, paths]) => `${paths.join(',')}=${count}`);
    add('count-mismatch', [...counts.values()].flat(), `record counts differ: ${groups.join(' ')}`, `${[...counts.values()].map((p) => p[0]).sort().join(' vs ')} | ${mutationType}`);
  }

  // 4. One path read what another refused: reported, not BAD (an index read may avoid the damaged chunk).
  for (const [okPath, ok] of results) {
    if (ok.status !== 'ok' || ok.keyKind !== 'index') continue;
    for (const [errorPath, failed] of results) {
      if (failed.status !== 'typed' && failed.status !== 'unnamed') continue;
      if (failed.keyKind !== 'index' && failed.keyKind !== 'none') continue;
      // Metadata and the Riegeli reader read other parts of the file, or read it another way.
      if (errorPath === 'metadata' || errorPath.startsWith('riegeli')) continue;
      const full = FULL_PATHS.has(okPath) && FULL_PATHS.has(errorPath);
      // One class per pair of paths: which check one path makes and the other does not is for the repro to show.
      add(full ? 'disagreement' : 'disagreement-partial', [okPath, errorPath], `${okPath} succeeded, ${errorPath} failed: ${failed.error?.message ?? ''}`, `${okPath} ok / ${errorPath} failed`);
    }
  }
  return findings;
}
