// zstd on each of its paths (zstd-napi, node:zlib, wasm), forced one at a time: the same frames as
// zstd-napi (and so as Google's files) where the path can make them, frames every path decodes, and
// a writer that fails before creating its file when zstd cannot run.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ArrayRecordReader } from '../../src/format/arrayrecord/reader.js';
import { ArrayRecordWriter } from '../../src/format/arrayrecord/writer.js';
import { UnsupportedError } from '../../src/format/errors.js';
import { decodeBlock, encodeBlock } from '../../src/format/riegeli/compression.js';
import { CompressionType } from '../../src/format/riegeli/constants.js';
import { encodeMetadataChunk } from '../../src/format/riegeli/records-metadata.js';
import { DEFAULT_TRANSPOSE_BUCKET_SIZE, encodeTransposedChunk } from '../../src/format/riegeli/transpose/index.js';
import { loadZstdBinding } from '../../src/format/riegeli/zstd-binding.js';
import { loadZstdCodec, nodeHasZstd, resetZstdCodec, zstdPath, type ZstdCodec, type ZstdPath } from '../../src/format/riegeli/zstd-codec.js';
import { contentRecord, goldenPath, goldenSidecar, mixedRecord, sha256, smallRecord } from '../helpers/golden.js';
import { readChunks } from './transpose/golden-chunks.js';
import { goldenExample } from './transpose/proto-builders.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zstd-paths-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => resetZstdCodec());

/** Every path, and whether this Node has it (node:zlib from 22.15). */
const PATHS: readonly ZstdPath[] = ['zstd-napi', 'node:zlib', 'wasm'];
const available = PATHS.filter((name) => name !== 'node:zlib' || nodeHasZstd());
const codecs = new Map<ZstdPath, ZstdCodec>(
  available.map((name) => {
    const codec = loadZstdCodec(name);
    if (typeof codec === 'string') throw new Error(codec);
    return [name, codec];
  }),
);
const napi = codecs.get('zstd-napi')!;

/** Words drawn at random: levels and windows find different matches in them. */
function text(size: number, seed: number): Uint8Array {
  const words = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'elit', 'sed', 'tempor', 'magna', 'aliqua'];
  const bytes = new Uint8Array(size);
  let state = seed;
  for (let pos = 0; pos < size; ) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const word = `${words[(state >>> 16) % words.length]}${state & 0x300 ? ' ' : `${state % 1000} `}`;
    for (let i = 0; i < word.length && pos < size; i++) bytes[pos++] = word.charCodeAt(i);
  }
  return bytes;
}

const SIZES = [0, 1, 100, 1300, 60_000, 200_000, 1 << 20, (1 << 20) + 5000, 3_000_000];
const SETTINGS: readonly [level: number, windowLog: number | undefined][] = [
  [3, 20],
  [3, undefined],
  [1, 20],
  [-5, 20],
  [19, 20],
  [3, 10],
];

/**
 * When the wasm path (level only, no window parameter) makes zstd-napi's frame: with no window
 * asked for; or when the window cannot matter, the block fitting in it and in the level's own
 * window (at least 256 KiB for every level at these sizes, 1 MiB and more for level 3).
 */
function wasmMatches(size: number, level: number, windowLog: number | undefined): boolean {
  if (windowLog === undefined) return true;
  if (size > 2 ** windowLog) return false;
  return size <= 256 * 1024 || level === 3;
}

const allocator = { take: (length: number, slack = 0) => new Uint8Array(length + slack).subarray(0, length) };

/** Google's golden zstd files of simple chunks. */
const GOLDEN_ZSTD_FILES = ['zstd3_g1_mixed', 'zstd3_g1_single5m', 'zstd3_g64_small', 'zstd3_pad_g16_mixed', 'zstd3default_g1_small', 'zstd3default_g65536_small', 'tfex_zstd3_g1'];
/**
 * Those whose every chunk zstd-napi writes as Google's writer did. Riegeli streams a block through
 * its writer's buffer, and zstd splits a block of more than ~64 KB differently then, by a few bytes.
 */
const GOOGLE_IDENTICAL = ['zstd3default_g1_small', 'tfex_zstd3_g1'];
/** Those with a block larger than the 1 MiB window (the one 5 MiB record; 1000 records in one chunk). */
const LARGER_THAN_WINDOW = ['zstd3_g1_single5m', 'zstd3default_g65536_small'];
const RULES: Record<string, (i: number) => Uint8Array> = {
  small: smallRecord,
  mixed: mixedRecord,
  single5m: () => contentRecord(0, 5 * 1024 * 1024),
  tf_example: goldenExample,
};

