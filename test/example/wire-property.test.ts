// Seeded property tests: random Examples written in every valid protobuf encoding (packed and unpacked
// runs, overlong varints, unknown fields of every wire type, shuffled fields, repeated keys and value
// fields, oneof switches, split Features messages) parse to what protobuf's rules say they hold, and
// random damage to them gives a ParseError, never another error or a hang.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArrayRecordError } from '../../src/format/errors.js';
import {
  ExampleParser,
  SequenceExampleParser,
  decodeExample,
  decodeSequenceExample,
  fixedLen,
  fixedLenRaw,
  fixedLenSequence,
  varLen,
  type ExampleSpec,
} from '../../src/example/index.js';
import { bytes, delimited, tag, varint } from './proto-bytes.js';

type Kind = 'int64' | 'float' | 'bytes';
/** What a Feature holds once protobuf's rules are applied: a list kind and values (floats as their bits), or no list. */
type Model = { kind: Kind; values: bigint[] | number[] | Uint8Array[] } | { kind: 'none' };

const KINDS: readonly Kind[] = ['int64', 'float', 'bytes'];
const FIELD_OF: Record<Kind, number> = { bytes: 1, float: 2, int64: 3 };
const utf8 = new TextEncoder();

/** A small seeded generator, so one fast-check seed drives every encoding choice. */
class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
  /** Splits `items` into 1..max consecutive runs (possibly empty ones). */
  split<T>(items: readonly T[], max: number): T[][] {
    const runs: T[][] = [];
    const cuts = this.int(max);
    let start = 0;
    for (let k = 0; k < cuts; k++) {
      const end = start + this.int(items.length - start + 1);
      runs.push(items.slice(start, end));
      start = end;
    }
    runs.push(items.slice(start));
    return runs;
  }
}

const INT64_EDGES = [0n, 1n, -1n, 127n, 128n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 31n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n)];
const FLOAT_EDGES = [0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffa00005, 1, 0x3f800000, 0x7f7fffff];
const STRINGS = ['', 'a', 'é', '日本', '😀', '\uFEFF', '\uFEFFbom', 'x'.repeat(40)];

function randomValues(rng: Rng, kind: Kind, int32Only: boolean): bigint[] | number[] | Uint8Array[] {
  const length = rng.pick([0, 1, 1, 2, 3, 5, 17, 20]);
  const values = Array.from({ length }, () => {
    if (kind === 'int64') {
      if (int32Only) return BigInt(rng.int(2 ** 32) - 2 ** 31);
      return rng.chance(0.5) ? rng.pick(INT64_EDGES) : BigInt.asIntN(64, (BigInt(rng.int(2 ** 32)) << 32n) | BigInt(rng.int(2 ** 32)));
    }
    if (kind === 'float') return rng.chance(0.4) ? rng.pick(FLOAT_EDGES) : rng.int(2 ** 32);
    return utf8.encode(rng.chance(0.7) ? rng.pick(STRINGS) : String.fromCodePoint(rng.int(0xd000)));
  });
  return values as bigint[] | number[] | Uint8Array[];
}

/** A varint, sometimes zero-padded to a longer (valid, at most 10-byte) form. */
function looseVarint(rng: Rng, value: number | bigint): number[] {
  const out = varint(value);
  if (out.length >= 10 || !rng.chance(0.15)) return out;
  const extra = 1 + rng.int(10 - out.length);
  out[out.length - 1]! |= 0x80;
  for (let k = 1; k < extra; k++) out.push(0x80);
  out.push(0);
  return out;
}

function lengthDelimited(rng: Rng, field: number, body: Uint8Array): Uint8Array {
  return bytes(tag(field, 2), looseVarint(rng, body.length), body);
}

