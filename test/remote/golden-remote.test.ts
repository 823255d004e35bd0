// Every golden file reads identically from disk, over HTTP (a loopback range server) and through S3
// (s3rver on loopback): through the reader, the data source and the DataLoader.

import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrayRecordDataSource, ArrayRecordReader, DataLoader, ShuffleSampler, type RemoteOptions } from '../../src/index.js';
import { goldenArrayRecordFiles, goldenPath, sha256, type GoldenSidecar } from '../helpers/golden.js';
import { runAsync } from '../helpers/run-cli.js';
import { RangeServer } from './range-server.js';
import { S3_CREDENTIALS, startS3Server, type S3Server } from './s3-server.js';

const GOLDEN = goldenArrayRecordFiles();
let http: RangeServer;
let s3: S3Server;
let s3Options: RemoteOptions;

beforeAll(async () => {
  http = await RangeServer.start();
  s3 = await startS3Server(['golden']);
  for (const golden of GOLDEN) {
    const bytes = fs.readFileSync(goldenPath(golden.file));
    http.put(golden.file, bytes);
    await s3.put('golden', golden.file, bytes);
  }
  s3Options = { s3: { endpoint: s3.endpoint, credentials: S3_CREDENTIALS } };
});

afterAll(async () => {
  await http?.close();
  await s3?.close();
});

/** Where each golden file is read from, and with which remote options. */
const PLACES: readonly { name: string; path: (file: string) => string; options: () => RemoteOptions | undefined }[] = [
  { name: 'disk', path: (file) => goldenPath(file), options: () => undefined },
  { name: 'file://', path: (file) => `file://${goldenPath(file)}`, options: () => undefined },
  { name: 'HTTP', path: (file) => http.url(file), options: () => ({}) },
  { name: 'S3', path: (file) => `s3://golden/${file}`, options: () => s3Options },
];

/** Indices in a scrambled order with repeats: every record, some twice. */
function scrambled(count: number): number[] {
  const order = Array.from({ length: count }, (_, i) => (i * 7919) % count);
  return [...order, ...order.slice(0, Math.min(count, 17))];
}

function hashes(records: readonly Uint8Array[]): string[] {
  return records.map(sha256);
}

describe.each(PLACES)('golden files from $name', (place) => {
  it.each(GOLDEN.map((golden) => [golden.file, golden] as [string, GoldenSidecar]))('reader: %s', async (_name, golden) => {
    const reader = await ArrayRecordReader.open(place.path(golden.file), '', place.options());
    try {
      expect(reader.numRecords()).toBe(golden.num_records);
      expect(reader.writerOptionsString()).toBe(golden.writer_options_string);
      expect(reader.recordGroupSize()).toBe(golden.record_group_size);
      expect(hashes(await reader.readAllAsync())).toEqual(golden.sha256);
      if (golden.num_records > 0) {
        const indices = scrambled(golden.num_records);
        expect(hashes(await reader.readAsync(indices))).toEqual(indices.map((i) => golden.sha256[i]));
        const from = Math.floor(golden.num_records / 3);
        expect(hashes(await reader.readRangeAsync(from, golden.num_records))).toEqual(golden.sha256.slice(from));
      }
      const local = new ArrayRecordReader(goldenPath(golden.file));
      expect(await reader.metadataAsync()).toEqual(local.metadata());
      local.close();
    } finally {
      reader.close();
    }
  });

  it('data source over every golden file, by scrambled global indices', async () => {
    const files = GOLDEN.map((golden) => place.path(golden.file));
    const source = await ArrayRecordDataSource.open(files, '', { remote: place.options(), maxOpenReaders: 4 });
    try {
      const expected = GOLDEN.flatMap((golden) => golden.sha256);
      expect(source.length).toBe(expected.length);
      const indices = scrambled(source.length);
      expect(hashes(await source.getItemsAsync(indices))).toEqual(indices.map((i) => expected[i]));
    } finally {
      source.close();
    }
  });

  it('DataLoader over the digits shards and a mixed file, shuffled', async () => {
    const names = ['digits.array_record-00000-of-00002', 'digits.array_record-00001-of-00002', 'zstd3_g1_mixed.array_record'];
    const source = await ArrayRecordDataSource.open(
      names.map((name) => place.path(name)),
      '',
      { remote: place.options() },
    );
    const expected = names.flatMap((name) => GOLDEN.find((golden) => golden.file === name)!.sha256);
    const sampler = new ShuffleSampler({ numRecords: source.length, seed: 7, numEpochs: 1 });
    const loader = new DataLoader<Uint8Array[]>({ source, sampler, batchSize: 64 });
    const seen: string[] = [];
    for await (const batch of loader) seen.push(...hashes(batch));
    await loader.close();
    source.close();
    const order = Array.from({ length: expected.length }, (_, k) => sampler.keyAt(k));
    expect(seen).toEqual(order.map((key) => expected[key]));
  });
});

