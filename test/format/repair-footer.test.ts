// repair with the footer's chunk offsets: past a damaged chunk header the block-header scan only finds
// its way again at the next 64 KiB boundary, but an intact footer (or one found by scanning) says where
// every chunk in between begins, so only the damaged chunks are lost: what the reader with
// skip_corrupted_chunks reads, record for record. Without a usable footer the scan is all there is.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileLayout } from '../../src/format/arrayrecord/footer.js';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { LocalFile } from '../../src/format/io/byte-source.js';
import { BLOCK_HEADER_SIZE, BLOCK_SIZE, CHUNK_HEADER_SIZE } from '../../src/format/riegeli/constants.js';
import { repair, type RepairReport } from '../../src/format/tools/repair.js';
import { testRecord } from '../cli/fixtures/records.js';
import { goldenPath } from '../helpers/golden.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-repair-footer-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// The user's file: 5000 records of ~210 bytes in chunks of 10, 500 chunks over 12 blocks of 64 KiB.
const COUNT = 5000;
const GROUP = 10;
const original = path.join(dir, 'original.array_record');
{
  const writer = new ArrayRecordWriter(original, `group_size:${GROUP}`);
  for (let i = 0; i < COUNT; i++) writer.write(testRecord(i));
  writer.close();
}
const bytes = fs.readFileSync(original);
const { offsets, footerOffset } = (() => {
  const source = LocalFile.open(original);
  try {
    const { layout, offsets } = readFileLayout(source);
    return { offsets: [...offsets], footerOffset: layout.footerOffset };
  } finally {
    source.close();
  }
})();
const NUM_CHUNKS = offsets.length - 1;

/** The first chunk that begins at `pos` or later with its whole header inside one block (so a flipped header byte is in the header). */
function chunkFrom(pos: number): number {
  const chunk = offsets.findIndex((offset, i) => i < NUM_CHUNKS && offset >= pos && Math.floor(offset / BLOCK_SIZE) === Math.floor((offset + CHUNK_HEADER_SIZE) / BLOCK_SIZE));
  expect(chunk).toBeGreaterThanOrEqual(0);
  return chunk;
}

/** A byte of chunk `chunk`'s header (its chunk type and sizes, past the header hash). */
const headerByte = (chunk: number): number => offsets[chunk]! + 20;

/** A copy of the original file with one bit flipped at each of `positions`, cut to `size` bytes. */
function damaged(name: string, positions: readonly number[], size = bytes.length): string {
  const copy = Buffer.from(bytes.subarray(0, size));
  for (const pos of positions) copy[pos] = copy[pos]! ^ 0x04;
  const file = path.join(dir, name);
  fs.writeFileSync(file, copy);
  return file;
}

/** The byte range of chunk `chunk`, as the footer lists it. */
const span = (chunk: number): { begin: number; end: number } => ({ begin: offsets[chunk]!, end: offsets[chunk + 1]! });

/** The report's lost region for chunk `chunk`, lost for `reason`. */
const lostChunk = (chunk: number, reason = /chunk header hash mismatch/): object => ({ ...span(chunk), reason: expect.stringMatching(reason) as unknown });

/** What a report says when every chunk but `lost` was saved. */
const savedAllBut = (lost: readonly number[]): object => ({ recordsSaved: COUNT - lost.length * GROUP, chunksSaved: NUM_CHUNKS - lost.length });

/** Repairs `damaged(name, positions, size)` into a file of its own. */
async function repairDamaged(name: string, positions: readonly number[], size?: number): Promise<{ input: string; output: string; report: RepairReport }> {
  const input = damaged(`${name}.array_record`, positions, size);
  const output = path.join(dir, `${name}-repaired.array_record`);
  return { input, output, report: await repair(input, output) };
}

/** Test records 0..COUNT-1 but those of `lostChunks`. */
function recordsWithout(lostChunks: readonly number[]): number[] {
  return Array.from({ length: COUNT }, (_, i) => i).filter((i) => !lostChunks.includes(Math.floor(i / GROUP)));
}

