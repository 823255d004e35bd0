// `array-record info` and `array-record verify`: describe files, or read every record checking every
// hash and CRC; both go on past a bad file and report each one.

import fs from 'node:fs';
import { openRecordInput, recordBatchSize, type InputSource, type RecordFormat, type RecordInput } from '../format/tools/index.js';
import { jsonSafe } from './record-format.js';
import { ProgressBar } from './progress.js';
import { EXIT, errorJson, errorText, inputSources, warn, type CommandContext } from './shared.js';

/** Options of info and verify. */
export interface InspectOptions {
  readonly json?: boolean;
  readonly from?: RecordFormat;
}

function nameOf(source: InputSource): string {
  return typeof source === 'string' ? source : source.name;
}

function fileSize(source: InputSource): number | undefined {
  if (typeof source !== 'string') return undefined;
  const stat = fs.statSync(source, { throwIfNoEntry: false });
  return stat?.isFile() === true ? stat.size : undefined;
}

/** Reads every record of a stream input, counting them (hashes and CRCs are checked on the way). */
async function countAll(input: RecordInput, bar: ProgressBar): Promise<number> {
  let count = 0;
  let last = 0;
  for await (const _ of input.records()) {
    count++;
    if ((count & 1023) === 0 && Date.now() - last > 100) {
      last = Date.now();
      bar.update({ bytesDone: input.bytesRead(), totalBytes: input.size, records: count });
    }
  }
  return count;
}

/** What info says of one input. */
async function describe(source: InputSource, options: InspectOptions, bar: ProgressBar): Promise<Record<string, unknown>> {
  const input = await openRecordInput(source, { from: options.from, acceptText: options.from !== undefined });
  try {
    const size = fileSize(source) ?? input.size;
    const reader = input.reader;
    if (reader !== undefined) {
      return {
        format: 'array_record',
        records: reader.numRecords(),
        groupSize: reader.recordGroupSize(),
        writerOptions: reader.writerOptionsString(),
        fileSize: size,
        metadata: await reader.metadataAsync(),
      };
    }
    const records = await countAll(input, bar);
    return { format: input.format, compression: input.compression, records, fileSize: size, note: input.note };
  } finally {
    await input.close();
  }
}

function infoText(path: string, info: Record<string, unknown>): string {
  const lines = [path];
  const row = (label: string, value: unknown): void => {
    if (value !== undefined) lines.push(`  ${`${label}:`.padEnd(17)}${String(value)}`);
  };
  row('format', info.compression === undefined ? info.format : `${String(info.format)} (${String(info.compression)})`);
  row('records', info.records);
  row('group size', info.groupSize);
  row('writer options', info.writerOptions);
  row('file size', info.fileSize === undefined ? undefined : `${String(info.fileSize)} bytes`);
  row('note', info.note);
  if (info.metadata !== undefined) {
    row('metadata', JSON.stringify(info.metadata, (_key, value: unknown) => (value instanceof Uint8Array ? `<${value.length} bytes>` : value)));
  }
  return `${lines.join('\n')}\n`;
}

/** `info FILE...`: one description per file; a bad file is reported and the rest still described. */
export async function info(args: readonly string[], options: InspectOptions, context: CommandContext): Promise<number> {
  const results: Record<string, unknown>[] = [];
  let ok = true;
  for (const source of await inputSources(args)) {
    const path = nameOf(source);
    const bar = new ProgressBar(`info ${path}`, ProgressBar.wanted(context.progress));
    let described: Record<string, unknown>;
    try {
      described = await describe(source, options, bar);
    } catch (error) {
      ok = false;
      results.push({ path, ok: false, error: errorJson(error) });
      if (options.json !== true) warn(errorText(error));
      continue;
    } finally {
      bar.finish();
    }
    results.push({ path, ok: true, ...described });
    if (options.json !== true) await context.out.write(infoText(path, described));
  }
  if (options.json === true) await context.out.write(`${JSON.stringify(jsonSafe({ ok, files: results }))}\n`);
  return ok ? EXIT.ok : EXIT.dataProblem;
}

/** Reads every record of one input; resolves to the count. */
async function verifyOne(source: InputSource, options: InspectOptions, bar: ProgressBar): Promise<{ format: RecordFormat; records: number }> {
  const input = await openRecordInput(source, { from: options.from, acceptText: options.from !== undefined });
  try {
    const reader = input.reader;
    if (reader === undefined) return { format: input.format, records: await countAll(input, bar) };
    const total = reader.numRecords();
    const size = input.size ?? 0;
    const step = recordBatchSize(size, total);
    for (let start = 0; start < total; start += step) {
      const end = Math.min(total, start + step);
      await reader.readRangeAsync(start, end);
      bar.update({ bytesDone: Math.round((size * end) / total), totalBytes: size, records: end });
    }
    return { format: 'array_record', records: total };
  } finally {
    await input.close();
  }
}

/** `verify FILE...`: reads everything; exit 1 when any file is damaged or unreadable. */
export async function verify(args: readonly string[], options: InspectOptions, context: CommandContext): Promise<number> {
  const results: Record<string, unknown>[] = [];
  let ok = true;
  for (const source of await inputSources(args)) {
    const path = nameOf(source);
    const bar = new ProgressBar(`verify ${path}`, ProgressBar.wanted(context.progress));
    let line: string;
    try {
      const { format, records } = await verifyOne(source, options, bar);
      results.push({ path, ok: true, format, records });
      line = `${path}: ok, ${records} record${records === 1 ? '' : 's'}\n`;
    } catch (error) {
      ok = false;
      results.push({ path, ok: false, error: errorJson(error) });
      line = `${path}: ${errorText(error)}\n`;
    } finally {
      bar.finish();
    }
    if (options.json !== true) await context.out.write(line);
  }
  if (options.json === true) await context.out.write(`${JSON.stringify({ ok, files: results })}\n`);
  return ok ? EXIT.ok : EXIT.dataProblem;
}
