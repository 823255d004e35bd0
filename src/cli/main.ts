// The `array-record` command (bin/array-record.ts runs it): its commands and options, exit statuses,
// and the process-level rules: a closed stdout ends quietly, a signal leaves no partial output.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { discardPendingFiles, OUTPUT_COMPRESSIONS, OUTPUT_FORMATS, RECORD_FORMATS } from '../format/tools/index.js';
import { cat, head, sample } from './cat.js';
import { convertCommand, writeCommand } from './convert.js';
import { info, verify } from './info.js';
import { isClosedPipe, Output } from './output.js';
import { ENCODINGS } from './record-format.js';
import { repairCommand } from './repair.js';
import { errorText, EXIT, exitStatusOf, warn, type CommandContext } from './shared.js';

const EXIT_STATUS_HELP = `
Exit status:
  0    success (also when the reader of stdout goes away, as with | head)
  1    a data problem: a file missing, unreadable, damaged or not of the expected format;
       verify found damage; info could not describe a file (the others are still described)
  2    usage: unknown command or option, missing argument, bad option value, an output that is
       one of the inputs or a directory, --start/--end outside the file
  130  interrupted (SIGINT), 143 terminated (SIGTERM): no output file is left behind

Input formats (told from the first bytes unless --from is given): ArrayRecord, plain Riegeli, TFRecord
(also gzip- or zlib-compressed), and for convert and write JSON lines and plain lines. '-' is stdin.`;

/** The package's version, from the package.json above this module (src/cli, or dist/lib when bundled). */
function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const manifest = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'array-record' && manifest.version !== undefined) return manifest.version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

/** A parser for an integer option or argument of at least `min`. */
function integer(name: string, min: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
      throw new CommanderArgumentError(`${name} takes ${min === 0 ? 'a non-negative' : 'a positive'} integer, got "${value}"`);
    }
    return Number(value);
  };
}

function fromOption(formats: readonly string[] = RECORD_FORMATS): Option {
  return new Option('--from <format>', 'the input format, when it cannot be told from the first bytes').choices(formats);
}

function progressOptions(command: Command): Command {
  return command.option('--progress', 'draw a progress bar on stderr even when it is not a terminal').option('--no-progress', 'never draw a progress bar');
}