/** Reads `file` strictly (every hash checked) and checks that it holds test records `indices`, in order, byte for byte. */
function expectRecords(file: string, indices: readonly number[]): Uint8Array[] {
  using reader = new ArrayRecordReader(file);
  const records = reader.readAll();
  expect(records.length).toBe(indices.length);
  indices.forEach((index, i) => {
    if (!Buffer.from(records[i]!).equals(Buffer.from(testRecord(index)))) throw new Error(`record ${i} is not test record ${index}`);
  });
  return records;
}

/** Checks that the output holds exactly the records the reader with skip_corrupted_chunks reads from the input, in order. */
function expectReaderRecords(input: string, output: string): void {
  using skipping = new ArrayRecordReader(input, 'skip_corrupted_chunks');
  const expected = skipping.readAll();
  using repaired = new ArrayRecordReader(output);
  const saved = repaired.readAll();
  expect(saved.length).toBe(expected.length);
  saved.forEach((record, i) => {
    if (!Buffer.from(record).equals(Buffer.from(expected[i]!))) throw new Error(`record ${i} differs from what the reader reads`);
  });
}

/** The lost regions are in file order, do not overlap, and add up to bytesLost. */
function expectConsistentLoss(report: RepairReport): void {
  report.lost.forEach((region, i) => {
    expect(region.end).toBeGreaterThan(region.begin);
    if (i > 0) expect(region.begin).toBeGreaterThanOrEqual(report.lost[i - 1]!.end);
  });
  expect(report.bytesLost).toBe(report.lost.reduce((sum, region) => sum + region.end - region.begin, 0));
}

describe('repair with an intact footer', () => {
  it("saves every chunk but one with a damaged header: the reader's records with skip_corrupted_chunks, not the rest of the block", async () => {
    // The user's trial: a bit of byte ~20000, in the header of a chunk in the first block of 12.
    const chunk = chunkFrom(20_000);
    const { input, output, report } = await repairDamaged('header', [headerByte(chunk)]);
    expect(report).toMatchObject({
      ...savedAllBut([chunk]),
      footer: 'intact',
      recordsExpected: COUNT,
      writerOptionsFrom: 'footer',
      bytesLost: span(chunk).end - span(chunk).begin,
      lost: [lostChunk(chunk)],
    });
    expectConsistentLoss(report);
    expectReaderRecords(input, output);
    expectRecords(output, recordsWithout([chunk]));
  });

  it('loses only the chunks a damaged block header interrupts, also where the scan jumps past it from a damaged chunk header', async () => {
    // The scan, lost at the chunk header in block 3, would look for its way at block 4, whose header is damaged too, and only find it at block 5.
    const chunk = chunkFrom(3 * BLOCK_SIZE + 1000);
    const boundary = 4 * BLOCK_SIZE;
    const interrupted = offsets.findIndex((offset, i) => offset <= boundary && boundary < offsets[i + 1]!);
    expect(interrupted).toBeGreaterThan(chunk);
    const { input, output, report } = await repairDamaged('block-header', [headerByte(chunk), boundary + 3]);
    expect(report).toMatchObject({ ...savedAllBut([chunk, interrupted]), footer: 'intact', lost: [lostChunk(chunk), lostChunk(interrupted, /block header/)] });
    expectConsistentLoss(report);
    expectReaderRecords(input, output);
    expectRecords(output, recordsWithout([chunk, interrupted]));
  });

  it.each([
    ['in different blocks', (): number[] => [chunkFrom(70_000), chunkFrom(5 * BLOCK_SIZE + 2000)]],
    ['next to each other', (): number[] => [chunkFrom(7 * BLOCK_SIZE + 2000), chunkFrom(7 * BLOCK_SIZE + 2000) + 1]],
  ])('saves every chunk but two with damaged headers %s', async (name, chunksOf) => {
    const chunks = chunksOf();
    const { input, output, report } = await repairDamaged(`two-${name.replaceAll(' ', '-')}`, chunks.map(headerByte));
    expect(report).toMatchObject({ ...savedAllBut(chunks), footer: 'intact', lost: chunks.map((chunk) => lostChunk(chunk)) });
    expectConsistentLoss(report);
    expectReaderRecords(input, output);
    expectRecords(output, recordsWithout(chunks));
  });

  it('keeps the metadata and reports neither the footer nor its padding lost when the scan finds its way only at the postscript', async () => {
    // A file of one block and the postscript's: after the damaged header the scan knows nothing until the postscript.
    const golden = goldenPath('metadata_zstd3_g10_small.array_record');
    const source = LocalFile.open(golden);
    const { offsets: goldenOffsets, layout } = readFileLayout(source);
    source.close();
    expect(source.size).toBe(2 * BLOCK_SIZE);
    const copy = fs.readFileSync(golden);
    const chunk = 1;
    copy[goldenOffsets[chunk]! + 20] = copy[goldenOffsets[chunk]! + 20]! ^ 0x04;
    const input = path.join(dir, 'metadata.array_record');
    fs.writeFileSync(input, copy);
    const output = path.join(dir, 'metadata-repaired.array_record');
    const report = await repair(input, output);
    expect(report).toMatchObject({
      recordsSaved: layout.numRecords - layout.groupSize,
      chunksSaved: layout.numChunks - 1,
      footer: 'intact',
      metadata: true,
      lost: [{ begin: goldenOffsets[chunk], end: goldenOffsets[chunk + 1], reason: expect.stringMatching(/chunk header hash mismatch/) as unknown }],
    });
    expectConsistentLoss(report);
    expectReaderRecords(input, output);
    using reader = new ArrayRecordReader(output);
    expect(reader.metadata()).toMatchObject({ fileComment: 'golden' });
  });
});

