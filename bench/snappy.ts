// Benchmark: our snappy codec against snappyjs (the package it replaced), on the text workload's
// records (1.3 KB blocks, as group_size:1 chunks hold) and on 256 of them at once.
// Run: npx tsx bench/snappy.ts

import * as snappy from 'snappyjs';
import { snappyDecompress } from '../src/format/riegeli/snappy-decoder.js';
import { snappyCompress } from '../src/format/riegeli/snappy-encoder.js';
import { workloadRecords } from './workload.js';

const ROUNDS = 5;

/** Microseconds per block of `run` over all blocks, best of ROUNDS after a warm-up. */
function microsPerBlock(blocks: readonly Uint8Array[], sizes: readonly number[], run: (block: Uint8Array, size: number) => Uint8Array): number {
  const passes = Math.max(1, Math.round(4_000_000 / sizes.reduce((sum, size) => sum + size, 0)));
  let best = Infinity;
  for (let round = 0; round <= ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let pass = 0; pass < passes; pass++) for (let i = 0; i < blocks.length; i++) run(blocks[i]!, sizes[i]!);
    const micros = Number(process.hrtime.bigint() - start) / 1e3 / (passes * blocks.length);
    if (round > 0) best = Math.min(best, micros);
  }
  return best;
}

const records = workloadRecords(4096);
const large = Array.from({ length: 16 }, (_, i) => Buffer.concat(records.slice(i * 256, (i + 1) * 256)));
for (const [name, data] of [
  ['1.3 KB record', records],
  [`${Math.round(large[0]!.length / 1000)} KB (256 records)`, large],
] as const) {
  const blocks = data.map((block) => snappy.compress(block));
  const sizes = data.map((block) => block.length);
  blocks.forEach((block, i) => {
    if (Buffer.compare(snappyDecompress(block, sizes[i]!), data[i]!) !== 0) throw new Error(`block ${i} decodes wrongly`);
    if (Buffer.compare(snappy.uncompress(snappyCompress(data[i]!)), data[i]!) !== 0) throw new Error(`block ${i} encodes wrongly`);
  });
  const decode = [microsPerBlock(blocks, sizes, snappyDecompress), microsPerBlock(blocks, sizes, (block, size) => snappy.uncompress(block, size))];
  const encode = [microsPerBlock(data, sizes, snappyCompress), microsPerBlock(data, sizes, (block) => snappy.compress(block))];
  const ratio = (sizes: readonly Uint8Array[]) => (sizes.reduce((sum, block) => sum + block.length, 0) / data.reduce((sum, block) => sum + block.length, 0)).toFixed(3);
  for (const [what, [ours, theirs]] of [['decode', decode], ['encode', encode]] as const) {
    console.log(`snappy ${what}, ${name}: ours ${ours!.toFixed(2)} µs, snappyjs ${theirs!.toFixed(2)} µs (${(theirs! / ours!).toFixed(2)}x)`);
  }
  console.log(`  compressed size / input: ours ${ratio(data.map((block) => snappyCompress(block)))}, snappyjs ${ratio(blocks)}`);
}
