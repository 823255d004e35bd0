// The package as npm users get it: packed (only dist, README, LICENSE), installed from the tarball
// into fresh ESM and CommonJS projects with and without install scripts, and run there: zstd (on the
// path each install and Node gives), snappy and brotli written and read, sync and on the read workers,
// and Google's bytes reproduced. Consumers run on this Node and on every binary listed in
// ARRAY_RECORD_TEST_NODES (separated by ':'; .ci/run lists Node 22 and 24).
// Installing with scripts runs zstd-napi's install script (prebuild-install, else node-gyp). Users with
// network get zstd-napi's published prebuilt addon; here, with no network, prebuild-install is pointed
// at a local prebuild packed from the addon the repository's own install compiled, as a project's
// .prebuild-installrc can (compiling it again took 1-3 minutes of this test; without a compiled addon
// in the repository it still compiles). ARRAY_RECORD_PACKAGE_SCRIPTS=0 skips that install. .ci/run runs
// this test once, on Node 20, with consumers on 22 and 24.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, PACKAGE_ENTRIES } from '../../tools/bundle.js';
import { goldenPath } from '../helpers/golden.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'installed-package-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const nodes = [process.execPath, ...(process.env['ARRAY_RECORD_TEST_NODES'] ?? '').split(':').filter((node) => node !== '' && fs.existsSync(node))];
const withScripts = process.env['ARRAY_RECORD_PACKAGE_SCRIPTS'] !== '0';
const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 540_000 });

function nodeVersion(node: string): [number, number] {
  return execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim().split('.').map(Number) as [number, number];
}

/** The zstd path an install gives on a Node: the addon when it was built, else node:zlib (22.15+), else wasm. */
function expectedZstd(node: string, scripts: boolean): string {
  if (scripts) return 'zstd-napi';
  const [major, minor] = nodeVersion(node);
  return major > 22 || (major === 22 && minor >= 15) ? 'node:zlib' : 'wasm';
}