/** Wire types each field number of a message may have; any other wire type makes the field unknown. */
type Defined = Readonly<Record<number, readonly number[]>>;
const INT64_LIST: Defined = { 1: [0, 2] };
const FLOAT_LIST: Defined = { 1: [2, 5] };
const MESSAGE_FIELD_1: Defined = { 1: [2] };
const FEATURE: Defined = { 1: [2], 2: [2], 3: [2] };
const MAP_ENTRY: Defined = { 1: [2], 2: [2] };

/** An unknown field: a field number the message does not define, or a defined one with a wire type it cannot have. */
function unknownField(rng: Rng, defined: Defined): Uint8Array {
  const numbers = Object.keys(defined).map(Number);
  const field = numbers.length > 0 && rng.chance(0.3) ? rng.pick(numbers) : 4 + rng.int(30);
  const wireType = rng.pick([0, 1, 2, 3, 5].filter((type) => !(defined[field] ?? []).includes(type)));
  switch (wireType) {
    case 0:
      return bytes(tag(field, 0), varint(BigInt(rng.int(2 ** 32)) << BigInt(rng.int(32))));
    case 1:
      return bytes(tag(field, 1), Array.from({ length: 8 }, () => rng.int(256)));
    case 5:
      return bytes(tag(field, 5), Array.from({ length: 4 }, () => rng.int(256)));
    case 3:
      return bytes(tag(field, 3), tag(field + 1, 0), varint(5), delimited(field + 2, [1]), tag(field, 4));
    default:
      return delimited(field, Array.from({ length: rng.int(5) }, () => rng.int(256)));
  }
}

/** Interleaves unknown fields between `fields`. */
function withUnknowns(rng: Rng, fields: Uint8Array[], defined: Defined): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const field of fields) {
    if (rng.chance(0.15)) out.push(unknownField(rng, defined));
    out.push(field);
  }
  if (rng.chance(0.15)) out.push(unknownField(rng, defined));
  return out;
}

/** The fields of one list message (BytesList, FloatList, Int64List) holding `values`. */
function listBody(rng: Rng, kind: Kind, values: readonly (bigint | number | Uint8Array)[]): Uint8Array {
  const fields: Uint8Array[] = [];
  if (kind === 'bytes') {
    for (const value of values as Uint8Array[]) fields.push(lengthDelimited(rng, 1, value));
  } else {
    for (const run of rng.split(values as readonly (bigint | number)[], 3)) {
      const encodeOne = (value: bigint | number): number[] =>
        kind === 'int64' ? looseVarint(rng, value as bigint) : Array.from(new Uint8Array(new Uint32Array([value as number]).buffer));
      if (rng.chance(0.5)) fields.push(lengthDelimited(rng, 1, bytes(...run.map(encodeOne))));
      else for (const value of run) fields.push(bytes(tag(1, kind === 'int64' ? 0 : 5), encodeOne(value)));
    }
  }
  const defined = kind === 'int64' ? INT64_LIST : kind === 'float' ? FLOAT_LIST : MESSAGE_FIELD_1;
  return bytes(...withUnknowns(rng, fields, defined));
}

/** The fields of a Feature message whose final content is `model`: decoy lists first (the oneof's last kind wins). */
function featureFields(rng: Rng, model: Model): Uint8Array[] {
  const fields: Uint8Array[] = [];
  const decoys = rng.int(3);
  let last: Kind | undefined;
  for (let k = 0; k < decoys; k++) {
    const kind = rng.pick(KINDS);
    fields.push(lengthDelimited(rng, FIELD_OF[kind], listBody(rng, kind, randomValues(rng, kind, false))));
    last = kind;
  }
  if (model.kind === 'none') {
    // Decoys would set a list: a Feature with no list holds unknown fields only.
    return withUnknowns(rng, [], FEATURE);
  }
  if (last === model.kind) {
    // Another kind must come between a decoy of the model's kind and the real lists, or they would merge.
    const other = KINDS.find((kind) => kind !== model.kind)!;
    fields.push(lengthDelimited(rng, FIELD_OF[other], listBody(rng, other, [])));
  }
  for (const run of rng.split(model.values as (bigint | number | Uint8Array)[], 3)) {
    fields.push(lengthDelimited(rng, FIELD_OF[model.kind], listBody(rng, model.kind, run)));
  }
  return withUnknowns(rng, fields, FEATURE);
}

