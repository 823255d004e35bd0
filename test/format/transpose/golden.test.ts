// Transposed chunks of the golden files (written by Google's C++ library): decoding, and our encoder's bytes against them.

import { describe, expect, it } from 'vitest';
import { CompressionType } from '../../../src/format/riegeli/constants.js';
import type { CompressorOptions } from '../../../src/format/riegeli/compression.js';
import { recordOf } from '../../../src/format/riegeli/decoded-chunk.js';
import { decodeTransposedChunk, DEFAULT_TRANSPOSE_BUCKET_SIZE, encodeTransposedChunk } from '../../../src/format/riegeli/transpose/index.js';
import { goldenPath, goldenSidecar, sha256 } from '../../helpers/golden.js';
import { decodedBlocks, readChunks, type RawChunk } from './golden-chunks.js';
import { goldenExample } from './proto-builders.js';

const FILES: readonly [string, CompressorOptions][] = [
  ['tfex_transpose_uncompressed_g100.array_record', { type: CompressionType.none, level: 0 }],
  ['tfex_transpose_zstd3_g100.array_record', { type: CompressionType.zstd, level: 3, windowLog: 20 }],
];

function transposedChunks(file: string): RawChunk[] {
  return readChunks(goldenPath(file)).filter((chunk) => chunk.chunkType === 0x74);
}

describe('golden transposed chunks', () => {
  it('the README rule rebuilds every tf.Example record', () => {
    const { sha256: hashes } = goldenSidecar('tfex_zstd3_g1.array_record');
    expect(hashes).toHaveLength(500);
    hashes.forEach((hash, i) => expect(sha256(goldenExample(i)), `record ${i}`).toBe(hash));
  });

  for (const [file] of FILES) {
    it(`${file}: every chunk decodes to the records of the sidecar`, () => {
      const { sha256: hashes, num_records: numRecords } = goldenSidecar(file);
      const chunks = transposedChunks(file);
      expect(chunks).toHaveLength(5);
      let index = 0;
      for (const chunk of chunks) {
        const decoded = decodeTransposedChunk(chunk.data, chunk.numRecords, chunk.decodedDataSize, `chunk at ${chunk.offset} of ${file}`);
        expect(decoded.ends).toHaveLength(chunk.numRecords);
        for (let k = 0; k < chunk.numRecords; k++, index++) {
          expect(sha256(recordOf(decoded, k)), `record ${index}`).toBe(hashes[index]);
        }
      }
      expect(index).toBe(numRecords);
    });
  }

  it('our encoder writes the uncompressed chunks byte for byte', () => {
    const chunks = transposedChunks(FILES[0]![0]);
    chunks.forEach((chunk, c) => {
      const records = Array.from({ length: chunk.numRecords }, (_, k) => goldenExample(c * 100 + k));
      const encoded = encodeTransposedChunk(records, FILES[0]![1], DEFAULT_TRANSPOSE_BUCKET_SIZE);
      expect(encoded.chunkType).toBe(0x74);
      expect(encoded.numRecords).toBe(chunk.numRecords);
      expect(encoded.decodedDataSize).toBe(chunk.decodedDataSize);
      expect(Buffer.from(encoded.data).equals(Buffer.from(chunk.data)), `chunk ${c}`).toBe(true);
    });
  });

  it('our encoder writes the zstd chunks with the same header, buckets and transitions', () => {
    const chunks = transposedChunks(FILES[1]![0]);
    chunks.forEach((chunk, c) => {
      const records = Array.from({ length: chunk.numRecords }, (_, k) => goldenExample(c * 100 + k));
      const ours = decodedBlocks(encodeTransposedChunk(records, FILES[1]![1], DEFAULT_TRANSPOSE_BUCKET_SIZE).data);
      const theirs = decodedBlocks(chunk.data);
      // Header fields other than the stored (compressed) bucket sizes do not depend on the zstd build.
      expect(ours.buckets.map((b) => Buffer.from(b).toString('hex')), `chunk ${c} buckets`).toEqual(
        theirs.buckets.map((b) => Buffer.from(b).toString('hex')),
      );
      expect(Buffer.from(ours.transitions).equals(Buffer.from(theirs.transitions)), `chunk ${c} transitions`).toBe(true);
      expect(ours.headerAfterBucketSizes).toEqual(theirs.headerAfterBucketSizes);
    });
  });

  it('with the zstd build in use, the zstd chunks are byte for byte the same too', () => {
    const chunks = transposedChunks(FILES[1]![0]);
    chunks.forEach((chunk, c) => {
      const records = Array.from({ length: chunk.numRecords }, (_, k) => goldenExample(c * 100 + k));
      const encoded = encodeTransposedChunk(records, FILES[1]![1], DEFAULT_TRANSPOSE_BUCKET_SIZE);
      expect(Buffer.from(encoded.data).equals(Buffer.from(chunk.data)), `chunk ${c}`).toBe(true);
    });
  });
});
