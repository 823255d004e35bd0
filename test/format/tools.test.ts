// The library side of the command (src/format/tools and what it builds on), in process: telling file
// kinds apart, streams of unknown length, TFRecord writing, convert() with streams, scanning chunks.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ArrayRecordReader,
  ArrayRecordWriter,
  convert,
  CorruptFileError,
  encodeTFRecord,
  InvalidArgumentError,
  IoError,
  NotArrayRecordError,
  openRecordInput,
  recordFromJson,
  recordToJson,
  scanChunks,
  sniffFileKind,
  TFRecordWriter,
} from '../../src/index.js';
import { ByteStream } from '../../src/format/io/byte-stream.js';
import { LocalFile } from '../../src/format/io/byte-source.js';
import { PendingFile } from '../../src/format/io/pending-file.js';
import { goldenPath } from '../helpers/golden.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'array-record-tools-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const MORRIS = goldenPath('morris_sequence_first_5.tfrecord');
const MORRIS_RECORDS = ['1', '1 1', '2 1', '1 2 1 1', '1 1 1 2 2 1'];

async function collect(records: AsyncIterable<Uint8Array>): Promise<string[]> {
  const texts: string[] = [];
  for await (const record of records) texts.push(Buffer.from(record).toString('latin1'));
  return texts;
}

describe('what a file that is not ArrayRecord looks like', () => {
  it('is said before its size is judged', () => {
    expect(() => new ArrayRecordReader(MORRIS)).toThrow(/not an ArrayRecord file: it looks like a TFRecord file; ArrayRecord files are at least 128 KiB/);
    expect(() => new ArrayRecordReader(dir)).toThrow(NotArrayRecordError);
    expect(() => new ArrayRecordReader(dir)).toThrow(/it is a directory/);
    expect(() => new ArrayRecordReader(goldenPath('plain_riegeli_small.riegeli'))).toThrow(/like a plain Riegeli file/);
    const json = path.join(dir, 'x.json');
    fs.writeFileSync(json, Buffer.alloc(3 * 65536, '{"a":1}\n'));
    expect(() => new ArrayRecordReader(json)).toThrow(/it looks like JSON text/);
  });

  it('sniffs the kinds by their first bytes', () => {
    expect(sniffFileKind(fs.readFileSync(MORRIS))).toBe('tfrecord');
    expect(sniffFileKind(fs.readFileSync(goldenPath('plain_riegeli_small.riegeli')))).toBe('riegeli');
    expect(sniffFileKind(Uint8Array.of(0x1f, 0x8b, 8, 0))).toBe('gzip');
    expect(sniffFileKind(Uint8Array.of(0x78, 0x9c, 0xff, 0x00, 0x12))).toBe('zlib');
    expect(sniffFileKind(new TextEncoder().encode('x^ is text'))).toBe('text');
    expect(sniffFileKind(new TextEncoder().encode(' ["a"]'))).toBe('json');
    expect(sniffFileKind(new Uint8Array(0))).toBe('empty');
    expect(sniffFileKind(Uint8Array.of(0, 1, 2, 3))).toBe('binary');
  });
});

