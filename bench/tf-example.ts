// Benchmark: tf.Example batches (784-byte image + int64 label) parsed into typed arrays and into tfjs
// tensors, against protobufjs + copy.
// Run: npx tsx bench/tf-example.ts [--records N] [--rounds N]

import * as tf from '@tensorflow/tfjs';
import protobuf from 'protobufjs';
import { ExampleParser, bytesFeature, encodeExample, fixedLen, fixedLenRaw, int64Feature } from '../src/example/index.js';
import { featureTensor, type TfNamespace } from '../src/tfjs/index.js';
import { unzeroed } from '../src/format/io/read-scratch.js';

const BATCH = 256;
const IMAGE_BYTES = 784;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

const recordCount = option('records', 4096);
const rounds = option('rounds', 9);

/** The demo's records: image bytes C(i, 784) as in the golden README, label i % 10. */
function demoRecords(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => {
    const image = new Uint8Array(IMAGE_BYTES);
    for (let j = 0; j < IMAGE_BYTES; j++) image[j] = (i * 31 + j * 17 + (j >> 8)) & 0xff;
    return encodeExample({ image: bytesFeature([image]), label: int64Feature([i % 10]) });
  });
}

/** The Example proto through protobufjs's reflection API, the way a JS user would decode it today. */
const exampleSchema = {
  nested: {
    Example: { fields: { features: { type: 'Features', id: 1 } } },
    Features: { fields: { feature: { keyType: 'string', type: 'Feature', id: 1 } } },
    Feature: {
      oneofs: { kind: { oneof: ['bytesList', 'floatList', 'int64List'] } },
      fields: {
        bytesList: { type: 'BytesList', id: 1 },
        floatList: { type: 'FloatList', id: 2 },
        int64List: { type: 'Int64List', id: 3 },
      },
    },
    BytesList: { fields: { value: { rule: 'repeated', type: 'bytes', id: 1 } } },
    FloatList: { fields: { value: { rule: 'repeated', type: 'float', id: 1, options: { packed: true } } } },
    Int64List: { fields: { value: { rule: 'repeated', type: 'int64', id: 1, options: { packed: true } } } },
  },
};
const exampleType = protobuf.Root.fromJSON(exampleSchema as protobuf.INamespace).lookupType('Example');

interface DecodedExample {
  features: { feature: Record<string, { bytesList?: { value: Uint8Array[] }; int64List?: { value: (number | { toNumber(): number })[] } }> };
}

type BatchFn = (records: readonly Uint8Array[]) => { image: ArrayLike<number>; label: ArrayLike<number> };

/**
 * Baseline: protobufjs decodes each record into objects, then values are copied into the batch
 * arrays — fresh ones per batch, the same ones every batch (for the reuse comparison), or fresh
 * float32 ones for tensors (`set` widens the bytes).
 */
function protobufjsInto<I extends Uint8Array | Float32Array>(records: readonly Uint8Array[], image: I, label: Int32Array): { image: I; label: Int32Array } {
  for (let i = 0; i < records.length; i++) {
    const example = exampleType.decode(records[i]!) as unknown as DecodedExample;
    const feature = example.features.feature;
    image.set(feature.image!.bytesList!.value[0]!, i * IMAGE_BYTES);
    const value = feature.label!.int64List!.value[0]!;
    label[i] = typeof value === 'number' ? value : value.toNumber();
  }
  return { image, label };
}

const protobufjsBatch: BatchFn = (records) =>
  protobufjsInto(records, new Uint8Array(records.length * IMAGE_BYTES), new Int32Array(records.length));

const keptImage = new Uint8Array(BATCH * IMAGE_BYTES);
const keptLabel = new Int32Array(BATCH);
const protobufjsReusedBatch: BatchFn = (records) =>
  protobufjsInto(records, keptImage.subarray(0, records.length * IMAGE_BYTES), keptLabel.subarray(0, records.length));

const spec = { image: fixedLenRaw([IMAGE_BYTES]), label: fixedLen([], 'int64') };
const parser = new ExampleParser(spec);
const oursBatch: BatchFn = (records) => {
  const batch = parser.parseBatch(records);
  return { image: batch.image.values, label: batch.label.values };
};
const reusingParser = new ExampleParser(spec, { reuseOutputs: true });
const oursReusedBatch: BatchFn = (records) => {
  const batch = reusingParser.parseBatch(records);
  return { image: batch.image.values, label: batch.label.values };
};
const floatParser = new ExampleParser({
  image: fixedLenRaw([28, 28, 1], { as: 'float32' }),
  label: fixedLen([], 'int64'),
});

/**
 * The batch as the tensors model.fitDataset takes (image float32 [n, 28, 28, 1], labels int32),
 * made on tfjs's CPU backend and disposed as fitDataset disposes them.
 */
function asTensors(image: Float32Array, label: Int32Array): { image: Float32Array; label: Int32Array } {
  const count = label.length;
  tf.tensor(image, [count, 28, 28, 1], 'float32').dispose();
  tf.tensor(label, [count], 'int32').dispose();
  return { image, label };
}
const protobufjsTensors: BatchFn = (records) => {
  const { image, label } = protobufjsInto(records, new Float32Array(records.length * IMAGE_BYTES), new Int32Array(records.length));
  return asTensors(image, label);
};
/** Ours through the tf.data adapter's own conversion (featureTensor), as exampleDataset does it. */
const oursTensors: BatchFn = (records) => {
  const batch = floatParser.parseBatch(records);
  const tfjs = tf as unknown as TfNamespace;
  const image = featureTensor(tfjs, batch.image, 'image');
  const label = featureTensor(tfjs, batch.label, 'label');
  image.dispose();
  label.dispose();
  return { image: batch.image.values, label: batch.label.values };
};

