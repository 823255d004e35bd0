// `array-record cat`, `head` and `sample`: print records of any file of records (or stdin), as text,
// hex, base64, JSON, length-framed bytes or decoded tf.Examples.

import { randomInt } from 'node:crypto';
import { ParseError } from '../format/errors.js';
import { openRecordInput, recordBatchSize, type RecordFormat } from '../format/tools/index.js';
import { formatRecord, type Encoding } from './record-format.js';
import { EXIT, inputSources, UsageError, type CommandContext } from './shared.js';

/** Options of cat, head and sample. */
export interface PrintOptions {
  readonly as: Encoding;
  readonly from?: RecordFormat;
}

function plural(count: number): string {
  return `${count} record${count === 1 ? '' : 's'}`;
}

/** Checks --start and --end against a file of `count` records: a range outside it is a usage error. */
function checkRange(start: number | undefined, end: number | undefined, count: number, name: string): void {
  if (start !== undefined && start > 0 && start >= count) {
    throw new UsageError(`--start ${start} is past the end: ${name} has ${plural(count)}${count > 0 ? ` (0 to ${count - 1})` : ''}`);
  }
  if (end !== undefined && end > count) throw new UsageError(`--end ${end} is past the end: ${name} has ${plural(count)}`);
}

/** `formatRecord`; a record that does not decode as `--as` asks (example, ...) is named by its file and index. */
function formatAt(record: Uint8Array, options: PrintOptions, name: string, index: number): string | Uint8Array {
  try {
    return formatRecord(record, options.as);
  } catch (error) {
    if (error instanceof ParseError) throw new ParseError(`record ${index}: ${error.message}`, { path: name });
    throw error;
  }
}

/** `cat FILE... [--start N] [--end N]`: records [start, end) of one file, or every record of each file. */
export async function cat(args: readonly string[], options: PrintOptions & { start?: number; end?: number }, context: CommandContext): Promise<number> {
  const { start, end } = options;
  const sources = await inputSources(args);
  if ((start !== undefined || end !== undefined) && sources.length !== 1) throw new UsageError('--start and --end take exactly one file');
  if (start !== undefined && end !== undefined && end < start) throw new UsageError(`--end ${end} is before --start ${start}`);
  for (const source of sources) {
    const input = await openRecordInput(source, { from: options.from, acceptText: options.from !== undefined });
    const print = (record: Uint8Array, index: number): Promise<void> => context.out.write(formatAt(record, options, input.name, index));
    try {
      const reader = input.reader;
      if (reader !== undefined) {
        const count = reader.numRecords();
        checkRange(start, end, count, input.name);
        const to = end ?? count;
        const step = recordBatchSize(input.size ?? 0, count);
        for (let batch = start ?? 0; batch < to; batch += step) {
          let index = batch;
          for (const record of await reader.readRangeAsync(batch, Math.min(to, batch + step))) await print(record, index++);
        }
        continue;
      }
      let index = 0;
      for await (const record of input.records()) {
        if (end !== undefined && index >= end) break;
        if (index >= (start ?? 0)) await print(record, index);
        index++;
      }
      if (end === undefined || index < end) checkRange(start, end, index, input.name);
    } finally {
      await input.close();
    }
  }
  return EXIT.ok;
}

/** `head [-n N] FILE...`: the first N records of each file (fewer when it has fewer). */
export async function head(args: readonly string[], options: PrintOptions & { lines: number }, context: CommandContext): Promise<number> {
  for (const source of await inputSources(args)) {
    const input = await openRecordInput(source, { from: options.from, acceptText: options.from !== undefined });
    try {
      const reader = input.reader;
      if (reader !== undefined) {
        const to = Math.min(options.lines, reader.numRecords());
        const step = recordBatchSize(input.size ?? 0, reader.numRecords());
        for (let batch = 0; batch < to; batch += step) {
          let index = batch;
          for (const record of await reader.readRangeAsync(batch, Math.min(to, batch + step))) await context.out.write(formatAt(record, options, input.name, index++));
        }
        continue;
      }
      let index = 0;
      for await (const record of input.records()) {
        if (index >= options.lines) break;
        await context.out.write(formatAt(record, options, input.name, index++));
      }
    } finally {
      await input.close();
    }
  }
  return EXIT.ok;
}

/** A seeded 32-bit generator (mulberry32): the same seed gives the same sample. */
function generator(seed: number): (bound: number) => number {
  let state = seed >>> 0;
  return (bound) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    return Math.floor(unit * bound);
  };
}

/**
 * `sample -n N [--seed S] FILE`: N records drawn without replacement, printed in file order; random
 * access in an ArrayRecord file, one pass (reservoir sampling) in a stream.
 */
export async function sample(args: readonly string[], options: PrintOptions & { count: number; seed?: number }, context: CommandContext): Promise<number> {
  const sources = await inputSources(args);
  if (sources.length !== 1) throw new UsageError(`sample draws from one file; ${args[0]} names ${sources.length}`);
  const [source] = sources;
  const next = generator(options.seed ?? randomInt(2 ** 31));
  const input = await openRecordInput(source!, { from: options.from, acceptText: options.from !== undefined });
  try {
    const reader = input.reader;
    let chosen: { index: number; record: Uint8Array }[];
    if (reader !== undefined) {
      const total = reader.numRecords();
      const k = Math.min(options.count, total);
      // Floyd's algorithm: k distinct indices of [0, total) in k draws.
      const picked = new Set<number>();
      for (let j = total - k; j < total; j++) {
        const t = next(j + 1);
        picked.add(picked.has(t) ? j : t);
      }
      const indices = [...picked].sort((a, b) => a - b);
      chosen = [];
      const step = recordBatchSize(input.size ?? 0, total);
      for (let i = 0; i < indices.length; i += step) {
        const read = await reader.readAsync(indices.slice(i, i + step));
        read.forEach((record, k) => chosen.push({ index: indices[i + k]!, record }));
      }
    } else {
      const reservoir: { index: number; record: Uint8Array }[] = [];
      let seen = 0;
      for await (const record of input.records()) {
        if (reservoir.length < options.count) reservoir.push({ index: seen, record: record.slice() });
        else {
          const slot = next(seen + 1);
          if (slot < options.count) reservoir[slot] = { index: seen, record: record.slice() };
        }
        seen++;
      }
      chosen = reservoir.sort((a, b) => a.index - b.index);
    }
    for (const { index, record } of chosen) await context.out.write(formatAt(record, options, input.name, index));
  } finally {
    await input.close();
  }
  return EXIT.ok;
}