// The consumer program, the same in both module systems but for how it loads the package.
const PROGRAM = `
const dir = process.argv[2];
const golden = process.argv[3];
const fs = await import('node:fs');
const path = await import('node:path');
const report = { zstd: zstdPath(), tfjs: typeof exampleDataset, files: {} };
for (const options of ['group_size:4', 'group_size:4,zstd:1', 'group_size:4,snappy', 'group_size:4,brotli:6']) {
  const file = path.join(dir, options.replace(/\\W/g, '_') + '.array_record');
  const writer = new ArrayRecordWriter(file, options);
  for (let i = 0; i < 200; i++) writer.write('record ' + i + ' '.repeat(i % 17));
  writer.close();
  const reader = new ArrayRecordReader(file);
  const sync = reader.readAll();
  const async = await reader.readAsync([199, 0, 100]);
  report.files[options] = [reader.writerOptionsString(), sync.length, new TextDecoder().decode(sync[199]).trim(), async.map((r) => new TextDecoder().decode(r).trim()).join('|')];
  reader.close();
}
// Google's zstd:3 file, read and written again byte for byte (the README's small rule).
const googleFile = path.join(dir, 'google.array_record');
const writer = new ArrayRecordWriter(googleFile);
for (let i = 0; i < 1000; i++) {
  const record = new Uint8Array((i * 7919 + 13) % 3001);
  for (let j = 0; j < record.length; j++) record[j] = (i * 31 + j * 17 + (j >> 8)) & 0xff;
  writer.write(record);
}
writer.close();
report.google = [new ArrayRecordReader(golden).readAll().length, fs.readFileSync(googleFile).equals(fs.readFileSync(golden))];
// Each of the package's classes exists once: an error thrown by array-record/tfds is the root entry's.
const badDataset = path.join(dir, 'bad-dataset');
fs.mkdirSync(badDataset);
fs.writeFileSync(path.join(badDataset, 'dataset_info.json'), '{');
report.sharedClasses = await TfdsDataset.open(badDataset).then(() => 'opened', (error) => error instanceof ParseError);
// The image decoders' WebAssembly, found from the installed package: a 2x1 RGB PNG read as gray, a 2x2 JPEG.
const zlib = await import('node:zlib');
const pngChunk = (type, data) => {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(zlib.crc32(body), 8 + data.length);
  return out;
};
const ihdr = Buffer.from([0, 0, 0, 2, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(Buffer.from([0, 0, 255, 0, 255, 0, 0]))), pngChunk('IEND', Buffer.alloc(0))]);
const jpeg = decodeImage(new Uint8Array(Buffer.from('/9j/4AAQSkZJRgABAQAAAQABAAD/2wCEAAICAgICAgICAgIDAwIDAwQDAwMDBAYEBAQEBAYJBQYFBQYFCQgJBwcHCQgOCwkJCw4QDQwNEBMRERMYFxgfHyoBAgICAgICAgICAgMDAgMDBAMDAwMEBgQEBAQEBgkFBgUFBgUJCAkHBwcJCA4LCQkLDhANDA0QExERExgXGB8fKv/AABEIAAIAAgMBEQACEQEDEQH/xABdAAEAAAAAAAAAAAAAAAAAAAAIEAEAAQMFAAAAAAAAAAAAAAABBAIFBgADERNhAQEBAAAAAAAAAAAAAAAAAAAEBhEAAgMBAQADAAAAAAAAAAAAAgMBBAYFABETIf/aAAwDAQACEQMRAD8APOI3CfVimMLOkK2mEq7tXK9NPumbzHZGvudmhGV460L7vRWta6KRAAGwcQIxA/ERHpt2YzXXc3rdbPcy71LplbuXLdRTrFiw6fsY5zGDJGZlMyRT+zPv/9k=', 'base64')));
report.images = [[...decodeImage(new Uint8Array(png), { channels: 1 }).data], [jpeg.height, jpeg.width, jpeg.channels, jpeg.data.length]];
console.log(JSON.stringify(report));
`;
const ESM = `import { ArrayRecordReader, ArrayRecordWriter, ParseError, zstdPath } from 'array-record';\nimport { exampleDataset } from 'array-record/tfjs';\nimport { TfdsDataset, decodeImage } from 'array-record/tfds';\n${PROGRAM}`;
const CJS = `const { ArrayRecordReader, ArrayRecordWriter, ParseError, zstdPath } = require('array-record');\nconst { exampleDataset } = require('array-record/tfjs');\nconst { TfdsDataset, decodeImage } = require('array-record/tfds');\n(async () => {\n${PROGRAM}\n})();`;

/** What the consumer's images decode to: the PNG's green and red as TensorFlow's gray, the JPEG's size and sample count. */
const IMAGES = [[149, 76], [2, 2, 3, 12]];

const expectedFiles = {
  'group_size:4': ['group_size:4,transpose:false,pad_to_block_boundary:false,zstd:3,window_log:20,max_parallelism:1', 200, 'record 199', 'record 199|record 0|record 100'],
  'group_size:4,zstd:1': ['group_size:4,transpose:false,pad_to_block_boundary:false,zstd:1,window_log:20,max_parallelism:1', 200, 'record 199', 'record 199|record 0|record 100'],
  'group_size:4,snappy': ['group_size:4,transpose:false,pad_to_block_boundary:false,snappy,max_parallelism:1', 200, 'record 199', 'record 199|record 0|record 100'],
  'group_size:4,brotli:6': ['group_size:4,transpose:false,pad_to_block_boundary:false,brotli:6,max_parallelism:1', 200, 'record 199', 'record 199|record 0|record 100'],
};

let tarball = '';
let packed: { path: string }[] = [];

/**
 * A folder holding the repository's compiled zstd-napi addon as the prebuild prebuild-install looks for
 * ({name}-v{version}-napi-v{N}-{platform}-{arch}.tar.gz), or undefined when the repository has none.
 */
