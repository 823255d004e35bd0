// The writer's shortcuts give the bytes the plain way gives: tiny blocks kept once encoded, chunks of
// records that already lie back to back, the footer index serialised straight into its records, and a
// group buffer that serves group after group.

import { afterEach, describe, expect, it } from 'vitest';
import { FooterIndex } from '../../src/format/arrayrecord/footer-index.js';
import { GroupBuffer } from '../../src/format/arrayrecord/group-buffer.js';
import { encodeChunkFooter } from '../../src/format/arrayrecord/layout.js';
import { encodeBlock, encodeBlockAfter, type CompressorOptions } from '../../src/format/riegeli/compression.js';
import { CompressionType } from '../../src/format/riegeli/constants.js';
import { encodeSimpleChunk, encodeSimpleChunkOf } from '../../src/format/riegeli/simple-chunk.js';
import { resetZstdCodec, zstdCodec } from '../../src/format/riegeli/zstd-codec.js';

afterEach(() => resetZstdCodec());

const CODECS: CompressorOptions[] = [
  { type: CompressionType.none, level: 0 },
  { type: CompressionType.zstd, level: 3, windowLog: 20 },
  { type: CompressionType.brotli, level: 3 },
  { type: CompressionType.snappy, level: 1 },
];

const records = [0, 1, 2, 200, 5000].map((length, r) => Uint8Array.from({ length }, (_, i) => (i * 7 + r) % 251));

describe('tiny blocks', () => {
  it('are what encoding them again gives, and each caller gets its own copy', () => {
    for (const options of CODECS.slice(1)) {
      for (const bytes of [[], [0], [0, 0], [0xe7, 0x0a], [1, 2, 3, 4]]) {
        const data = Uint8Array.from(bytes);
        const first = encodeBlock(options, data);
        expect([...first]).toEqual([...encodeBlockAfter(options, data, 0)]);
        first.fill(0xff);
        expect([...encodeBlock(options, data)]).toEqual([...encodeBlockAfter(options, data, 0)]);
      }
    }
  });

  it('are encoded again by a zstd codec swapped in', () => {
    const codec = zstdCodec();
    const options = CODECS[1]!;
    const data = Uint8Array.from([0x2c]);
    const expected = encodeBlock(options, data);
    let calls = 0;
    resetZstdCodec({ ...codec, compress: (...args) => (calls++, codec.compress(...args)) });
    expect([...encodeBlock(options, data)]).toEqual([...expected]);
    expect(calls).toBe(1);
  });
});

describe('encodeSimpleChunkOf', () => {
  it('gives the chunk encodeSimpleChunk gives for the same records', () => {
    const values = Uint8Array.from(records.flatMap((record) => [...record]));
    const ends: number[] = [];
    for (const record of records) ends.push((ends.at(-1) ?? 0) + record.length);
    for (const options of CODECS) {
      const plain = encodeSimpleChunk(records, options);
      const of = encodeSimpleChunkOf(values, ends, options);
      expect({ ...of, data: [...of.data] }).toEqual({ ...plain, data: [...plain.data] });
      const inPlace = encodeSimpleChunk(records, options, values);
      expect([...inPlace.data]).toEqual([...plain.data]);
    }
  });
});

describe('FooterIndex', () => {
  it('serialises the metadata, then an ArrayRecordFooter per chunk, back to back', () => {
    const index = new FooterIndex();
    const footers = Array.from({ length: 3000 }, (_, c) => ({ chunkOffset: 64 + c * 2 ** 30, decodedDataSize: c * 129, numRecords: 1 + (c % 300) }));
    for (const footer of footers) index.add(footer.chunkOffset, footer.decodedDataSize, footer.numRecords);
    expect(index.numChunks).toBe(3000);
    expect(index.numRecords).toBe(footers.reduce((sum, footer) => sum + footer.numRecords, 0));
    const metadata = Uint8Array.from([1, 2, 3]);
    const { values, ends } = index.footerRecords(metadata);
    const expected = [metadata, ...footers.map(encodeChunkFooter)];
    expect([...values]).toEqual(expected.flatMap((record) => [...record]));
    let end = 0;
    expect([...ends]).toEqual(expected.map((record) => (end += record.length)));
  });
});

describe('GroupBuffer', () => {
  it('holds each group back to back, its buffer reused and grown as groups need', () => {
    const group = new GroupBuffer();
    for (const size of [3, 1, 5]) {
      const members = Array.from({ length: size }, (_, r) => records[(r + size) % records.length]!);
      for (const record of members) group.add(record);
      expect(group.length).toBe(size);
      const { records: views, values } = group.contents();
      expect(views.map((view) => [...view])).toEqual(members.map((record) => [...record]));
      expect([...values]).toEqual(members.flatMap((record) => [...record]));
      group.clear();
      expect(group.length).toBe(0);
    }
  });
});
