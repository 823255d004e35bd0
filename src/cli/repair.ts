// `array-record repair`: argument handling and printing around the library's repair() (src/format/tools).

import { repair, type RepairReport } from '../format/tools/index.js';
import { ProgressBar } from './progress.js';
import { EXIT, UsageError, type CommandContext } from './shared.js';

function describeReport(report: RepairReport): string {
  const lines = [
    `${report.output}: ${report.recordsSaved} record${report.recordsSaved === 1 ? '' : 's'} saved from ${report.chunksSaved} chunk${report.chunksSaved === 1 ? '' : 's'} of ${report.input}, ${report.writerOptions}`,
  ];
  if (report.recordsExpected !== undefined) lines.push(`  the original footer counts ${report.recordsExpected} records`);
  lines.push(`  footer: ${report.footer}; writer options from ${report.writerOptionsFrom}${report.writerOptionsFrom === 'chunks' ? ' (a codec level is not stored in the data: its default is used)' : ''}`);
  lines.push(`  lost: ${report.bytesLost} of ${report.inputSize} bytes${report.lost.length === 0 ? '' : ` in ${report.lost.length} region${report.lost.length === 1 ? '' : 's'}:`}`);
  for (const region of report.lost) lines.push(`    [${region.begin}, ${region.end}): ${region.reason}`);
  return `${lines.join('\n')}\n`;
}

/** `repair INPUT OUTPUT`: exit 0 once OUTPUT is written (what was lost is reported), 1 when nothing could be. */
export async function repairCommand(input: string, output: string, options: { options?: string; json?: boolean }, context: CommandContext): Promise<number> {
  // '-' is stdin or stdout to every other command; here it would name a file '-' (read, or written).
  // Repair reads its input at any offset and renames its output into place: neither can be a stream.
  if (input === '-') throw new UsageError('repair reads a file, not stdin: save it to a file first, then repair that file');
  if (output === '-') {
    throw new UsageError('repair writes a file, not stdout: name the output file (`array-record convert FILE -` then writes its records to stdout as TFRecord)');
  }
  const bar = new ProgressBar('repair', ProgressBar.wanted(context.progress));
  let report: RepairReport;
  try {
    report = await repair(input, output, {
      writerOptions: options.options,
      onProgress: (progress) => bar.update({ bytesDone: progress.bytesDone, totalBytes: progress.totalBytes, phase: progress.phase }),
    });
  } finally {
    bar.finish();
  }
  await context.out.write(options.json === true ? `${JSON.stringify(report)}\n` : describeReport(report));
  return EXIT.ok;
}
