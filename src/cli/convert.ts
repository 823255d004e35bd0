// `array-record convert`: the records of TFRecord, plain Riegeli or ArrayRecord files, in order, into one
// ArrayRecord file or into N shards named as array_record and TFDS name them (`<output>-00000-of-00008`).

import { ArrayRecordReader, ArrayRecordWriter, RiegeliRecordReader, TFRecordReader } from '../index.js';

export interface ConvertSettings {
  /** Writer options string. */
  readonly options: string;
  /** The input format; guessed from each input's name when undefined. */
  readonly from: string | undefined;
  /** Write this many shards of contiguous, near-equal ranges instead of one file. */
  readonly shards: number | undefined;
}

type InputKind = 'tfrecord' | 'riegeli' | 'array_record';

function kindOf(input: string, from: string | undefined): InputKind {
  const kind = from ?? (input.endsWith('.tfrecord') || input.includes('.tfrecord-') ? 'tfrecord' : input.endsWith('.riegeli') ? 'riegeli' : 'array_record');
  if (kind !== 'tfrecord' && kind !== 'riegeli' && kind !== 'array_record') {
    throw new Error(`--from must be tfrecord, riegeli or array_record, got "${kind}"`);
  }
  return kind;
}

function* recordsOf(input: string, kind: InputKind): Iterable<Uint8Array> {
  if (kind === 'tfrecord') {
    using reader = new TFRecordReader(input);
    yield* reader;
  } else if (kind === 'riegeli') {
    using reader = new RiegeliRecordReader(input);
    yield* reader;
  } else {
    using reader = new ArrayRecordReader(input);
    for (let i = 0; i < reader.numRecords(); i++) yield reader.read();
  }
}

/** Records of an input: an ArrayRecord footer says it; other formats are read through once. */
function countRecords(input: string, kind: InputKind): number {
  if (kind === 'array_record') return ArrayRecordReader.info(input).numRecords;
  let count = 0;
  for (const _ of recordsOf(input, kind)) count++;
  return count;
}

/** The name of shard `index` of `count`: five digits each, as array_record and TFDS write them. */
export function shardName(output: string, index: number, count: number): string {
  const digits = Math.max(5, String(count).length);
  return `${output}-${String(index).padStart(digits, '0')}-of-${String(count).padStart(digits, '0')}`;
}

/**
 * Converts `inputs` (their records in order) into `output`, or into `settings.shards` shards where
 * shard k holds records [floor(k T / N), floor((k + 1) T / N)) of the T records. Returns one line
 * per file written, naming it with its record count and writer options.
 */
export function convert(inputs: readonly string[], output: string, settings: ConvertSettings): string[] {
  const kinds = inputs.map((input) => kindOf(input, settings.from));
  const shards = settings.shards ?? 1;
  // One output needs no count; shards need the total first, to cut contiguous ranges in one pass.
  const total = shards === 1 ? Infinity : inputs.reduce((sum, input, i) => sum + countRecords(input, kinds[i]!), 0);
  const lines: string[] = [];
  let shard = 0;
  let written = 0;
  let writer: ArrayRecordWriter | undefined;
  let shardStart = 0;
  let shardEnd = 0;
  const nameOf = (index: number): string => (shards === 1 ? output : shardName(output, index, shards));
  const openShard = (): void => {
    writer = new ArrayRecordWriter(nameOf(shard), settings.options);
    shardStart = written;
    shardEnd = shards === 1 ? Infinity : Math.floor(((shard + 1) * total) / shards);
  };
  const finishShard = (): void => {
    writer!.close();
    const count = written - shardStart;
    lines.push(`${nameOf(shard)}: ${count} record${count === 1 ? '' : 's'}, ${writer!.writerOptionsString()}`);
  };
  openShard();
  inputs.forEach((input, i) => {
    for (const record of recordsOf(input, kinds[i]!)) {
      while (written >= shardEnd) {
        finishShard();
        shard++;
        openShard();
      }
      writer!.write(record);
      written++;
    }
  });
  // Shards left empty (fewer records than shards) are still written, so the set is complete.
  for (;;) {
    finishShard();
    if (++shard >= shards) break;
    openShard();
  }
  return lines;
}
