// Transposed vs simple chunk decoding of the same 100 tf.Examples, per codec: the golden files' records
// (their images compress ~26:1) and the same Examples with sparse noisy images (~25% random pixels).
// Run: npx tsx bench/transpose.ts [--rounds N]

import { CompressionType } from '../src/format/riegeli/constants.js';
import type { CompressorOptions } from '../src/format/riegeli/compression.js';
import { decodeSimpleChunk, encodeSimpleChunk } from '../src/format/riegeli/simple-chunk.js';
import { decodeTransposedChunk, DEFAULT_TRANSPOSE_BUCKET_SIZE, encodeTransposedChunk } from '../src/format/riegeli/transpose/index.js';
import { goldenExample, lengthDelimited } from '../test/format/transpose/proto-builders.js';

const RECORDS = 100;
const at = process.argv.indexOf('--rounds');
const ROUNDS = at < 0 ? 7 : Number(process.argv[at + 1]);

const CODECS: readonly [string, CompressorOptions][] = [
  ['uncompressed', { type: CompressionType.none, level: 0 }],
  ['zstd:3', { type: CompressionType.zstd, level: 3, windowLog: 20 }],
  ['snappy', { type: CompressionType.snappy, level: 0 }],
  ['brotli:6', { type: CompressionType.brotli, level: 6 }],
];

/** Median microseconds per call of `action`, over ROUNDS rounds of enough calls to last ~50 ms. */
function microseconds(action: () => void): number {
  let calls = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) action();
    if (Number(process.hrtime.bigint() - start) > 20e6) break;
    calls *= 2;
  }
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) action();
    rounds.push(Number(process.hrtime.bigint() - start) / 1e3 / calls);
  }
  return rounds.sort((a, b) => a - b)[rounds.length >> 1]!;
}

/** Example i of the golden files with its 784 image bytes replaced by sparse noise (a quarter of them non-zero). */
function noisyExample(i: number): Uint8Array {
  const golden = goldenExample(i);
  const image = new Uint8Array(784);
  let state = (i + 1) * 0x9e3779b1 || 1;
  for (let j = 0; j < image.length; j++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    image[j] = (state & 3) === 0 ? (state >>> 8) & 0xff : 0;
  }
  // The golden image payload is the only 784-byte run; find it by its value prefix (0a 90 06 = bytes field of 784).
  const marker = Buffer.from(lengthDelimited(1, image).slice(0, 3));
  const at = Buffer.from(golden).indexOf(marker);
  const noisy = golden.slice();
  noisy.set(image, at + marker.length);
  return noisy;
}

function run(title: string, records: readonly Uint8Array[]): void {
  const size = records.reduce((sum, record) => sum + record.length, 0);
  console.log(`\n${title}: ${RECORDS} tf.Examples, ${size} bytes; median of ${ROUNDS} rounds, microseconds per chunk`);
  console.log('codec        | simple size | transposed size | decode simple | decode transposed | ratio | encode simple | encode transposed');
  for (const [name, options] of CODECS) {
    const simple = encodeSimpleChunk(records, options);
    const transposed = encodeTransposedChunk(records, options, DEFAULT_TRANSPOSE_BUCKET_SIZE);
    const decodeSimple = microseconds(() => decodeSimpleChunk(simple.data, RECORDS, size, 'bench'));
    const decodeTransposed = microseconds(() => decodeTransposedChunk(transposed.data, RECORDS, size, 'bench'));
    const encodeSimple = microseconds(() => encodeSimpleChunk(records, options));
    const encodeTransposed = microseconds(() => encodeTransposedChunk(records, options, DEFAULT_TRANSPOSE_BUCKET_SIZE));
    console.log(
      [
        name.padEnd(12),
        String(simple.data.length).padStart(11),
        String(transposed.data.length).padStart(15),
        decodeSimple.toFixed(1).padStart(13),
        decodeTransposed.toFixed(1).padStart(17),
        (decodeTransposed / decodeSimple).toFixed(2).padStart(5),
        encodeSimple.toFixed(1).padStart(13),
        encodeTransposed.toFixed(1).padStart(17),
      ].join(' | '),
    );
  }
}

run('golden records', Array.from({ length: RECORDS }, (_, i) => goldenExample(i)));
run('noisy images', Array.from({ length: RECORDS }, (_, i) => noisyExample(i)));
