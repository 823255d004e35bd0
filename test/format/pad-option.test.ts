// The bare `pad_to_block_boundary` key, as Google's ArrayRecordWriterBase::Options::FromString parses it:
// Enum({{"", true}, {"true", true}, {"false", false}}), so the bare key turns padding on (as the bare
// `transpose` does). Found by a cross-check against the C++ library (a9db114): it stored
// `pad_to_block_boundary:true` and padded every chunk, where this writer did neither.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { parseWriterOptions, writerOptionsToString } from '../../src/format/arrayrecord/writer-options.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pad-option-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('pad_to_block_boundary without a value', () => {
  it('means true, as in Google parser', () => {
    expect(parseWriterOptions('pad_to_block_boundary').padToBlockBoundary).toBe(true);
    expect(parseWriterOptions('group_size:4,pad_to_block_boundary,uncompressed').padToBlockBoundary).toBe(true);
    expect(writerOptionsToString(parseWriterOptions('group_size:1,pad_to_block_boundary'), 1)).toBe(
      'group_size:1,transpose:false,pad_to_block_boundary:true,zstd:3,window_log:20,max_parallelism:1',
    );
    expect(parseWriterOptions('pad_to_block_boundary:false').padToBlockBoundary).toBe(false);
    expect(parseWriterOptions('group_size:1').padToBlockBoundary).toBe(false);
  });

  it('pads every chunk to a block boundary', () => {
    const file = path.join(dir, 'bare.array_record');
    const writer = new ArrayRecordWriter(file, 'group_size:1,uncompressed,pad_to_block_boundary');
    for (let i = 0; i < 3; i++) writer.write(`record ${i}`);
    writer.close();
    // Three data chunks of a block each, then the footer's block and the postscript's.
    expect(fs.statSync(file).size).toBe(65536 * 5);
    const reader = new ArrayRecordReader(file);
    expect(reader.writerOptionsString()).toContain('pad_to_block_boundary:true');
    expect(reader.readAll().map((record) => new TextDecoder().decode(record))).toEqual(['record 0', 'record 1', 'record 2']);
    reader.close();
  });
});