describe('shard patterns', () => {
  it('name@N over HTTP and name-*-of-* over an S3 listing give the digits shards', async () => {
    const shards = GOLDEN.filter((golden) => golden.file.startsWith('digits.'));
    const expected = shards.flatMap((golden) => golden.sha256);
    const overHttp = await ArrayRecordDataSource.open(`${http.url('digits.array_record')}@2`);
    expect(overHttp.describe().files.map((file) => file.path)).toEqual(shards.map((golden) => http.url(golden.file)));
    expect(hashes(await overHttp.getItemsAsync(Array.from({ length: overHttp.length }, (_, i) => i)))).toEqual(expected);
    overHttp.close();
    const overS3 = await ArrayRecordDataSource.open('s3://golden/digits.array_record-*-of-*', '', { remote: s3Options });
    expect(overS3.describe().files.map((file) => file.path)).toEqual(shards.map((golden) => `s3://golden/${golden.file}`));
    expect(hashes(await overS3.getItemsAsync(Array.from({ length: overS3.length }, (_, i) => i)))).toEqual(expected);
    overS3.close();
    const local = new ArrayRecordDataSource(goldenPath('digits.array_record-*-of-00002'));
    expect(local.length).toBe(expected.length);
    local.close();
  });

  it('the CLI takes the same patterns: name@N over HTTP, name-*-of-* over an S3 listing', async () => {
    const shards = GOLDEN.filter((golden) => golden.file.startsWith('digits.'));
    const s3Environment = { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey };
    const [info, cat, sample] = await Promise.all([
      runAsync(['info', '--json', `${http.url('digits.array_record')}@2`]),
      runAsync(['cat', '--as', 'hex', 's3://golden/digits.array_record-*-of-*'], s3Environment),
      runAsync(['sample', `${http.url('digits.array_record')}@2`]),
    ]);
    expect(info.code, info.stderr).toBe(0);
    expect((JSON.parse(info.stdout) as { files: { path: string; records: number }[] }).files).toEqual(
      shards.map((golden) => expect.objectContaining({ path: http.url(golden.file), records: golden.num_records })),
    );
    expect(cat.code, cat.stderr).toBe(0);
    expect(cat.stdout.trim().split('\n').map((hex) => sha256(Buffer.from(hex, 'hex')))).toEqual(shards.flatMap((golden) => golden.sha256));
    // sample draws from one file: a pattern of two is a usage error, not a silent first shard.
    expect(sample.code).toBe(2);
    expect(sample.stderr).toMatch(/sample draws from one file; .*@2 names 2/);
  });

  it('read instructions on URLs slice the file', async () => {
    const golden = GOLDEN.find((g) => g.file === 'zstd3_g1_mixed.array_record')!;
    const source = await ArrayRecordDataSource.open([`s3://golden/${golden.file}[10:20]`, `${http.url(golden.file)}[590:]`], '', { remote: s3Options });
    expect(source.length).toBe(20);
    expect(hashes(await source.getItemsAsync(Array.from({ length: 20 }, (_, i) => i)))).toEqual([...golden.sha256.slice(10, 20), ...golden.sha256.slice(590)]);
    source.close();
  });
});
