// RecordsMetadata: the golden metadata chunk, the hand-written wire codec against protobufjs, and the 'm' chunk encoding.

import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { CorruptFileError, InvalidArgumentError } from '../../../src/format/errors.js';
import { ChunkType, CompressionType } from '../../../src/format/riegeli/constants.js';
import type { CompressorOptions } from '../../../src/format/riegeli/compression.js';
import {
  decodeMetadataChunk,
  decodeRecordsMetadata,
  encodeMetadataChunk,
  encodeRecordsMetadata,
  type RecordsMetadata,
} from '../../../src/format/riegeli/records-metadata.js';
import { goldenPath, goldenSidecar } from '../../helpers/golden.js';
import { decodedBlocks, readChunks } from './golden-chunks.js';
import { lengthDelimited, tag, varint } from './proto-builders.js';

const GOLDEN = 'metadata_zstd3_g10_small.array_record';
const ZSTD3: CompressorOptions = { type: CompressionType.zstd, level: 3, windowLog: 20 };

/** riegeli.RecordsMetadata for protobufjs, file descriptors as bytes (the same wire format). */
const RecordsMetadataType = protobuf.Root.fromJSON({
  nested: {
    RecordsMetadata: {
      fields: {
        fileComment: { type: 'string', id: 1 },
        recordTypeName: { type: 'string', id: 2 },
        fileDescriptor: { rule: 'repeated', type: 'bytes', id: 3 },
        recordWriterOptions: { type: 'string', id: 4 },
        numRecords: { type: 'int64', id: 5 },
      },
    },
  },
}).lookupType('RecordsMetadata');

describe('golden metadata chunk', () => {
  const chunk = readChunks(goldenPath(GOLDEN))[0]!;

  it('is an m chunk right after the signature with num_records 0', () => {
    expect(chunk.offset).toBe(64);
    expect(chunk.chunkType).toBe(ChunkType.fileMetadata);
    expect(chunk.numRecords).toBe(0);
  });

  it('decodes to the sidecar metadata', () => {
    const metadata = decodeMetadataChunk(chunk.data, chunk.decodedDataSize, `chunk at 64 of ${GOLDEN}`);
    expect(goldenSidecar(GOLDEN).metadata).toEqual({ file_comment: 'golden' });
    expect(metadata).toEqual({ fileComment: 'golden' });
  });

  it('our encoding has the same header fields, decoded data size and contents', () => {
    const ours = encodeMetadataChunk({ fileComment: 'golden' }, ZSTD3);
    expect(ours.chunkType).toBe(ChunkType.fileMetadata);
    expect(ours.numRecords).toBe(0);
    expect(ours.decodedDataSize).toBe(chunk.decodedDataSize);
    const a = decodedBlocks(ours.data);
    const b = decodedBlocks(chunk.data);
    expect(a.headerAfterBucketSizes).toEqual(b.headerAfterBucketSizes);
    expect(a.buckets.map((x) => Buffer.from(x).toString('hex'))).toEqual(b.buckets.map((x) => Buffer.from(x).toString('hex')));
    expect(Buffer.from(a.transitions).equals(Buffer.from(b.transitions))).toBe(true);
  });

  it('with the zstd build in use, our chunk is byte for byte the golden one', () => {
    expect(Buffer.from(encodeMetadataChunk({ fileComment: 'golden' }, ZSTD3).data).equals(Buffer.from(chunk.data))).toBe(true);
  });
});

