// An error raised on an encoding worker reaches the writer: the write() or close() that meets it
// throws it, the writer stays failed and its file is emptied. Here the workers start without zstd
// (ARRAY_RECORD_ZSTD=none in their environment) while the writer's thread has it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { encodeWorkersReady } from '../../src/format/arrayrecord/encode-pool.js';
import { encodeCounts, PARALLEL_ENCODING } from '../../src/format/arrayrecord/parallel-encoder.js';
import { UnsupportedError } from '../../src/format/errors.js';
import { resetZstdCodec, ZSTD_PATH_VARIABLE } from '../../src/format/riegeli/zstd-codec.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-parallel-errors-'));
const saved = { ...PARALLEL_ENCODING };

beforeAll(async () => {
  PARALLEL_ENCODING.thresholdBytes = 0;
  PARALLEL_ENCODING.batchBytes = 4 << 10;
  process.env[ZSTD_PATH_VARIABLE] = 'none';
  await encodeWorkersReady(2);
  delete process.env[ZSTD_PATH_VARIABLE];
  resetZstdCodec();
});
afterAll(() => {
  Object.assign(PARALLEL_ENCODING, saved);
  fs.rmSync(dir, { recursive: true, force: true });
});

it("a worker's encoding error fails the writer and empties its file", () => {
  const file = path.join(dir, 'failed.array_record');
  const writer = new ArrayRecordWriter(file, 'group_size:1,zstd:3,max_parallelism:2');
  const before = encodeCounts.onWorkers;
  let failure: unknown;
  try {
    for (let i = 0; i < 200; i++) writer.write(new Uint8Array(1000).fill(i));
  } catch (error) {
    failure = error;
  }
  expect(encodeCounts.onWorkers).toBeGreaterThan(before);
  let closeFailure: unknown;
  try {
    writer.close();
  } catch (error) {
    closeFailure = error;
  }
  expect(failure ?? closeFailure).toBeInstanceOf(UnsupportedError);
  expect(closeFailure).toBeDefined();
  expect(writer.ok()).toBe(false);
  expect(fs.statSync(file).size).toBe(0);
});