function localZstdPrebuilds(): string | undefined {
  const addon = path.join(root, 'node_modules/zstd-napi');
  if (!fs.existsSync(path.join(addon, 'build/Release/binding.node')) || process.platform !== 'linux') return undefined;
  const manifest = JSON.parse(fs.readFileSync(path.join(addon, 'package.json'), 'utf8')) as { version: string; binary: { napi_versions: number[] } };
  const prebuilds = path.join(dir, 'prebuilds');
  fs.mkdirSync(prebuilds);
  const napi = Math.max(...manifest.binary.napi_versions);
  execFileSync('tar', ['czf', path.join(prebuilds, `zstd-napi-v${manifest.version}-napi-v${napi}-linux-${process.arch}.tar.gz`), 'build/Release/binding.node'], { cwd: addon });
  return prebuilds;
}
let zstdPrebuilds: string | undefined;

beforeAll(async () => {
  // The package directory as `npm pack` sees it, built from the current sources (prepare is `npm run build`).
  const stage = path.join(dir, 'stage');
  fs.mkdirSync(stage);
  for (const file of ['package.json', 'README.md', 'LICENSE']) fs.copyFileSync(path.join(root, file), path.join(stage, file));
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', path.join(stage, 'dist')], { encoding: 'utf8' });
  expect(fs.existsSync(path.join(stage, 'dist/src/index.d.ts')), tsc.stdout).toBe(true);
  await bundle(path.join(stage, 'dist/lib'), PACKAGE_ENTRIES);
  if (withScripts) zstdPrebuilds = localZstdPrebuilds();
  packed = (JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], stage)) as { files: { path: string }[] }[])[0]!.files;
  const [result] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], stage)) as { filename: string }[];
  tarball = path.join(dir, result!.filename);
}, 120_000);

describe('the packed tarball', () => {
  it('holds the compiled package, its declarations, README and LICENSE, and nothing else', () => {
    const files = packed.map((file) => file.path);
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/lib/index.js', 'dist/src/index.d.ts', 'dist/lib/tfjs.js', 'dist/src/tfjs/index.d.ts', 'dist/lib/tfds.js', 'dist/src/tfds/index.d.ts', 'dist/lib/array-record.js', 'dist/lib/read-worker.js', 'dist/lib/transform-worker.js']),
    );
    for (const file of files) {
      expect(file, 'only the bundle, the declarations and the three root files').toMatch(/^(dist\/lib\/[^/]+\.js|dist\/lib\/package\.json|dist\/src\/.*\.d\.ts|package\.json|README\.md|LICENSE)$/);
      expect(file).not.toMatch(/(^|\/)(test|golden|bench|examples)\//);
    }
    // No source maps: they would point at src/*.ts, which is not shipped.
    expect(files.some((file) => file.endsWith('.map'))).toBe(false);
  });

  it('states the Node versions that can require() it and names both conditions for both entry points', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string }; exports: Record<string, Record<string, unknown>> };
    expect(manifest.engines.node).toBe('^20.19.0 || >=22.12.0');
    for (const entry of ['.', './tfjs']) {
      expect(Object.keys(manifest.exports[entry]!)).toEqual(['import', 'require', 'default']);
    }
  });
});

/** A fresh project of `type`, with the tarball installed. */
function project(name: string, type: 'module' | 'commonjs', scripts: boolean): string {
  const projectDir = path.join(dir, name);
  fs.mkdirSync(projectDir);
  fs.writeFileSync(path.join(projectDir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type }));
  if (scripts && zstdPrebuilds !== undefined) fs.writeFileSync(path.join(projectDir, '.prebuild-installrc'), `local-prebuilds=${zstdPrebuilds}\n`);
  npm(['install', tarball, '--prefer-offline', ...(scripts ? [] : ['--ignore-scripts'])], projectDir);
  fs.writeFileSync(path.join(projectDir, 'index.js'), type === 'module' ? ESM : CJS);
  return projectDir;
}