/** Parses the records in batches of BATCH, pass after pass for at least `millis`; returns examples per second. */
function measure(batches: readonly (readonly Uint8Array[])[], run: BatchFn, millis: number): number {
  let check = 0;
  let examples = 0;
  const start = process.hrtime.bigint();
  const stop = start + BigInt(millis) * 1_000_000n;
  let now = start;
  while (now < stop) {
    for (const batch of batches) {
      const out = run(batch);
      check += out.label[out.label.length - 1]! + out.image[out.image.length - 1]!;
    }
    examples += batches.length * BATCH;
    now = process.hrtime.bigint();
  }
  if (Number.isNaN(check)) throw new Error('unreachable: keeps the results alive');
  return examples / (Number(now - start) / 1e9);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * The physical limit: no parsing at all, just the copies. Every demo record has the same layout
 * (image entry first, a one-byte label value last), so the offsets are known in advance.
 */
function bareCopy(imageOffset: number): (image: Uint8Array | Float32Array, label: Int32Array) => BatchFn {
  return (image, label) => (records) => {
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      image.set(record.subarray(imageOffset, imageOffset + IMAGE_BYTES), i * IMAGE_BYTES);
      label[i] = record[record.length - 1]!;
    }
    return { image, label };
  };
}

/** Where the image bytes start in every demo record (checked for each one). */
function imageOffsetOf(records: readonly Uint8Array[]): number {
  const batch = oursBatch(records.slice(0, 1));
  const first = Buffer.from(records[0]!.buffer, records[0]!.byteOffset, records[0]!.length);
  const offset = first.indexOf(Buffer.from((batch.image as Uint8Array).subarray(0, IMAGE_BYTES)));
  records.forEach((record, i) => {
    if (record.length !== records[0]!.length || record[record.length - 1] !== i % 10) throw new Error(`record ${i} has another layout`);
  });
  return offset;
}

/** Ours and protobufjs give the same values, as bytes and as tensors. */
function verify(): void {
  const sample = demoRecords(BATCH);
  for (const [ours, theirs] of [
    [oursBatch(sample), protobufjsBatch(sample)],
    [oursTensors(sample), protobufjsTensors(sample)],
  ] as const) {
    for (let i = 0; i < ours.image.length; i++) {
      if (ours.image[i] !== theirs.image[i]) throw new Error(`image value ${i} differs`);
    }
    for (let i = 0; i < BATCH; i++) if (ours.label[i] !== theirs.label[i]) throw new Error(`label ${i} differs`);
  }
}

function main(): void {
  verify();
  const records = demoRecords(Math.ceil(recordCount / BATCH) * BATCH);
  const batches: Uint8Array[][] = [];
  for (let start = 0; start < records.length; start += BATCH) batches.push(records.slice(start, start + BATCH));
  const fresh = 'protobufjs decode + copy into fresh typed arrays';
  const reused = 'protobufjs decode + copy into reused typed arrays';
  const tensors = 'protobufjs decode + copy into float32 + int32 tensors';
  const copy = bareCopy(imageOffsetOf(records));
  // The limit's arrays are fresh memory that is not zeroed, as ours are: zeroing is no part of the copy.
  const freshArrays = (length: number) => [unzeroed(length * IMAGE_BYTES), new Int32Array(unzeroed(4 * length).buffer)] as const;
  // [name, run, the baseline it is compared with]
  const contenders: [string, BatchFn, string][] = [
    [fresh, protobufjsBatch, fresh],
    ['limit: bare copies, no parsing, fresh arrays', (batch) => copy(...freshArrays(batch.length))(batch), fresh],
    ['ours: uint8 image + int32 label, fresh arrays', oursBatch, fresh],
    [reused, protobufjsReusedBatch, reused],
    ['limit: bare copies, no parsing, reused arrays', copy(keptImage, keptLabel), reused],
    ['ours: same, reuseOutputs', oursReusedBatch, reused],
    [tensors, protobufjsTensors, tensors],
    [
      'limit: bare widening copies into the tensors',
      (batch) => {
        const { image, label } = copy(new Float32Array(unzeroed(4 * batch.length * IMAGE_BYTES).buffer), new Int32Array(unzeroed(4 * batch.length).buffer))(batch);
        return asTensors(image as Float32Array, label as Int32Array);
      },
      tensors,
    ],
    ['ours: as: float32 + the adapter\'s featureTensor', oursTensors, tensors],
  ];
  for (const [, run] of contenders) measure(batches, run, 300);
  // Each round measures every contender once; ratios are taken within a round, so load that
  // other processes put on the machine between rounds cancels out.
  const rates = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
  const ratios = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const roundRates = new Map<string, number>();
    for (const [name, run] of contenders) roundRates.set(name, measure(batches, run, 150));
    for (const [name, , baseline] of contenders) {
      rates.get(name)!.push(roundRates.get(name)!);
      ratios.get(name)!.push(roundRates.get(name)! / roundRates.get(baseline)!);
    }
  }
  const bytes = records.reduce((sum, record) => sum + record.length, 0) / records.length;
  console.log(
    `tf.Example batches: ${records.length} records of ${bytes} bytes (784-byte image + int64 label), batch ${BATCH}, ` +
      `median of ${rounds} rounds; tensors on tfjs's ${tf.getBackend()} backend`,
  );
  for (const [name, , baseline] of contenders) {
    if (name === baseline) console.log('');
    const rate = median(rates.get(name)!);
    const versus = name === baseline ? 'baseline' : `${median(ratios.get(name)!).toFixed(2)}x`;
    console.log(`  ${name.padEnd(54)} ${(rate / 1000).toFixed(0).padStart(6)}k examples/s  ${versus}`);
  }
}

await tf.setBackend('cpu');
main();