describe('RecordsMetadata wire codec', () => {
  const full: RecordsMetadata = {
    fileComment: 'images, 28x28 — ünïcode',
    recordTypeName: 'tensorflow.Example',
    fileDescriptors: [Uint8Array.of(0x0a, 0x03, 0x61, 0x2e, 0x62), new Uint8Array(0)],
    recordWriterOptions: 'transpose',
    numRecords: 123_456_789_012,
  };

  it('round trips every field', () => {
    expect(decodeRecordsMetadata(encodeRecordsMetadata(full))).toEqual(full);
    expect(decodeRecordsMetadata(encodeRecordsMetadata({}))).toEqual({});
    expect(decodeRecordsMetadata(encodeRecordsMetadata({ numRecords: -5 }))).toEqual({ numRecords: -5 });
    expect(Array.from(encodeRecordsMetadata({ fileComment: 'golden' }))).toEqual([0x0a, 6, ...Buffer.from('golden')]);
    // A leading U+FEFF is text of the field, not a byte order mark to drop.
    expect(decodeRecordsMetadata(encodeRecordsMetadata({ fileComment: '\uFEFFcomment' }))).toEqual({ fileComment: '\uFEFFcomment' });
  });

  it('agrees with protobufjs both ways', () => {
    const metadata = fc.record(
      {
        fileComment: fc.string({ unit: 'grapheme' }),
        recordTypeName: fc.string(),
        fileDescriptors: fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 3 }),
        recordWriterOptions: fc.string(),
        numRecords: fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(metadata, (m) => {
        const ours = encodeRecordsMetadata(m);
        const theirs = RecordsMetadataType.toObject(RecordsMetadataType.decode(ours), { longs: Number, bytes: Array, defaults: false });
        // protobufjs reports fields holding their default value as absent.
        expect(theirs.fileComment ?? '').toEqual(m.fileComment ?? '');
        expect(theirs.recordTypeName ?? '').toEqual(m.recordTypeName ?? '');
        expect(theirs.recordWriterOptions ?? '').toEqual(m.recordWriterOptions ?? '');
        expect(theirs.numRecords ?? 0).toEqual(m.numRecords ?? 0);
        expect((theirs.fileDescriptor ?? []).map((d: number[]) => Array.from(d))).toEqual((m.fileDescriptors ?? []).map((d) => Array.from(d)));
        const written = RecordsMetadataType.encode(
          RecordsMetadataType.fromObject({ ...m, fileDescriptor: m.fileDescriptors, fileDescriptors: undefined }),
        ).finish();
        const decoded = decodeRecordsMetadata(written);
        expect(decoded.fileComment ?? '').toEqual(m.fileComment ?? '');
        expect(decoded.recordTypeName ?? '').toEqual(m.recordTypeName ?? '');
        expect(decoded.numRecords ?? 0).toEqual(m.numRecords ?? 0);
        expect((decoded.fileDescriptors ?? []).map((d) => Array.from(d))).toEqual((m.fileDescriptors ?? []).map((d) => Array.from(d)));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps unknown fields and extensions as raw bytes, in order, after the known fields', () => {
    const extension = [...lengthDelimited(1000, [1, 2, 3]), ...tag(5000, 0), ...varint(300)];
    const group = [...tag(7, 3), ...tag(1, 5), 1, 2, 3, 4, ...tag(7, 4)];
    const wrongWireType = [...tag(1, 0), ...varint(9)];
    const bytes = Uint8Array.from([...lengthDelimited(1, Buffer.from('x')), ...extension, ...group, ...wrongWireType]);
    const decoded = decodeRecordsMetadata(bytes);
    expect(decoded.fileComment).toBe('x');
    expect(Array.from(decoded.unknownFields!)).toEqual([...extension, ...group, ...wrongWireType]);
    expect(Array.from(encodeRecordsMetadata(decoded))).toEqual(Array.from(bytes));
  });

  it('rejects malformed bytes with CorruptFileError', () => {
    const bad: readonly number[][] = [
      [0x0a, 5, 1, 2],
      [0x00],
      [...tag(3, 7)],
      [...tag(7, 3), ...tag(8, 4)],
      [...tag(7, 3)],
      [...tag(2, 1), 1, 2],
      [0x80],
    ];
    for (const bytes of bad) expect(() => decodeRecordsMetadata(Uint8Array.from(bytes), 'metadata of x'), Buffer.from(bytes).toString('hex')).toThrow(CorruptFileError);
  });

  it('refuses a num_records that is not a safe integer', () => {
    expect(() => encodeRecordsMetadata({ numRecords: 2 ** 60 })).toThrow(InvalidArgumentError);
    expect(() => encodeRecordsMetadata({ numRecords: 1.5 })).toThrow(InvalidArgumentError);
  });

  it('metadata chunks round trip with every codec', () => {
    for (const type of [CompressionType.none, CompressionType.zstd, CompressionType.brotli, CompressionType.snappy]) {
      const chunk = encodeMetadataChunk(full, { type, level: 3 });
      expect(decodeMetadataChunk(chunk.data, chunk.decodedDataSize, 'metadata chunk')).toEqual(full);
    }
  });

  it('a metadata chunk whose record is not a RecordsMetadata is corrupt', () => {
    const chunk = encodeMetadataChunk({ unknownFields: Uint8Array.of(0x0f) }, { type: CompressionType.none, level: 0 });
    expect(() => decodeMetadataChunk(chunk.data, chunk.decodedDataSize, 'chunk at 64')).toThrow(/RecordsMetadata in chunk at 64/);
  });
});
