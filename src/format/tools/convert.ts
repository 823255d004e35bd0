// convert(): the records of any number of inputs (ArrayRecord, plain Riegeli, TFRecord, gzip/zlib
// TFRecord, JSON lines, text lines, framed), in order, into one ArrayRecord or TFRecord output or into
// N shards of contiguous ranges. Outputs appear under their names only once all are complete.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseWriterOptions } from '../arrayrecord/writer-options.js';
import { ArrayRecordError, InvalidArgumentError, InvalidOptionsError, IoError } from '../errors.js';
import { PendingFile } from '../io/pending-file.js';
import { checkOptions, optionNames, requireFunction, type OptionAliases } from '../options-check.js';
import type { RecordsMetadata } from '../riegeli/records-metadata.js';
import { openRecordInput, type InputCompression, type InputSource, type RecordFormat } from './record-input.js';
import { createSink, OUTPUT_COMPRESSIONS, OUTPUT_FORMATS, type OutputCompression, type OutputFormat, type OutputTarget, type RecordSink } from './record-output.js';
import { assertOutputsAreFiles, assertOutputsAreNotInputs } from './same-file.js';

/** How to convert. */
export interface ConvertOptions {
  /** The format of every input; told from each input's first bytes when undefined. */
  readonly from?: RecordFormat | undefined;
  /** The output format; undefined: TFRecord for a stream or a name ending in .tfrecord (.gz, .zz), else ArrayRecord. */
  readonly to?: OutputFormat | undefined;
  /** ArrayRecord writer options, e.g. `group_size:1000,zstd:3` (see parseWriterOptions). */
  readonly writerOptions?: string | undefined;
  /** Write this many shards `<output>-00000-of-0000N`, of contiguous near-equal ranges, instead of one file. */
  readonly shards?: number | undefined;
  /** Compress a TFRecord output (as TensorFlow's GZIP and ZLIB options). */
  readonly compression?: OutputCompression | undefined;
  /** File metadata for ArrayRecord outputs. */
  readonly metadata?: RecordsMetadata | undefined;
  /** Called now and then (at most ~10 times a second) with how far the work is. */
  readonly onProgress?: ((progress: ConvertProgress) => void) | undefined;
}

/** How far a conversion is: `counting` reads inputs through once to size the shards. */
export interface ConvertProgress {
  /** `counting` (reading the inputs once to size the shards) or `writing`. */
  readonly phase: 'counting' | 'writing';
  /** Records read so far in this phase. */
  readonly records: number;
  /** Input bytes consumed so far in this phase. */
  readonly bytesRead: number;
  /** Total input bytes, when every input is a file; else undefined. */
  readonly totalBytes: number | undefined;
}

/** One output written. */
export interface ConvertedOutput {
  /** The output's path (`-` for stdout). */
  readonly path: string;
  /** `array_record` or `tfrecord`. */
  readonly format: OutputFormat;
  /** Records written to this output. */
  readonly records: number;
  /** The writer options stored in an ArrayRecord file's footer. */
  readonly writerOptions: string | undefined;
}

/** What `convert` did. */
export interface ConvertReport {
  /** Records written in all. */
  readonly records: number;
  /** Each input, in order. */
  readonly inputs: readonly {
    /** The input's path, or the name of its stream (`-` for stdin). */
    readonly name: string;
    /** The format it was read as. */
    readonly format: RecordFormat;
    /** The stream's compression (gzip, zlib), if any. */
    readonly compression: InputCompression | undefined;
    /** Records read from it. */
    readonly records: number;
  }[];
  /** Each output written: one, or one per shard. */
  readonly outputs: readonly ConvertedOutput[];
}

const PROGRESS_INTERVAL_MS = 100;
const CONVERT_KEYS = optionNames<ConvertOptions>({
  from: true,
  to: true,
  writerOptions: true,
  shards: true,
  compression: true,
  metadata: true,
  onProgress: true,
});
const CONVERT_ALIASES: OptionAliases = {
  options: { option: 'writerOptions' },
  group_size: { option: 'writerOptions', note: "writer options go in one string, e.g. 'group_size:1,zstd:3'" },
};

/** The name of shard `index` of `count`: five digits each (more when needed), as array_record and TFDS name them. */
export function shardName(output: string, index: number, count: number): string {
  const digits = Math.max(5, String(count).length);
  return `${output}-${String(index).padStart(digits, '0')}-of-${String(count).padStart(digits, '0')}`;
}

/**
 * Writes the records of `inputs`, in order, to `output` (or to `options.shards` shards, shard k holding
 * records [floor(kT/N), floor((k+1)T/N)) of the T records). Every output is written under a temporary
 * name beside it and renamed when all are complete: a failure leaves no output behind. An output that
 * is one of the inputs is refused before anything is written.
 * @throws InvalidOptionsError, InvalidArgumentError for bad options (an unknown key is named with the
 *   nearest known one: `num_shards` suggests shards), an output that is an input or a directory; IoError
 *   for an output whose directory does not exist (all before anything is written);
 *   what opening and reading the inputs throws (IoError, NotArrayRecordError, CorruptFileError, ...).
 * @example
 * await convert(['train.tfrecord'], 'train.array_record', { writerOptions: 'group_size:1000' });
 * await convert([{ name: 'stdin', stream: process.stdin }], 'out.array_record', { from: 'jsonl' });
 */
