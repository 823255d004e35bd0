// Transposed vs simple chunk decoding of the same 100 tf.Examples, per codec: the golden files' records
// (their images compress ~26:1) and the same Examples with sparse noisy images (~25% random pixels).
// Times are CPU microseconds of this process (user + system, so page faults on fresh output count),
// each a median over rounds that take turns between the four operations of a codec: on a shared
// machine wall time mostly measures the other tenants, and turns keep a load burst off one column.
// With ARRAY_RECORD_NATIVE_BENCH naming the C++ probe (bench/format/native.ts), Google's own encoders
// and decoders are measured the same way on the same records, each row right after ours: how much
// slower than a simple chunk a transposed one is by the format's design, and how our decoder compares.
// Run: npx tsx bench/transpose.ts [--rounds N]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArrayRecordWriter } from '../src/index.js';
import { CompressionType } from '../src/format/riegeli/constants.js';
import type { CompressorOptions } from '../src/format/riegeli/compression.js';
import { decodeSimpleChunk, encodeSimpleChunk } from '../src/format/riegeli/simple-chunk.js';
import { decodeTransposedChunk, DEFAULT_TRANSPOSE_BUCKET_SIZE, encodeTransposedChunk } from '../src/format/riegeli/transpose/index.js';
import { goldenExample, lengthDelimited } from '../test/format/transpose/proto-builders.js';
import { nativeProbe, runNativeTranspose } from './format/native.js';

const RECORDS = 100;
const at = process.argv.indexOf('--rounds');
const ROUNDS = at < 0 ? 11 : Number(process.argv[at + 1]);

const CODECS: readonly [string, CompressorOptions][] = [
  ['uncompressed', { type: CompressionType.none, level: 0 }],
  ['zstd:3', { type: CompressionType.zstd, level: 3, windowLog: 20 }],
  ['snappy', { type: CompressionType.snappy, level: 0 }],
  ['brotli:6', { type: CompressionType.brotli, level: 6 }],
];

/** CPU microseconds this process used since `start`. */
function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

/** How many calls of `action` take ~10 ms of CPU. */
function callsFor(action: () => void): number {
  for (let count = 1; ; count *= 2) {
    const start = process.cpuUsage();
    for (let i = 0; i < count; i++) action();
    if (cpuSince(start) > 10_000) return count;
  }
}

/**
 * Median CPU microseconds per call of each action, over ROUNDS rounds that run every action in turn
 * for its number of calls, after a first round left out.
 */
function microseconds(actions: readonly (() => void)[], calls: readonly number[]): number[] {
  const rounds = actions.map((): number[] => []);
  for (let r = -1; r < ROUNDS; r++) {
    actions.forEach((action, k) => {
      const start = process.cpuUsage();
      for (let i = 0; i < calls[k]!; i++) action();
      if (r >= 0) rounds[k]!.push(cpuSince(start) / calls[k]!);
    });
  }
  return rounds.map((times) => times.sort((a, b) => a - b)[times.length >> 1]!);
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

/** One codec's chunks of a record set and the four operations timed on them. */
interface Row {
  /** The codec as riegeli's compressor options write it (what the C++ probe is given). */
  readonly name: string;
  readonly simpleSize: number;
  readonly transposedSize: number;
  /** Decode simple, decode transposed, encode simple, encode transposed. */
  readonly actions: readonly (() => void)[];
  readonly calls: number[];
}

function rowsOf(records: readonly Uint8Array[]): Row[] {
  const size = records.reduce((sum, record) => sum + record.length, 0);
  return CODECS.map(([name, options]) => {
    const simple = encodeSimpleChunk(records, options);
    const transposed = encodeTransposedChunk(records, options, DEFAULT_TRANSPOSE_BUCKET_SIZE);
    const actions = [
      () => decodeSimpleChunk(simple.data, RECORDS, size, 'bench'),
      () => decodeTransposedChunk(transposed.data, RECORDS, size, 'bench'),
      () => encodeSimpleChunk(records, options),
      () => encodeTransposedChunk(records, options, DEFAULT_TRANSPOSE_BUCKET_SIZE),
    ];
    return { name, simpleSize: simple.data.length, transposedSize: transposed.data.length, actions, calls: [] };
  });
}

const tables = (
  [
    ['golden records', Array.from({ length: RECORDS }, (_, i) => goldenExample(i))],
    ['noisy images', Array.from({ length: RECORDS }, (_, i) => noisyExample(i))],
  ] as const
).map(([title, records]) => ({ title, records, size: records.reduce((sum, record) => sum + record.length, 0), rows: rowsOf(records) }));
// Every action is calibrated before any is timed, which warms them all up: V8 has compiled them and
// malloc has settled its trim threshold (before, the first row alone paid page faults for its output).
for (const { rows } of tables) for (const row of rows) row.calls.push(...row.actions.map(callsFor));

const probe = nativeProbe();
const scratch = probe === undefined ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'transpose-bench-'));

/** The records in an ArrayRecord file, for the C++ probe to read. */
function recordsFile(title: string, records: readonly Uint8Array[]): string {
  const file = path.join(scratch!, `${title.replace(/\W+/g, '-')}.array_record`);
  const writer = new ArrayRecordWriter(file, 'uncompressed');
  for (const record of records) writer.write(record);
  writer.close();
  return file;
}

const cppColumns = ' | C++ decode simple | C++ decode transposed | C++ ratio | ours / C++ transposed';
for (const { title, size, rows, records } of tables) {
  const file = probe === undefined ? undefined : recordsFile(title, records);
  console.log(`\n${title}: ${RECORDS} tf.Examples, ${size} bytes; median of ${ROUNDS} rounds, CPU microseconds per chunk`);
  console.log(`codec        | simple size | transposed size | decode simple | decode transposed | ratio | encode simple | encode transposed${probe === undefined ? '' : cppColumns}`);
  for (const row of rows) {
    const [decodeSimple, decodeTransposed, encodeSimple, encodeTransposed] = microseconds(row.actions, row.calls) as [number, number, number, number];
    const cells = [
      row.name.padEnd(12),
      String(row.simpleSize).padStart(11),
      String(row.transposedSize).padStart(15),
      decodeSimple.toFixed(1).padStart(13),
      decodeTransposed.toFixed(1).padStart(17),
      (decodeTransposed / decodeSimple).toFixed(2).padStart(5),
      encodeSimple.toFixed(1).padStart(13),
      encodeTransposed.toFixed(1).padStart(17),
    ];
    if (probe !== undefined) {
      const cpp = runNativeTranspose(probe, file!, row.name, DEFAULT_TRANSPOSE_BUCKET_SIZE, ROUNDS);
      cells.push(
        cpp.decodeSimpleMicros.toFixed(1).padStart(17),
        cpp.decodeTransposedMicros.toFixed(1).padStart(21),
        (cpp.decodeTransposedMicros / cpp.decodeSimpleMicros).toFixed(2).padStart(9),
        (decodeTransposed / cpp.decodeTransposedMicros).toFixed(2).padStart(21),
      );
    }
    console.log(cells.join(' | '));
  }
}
if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