/** Builds the command line program; each action stores its exit status in `status.code`. */
function buildProgram(context: (options: { progress?: boolean }) => CommandContext, status: { code: number }): Command {
  const program = new Command('array-record')
    .description('Inspect, print, verify, convert, write and repair ArrayRecord files (and TFRecord, plain Riegeli, JSON lines).')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print help (also after any command: array-record cat --help)')
    .exitOverride()
    .showHelpAfterError('(array-record --help lists the commands; array-record <command> --help tells one)')
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(`array-record: ${text.replace(/^error: /, '')}`),
    })
    .addHelpText('after', EXIT_STATUS_HELP);

  progressOptions(
    program
      .command('info')
      .description('record count, group size, writer options, metadata and size of each file; goes on past a bad file')
      .argument('<file...>', "files of records ('-' for stdin)")
      .option('--json', 'print one JSON object: {"ok": ..., "files": [{"path", "ok", "format", "records", ...} or {"path", "ok": false, "error": {"code", "message"}}]}')
      .addOption(fromOption()),
  ).action(async (files: string[], options: { json?: boolean; from?: never; progress?: boolean }) => {
    status.code = await info(files, options, context(options));
  });

  program
    .command('cat')
    .description('print records, one per line (or framed); --start/--end select records [start, end) of one file')
    .argument('<file...>', "files of records ('-' for stdin)")
    .option('--start <n>', 'first record (0-based); past the end is a usage error (exit 2)', integer('--start', 0))
    .option('--end <n>', 'stop before this record; past the end is a usage error (exit 2)', integer('--end', 0))
    .addOption(new Option('--as <encoding>', 'how to print each record').choices(ENCODINGS).default('utf8'))
    .addOption(fromOption())
    .addHelpText(
      'after',
      `
Encodings: utf8 (the bytes as text), hex, base64, json (a JSON string, or {"base64": ...} when the bytes
are not UTF-8), framed (binary: u32 little-endian length then the bytes, as 'write --from framed' reads),
example and sequence-example (tf.Example / SequenceExample decoded to one JSON object per line).`,
    )
    .action(async (files: string[], options: { start?: number; end?: number; as: never; from?: never }) => {
      status.code = await cat(files, options, context({}));
    });

  program
    .command('head')
    .description('print the first records of each file (fewer when it has fewer)')
    .argument('<file...>', "files of records ('-' for stdin)")
    .option('-n, --lines <n>', 'how many records', integer('-n', 0), 10)
    .addOption(new Option('--as <encoding>', 'how to print each record (see cat --help)').choices(ENCODINGS).default('utf8'))
    .addOption(fromOption())
    .action(async (files: string[], options: { lines: number; as: never; from?: never }) => {
      status.code = await head(files, options, context({}));
    });

  program
    .command('sample')
    .description('print N records drawn at random without replacement, in file order')
    .argument('<file>', "a file of records ('-' for stdin)")
    .option('-n, --count <n>', 'how many records', integer('-n', 0), 10)
    .option('--seed <n>', 'seed of the draw: the same seed gives the same records', integer('--seed', 0))
    .addOption(new Option('--as <encoding>', 'how to print each record (see cat --help)').choices(ENCODINGS).default('utf8'))
    .addOption(fromOption())
    .action(async (file: string, options: { count: number; seed?: number; as: never; from?: never }) => {
      status.code = await sample([file], options, context({}));
    });

  progressOptions(
    program
      .command('verify')
      .description('read every record checking every hash and CRC; reports each file, exit 1 if any is damaged')
      .argument('<file...>', "files of records ('-' for stdin)")
      .option('--json', 'print one JSON object: {"ok": ..., "files": [{"path", "ok", "format", "records"} or {"path", "ok": false, "error": {"code", "message"}}]}')
      .addOption(fromOption()),
  ).action(async (files: string[], options: { json?: boolean; from?: never; progress?: boolean }) => {
    status.code = await verify(files, options, context(options));
  });

  const outputOptions = (command: Command): Command =>
    progressOptions(
      command
        .addOption(new Option('--to <format>', 'output format (default: tfrecord for stdout or a name ending in .tfrecord, else array_record)').choices(OUTPUT_FORMATS))
        .option('--options <writer-options>', 'ArrayRecord writer options, e.g. group_size:1000,zstd:3 (default group_size:1,zstd:3)')
        .addOption(new Option('--compression <codec>', 'compress TFRecord output (default gzip for a name ending in .gz)').choices(OUTPUT_COMPRESSIONS))
        .option('--json', 'print what was written as JSON: {"records", "inputs": [...], "outputs": [{"path", "format", "records", "writerOptions"}]}'),
    );

  outputOptions(
    program
      .command('convert')
      .usage('[options] <input...> <output>')
      .description('write the records of the inputs, in order, into one ArrayRecord or TFRecord file (or N shards)')
      .argument('<input...>', "inputs ('-' for stdin, once), then the output file ('-' for stdout, TFRecord only)")
      .addOption(fromOption())
      .option('--shards <n>', 'write N files <output>-00000-of-0000N .. of contiguous, near-equal ranges', integer('--shards', 1)),
  )
    .addHelpText(
      'after',
      `
The outputs are written under temporary names beside them and renamed only when all are complete: a
failed or interrupted convert leaves no output, and an output that is one of the inputs is refused.`,
    )
    .action(async (paths: string[], options: Record<string, unknown>) => {
      status.code = await convertCommand(paths, options, context(options));
    });

  outputOptions(
    program
      .command('write')
      .description('write records read from stdin into a new ArrayRecord (or TFRecord) file')
      .argument('<output>', "the output file ('-' for stdout, TFRecord only)")
      .addOption(
        new Option('--from <format>', 'how stdin holds the records: lines (one per line), jsonl (a JSON string or {"base64": ...} per line, other values as their JSON text), framed (u32 little-endian length, then the bytes), tfrecord, riegeli, array_record')
          .choices(RECORD_FORMATS)
          .default('lines'),
      ),
  ).action(async (output: string, options: Record<string, unknown>) => {
    status.code = await writeCommand(output, options, context(options));
  });

  progressOptions(
    program
      .command('repair')
      .description('save every intact chunk of a damaged or unfinished file (a writer that died, a cut footer) into a valid ArrayRecord file')
      .argument('<input>', "the damaged file (a file: not '-')")
      .argument('<output>', "the repaired file (never the input; a file: not '-')")
      .option('--options <writer-options>', "writer options of the output (default: the original's, from its footer or its chunks)")
      .option('--json', 'print the report as JSON: {"recordsSaved", "chunksSaved", "bytesLost", "lost": [{"begin", "end", "reason"}], "footer", "writerOptions", ...}'),
  )
    .addHelpText('after', '\nExit status 0 once the output is written (what was lost is reported), 1 when nothing could be written.')
    .action(async (input: string, output: string, options: { options?: string; json?: boolean; progress?: boolean }) => {
      status.code = await repairCommand(input, output, options, context(options));
    });

  return program;
}

/** Ends the process on SIGINT/SIGTERM after deleting the temporary files of unfinished outputs. */
function onSignal(signal: NodeJS.Signals): void {
  discardPendingFiles();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

/**
 * Runs the command line `argv` (without node and script) and resolves to the exit status.
 * @example
 * process.exitCode = await main(['info', 'data.array_record']);
 */
export async function main(argv: readonly string[]): Promise<number> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const out = new Output(process.stdout);
  const status = { code: EXIT.ok as number };
  const program = buildProgram((options) => ({ out, progress: options.progress }), status);
  try {
    if (argv.length === 0) {
      process.stderr.write(program.helpInformation());
      return EXIT.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    await out.flush();
    return status.code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (isClosedPipe(error)) return EXIT.ok;
    try {
      await out.flush();
    } catch {
      // stdout is gone too: the error below is what matters.
    }
    warn(errorText(error));
    return exitStatusOf(error);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