/** A map entry for `key` whose value merges to `model`: key and value fields in any order, repeated value fields. */
function mapEntry(rng: Rng, key: string, valueFields: Uint8Array[]): Uint8Array {
  const values = rng.split(valueFields, 2).map((run) => lengthDelimited(rng, 2, bytes(...run)));
  const keyField = lengthDelimited(rng, 1, utf8.encode(key));
  const fields = [...values];
  fields.splice(rng.int(fields.length + 1), 0, keyField);
  if (rng.chance(0.2)) fields.unshift(lengthDelimited(rng, 1, utf8.encode('decoy key')));
  return lengthDelimited(rng, 1, bytes(...withUnknowns(rng, fields, MAP_ENTRY)));
}

/** One record: its map entries (earlier decoy entries for a key, the final one last) spread over Features messages. */
function encodeModel(rng: Rng, features: ReadonlyMap<string, Model>, canonical: boolean): Uint8Array {
  const entryOf = canonical ? canonicalEntry : (key: string, model: Model) => mapEntry(rng, key, featureFields(rng, model));
  const slots: string[] = [];
  for (const key of features.keys()) {
    slots.push(key);
    for (let k = rng.int(3) === 0 ? 1 + rng.int(2) : 0; k > 0; k--) slots.push(key);
  }
  for (let k = rng.int(3); k > 0; k--) slots.push(`unwanted${k}`);
  rng.shuffle(slots);
  const remaining = new Map<string, number>();
  for (const key of slots) remaining.set(key, (remaining.get(key) ?? 0) + 1);
  const entries = slots.map((key) => {
    const left = remaining.get(key)! - 1;
    remaining.set(key, left);
    const final = features.get(key);
    if (left === 0 && final !== undefined) return entryOf(key, final);
    const kind = rng.pick(KINDS);
    return entryOf(key, { kind, values: randomValues(rng, kind, false) });
  });
  if (canonical) return delimited(1, ...entries);
  const messages = rng.split(entries, 3).map((run) => lengthDelimited(rng, 1, bytes(...withUnknowns(rng, run, MESSAGE_FIELD_1))));
  return bytes(...withUnknowns(rng, messages, MESSAGE_FIELD_1));
}

/** Canonical bytes (what serializers write), which the parser's scan-time fast paths take. */
function canonicalFeature(model: Model): Uint8Array {
  if (model.kind === 'none') return new Uint8Array(0);
  const plain = new Rng(0);
  if (model.kind === 'bytes') return delimited(1, ...(model.values as Uint8Array[]).map((value) => delimited(1, value)));
  const payload =
    model.kind === 'int64'
      ? bytes(...(model.values as bigint[]).map((value) => varint(value)))
      : new Uint8Array(new Uint32Array(model.values as number[]).buffer);
  return delimited(FIELD_OF[model.kind], model.values.length === 0 ? [] : lengthDelimited(plain, 1, payload));
}

function canonicalEntry(key: string, model: Model): Uint8Array {
  return delimited(1, delimited(1, utf8.encode(key)), delimited(2, canonicalFeature(model)));
}

interface Batch {
  readonly keys: ReadonlyMap<string, Kind>;
  readonly records: Map<string, Model>[];
  readonly int32Only: boolean;
}

const KEY_POOL = ['', 'a', 'label', 'image/encoded', 'image/encodee', '\uFEFFlabel', 'é日😀', 'k'.repeat(20)];

