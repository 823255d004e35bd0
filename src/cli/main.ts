// The `array-record` command: inspect, print, verify and convert ArrayRecord files (bin/array-record.ts runs it).

import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ArrayRecordReader, decodeExample, decodeSequenceExample, type DecodedFeature } from '../index.js';
import { convert } from './convert.js';

const USAGE = `usage: array-record <command> [options]

commands:
  info <file>...                      record count, group size, writer options, metadata
  cat <file> [--start N] [--end N] [--as utf8|hex|base64|example|sequence-example]
                                      print records, one per line (default utf8); tf.Examples and
                                      SequenceExamples as one JSON object per line
  verify <file>...                    read every record, checking every hash; exit 1 on damage
  convert <input>... <output> [--options "group_size:1,zstd:3"] [--from tfrecord|riegeli|array_record]
          [--shards N]                write the records of TFRecord, plain Riegeli or ArrayRecord files,
                                      in order, into a new ArrayRecord file, or into N shards
                                      <output>-00000-of-0000N .. of contiguous, near-equal ranges`;

const ENCODINGS = ['utf8', 'hex', 'base64', 'example', 'sequence-example'] as const;
type Encoding = (typeof ENCODINGS)[number];

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A bytes value in JSON: its text when it is printable UTF-8, else `{"base64": ...}` (never ambiguous). */
function bytesJson(value: Uint8Array): unknown {
  try {
    const text = strictUtf8.decode(value);
    // eslint-disable-next-line no-control-regex
    if (!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) return text;
  } catch {
    // Not UTF-8: base64 below.
  }
  return { base64: Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64') };
}

/** A Feature in JSON: int64 values as numbers (as decimal strings beyond 2^53), floats as numbers. */
function featureJson(feature: DecodedFeature): unknown {
  if ('int64List' in feature) return { int64List: feature.int64List.map((value) => (Number.isSafeInteger(Number(value)) ? Number(value) : value.toString())) };
  if ('floatList' in feature) return { floatList: feature.floatList.map((value) => (Number.isFinite(value) ? value : String(value))) };
  if ('bytesList' in feature) return { bytesList: feature.bytesList.map(bytesJson) };
  return {};
}

function mapValues<T>(record: Record<string, T>, map: (value: T) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}

/** One record as a line of output in `encoding`. */
function formatRecord(record: Uint8Array, encoding: Encoding): string {
  if (encoding === 'example') return JSON.stringify(mapValues(decodeExample(record), featureJson));
  if (encoding === 'sequence-example') {
    const { context, featureLists } = decodeSequenceExample(record);
    return JSON.stringify({ context: mapValues(context, featureJson), featureLists: mapValues(featureLists, (steps) => steps.map(featureJson)) });
  }
  return Buffer.from(record.buffer, record.byteOffset, record.length).toString(encoding);
}

function info(files: readonly string[]): void {
  for (const file of files) {
    using reader = new ArrayRecordReader(file);
    const metadata = reader.metadata();
    console.log(`${file}
  records:         ${reader.numRecords()}
  group size:      ${reader.recordGroupSize()}
  writer options:  ${reader.writerOptionsString()}
  file size:       ${fs.statSync(file).size} bytes${metadata === undefined ? '' : `\n  metadata:        ${JSON.stringify(metadata, (_, value) => (value instanceof Uint8Array ? `<${value.length} bytes>` : value))}`}`);
  }
}

function printRecords(file: string, start: number | undefined, end: number | undefined, encoding: Encoding): void {
  using reader = new ArrayRecordReader(file);
  const from = start ?? 0;
  const to = end ?? reader.numRecords();
  // Batches keep memory flat on large files while each chunk is still decoded once per batch.
  for (let batchStart = from; batchStart < to; batchStart += 1024) {
    for (const record of reader.read(batchStart, Math.min(to, batchStart + 1024))) {
      process.stdout.write(`${formatRecord(record, encoding)}\n`);
    }
  }
}

async function verify(files: readonly string[]): Promise<boolean> {
  let allGood = true;
  for (const file of files) {
    try {
      using reader = new ArrayRecordReader(file);
      const total = reader.numRecords();
      for (let start = 0; start < total; start += 65536) await reader.readRangeAsync(start, Math.min(total, start + 65536));
      console.log(`${file}: ok, ${total} records`);
    } catch (error) {
      allGood = false;
      console.log(`${file}: ${(error as Error).message}`);
    }
  }
  return allGood;
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} takes a non-negative integer, got "${value}"`);
  return Number(value);
}

/**
 * Runs the command line `argv` (without node and script) and resolves to the exit status.
 * @example
 * process.exitCode = await main(['info', 'data.array_record']);
 */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      start: { type: 'string' },
      end: { type: 'string' },
      as: { type: 'string', default: 'utf8' },
      options: { type: 'string', default: '' },
      from: { type: 'string' },
      shards: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'info' && args.length > 0) info(args);
  else if (command === 'cat' && args.length === 1) {
    if (!(ENCODINGS as readonly string[]).includes(values.as)) throw new Error(`--as must be ${ENCODINGS.join(', ')}; got "${values.as}"`);
    printRecords(args[0]!, integer(values.start, 'start'), integer(values.end, 'end'), values.as as Encoding);
  } else if (command === 'verify' && args.length > 0) return (await verify(args)) ? 0 : 1;
  else if (command === 'convert' && args.length >= 2) {
    const shards = integer(values.shards, 'shards');
    if (shards === 0) throw new Error(`--shards takes a positive integer, got "${values.shards}"`);
    for (const line of convert(args.slice(0, -1), args.at(-1)!, { options: values.options, from: values.from, shards })) console.log(line);
  }
  else {
    console.error(USAGE);
    return 2;
  }
  return 0;
}
