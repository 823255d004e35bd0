// The memory allocator under the reader: the same reads of the text workload (bench/WORKLOAD.md) in
// fresh processes (bench/format/measure.ts: one untimed pass, then the timed one) with glibc's malloc
// as it comes, with glibc told to keep the memory it frees or to ask for transparent huge pages
// (GLIBC_TUNABLES), and with jemalloc and tcmalloc preloaded where they are installed. Records a read hands out are memory of their own, and
// glibc returns freed memory to the kernel readily: the next records then land on fresh pages, each a
// page fault, which costs ~11 µs on the benchmark VM (more than decoding a record). The runs take turns
// between allocators, so that a noisy neighbour slows all alike; each figure is the median of the runs.
// Run: npx tsx bench/allocator.ts [--quick]

import fs from 'node:fs';
import path from 'node:path';
import { runOurs, bundleScripts } from './format/runs.js';
import { median } from './format/stats.js';
import { benchDir } from './workload.js';

const quick = process.argv.includes('--quick');
const RUNS = Number(process.env.ARRAY_RECORD_BENCH_RUNS ?? (quick ? 1 : 3));

/** glibc keeping what it frees: no trimming of the heap below 512 MiB, and 64 MiB more on each growth. */
const GLIBC_KEEP = 'glibc.malloc.trim_threshold=536870912:glibc.malloc.top_pad=67108864';

/**
 * glibc asking the kernel for transparent huge pages (madvise) on the memory it maps (glibc 2.35 on;
 * ignored before): a 2 MiB page faults once where 512 small pages fault one by one. Needs
 * /sys/kernel/mm/transparent_hugepage/enabled at `madvise` or `always`.
 */
const GLIBC_HUGE_PAGES = 'glibc.malloc.hugetlb=1';

/** Where Debian and Ubuntu install the two allocators (packages libjemalloc2, libtcmalloc-minimal4). */
const PRELOADS: readonly [string, string][] = [
  ['jemalloc', '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2'],
  ['tcmalloc', '/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4'],
];

const allocators: readonly [string, Record<string, string>][] = [
  ['glibc', {}],
  ['glibc, memory kept', { GLIBC_TUNABLES: GLIBC_KEEP }],
  ['glibc, huge pages', { GLIBC_TUNABLES: GLIBC_HUGE_PAGES }],
  ['glibc, huge pages, memory kept', { GLIBC_TUNABLES: `${GLIBC_HUGE_PAGES}:${GLIBC_KEEP}` }],
  ...PRELOADS.filter(([, library]) => fs.existsSync(library)).map(([name, library]): [string, Record<string, string>] => [name, { LD_PRELOAD: library }]),
];

const dir = benchDir();
const removeScripts = await bundleScripts();
try {
  const file = path.join(dir, 'g1.array_record');
  runOurs(['write', file, 'group_size:1']);
  const measures: readonly [string, string[]][] = [
    ['readAllAsync', ['read-all', file]],
    ['sequential read()', ['sequential', file]],
    ['one at a time read([i])', ['random', file, quick ? '500' : '2000', '1', '99']],
    ['random 256 readAsync', ['random-async', file, quick ? '40' : '100', '256', '1']],
  ];
  console.log(`allocator benchmark: group_size:1 zstd, ${RUNS} fresh process(es) per measure and allocator\n`);
  console.log('| measure | allocator | records/s | page faults (timed pass) | vs glibc |');
  console.log('|---|---|---:|---:|---:|');
  for (const [name, args] of measures) {
    const rates = allocators.map((): number[] => []);
    const faults = allocators.map((): number[] => []);
    for (let run = 0; run < RUNS; run++) {
      allocators.forEach(([, env], a) => {
        const result = runOurs(args, env);
        rates[a]!.push(result.recordsPerSecond);
        faults[a]!.push(result.pageFaults ?? Number.NaN);
      });
    }
    const base = median(rates[0]!);
    allocators.forEach(([allocator], a) => {
      const rate = median(rates[a]!);
      console.log(`| ${name} | ${allocator} | ${Math.round(rate).toLocaleString('en-US')} | ${Math.round(median(faults[a]!)).toLocaleString('en-US')} | ${(rate / base).toFixed(2)}x |`);
    });
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
  removeScripts();
}