function randomBatch(rng: Rng): Batch {
  const keys = new Map<string, Kind>();
  for (const key of KEY_POOL) if (rng.chance(0.4)) keys.set(key, rng.pick(KINDS));
  const int32Only = rng.chance(0.5);
  const records = Array.from({ length: 1 + rng.int(4) }, () => {
    const features = new Map<string, Model>();
    for (const [key, kind] of keys) {
      const roll = rng.int(10);
      if (roll === 0) continue;
      features.set(key, roll === 1 ? { kind: 'none' } : { kind, values: randomValues(rng, kind, int32Only) });
    }
    return features;
  });
  return { keys, records, int32Only };
}

function encodeBatch(rng: Rng, batch: Batch): Uint8Array[] {
  return batch.records.map((features) => encodeModel(rng, features, rng.chance(0.4)));
}

function valuesOf(model: Model | undefined): readonly (bigint | number | Uint8Array)[] {
  return model === undefined || model.kind === 'none' ? [] : model.values;
}

function floatBits(values: Float32Array): number[] {
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
}

function checkVarLen(batch: Batch, records: Uint8Array[]): void {
  const spec: Record<string, ExampleSpec[string]> = {};
  for (const [key, kind] of batch.keys) {
    spec[key] = kind === 'int64' ? varLen('int64', { as: 'bigint' }) : kind === 'float' ? varLen('float32') : varLen('bytes', { as: 'string' });
  }
  const parsed = new ExampleParser(spec).parseBatch(records);
  for (const [key, kind] of batch.keys) {
    const feature = parsed[key]!;
    if (feature.kind !== 'ragged') throw new Error('expected ragged');
    const expected = batch.records.flatMap((record) => [...valuesOf(record.get(key))]);
    const splits = [0];
    for (const record of batch.records) splits.push(splits.at(-1)! + valuesOf(record.get(key)).length);
    expect(Array.from(feature.rowSplits), key).toEqual(splits);
    if (kind === 'float') expect(floatBits(feature.values as Float32Array), key).toEqual(expected);
    else if (kind === 'int64') expect(Array.from(feature.values as BigInt64Array), key).toEqual(expected);
    else expect(feature.values, key).toEqual(expected.map((value) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(value as Uint8Array)));
  }
}

/** fixedLen int64 features as int32 (the scan-time fast path), each with the first record's count and a default. */
function checkFixedLen(batch: Batch, records: Uint8Array[]): void {
  const spec: Record<string, ExampleSpec[string]> = {};
  const sizes = new Map<string, number>();
  for (const [key, kind] of batch.keys) {
    if (kind !== 'int64') continue;
    const size = valuesOf(batch.records[0]!.get(key)).length;
    sizes.set(key, size);
    spec[key] = fixedLen([size], 'int64', { defaultValue: -7 });
  }
  let failure: unknown;
  let parsed: Record<string, { values: unknown }> | undefined;
  try {
    parsed = new ExampleParser(spec).parseBatch(records);
  } catch (error) {
    failure = error;
  }
  const bad = [...sizes].some(([key, size]) =>
    batch.records.some((record) => {
      const model = record.get(key);
      if (model === undefined || model.kind === 'none') return false;
      return model.values.length !== size || (model.values as bigint[]).some((value) => BigInt.asIntN(32, value) !== value);
    }),
  );
  if (bad) {
    expect(failure).toBeInstanceOf(ArrayRecordError);
    return;
  }
  expect(failure).toBeUndefined();
  for (const [key, size] of sizes) {
    const expected = batch.records.flatMap((record) => {
      const model = record.get(key);
      return model === undefined || model.kind === 'none' ? new Array<number>(size).fill(-7) : (model.values as bigint[]).map(Number);
    });
    expect(Array.from(parsed![key]!.values as Int32Array), key).toEqual(expected);
  }
}

/** decodeExample gives the same features, with no spec. */
function checkDecode(batch: Batch, records: Uint8Array[]): void {
  batch.records.forEach((features, index) => {
    const decoded = decodeExample(records[index]!);
    for (const [key, model] of features) {
      const got = decoded[key];
      if (model.kind === 'none') expect(got, key).toEqual({});
      else if (model.kind === 'float') expect(got, key).toEqual({ floatList: Array.from(new Float32Array(new Uint32Array(model.values as number[]).buffer)) });
      else if (model.kind === 'int64') expect(got, key).toEqual({ int64List: model.values });
      else expect(got && 'bytesList' in got ? got.bytesList.map((value) => [...value]) : got, key).toEqual((model.values as Uint8Array[]).map((value) => [...value]));
    }
  });
}