export async function convert(inputs: readonly InputSource[], output: OutputTarget, options: ConvertOptions = {}): Promise<ConvertReport> {
  checkOptions('convert', options, CONVERT_KEYS, { aliases: CONVERT_ALIASES });
  if (options.onProgress !== undefined) requireFunction('convert', 'onProgress', options.onProgress);
  const plan = planOutputs(inputs, output, options);
  const temporaries: PendingFile[] = [];
  try {
    let sources = inputs;
    let counts: number[] | undefined;
    let formats: (RecordFormat | undefined)[] = inputs.map(() => options.from);
    if (plan.names.length > 1) {
      // Shards need the total first: streams are kept in temporary files so they can be read twice.
      sources = await Promise.all(inputs.map(async (input) => (typeof input === 'string' ? input : spool(input, temporaries))));
      const counted = await countRecords(sources, formats, options);
      counts = counted.counts;
      formats = counted.formats;
    }
    return await writeOutputs(inputs, sources, formats, plan, counts, options);
  } finally {
    for (const temporary of temporaries) temporary.discard();
  }
}

interface OutputPlan {
  readonly targets: readonly OutputTarget[];
  readonly names: readonly string[];
  readonly format: OutputFormat;
  readonly writerOptions: string;
  readonly compression: OutputCompression | undefined;
}

/** Checks the options and names the outputs, before any input is read or output created. */
function planOutputs(inputs: readonly InputSource[], output: OutputTarget, options: ConvertOptions): OutputPlan {
  if (inputs.length === 0) throw new InvalidArgumentError('convert needs at least one input');
  const shards = options.shards ?? 1;
  if (!Number.isSafeInteger(shards) || shards < 1) throw new InvalidOptionsError(`shards must be a positive integer, got ${String(options.shards)}`);
  const to = options.to;
  if (to !== undefined && !(OUTPUT_FORMATS as readonly string[]).includes(to)) {
    throw new InvalidOptionsError(`the output format must be one of ${OUTPUT_FORMATS.join(', ')}; got "${String(to)}"`);
  }
  const outputName = typeof output === 'string' ? output : output.name;
  const format = to ?? (typeof output !== 'string' || /\.tfrecords?(\.gz|\.zz)?$|\.tfrecords?-/.test(outputName) ? 'tfrecord' : 'array_record');
  const compression = options.compression ?? (format === 'tfrecord' && outputName.endsWith('.gz') ? 'gzip' : undefined);
  if (compression !== undefined && !(OUTPUT_COMPRESSIONS as readonly string[]).includes(compression)) {
    throw new InvalidOptionsError(`compression must be one of ${OUTPUT_COMPRESSIONS.join(', ')}; got "${String(compression)}"`);
  }
  if (compression !== undefined && format !== 'tfrecord') {
    throw new InvalidOptionsError('compression applies to TFRecord output; ArrayRecord files compress their chunks (writer options)');
  }
  if (options.writerOptions !== undefined && options.writerOptions !== '' && format !== 'array_record') {
    throw new InvalidOptionsError('writer options apply to ArrayRecord output, not to TFRecord');
  }
  const writerOptions = options.writerOptions ?? '';
  if (format === 'array_record') parseWriterOptions(writerOptions);
  if (typeof output !== 'string') {
    if (format !== 'tfrecord') {
      throw new InvalidArgumentError(`${outputName}: ArrayRecord output needs a file (its footer indexes the chunks by file position); a stream can take TFRecord`);
    }
    if (shards > 1) throw new InvalidArgumentError(`${outputName}: shards need file outputs`);
  }
  const names = shards === 1 ? [outputName] : Array.from({ length: shards }, (_, k) => shardName(outputName, k, shards));
  assertOutputsAreNotInputs(
    typeof output === 'string' ? names : [],
    inputs.filter((input): input is string => typeof input === 'string'),
  );
  if (typeof output === 'string') assertOutputsAreFiles(names);
  const targets = typeof output === 'string' ? names : [output];
  return { targets, names, format, writerOptions, compression };
}

/**
 * Copies a stream input into a temporary file (registered like outputs' temporaries, so that a signal
 * handler's discardPendingFiles deletes it too), for a second read.
 */
async function spool(input: Exclude<InputSource, string>, temporaries: PendingFile[]): Promise<string> {
  const file = PendingFile.beside(path.join(os.tmpdir(), 'array-record-input'));
  temporaries.push(file);
  try {
    await pipeline(Readable.from(input.stream), fs.createWriteStream(file.tempPath, { flags: 'wx', mode: 0o600 }));
  } catch (error) {
    // A failure of the temporary file (ENOSPC in a small TMPDIR) would otherwise name no file at all.
    if (error instanceof ArrayRecordError) throw error;
    throw new IoError(`cannot keep ${input.name} in a temporary file to count its records for the shards: ${(error as Error).message}`, { path: file.tempPath }, error);
  }
  return file.tempPath;
}

