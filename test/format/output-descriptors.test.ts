// A converted output's file descriptor is closed exactly once, whatever ends the output: a second close
// closes whatever file has the number by then (in CI, the directory a test was removing).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSink } from '../../src/format/tools/record-output.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'output-descriptors-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Lets libuv's pool run what was queued to it (a stream's asynchronous close). */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * Opens `other` (most likely under the number the output had), runs `between`, lets the pool run, and
 * expects the file still open: a late second close of the output's number would have closed it.
 */
async function expectStillOpen(other: string, round: number, between: () => void = () => {}): Promise<void> {
  const fd = fs.openSync(other, 'r');
  between();
  await settle();
  expect(() => fs.fstatSync(fd), `round ${round}`).not.toThrow();
  fs.closeSync(fd);
}

describe('a compressed TFRecord output', () => {
  it('aborted, leaves the descriptor a file opened right after it gets alone', async () => {
    const other = path.join(dir, 'other');
    fs.writeFileSync(other, 'still open');
    for (let round = 0; round < 40; round++) {
      const sink = createSink(path.join(dir, `out-${round}.tfrecord.gz`), { format: 'tfrecord', writerOptions: '', compression: 'gzip' });
      await sink.write(new Uint8Array(1000).fill(round));
      sink.abort();
      await expectStillOpen(other, round);
    }
    expect(fs.readdirSync(dir)).toEqual(['other']);
  });

  it('finished and then aborted (a later shard failed), closes its descriptor once', async () => {
    const other = path.join(dir, 'other-2');
    fs.writeFileSync(other, 'still open');
    for (let round = 0; round < 20; round++) {
      const sink = createSink(path.join(dir, `done-${round}.tfrecord.gz`), { format: 'tfrecord', writerOptions: '', compression: 'gzip' });
      await sink.write(new Uint8Array(100).fill(round));
      await sink.finish();
      await expectStillOpen(other, round, () => sink.abort());
    }
  });
});