const SEEDS = { seed: 20_260_612, numRuns: 150 };

/** Runs `check` on random batches, each record encoded in one of its valid encodings at random. */
function forRandomBatches(check: (batch: Batch, records: Uint8Array[]) => void): void {
  fc.assert(
    fc.property(fc.integer(), (seed) => {
      const rng = new Rng(seed);
      const batch = randomBatch(rng);
      check(batch, encodeBatch(rng, batch));
    }),
    SEEDS,
  );
}

describe('random Examples in every valid encoding', () => {
  it('parse (varLen, every dtype) to what protobuf says they hold', () => forRandomBatches(checkVarLen));

  it('parse as fixedLen int32 (fast paths included) to those values, or fail with a typed error', () => forRandomBatches(checkFixedLen));

  it('decode with decodeExample to the same features', () => forRandomBatches(checkDecode));
});

/** Damages a record: a byte changed, bytes cut off, inserted or removed. */
function damage(rng: Rng, record: Uint8Array): Uint8Array {
  const out = Array.from(record);
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const at = rng.int(out.length + 1);
    switch (rng.int(4)) {
      case 0:
        if (out.length > 0) out[Math.min(at, out.length - 1)] = rng.pick([0, 0x7f, 0x80, 0xff, rng.int(256)]);
        break;
      case 1:
        out.length = at;
        break;
      case 2:
        out.splice(at, 0, ...Array.from({ length: 1 + rng.int(4) }, () => rng.pick([0x80, 0xff, 0x0a, 0x0b, 0x12, 0x1a, rng.int(256)])));
        break;
      default:
        out.splice(at, 1 + rng.int(3));
    }
  }
  return Uint8Array.from(out);
}

const damageSpec: ExampleSpec = {
  '': varLen('bytes', { as: 'string' }),
  a: varLen('int64', { layout: 'padded' }),
  label: fixedLen([], 'int64', { defaultValue: 0 }),
  'image/encoded': fixedLenRaw([2], { defaultValue: 0 }),
  'image/encodee': fixedLenSequence([2], 'float32', { allowMissing: true }),
  '\uFEFFlabel': varLen('float32'),
  'é日😀': fixedLen([2], 'bytes', { defaultValue: 'x' }),
  ['k'.repeat(20)]: varLen('int64', { as: 'float64' }),
};

/** Runs `parse`; anything thrown must be one of the library's typed errors. */
function onlyTypedErrors(parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    if (!(error instanceof ArrayRecordError)) throw error;
    // It names the record (parsers) or the byte (decoders).
    expect(error.index ?? error.offset).toEqual(expect.any(Number));
  }
}

describe('damaged records', () => {
  it('give a ParseError or a result, never another error', () => {
    const parser = new ExampleParser(damageSpec);
    const sequences = new SequenceExampleParser({
      context: { label: fixedLen([], 'int64', { defaultValue: 0 }), a: varLen('int64') },
      featureLists: { a: varLen('int64'), label: fixedLenSequence([1], 'int64', { allowMissing: true }) },
    });
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rng = new Rng(seed);
        const batch = randomBatch(rng);
        const records = encodeBatch(rng, batch).map((record) => damage(rng, record));
        onlyTypedErrors(() => parser.parseBatch(records));
        for (const record of records) {
          onlyTypedErrors(() => decodeExample(record));
          onlyTypedErrors(() => decodeSequenceExample(record));
        }
        onlyTypedErrors(() => sequences.parseBatch(records));
      }),
      { ...SEEDS, numRuns: 300 },
    );
  });
});