describe('repair without an intact footer', () => {
  it('uses the chunk offsets of a footer found by scanning when the postscript is lost', async () => {
    const chunk = chunkFrom(6 * BLOCK_SIZE + 500);
    const { output, report } = await repairDamaged('no-postscript', [headerByte(chunk)], bytes.length - BLOCK_SIZE);
    expect(report).toMatchObject({ ...savedAllBut([chunk]), footer: 'found', recordsExpected: COUNT, writerOptionsFrom: 'footer', lost: [lostChunk(chunk)] });
    expectConsistentLoss(report);
    expectRecords(output, recordsWithout([chunk]));
  });

  it('falls back to the block-header scan when the footer is damaged: the chunks up to the next block are lost', async () => {
    const chunk = chunkFrom(2 * BLOCK_SIZE + 500);
    const inFooter = footerOffset + 100;
    expect(inFooter % BLOCK_SIZE).toBeGreaterThanOrEqual(BLOCK_HEADER_SIZE);
    // The scan takes up again at the first chunk that begins at or after the next block boundary.
    const resume = offsets.findIndex((offset) => offset >= 3 * BLOCK_SIZE);
    const lostChunks = Array.from({ length: resume - chunk }, (_, i) => chunk + i);
    expect(lostChunks.length).toBeGreaterThan(10);
    const { output, report } = await repairDamaged('footer', [headerByte(chunk), inFooter]);
    expect(report).toMatchObject({ ...savedAllBut(lostChunks), footer: 'missing', recordsExpected: undefined, writerOptionsFrom: 'chunks' });
    expect(report.lost[0]).toMatchObject({ begin: offsets[chunk], end: offsets[resume], reason: expect.stringMatching(/chunk header hash mismatch/) as unknown });
    // The footer's own chunk is lost too, and nothing else.
    expect(report.lost.slice(1)).toMatchObject([{ begin: footerOffset }]);
    expectConsistentLoss(report);
    expectRecords(output, recordsWithout(lostChunks));
  });
});