async function countRecords(
  sources: readonly InputSource[],
  formats: readonly (RecordFormat | undefined)[],
  options: ConvertOptions,
): Promise<{ counts: number[]; formats: RecordFormat[] }> {
  const progress = new ProgressClock(options.onProgress, 'counting', totalSize(sources));
  const counts: number[] = [];
  const found: RecordFormat[] = [];
  for (const [i, source] of sources.entries()) {
    const input = await openRecordInput(source, { from: formats[i], acceptText: true });
    try {
      found.push(input.format);
      if (input.numRecords !== undefined) {
        counts.push(input.numRecords);
        progress.finishInput(input.size ?? 0);
        continue;
      }
      let count = 0;
      for await (const _ of input.records()) {
        count++;
        await progress.tick(1, input.bytesRead());
      }
      counts.push(count);
      progress.finishInput(input.size ?? input.bytesRead());
    } finally {
      await input.close();
    }
  }
  return { counts, formats: found };
}

async function writeOutputs(
  inputs: readonly InputSource[],
  sources: readonly InputSource[],
  formats: readonly (RecordFormat | undefined)[],
  plan: OutputPlan,
  counts: readonly number[] | undefined,
  options: ConvertOptions,
): Promise<ConvertReport> {
  const total = counts?.reduce((sum, count) => sum + count, 0) ?? Infinity;
  const shards = plan.targets.length;
  const progress = new ProgressClock(options.onProgress, 'writing', totalSize(sources));
  const sinks: RecordSink[] = [];
  const outputs: ConvertedOutput[] = [];
  const inputReports: ConvertReport['inputs'][number][] = [];
  let written = 0;
  let shardStart = 0;
  let shardEnd = 0;
  const openShard = (): void => {
    const index = sinks.length;
    sinks.push(createSink(plan.targets[index]!, { format: plan.format, writerOptions: plan.writerOptions, compression: plan.compression, metadata: options.metadata }));
    shardStart = written;
    shardEnd = shards === 1 ? Infinity : Math.floor(((index + 1) * total) / shards);
  };
  const finishShard = async (): Promise<void> => {
    const index = sinks.length - 1;
    const writerOptions = await sinks[index]!.finish();
    outputs.push({ path: plan.names[index]!, format: plan.format, records: written - shardStart, writerOptions });
  };
  try {
    openShard();
    for (const [i, source] of sources.entries()) {
      const input = await openRecordInput(source, { from: formats[i], acceptText: true });
      let records = 0;
      try {
        for await (const record of input.records()) {
          while (written >= shardEnd) {
            await finishShard();
            openShard();
          }
          await sinks.at(-1)!.write(record);
          written++;
          records++;
          await progress.tick(1, input.bytesRead());
        }
        progress.finishInput(input.size ?? input.bytesRead());
      } finally {
        await input.close();
      }
      const original = inputs[i]!;
      inputReports.push({ name: typeof original === 'string' ? original : original.name, format: input.format, compression: input.compression, records });
    }
    // Shards left empty (fewer records than shards) are written too, so the set is complete.
    for (;;) {
      await finishShard();
      if (sinks.length >= shards) break;
      openShard();
    }
    for (const sink of sinks) sink.commit();
  } catch (error) {
    for (const sink of sinks) sink.abort();
    throw error;
  }
  return { records: written, inputs: inputReports, outputs };
}

function totalSize(sources: readonly InputSource[]): number | undefined {
  let total = 0;
  for (const source of sources) {
    if (typeof source !== 'string') return undefined;
    try {
      const stat = fs.statSync(source);
      if (!stat.isFile()) return undefined;
      total += stat.size;
    } catch {
      return undefined;
    }
  }
  return total;
}

/** Reports progress at most every PROGRESS_INTERVAL_MS, and lets the event loop run (signals, I/O) as often. */
class ProgressClock {
  private records = 0;
  private finishedBytes = 0;
  private last = Date.now();

  constructor(
    private readonly report: ConvertOptions['onProgress'],
    private readonly phase: ConvertProgress['phase'],
    private readonly totalBytes: number | undefined,
  ) {}

  async tick(records: number, inputBytes: number): Promise<void> {
    this.records += records;
    const now = Date.now();
    if (now - this.last < PROGRESS_INTERVAL_MS) return;
    this.last = now;
    this.report?.({ phase: this.phase, records: this.records, bytesRead: this.finishedBytes + inputBytes, totalBytes: this.totalBytes });
    await yieldToEventLoop();
  }

  finishInput(bytes: number): void {
    this.finishedBytes += bytes;
    this.report?.({ phase: this.phase, records: this.records, bytesRead: this.finishedBytes, totalBytes: this.totalBytes });
  }
}