describe('streams of unknown length', () => {
  it('ByteStream reads exact lengths and lines across chunk boundaries', async () => {
    const stream = new ByteStream(Readable.from([Buffer.from('ab'), Buffer.from('c\nde'), Buffer.from(''), Buffer.from('f\n\ng')]));
    expect(Buffer.from(await stream.peek(3)).toString()).toBe('abc');
    expect(Buffer.from((await stream.readUntil(10))!).toString()).toBe('abc');
    expect(Buffer.from(await stream.read(2)).toString()).toBe('de');
    expect(stream.position).toBe(6);
    expect(Buffer.from((await stream.readUntil(10))!).toString()).toBe('f');
    expect(Buffer.from((await stream.readUntil(10))!).toString()).toBe('');
    expect(Buffer.from((await stream.readUntil(10))!).toString()).toBe('g');
    expect(await stream.readUntil(10)).toBeUndefined();
    expect(await stream.atEnd()).toBe(true);
  });

  it('opens TFRecord, gzip TFRecord, ArrayRecord and JSON lines from streams', async () => {
    const bytes = fs.readFileSync(MORRIS);
    const fromStream = (name: string, data: Uint8Array): { name: string; stream: AsyncIterable<Uint8Array> } => ({ name, stream: Readable.from([data]) });
    const tfrecord = await openRecordInput(fromStream('t', bytes));
    expect(tfrecord.format).toBe('tfrecord');
    expect(await collect(tfrecord.records())).toEqual(MORRIS_RECORDS);
    const { gzipSync } = await import('node:zlib');
    const gzipped = await openRecordInput(fromStream('g', gzipSync(bytes)));
    expect([gzipped.format, gzipped.compression]).toEqual(['tfrecord', 'gzip']);
    expect(await collect(gzipped.records())).toEqual(MORRIS_RECORDS);
    const arrayRecord = await openRecordInput(fromStream('a', fs.readFileSync(goldenPath('digits.array_record-00001-of-00002'))));
    expect(await collect(arrayRecord.records())).toEqual(['5', '6', '7', '8', '9']);
    const jsonl = await openRecordInput(fromStream('j', new TextEncoder().encode('"a"\n{"base64":"/w=="}\n')), { acceptText: true });
    expect(jsonl.format).toBe('jsonl');
    expect(await collect(jsonl.records())).toEqual(['a', '\xff']);
    await expect(openRecordInput(fromStream('j', new TextEncoder().encode('"a"\n')))).rejects.toThrow(NotArrayRecordError);
    const cut = await openRecordInput(fromStream('cut', bytes.subarray(0, bytes.length - 2)));
    await expect(collect(cut.records())).rejects.toThrow(CorruptFileError);
  });

  it('the JSON form of a record gives back its bytes', () => {
    for (const record of [Uint8Array.of(0xff), Uint8Array.of(0xef, 0xbb, 0xbf), new TextEncoder().encode('{"base64":"AA=="}'), new Uint8Array(0)]) {
      expect(recordFromJson(JSON.parse(recordToJson(record)))).toEqual(record);
    }
    expect(() => recordFromJson({ base64: '***' })).toThrow(/not valid base64/);
  });
});

describe('TFRecord writing and convert()', () => {
  it('TFRecordWriter frames records as TensorFlow does (byte-identical to a TensorFlow file)', () => {
    const file = path.join(dir, 'morris.tfrecord');
    const writer = new TFRecordWriter(file);
    for (const record of MORRIS_RECORDS) writer.write(record);
    writer.close();
    expect(fs.readFileSync(file)).toEqual(fs.readFileSync(MORRIS));
    expect(Buffer.from(encodeTFRecord(new TextEncoder().encode('1')))).toEqual(fs.readFileSync(MORRIS).subarray(0, 17));
  });

  it('converts streams to a stream, refuses ArrayRecord to a stream and an output that is an input', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const report = await convert([{ name: 'lines', stream: Readable.from([Buffer.from('x\ny\n')]) }], { name: 'out', stream: out }, { from: 'lines' });
    expect(report).toMatchObject({ records: 2, outputs: [{ path: 'out', format: 'tfrecord', records: 2 }] });
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat([encodeTFRecord(Buffer.from('x')), encodeTFRecord(Buffer.from('y'))]));
    await expect(convert([MORRIS], { name: 'out', stream: new PassThrough() }, { to: 'array_record' })).rejects.toThrow(InvalidArgumentError);
    const copy = path.join(dir, 'copy.tfrecord');
    fs.copyFileSync(MORRIS, copy);
    await expect(convert([copy], copy)).rejects.toThrow(/is the input/);
    expect(fs.readFileSync(copy)).toEqual(fs.readFileSync(MORRIS));
  });

  it('an output in no directory is an IoError naming it; discarding a temporary that cannot exist does not throw', async () => {
    // The directory is a file: creating the temporary fails with ENOTDIR, and so did deleting it, which
    // replaced the error to report with a raw one naming only the temporary.
    const output = path.join(MORRIS, 'out.array_record');
    const error = await convert([MORRIS], output).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IoError);
    expect((error as IoError).path).toBe(output);
    expect(() => PendingFile.beside(output).discard()).not.toThrow();
  });
});

describe('scanChunks', () => {
  it('yields every intact chunk of a whole file and nothing skipped', () => {
    const file = path.join(dir, 'scan.array_record');
    const writer = new ArrayRecordWriter(file, 'group_size:3,uncompressed');
    for (let i = 0; i < 100; i++) writer.write(`r${i}`);
    writer.close();
    const source = LocalFile.open(file);
    const items = [...scanChunks(source)];
    source.close();
    expect(items.every((item) => item.kind === 'chunk')).toBe(true);
    // Signature, 34 data chunks, footer, padding, postscript, padding.
    expect(items.filter((item) => item.kind === 'chunk' && item.chunk.header.chunkType === 0x72)).toHaveLength(36);
  });
});
