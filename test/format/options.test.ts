// The writer and reader option grammars: defaults, every option, and every error message.

import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../src/format/errors.js';
import { parseReaderOptions } from '../../src/format/arrayrecord/reader-options.js';
import { parseWriterOptions, writerOptionsToString } from '../../src/format/arrayrecord/writer-options.js';

const canonical = (text: string): string => writerOptionsToString(parseWriterOptions(text), 1);

describe('writer options', () => {
  it('defaults to group_size:1 with zstd:3 and window_log:20', () => {
    const expected = 'group_size:1,transpose:false,pad_to_block_boundary:false,zstd:3,window_log:20,max_parallelism:1';
    expect(canonical('')).toBe(expected);
    expect(canonical('default')).toBe(expected);
    expect(canonical('zstd')).toBe(expected);
    expect(canonical(',,group_size:1,')).toBe(expected);
  });

  it.each([
    ['uncompressed', 'uncompressed'],
    ['brotli', 'brotli:6'],
    ['brotli:11', 'brotli:11'],
    ['brotli:3,window_log:24', 'brotli:3,window_log:24'],
    ['zstd:-131072', 'zstd:-131072,window_log:20'],
    ['zstd:22,window_log:31', 'zstd:22,window_log:31'],
    ['window_log:12', 'zstd:3,window_log:12'],
    ['zstd,window_log:auto', 'zstd:3,window_log:20'],
    ['snappy', 'snappy'],
    ['snappy:2', 'snappy'],
  ])('%s -> %s', (text, codec) => {
    expect(canonical(text)).toContain(`,${codec},max_parallelism:1`);
  });

  it('parses group size, padding, transpose and parallelism', () => {
    const options = parseWriterOptions('group_size:64,pad_to_block_boundary,transpose_bucket_size:1k,max_parallelism:4,saturation_delay_ms:5');
    expect(options).toMatchObject({ groupSize: 64, padToBlockBoundary: true, transposeBucketSize: 1024, maxParallelism: 4, saturationDelayMs: 5 });
    expect(parseWriterOptions('pad_to_block_boundary:true').padToBlockBoundary).toBe(true);
    expect(parseWriterOptions('transpose').transpose).toBe(true);
    expect(parseWriterOptions('transpose:false').transpose).toBe(false);
    expect(parseWriterOptions('max_parallelism:auto').maxParallelism).toBeUndefined();
    expect(canonical('transpose:true,uncompressed')).toBe(
      'group_size:1,transpose:true,pad_to_block_boundary:false,transpose_bucket_size:256,uncompressed,max_parallelism:1',
    );
  });

  it.each([
    ['group_size:0', /option group_size: invalid value: 0, valid values: integers in the range \[1\.\.2147483647\]/],
    ['group_size:x', /group_size: invalid value: x/],
    ['zstd,brotli', /^writer options: option brotli conflicts with option zstd/],
    ['snappy,uncompressed', /option uncompressed conflicts with option snappy/],
    ['zstd:23', /option zstd: invalid value: 23, valid values: \(empty\), integers in the range \[-131072\.\.22\]/],
    ['brotli:12', /option brotli: invalid value: 12/],
    ['snappy:3', /option snappy: invalid value: 3/],
    ['uncompressed:1', /option uncompressed: invalid value: 1/],
    ['window_log:9', /option window_log: invalid value: 9, valid values: auto, integers in the range \[10\.\.31\]/],
    ['brotli,window_log:31', /window_log: invalid value: 31, valid values: auto, integers in the range \[10\.\.30\]/],
    ['uncompressed,window_log:20', /conflicts with option uncompressed/],
    ['snappy,window_log:20', /conflicts with option snappy/],
    ['group_size:1,group_size:2', /option group_size is present more than once/],
    ['group_size:1,default', /option default must be first/],
    ['frobnicate', /unknown option "frobnicate", valid options: default, group_size/],
    ['pad_to_block_boundary:yes', /pad_to_block_boundary: invalid value: yes, valid values: \(empty\), true, false/],
    [' group_size:1', /unknown option " group_size"/],
  ])('%s is refused', (text, message) => {
    expect(() => parseWriterOptions(text)).toThrow(InvalidOptionsError);
    expect(() => parseWriterOptions(text)).toThrow(message);
    // Every message says which options string it is about.
    expect(() => parseWriterOptions(text)).toThrow(/^writer options: /);
  });
});

describe('reader options', () => {
  it('defaults', () => {
    expect(parseReaderOptions('')).toEqual({
      readaheadBufferSize: 0,
      maxParallelism: undefined,
      indexStorageOption: 'in_memory',
      skipCorruptedChunks: false,
    });
  });

  it.each([
    ['readahead_buffer_size:16M', 16 * 2 ** 20],
    ['readahead_buffer_size:1.5k', 1536],
    ['readahead_buffer_size:1G', 2 ** 30],
    ['readahead_buffer_size:100B', 100],
    ['readahead_buffer_size:auto', 0],
  ])('%s', (text, bytes) => {
    expect(parseReaderOptions(text).readaheadBufferSize).toBe(bytes);
  });

  it('parallelism and index storage', () => {
    expect(parseReaderOptions('max_parallelism:0,index_storage_option:offloaded')).toEqual({
      readaheadBufferSize: 0,
      maxParallelism: 0,
      indexStorageOption: 'offloaded',
      skipCorruptedChunks: false,
    });
    expect(parseReaderOptions('index_storage_options:offloaded').indexStorageOption).toBe('offloaded');
    expect(parseReaderOptions('index_storage_option').indexStorageOption).toBe('in_memory');
  });

  it('skip_corrupted_chunks: bare, true or false', () => {
    expect(parseReaderOptions('skip_corrupted_chunks').skipCorruptedChunks).toBe(true);
    expect(parseReaderOptions('skip_corrupted_chunks:true,max_parallelism:0').skipCorruptedChunks).toBe(true);
    expect(parseReaderOptions('skip_corrupted_chunks:false').skipCorruptedChunks).toBe(false);
    expect(() => parseReaderOptions('skip_corrupted_chunks:yes')).toThrow(/skip_corrupted_chunks: invalid value: yes, valid values: \(empty\), true, false/);
  });

  it.each([
    ['readahead_buffer_size:2G', /readahead_buffer_size: invalid value: 2G, valid values: auto, integers expressed as reals/],
    ['readahead_buffer_size:-1', /invalid value: -1/],
    ['max_parallelism:-1', /max_parallelism: invalid value: -1/],
    ['index_storage_option:disk', /index_storage_option: invalid value: disk, valid values: \(empty\), in_memory, offloaded/],
    ['index_storage_option,index_storage_options:offloaded', /present more than once/],
    ['group_size:1', /unknown option "group_size", valid options: max_parallelism, readahead_buffer_size/],
  ])('%s is refused', (text, message) => {
    expect(() => parseReaderOptions(text)).toThrow(InvalidOptionsError);
    expect(() => parseReaderOptions(text)).toThrow(message);
  });
});