/** Writes the records of golden file `file` with its options on the current path. */
function writeGolden(file: string, label: string): string {
  const golden = goldenSidecar(`${file}.array_record`);
  const written = path.join(dir, `${label.replace(':', '-')}-${file}`);
  const writer = new ArrayRecordWriter(written, golden.options!);
  for (let i = 0; i < golden.num_records; i++) writer.write(RULES[golden.record_rule]!(i));
  writer.close();
  return written;
}

let references: Map<string, string> | undefined;
/** The golden files' records as zstd-napi writes them. */
function referenceFiles(): Map<string, string> {
  if (references === undefined) {
    resetZstdCodec(napi);
    references = new Map(GOLDEN_ZSTD_FILES.map((file) => [file, writeGolden(file, 'reference')]));
    resetZstdCodec();
  }
  return references;
}

describe.each(available)('zstd on %s', (name) => {
  const codec = codecs.get(name)!;

  it('writes zstd-napi\'s frames byte for byte (wasm: where the window cannot matter) and decodes every path\'s', () => {
    let compared = 0;
    for (const size of SIZES) {
      const data = text(size, size + 7);
      for (const [level, windowLog] of SETTINGS) {
        // Level 19 is slow on large inputs, and level 3 covers them.
        if (level === 19 && size > 200_000) continue;
        const ours = codec.compress(data, level, windowLog, 3).subarray(3);
        const reference = napi.compress(data, level, windowLog, 0);
        if (name !== 'wasm' || wasmMatches(size, level, windowLog)) {
          expect(Buffer.from(ours).equals(Buffer.from(reference)), `${size} bytes at level ${level}, window ${windowLog}`).toBe(true);
          compared++;
        }
        // Riegeli's frames: the content size declared, no checksum, no dictionary id.
        const descriptor = ours[4]!;
        expect(descriptor & 0x04, 'checksum flag').toBe(0);
        expect(descriptor & 0x03, 'dictionary id').toBe(0);
        expect(descriptor >>> 6 !== 0 || (descriptor & 0x20) !== 0, 'content size').toBe(true);
        for (const other of codecs.values()) {
          expect(Buffer.from(other.decompress(ours, size, allocator)).equals(Buffer.from(data)), `${other.path} decodes`).toBe(true);
        }
      }
    }
    expect(compared).toBeGreaterThan(name === 'wasm' ? 30 : 50);
  });

  it('rejects a frame that yields another size than announced, and damaged frames', () => {
    const data = text(5000, 1);
    const frame = napi.compress(data, 3, 20, 0);
    expect(() => codec.decompress(frame, 4999, allocator)).toThrow();
    expect(() => codec.decompress(frame, 5001, allocator)).toThrow();
    const damaged = Uint8Array.from(frame);
    damaged[damaged.length - 5]! ^= 0xff;
    damaged[20]! ^= 0x55;
    let result: Uint8Array | undefined;
    try {
      result = codec.decompress(damaged, 5000, allocator);
    } catch {
      result = undefined;
    }
    // zstd keeps no checksum here: damage is caught when it breaks the frame, or shows in the bytes.
    if (result !== undefined) expect(Buffer.from(result).equals(Buffer.from(data))).toBe(false);
  });

  it('writes the golden files\' records as zstd-napi does (wasm: where no block exceeds the window), and Google\'s bytes where zstd-napi does', () => {
    const reference = referenceFiles();
    resetZstdCodec(codec);
    expect(zstdPath()).toBe(name);
    for (const file of GOLDEN_ZSTD_FILES) {
      const written = writeGolden(file, name);
      const same = fs.readFileSync(written).equals(fs.readFileSync(reference.get(file)!));
      expect(same, file).toBe(name !== 'wasm' || !LARGER_THAN_WINDOW.includes(file));
      if (GOOGLE_IDENTICAL.includes(file)) expect(fs.readFileSync(written).equals(fs.readFileSync(goldenPath(`${file}.array_record`))), `${file} as Google's`).toBe(true);
      // Google's files and ours read back on this path.
      for (const read of [written, goldenPath(`${file}.array_record`)]) {
        const reader = new ArrayRecordReader(read);
        expect(reader.readAll().map(sha256), read).toEqual(goldenSidecar(`${file}.array_record`).sha256);
        reader.close();
      }
    }
    const transposed = readChunks(goldenPath('tfex_transpose_zstd3_g100.array_record')).filter((chunk) => chunk.chunkType === 0x74);
    transposed.forEach((chunk, c) => {
      const records = Array.from({ length: chunk.numRecords }, (_, k) => goldenExample(c * 100 + k));
      const encoded = encodeTransposedChunk(records, { type: CompressionType.zstd, level: 3, windowLog: 20 }, DEFAULT_TRANSPOSE_BUCKET_SIZE);
      expect(Buffer.from(encoded.data).equals(Buffer.from(chunk.data)), `transposed chunk ${c}`).toBe(true);
    });
    const metadata = readChunks(goldenPath('metadata_zstd3_g10_small.array_record'))[0]!;
    const ours = encodeMetadataChunk({ fileComment: 'golden' }, { type: CompressionType.zstd, level: 3, windowLog: 20 });
    expect(Buffer.from(ours.data).equals(Buffer.from(metadata.data))).toBe(true);
  });

  it('round-trips blocks with their size prefix through decodeBlock', () => {
    resetZstdCodec(codec);
    for (const size of [0, 7, 70_000]) {
      const data = text(size, 3);
      const block = encodeBlock({ type: CompressionType.zstd, level: 3, windowLog: 20 }, data);
      expect(Buffer.from(decodeBlock(CompressionType.zstd, block, 'block')).equals(Buffer.from(data))).toBe(true);
    }
  });
});

