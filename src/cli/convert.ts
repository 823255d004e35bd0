// `array-record convert` and `array-record write`: argument handling and printing around the library's
// convert() (src/format/tools), which does the work safely (temporary files renamed when complete).

import { convert, type ConvertReport, type OutputCompression, type OutputFormat, type OutputTarget, type RecordFormat } from '../format/tools/index.js';
import { ProgressBar } from './progress.js';
import { EXIT, inputSources, UsageError, type CommandContext } from './shared.js';

/** Options of convert and write. */
export interface ConvertCommandOptions {
  readonly from?: RecordFormat;
  readonly to?: OutputFormat;
  readonly options?: string;
  readonly shards?: number;
  readonly compression?: OutputCompression;
  readonly json?: boolean;
}

/** `convert INPUT... OUTPUT`: '-' reads stdin (once) or writes TFRecord to stdout. */
export async function convertCommand(paths: readonly string[], options: ConvertCommandOptions, context: CommandContext): Promise<number> {
  if (paths.length < 2) throw new UsageError('convert takes one or more inputs and an output');
  return run(paths.slice(0, -1), paths.at(-1)!, options, context, 'convert');
}

/** `write OUTPUT`: records from stdin, as lines (default), JSON lines, framed bytes or TFRecord. */
export async function writeCommand(output: string, options: ConvertCommandOptions, context: CommandContext): Promise<number> {
  return run(['-'], output, { ...options, from: options.from ?? 'lines' }, context, 'write');
}

async function run(inputs: readonly string[], output: string, options: ConvertCommandOptions, context: CommandContext, label: string): Promise<number> {
  const toStdout = output === '-';
  if (toStdout && process.stdout.isTTY === true) throw new UsageError('TFRecord is binary and is not written to a terminal: redirect stdout to a file or a pipe');
  const target: OutputTarget = toStdout ? { name: 'stdout', stream: process.stdout } : output;
  const bar = new ProgressBar(label, ProgressBar.wanted(context.progress));
  let report: ConvertReport;
  try {
    report = await convert(await inputSources(inputs), target, {
      from: options.from,
      to: options.to,
      writerOptions: options.options,
      shards: options.shards,
      compression: options.compression,
      onProgress: (progress) => bar.update({ bytesDone: progress.bytesRead, totalBytes: progress.totalBytes, records: progress.records, phase: progress.phase }),
    });
  } finally {
    bar.finish();
  }
  // With the records on stdout, the report goes to stderr.
  const print = (text: string): Promise<void> | void => (toStdout ? void process.stderr.write(text) : context.out.write(text));
  if (options.json === true) {
    await print(`${JSON.stringify(report)}\n`);
  } else {
    for (const file of report.outputs) {
      const records = `${file.records} record${file.records === 1 ? '' : 's'}`;
      await print(`${file.path}: ${records}, ${file.writerOptions ?? file.format}\n`);
    }
  }
  return EXIT.ok;
}