function runConsumer(projectDir: string, node: string, program = 'index.js'): unknown {
  const out = fs.mkdtempSync(path.join(projectDir, 'out-'));
  const result = spawnSync(node, [program, out, goldenPath('zstd3default_g1_small.array_record')], { cwd: projectDir, encoding: 'utf8', timeout: 120_000 });
  expect(result.status, `${node}: ${result.stderr}`).toBe(0);
  expect(result.stderr, node).toBe('');
  return JSON.parse(result.stdout);
}

/** A TypeScript consumer of the three entries, with one deliberate type error (line 5): the types are real, not any. */
const TYPED_CONSUMER = `import { ArrayRecordReader, type Sampler } from 'array-record';
import { exampleDataset } from 'array-record/tfjs';
import { TfdsDataset } from 'array-record/tfds';
export const reader: ArrayRecordReader | undefined = undefined;
export const wrong: number = exampleDataset;
export type Used = [Sampler, typeof TfdsDataset];
`;

/** The messages of `tsc --noEmit` (the repository's TypeScript) on the consumer, under `flags`. */
function typeErrors(projectDir: string, flags: readonly string[]): string[] {
  fs.writeFileSync(path.join(projectDir, 'consumer.ts'), TYPED_CONSUMER);
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', ...flags, 'consumer.ts'], { cwd: projectDir, encoding: 'utf8' });
  return result.stdout.split('\n').filter((line) => line.includes('error TS'));
}

describe.each([
  ['ESM', 'module'],
  ['CommonJS', 'commonjs'],
] as const)('an %s project', (label, type) => {
  it('installed with --ignore-scripts: zstd on node:zlib or wasm, every codec, Google\'s bytes', () => {
    const projectDir = project(`${label}-no-scripts`, type, false);
    expect(fs.existsSync(path.join(projectDir, 'node_modules/zstd-napi/build'))).toBe(false);
    for (const node of nodes) {
      expect(runConsumer(projectDir, node), node).toEqual({ zstd: expectedZstd(node, false), tfjs: 'function', files: expectedFiles, google: [1000, true], sharedClasses: true, images: IMAGES });
      // The command npm linked, through its #! line, on this Node.
      const cli = spawnSync(path.join(projectDir, 'node_modules/.bin/array-record'), ['info', goldenPath('zstd3default_g1_small.array_record')], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}` },
      });
      expect(cli.status, `${node}: ${cli.stderr}`).toBe(0);
      expect(cli.stdout, node).toMatch(/records: +1000/);
    }
    // The declarations of every entry resolve under each module resolution a project of this kind may use
    // (node10 through typesVersions, which is all it reads of subpaths): the one error is the deliberate one.
    const resolutions = type === 'module' ? [['nodenext', 'nodenext'], ['bundler', 'esnext']] : [['nodenext', 'nodenext'], ['node10', 'commonjs', '--ignoreDeprecations', '6.0']];
    for (const [resolution, moduleKind, ...more] of resolutions) {
      const errors = typeErrors(projectDir, ['--moduleResolution', resolution!, '--module', moduleKind!, ...more]);
      expect(errors, resolution).toHaveLength(1);
      expect(errors[0], resolution).toMatch(/consumer\.ts\(5,14\): error TS2322/);
    }
  }, 300_000);
});

describe.runIf(withScripts)('a project installed with install scripts', () => {
  it('runs zstd on the compiled addon, from ESM and from CommonJS', () => {
    const projectDir = project('with-scripts', 'module', true);
    fs.writeFileSync(path.join(projectDir, 'index.cjs'), CJS);
    for (const node of nodes) {
      for (const program of ['index.js', 'index.cjs']) {
        expect(runConsumer(projectDir, node, program), `${program} on ${node}`).toEqual({ zstd: 'zstd-napi', tfjs: 'function', files: expectedFiles, google: [1000, true], sharedClasses: true, images: IMAGES });
      }
    }
  }, 600_000);
});