describe('choosing a path', () => {
  it('reports why the addon cannot load instead of throwing', () => {
    expect(typeof loadZstdBinding()).toBe('object');
    expect(
      loadZstdBinding(() => {
        throw new Error("Cannot find module '../build/Release/binding.node'\nRequire stack: ...");
      }),
    ).toBe("Cannot find module '../build/Release/binding.node'");
  });

  it('knows node:zlib has zstd from Node 22.15 on', () => {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    expect(nodeHasZstd()).toBe(major > 22 || (major === 22 && minor >= 15));
    if (!nodeHasZstd()) expect(loadZstdCodec('node:zlib')).toMatch(/has no zstd in node:zlib/);
  });

  /** Runs a program with ARRAY_RECORD_ZSTD set, from the sources (tsx), and returns its output. */
  function runWith(value: string, program: string): { status: number | null; stdout: string; stderr: string } {
    const script = path.join(dir, `with-${value}-${Math.random().toString(36).slice(2)}.mts`);
    const index = JSON.stringify(new URL('../../src/index.ts', import.meta.url).href);
    fs.writeFileSync(script, program.replaceAll('INDEX', index));
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ARRAY_RECORD_ZSTD: value },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr.replace(/.*nodedir.*\n/g, '') };
  }

  it('ARRAY_RECORD_ZSTD=wasm runs zstd on wasm, on the read workers too', () => {
    const file = path.join(dir, 'forced-wasm.array_record');
    const result = runWith(
      'wasm',
      `import { ArrayRecordReader, ArrayRecordWriter, zstdPath } from INDEX;
const writer = new ArrayRecordWriter(${JSON.stringify(file)}, 'group_size:2');
for (let i = 0; i < 100; i++) writer.write('record ' + i);
writer.close();
const reader = new ArrayRecordReader(${JSON.stringify(file)});
const all = await reader.readAllAsync();
reader.close();
console.log(zstdPath(), all.length, new TextDecoder().decode(all[99]));`,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('wasm 100 record 99\n');
  });

  it('a writer whose codec cannot run fails before creating its file; other codecs still work', () => {
    const file = path.join(dir, 'never-created.array_record');
    const other = path.join(dir, 'snappy.array_record');
    const result = runWith(
      'none',
      `import fs from 'node:fs';
import { ArrayRecordWriter, UnsupportedError, zstdPath } from INDEX;
let error;
try { new ArrayRecordWriter(${JSON.stringify(file)}); } catch (caught) { error = caught; }
const writer = new ArrayRecordWriter(${JSON.stringify(other)}, 'snappy');
writer.write('still works');
writer.close();
console.log(zstdPath(), error instanceof UnsupportedError, error.message, fs.existsSync(${JSON.stringify(file)}), fs.statSync(${JSON.stringify(other)}).size > 0);`,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('undefined true zstd is turned off here (ARRAY_RECORD_ZSTD=none) false true\n');
  });

  it('a value that names no path is an UnsupportedError on first use', () => {
    const result = runWith('gzip', `import { ArrayRecordWriter } from INDEX;\ntry { new ArrayRecordWriter('/nonexistent/x'); } catch (error) { console.log(error.name, error.message); }`);
    expect(result.stdout).toBe('UnsupportedError ARRAY_RECORD_ZSTD=gzip names no zstd path: expected napi, zlib, wasm or none\n');
  });

  it('throws UnsupportedError from zstdCodec, which decodeBlock passes on unwrapped', () => {
    resetZstdCodec({
      path: 'wasm',
      compress: () => {
        throw new UnsupportedError('no zstd');
      },
      decompress: () => {
        throw new UnsupportedError('no zstd');
      },
    });
    const block = encodeBlock({ type: CompressionType.snappy, level: 0 }, new Uint8Array(10));
    expect(block.length).toBeGreaterThan(0);
    expect(() => decodeBlock(CompressionType.zstd, napiBlock(), 'block')).toThrow(UnsupportedError);
  });
});

function napiBlock(): Uint8Array {
  const data = text(100, 2);
  const frame = napi.compress(data, 3, 20, 1);
  frame[0] = data.length;
  return frame;
}
