// Every golden file written by Google's C++ library reads back exactly: count, record hashes, options, group size.

import { describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { goldenArrayRecordFiles, goldenPath, sha256 } from '../helpers/golden.js';

describe('golden ArrayRecord files', () => {
  for (const golden of goldenArrayRecordFiles()) {
    describe(golden.file, () => {
      it('reads every record with readAll()', () => {
        using reader = new ArrayRecordReader(goldenPath(golden.file));
        expect(reader.numRecords()).toBe(golden.num_records);
        expect(reader.writerOptionsString()).toBe(golden.writer_options_string);
        expect(reader.recordGroupSize()).toBe(golden.record_group_size);
        expect(reader.readAll().map(sha256)).toEqual(golden.sha256);
      });

      it('reads sequentially with read()', () => {
        using reader = new ArrayRecordReader(goldenPath(golden.file));
        const hashes: string[] = [];
        for (let i = 0; i < golden.num_records; i++) {
          expect(reader.recordIndex()).toBe(i);
          hashes.push(sha256(reader.read()));
        }
        expect(hashes).toEqual(golden.sha256);
        expect(() => reader.read()).toThrow(/past the end/);
      });

      it('reads by reversed indices, sync and async, in memory and offloaded', async () => {
        const indices = golden.sha256.map((_, i) => golden.num_records - 1 - i);
        const expected = indices.map((i) => golden.sha256[i]);
        for (const options of ['', 'index_storage_option:offloaded']) {
          using reader = new ArrayRecordReader(goldenPath(golden.file), options);
          expect(reader.read(indices).map(sha256)).toEqual(expected);
          expect((await reader.readAsync(indices)).map(sha256)).toEqual(expected);
        }
      });

      it('has the metadata the writer stored, or none', () => {
        using reader = new ArrayRecordReader(goldenPath(golden.file));
        if (golden.metadata === undefined) expect(reader.metadata()).toBeUndefined();
        else expect(reader.metadata()).toMatchObject(camelCaseKeys(golden.metadata));
      });

      if (golden.records_utf8 !== undefined) {
        it('holds the literal records', () => {
          using reader = new ArrayRecordReader(goldenPath(golden.file));
          expect(reader.readAll().map((record) => new TextDecoder().decode(record))).toEqual(golden.records_utf8);
        });
      }
    });
  }
});

/** The sidecars spell proto fields as in the .proto (file_comment); our API uses camelCase. */
function camelCaseKeys(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), value]));
}
