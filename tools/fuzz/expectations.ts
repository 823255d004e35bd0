// What a correct reader must return for a mutant, as far as the hashes prove it: a chunk whose header and
// data are byte-identical to the original's, at a position the (identical) footer or chunk chain leads a
// reader to, must decode to the original records. Everything else is judged by comparing paths.

import type { CorpusFile } from './corpus.js';
import { arrayRecordStructure, chunkAt, sameChunk, walkChunks } from './structure.js';

/** Proven expectations for one mutant. */
export interface Expectations {
  /** Record digests by ArrayRecord index, for chunks proven intact. */
  readonly byIndex: ReadonlyMap<number, string>;
  /** The record count, when the postscript and footer are proven intact. */
  readonly numRecords: number | undefined;
  /**
   * Without any hash-valid change (a raw mutation that forged nothing), an ArrayRecord file has no records
   * but the original's: a record at an index at or beyond this count is wrong whoever returns it.
   */
  readonly indexLimit: number | undefined;
  /** Record digests by Riegeli position, for chunks on the chain from the file start proven intact. */
  readonly byPosition: ReadonlyMap<number, string>;
  /** RecordsMetadata (as metadataJson) a Riegeli reader must return, unless the chunk at 64 was forged. */
  readonly metadata: string | undefined;
  /** The same for ArrayRecordReader, which also needs an intact footer (it decides from chunk 0's offset). */
  readonly arrayRecordMetadata: string | undefined;
  /** True when some hash-valid chunk differs from the original (the file legitimately holds other bytes). */
  readonly forged: boolean;
  /** The mutant's own footer, when it decodes: chunk offsets and group size, to map indices to positions. */
  readonly mutantIndex: { readonly offsets: readonly number[]; readonly groupSize: number } | undefined;
}

/** Works out what the hashes prove about `mutant`, a mutation of `original`. */
export function expectationsFor(original: CorpusFile, mutant: Uint8Array): Expectations {
  const byIndex = new Map<number, string>();
  const byPosition = new Map<number, string>();
  let forged = false;
  let numRecords: number | undefined;

  // The Riegeli chain: chunks from the start while they are the original's.
  const originalAt = new Map(original.chunks.map((site) => [site.begin, site]));
  const chain = walkChunks(mutant);
  const intactBegins = new Set<number>();
  for (const site of chain) {
    const before = originalAt.get(site.begin);
    if (before === undefined || !sameChunk(before, site)) {
      forged = true;
      break;
    }
    intactBegins.add(site.begin);
  }
  for (const [position, record] of original.riegeliRecords) {
    // A record's position is its chunk's begin plus its index; the chunk is the last begin at or before it.
    const begin = chunkBeginOf(original, position);
    if (begin !== undefined && intactBegins.has(begin)) byPosition.set(position, record);
  }
  // Metadata lives in the chunk at 64: a reader must return the original's unless a valid other chunk is there.
  const firstChunk = originalAt.get(64);
  const mutantFirstChunk = chunkAt(mutant, 64);
  const metadataForged = mutantFirstChunk !== undefined && (firstChunk === undefined || !sameChunk(firstChunk, mutantFirstChunk));
  let footerIntact = false;

  // The ArrayRecord index: the reader finds the postscript in the last block, the footer through it.
  let mutantIndex: Expectations['mutantIndex'];
  const layout = original.layout;
  const mutantLayout = original.kind === 'arrayrecord' ? arrayRecordStructure(mutant) : undefined;
  if (mutantLayout !== undefined) {
    const offsets = mutantLayout.entries.map((entry) => entry.chunkOffset);
    mutantIndex = { offsets, groupSize: mutantLayout.entries[0]?.numRecords ?? 0 };
  }
  if (layout !== undefined && mutantLayout !== undefined) {
    footerIntact = mutantLayout.footerOffset === layout.footerOffset && sameChunk(mutantLayout.footer, layout.footer) && sameChunk(mutantLayout.postscript, layout.postscript);
    if (!footerIntact) forged = true;
    else {
      numRecords = original.recordDigests.length;
      const groupSize = layout.entries[0]?.numRecords ?? 1;
      layout.entries.forEach((entry, chunk) => {
        const before = originalAt.get(entry.chunkOffset);
        const now = chunkAt(mutant, entry.chunkOffset);
        if (before === undefined || now === undefined) return;
        if (!sameChunk(before, now)) {
          forged = true;
          return;
        }
        for (let i = chunk * groupSize; i < Math.min(original.recordDigests.length, (chunk + 1) * groupSize); i++) byIndex.set(i, original.recordDigests[i]!);
      });
    }
  }
  if (metadataForged) forged = true;
  // Nothing forged: whatever a reader makes of the damage, record i can only be the original record i.
  let indexLimit: number | undefined;
  if (!forged && original.kind === 'arrayrecord') {
    indexLimit = original.recordDigests.length;
    original.recordDigests.forEach((record, i) => byIndex.set(i, record));
  }

  return {
    byIndex,
    numRecords,
    indexLimit,
    byPosition,
    // A file cut right after its signature is a valid empty Riegeli file: no metadata is then right too.
    metadata: metadataForged || mutant.length <= 64 ? undefined : original.metadata,
    // Without a footer that verifies the reader must fail, so the original's metadata is the only right answer.
    arrayRecordMetadata: metadataForged || (mutantLayout !== undefined && !footerIntact) ? undefined : original.metadata,
    forged,
    mutantIndex,
  };
}

function chunkBeginOf(file: CorpusFile, position: number): number | undefined {
  let begin: number | undefined;
  for (const site of file.chunks) {
    if (site.begin > position) break;
    begin = site.begin;
  }
  return begin;
}
