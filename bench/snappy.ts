// Benchmark: our snappy codec in CPU microseconds per block, on the text workload's records (1.3 KB
// blocks, as group_size:1 chunks hold) and on 64 KiB blocks of them (as large chunks hold), with
// snappyjs (the package ours replaced) for reference. Blocks are compressed by our encoder, as the
// files we write hold them.
//
// Run: npx tsx bench/snappy.ts [--against <module exporting snappyDecompress>] [--rounds N]
// --against measures another decoder (e.g. an old copy kept outside the repository) in the same
// process, its rounds interleaved with ours, so both see the same machine load; figures are medians
// of CPU time (process.cpuUsage), steadier than wall time on a shared machine.

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as snappy from 'snappyjs';
import { snappyDecompress } from '../src/format/riegeli/snappy-decoder.js';
import { snappyCompress } from '../src/format/riegeli/snappy-encoder.js';
import { workloadRecords } from './workload.js';

type Run = (block: Uint8Array, size: number) => Uint8Array;

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};
const rounds = Number(option('--rounds') ?? 15);
const againstPath = option('--against');
const against = againstPath === undefined
  ? undefined
  : ((await import(pathToFileURL(path.resolve(againstPath)).href)) as { snappyDecompress: Run }).snappyDecompress;

/** CPU microseconds per block of one pass of `run` over all blocks (repeated to about 4 MB of output). */
function cpuMicrosPerBlock(blocks: readonly Uint8Array[], sizes: readonly number[], run: Run): number {
  const passes = Math.max(1, Math.round(4_000_000 / sizes.reduce((sum, size) => sum + size, 0)));
  const start = process.cpuUsage();
  for (let pass = 0; pass < passes; pass++) for (let i = 0; i < blocks.length; i++) run(blocks[i]!, sizes[i]!);
  const { user, system } = process.cpuUsage(start);
  return (user + system) / (passes * blocks.length);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median over `rounds` of each candidate's figure, the candidates' rounds interleaved (order rotated each round). */
function interleaved(candidates: readonly (readonly [string, () => number])[]): Map<string, number> {
  const figures = new Map<string, number[]>(candidates.map(([name]) => [name, []]));
  for (const [, measure] of candidates) measure(); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < candidates.length; k++) {
      const [name, measure] = candidates[(k + round) % candidates.length]!;
      figures.get(name)!.push(measure());
    }
  }
  return new Map([...figures].map(([name, values]) => [name, median(values)]));
}

const records = workloadRecords(4096);
const all = Buffer.concat(records);
const BIG = 64 * 1024;
const large = Array.from({ length: 48 }, (_, i) => all.subarray(i * BIG, (i + 1) * BIG));
for (const [name, data] of [
  ['1.3 KB record', records],
  ['64 KiB block', large],
] as const) {
  const blocks = data.map((block) => snappyCompress(block));
  const sizes = data.map((block) => block.length);
  blocks.forEach((block, i) => {
    if (Buffer.compare(snappyDecompress(block, sizes[i]!), data[i]!) !== 0) throw new Error(`block ${i} decodes wrongly`);
    if (against !== undefined && Buffer.compare(against(block, sizes[i]!), data[i]!) !== 0) throw new Error(`block ${i} decodes wrongly (--against)`);
    if (Buffer.compare(snappy.uncompress(block), data[i]!) !== 0) throw new Error(`block ${i} encodes wrongly`);
  });
  const decoders: [string, () => number][] = [
    ['ours', () => cpuMicrosPerBlock(blocks, sizes, snappyDecompress)],
    ['snappyjs', () => cpuMicrosPerBlock(blocks, sizes, (block, size) => snappy.uncompress(block, size))],
  ];
  if (against !== undefined) decoders.push(['against', () => cpuMicrosPerBlock(blocks, sizes, against)]);
  const decode = interleaved(decoders);
  const ours = decode.get('ours')!;
  const line = [...decode].map(([who, micros]) => `${who} ${micros.toFixed(2)} µs${who === 'ours' ? '' : ` (${(micros / ours).toFixed(2)}x ours)`}`);
  console.log(`snappy decode, ${name}, CPU per block: ${line.join(', ')}`);
  const encode = interleaved([
    ['ours', () => cpuMicrosPerBlock(data, sizes, (block) => snappyCompress(block))],
    ['snappyjs', () => cpuMicrosPerBlock(data, sizes, (block) => snappy.compress(block))],
  ]);
  console.log(`snappy encode, ${name}, CPU per block: ours ${encode.get('ours')!.toFixed(2)} µs, snappyjs ${encode.get('snappyjs')!.toFixed(2)} µs`);
  const ratio = (compressed: readonly Uint8Array[]): string =>
    (compressed.reduce((sum, block) => sum + block.length, 0) / data.reduce((sum, block) => sum + block.length, 0)).toFixed(3);
  console.log(`  compressed size / input: ours ${ratio(blocks)}, snappyjs ${ratio(data.map((block) => snappy.compress(block)))}`);
}
