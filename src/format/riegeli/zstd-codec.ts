// zstd for Riegeli blocks, on the first of three paths this process has:
// - zstd-napi: the native addon (optional dependency, compiled at install), the fastest;
// - node:zlib: zstd built into Node 22.15+ and 24, byte for byte the same frames; decoding as fast as the
//   addon through one reused native decoder (zlib-reused-decoder.ts), encoding slower per small block
//   (a zlib call costs more than the block), as fast on large ones;
// - wasm: zstd compiled to WebAssembly (@bokuweb/zstd-wasm, a plain dependency), for Node 20 without the
//   addon; close to zstd-napi on small blocks, about half its speed decoding large ones.
// All three write what Riegeli's ZstdWriter writes: one frame with its content size, no checksum,
// no dictionary id. The wasm build exposes the level but not the window: its frames are the same as
// the others' when the window cannot matter (at the default window_log:20 and level 3, every block up
// to 1 MiB), and otherwise standard frames with the level's own window, which every zstd reader reads.
// (bench/zstd-paths.ts measures the paths; README, "Installing".)
// ARRAY_RECORD_ZSTD=napi|zlib|wasm forces a path (tests), =none makes zstd unavailable.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { UnsupportedError } from '../errors.js';
import type { ByteAllocator } from '../io/output-arena.js';
import { loadZstdBinding, type Zstd } from './zstd-binding.js';
import { decodeZstdReused } from './zlib-reused-decoder.js';

/** Where zstd runs. */
export type ZstdPath = 'zstd-napi' | 'node:zlib' | 'wasm';

/** A zstd implementation, its contexts reused between calls. */
export interface ZstdCodec {
  readonly path: ZstdPath;
  /**
   * One frame of `data`, its bytes starting after `headroom` bytes left for the caller.
   * @param windowLog undefined for the level's own window.
   */
  compress(data: Uint8Array, level: number, windowLog: number | undefined, headroom: number): Uint8Array;
  /**
   * Decompresses `src` into `size` bytes taken from `output`; with `needed` below `size`, a path that
   * can stop early (zstd-napi) decodes only the first `needed` bytes and returns those.
   * @throws Error when it does not yield exactly `size` (or `needed`) bytes.
   */
  decompress(src: Uint8Array, size: number, output: ByteAllocator, needed?: number): Uint8Array;
}

/** The environment variable that forces a path. */
export const ZSTD_PATH_VARIABLE = 'ARRAY_RECORD_ZSTD';
const FORCED: Record<string, ZstdPath | 'none'> = { napi: 'zstd-napi', 'zstd-napi': 'zstd-napi', zlib: 'node:zlib', 'node:zlib': 'node:zlib', wasm: 'wasm', none: 'none' };
const PATHS: readonly ZstdPath[] = ['zstd-napi', 'node:zlib', 'wasm'];

/** ZSTD_COMPRESSBOUND: the most one frame of `size` bytes can take. */
export function zstdCompressBound(size: number): number {
  return size + (size >>> 8) + (size < 128 << 10 ? ((128 << 10) - size) >>> 11 : 0);
}

function napiCodec(zstd: Zstd): ZstdCodec {
  // One context each, reused for every call: creating a zstd context costs far more than a small block.
  const compressContext = new zstd.CCtx();
  const decompressContext = new zstd.DCtx();
  /** The parameters compressContext holds, set again only when a call needs others (each is a native call). */
  let contextLevel: number | undefined;
  let contextWindowLog: number | undefined;
  return {
    path: 'zstd-napi',
    compress(data, level, windowLog, headroom) {
      if (level !== contextLevel || windowLog !== contextWindowLog) {
        compressContext.reset(zstd.ResetDirective.sessionAndParameters);
        compressContext.setParameter(zstd.CParameter.compressionLevel, level);
        if (windowLog !== undefined) compressContext.setParameter(zstd.CParameter.windowLog, windowLog);
        contextLevel = level;
        contextWindowLog = windowLog;
      }
      const output = Buffer.allocUnsafe(headroom + zstd.compressBound(data.length));
      // compress2 makes a whole frame and leaves the parameters in place for the next call.
      const size = compressContext.compress2(output.subarray(headroom), data);
      return output.subarray(0, headroom + size);
    },
    decompress(src, size, output, needed = size) {
      if (needed < size) {
        // Streaming into a buffer of `needed` bytes stops once it is full: zstd decodes only the
        // blocks (at most 128 KiB each) that hold them.
        const prefix = output.take(needed);
        decompressContext.reset(zstd.ResetDirective.sessionOnly);
        const [, written] = decompressContext.decompressStream(prefix, src);
        if (written !== needed) throw new Error(`zstd produced ${written} of the first ${needed} bytes`);
        return prefix;
      }
      const decompressed = output.take(size);
      const written = decompressContext.decompress(decompressed, src);
      if (written !== size) throw new Error(`zstd produced ${written} bytes`);
      return decompressed;
    },
  };
}

function zlibCodec(): ZstdCodec {
  const { ZSTD_c_compressionLevel, ZSTD_c_windowLog } = zlib.constants as unknown as Record<string, number>;
  const compressSync = (zlib as unknown as { zstdCompressSync: (data: Uint8Array, options: object) => Buffer }).zstdCompressSync;
  const decompressSync = (zlib as unknown as { zstdDecompressSync: (data: Uint8Array, options: object) => Buffer }).zstdDecompressSync;
  return {
    path: 'node:zlib',
    compress(data, level, windowLog, headroom) {
      const params: Record<number, number> = { [ZSTD_c_compressionLevel!]: level };
      if (windowLog !== undefined) params[ZSTD_c_windowLog!] = windowLog;
      // An output buffer that holds any frame lets zstd compress the input in one pass, as
      // ZSTD_compress2 does; a smaller one streams through zstd's window buffer and gives other bytes.
      const compressed = compressSync(data, { params, chunkSize: Math.max(64, zstdCompressBound(data.length)) });
      const block = new Uint8Array(headroom + compressed.length);
      block.set(compressed, headroom);
      return block;
    },
    decompress(src, size, output) {
      const reused = decodeZstdReused(src, size, output);
      if (reused !== undefined) return reused;
      // Damage, or a Node whose zlib the reused decoder cannot drive: a decoder of its own, which words the error.
      const decompressed = decompressSync(src, { maxOutputLength: Math.max(1, size), chunkSize: Math.max(64, size) });
      if (decompressed.length !== size) throw new Error(`zstd produced ${decompressed.length} bytes`);
      const block = output.take(size);
      block.set(decompressed);
      return block;
    },
  };
}

/** The part of the WebAssembly global used here (its types come with the DOM lib, which Node code leaves out). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
};
interface WasmInstance {
  readonly exports: object;
}

/** The parts of @bokuweb/zstd-wasm's Emscripten module used here (zstd's C API, by pointer). */
interface WasmModule {
  HEAPU8: Uint8Array;
  calledRun?: boolean;
  instantiateWasm?: (imports: object, receive: (instance: WasmInstance) => void) => object;
  init(): void;
  _malloc(size: number): number;
  _free(pointer: number): void;
  _ZSTD_isError(code: number): number;
  _ZSTD_createCCtx(): number;
  _ZSTD_createDCtx(): number;
  _ZSTD_compress_usingDict(cctx: number, dst: number, capacity: number, src: number, size: number, dict: number, dictSize: number, level: number): number;
  _ZSTD_decompress_usingDict(dctx: number, dst: number, capacity: number, src: number, size: number, dict: number, dictSize: number): number;
}

/** @bokuweb/zstd-wasm's module, instantiated synchronously (its own init() is async, our codec calls are not). */
function loadWasmModule(): WasmModule {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@bokuweb/zstd-wasm'));
  const module = (require(path.join(dir, 'module.js')) as { Module: WasmModule }).Module;
  if (module.calledRun !== true) {
    const wasm = new WebAssembly.Module(fs.readFileSync(path.join(dir, 'zstd.wasm')));
    module.instantiateWasm = (imports, receive) => {
      const instance = new WebAssembly.Instance(wasm, imports);
      receive(instance);
      return instance.exports;
    };
    module.init();
  }
  if (module.calledRun !== true || typeof module._ZSTD_compress_usingDict !== 'function') {
    throw new Error('@bokuweb/zstd-wasm did not initialize as expected (a version other than the one this package pins?)');
  }
  return module;
}

function wasmCodec(module: WasmModule): ZstdCodec {
  const compressContext = module._ZSTD_createCCtx();
  const decompressContext = module._ZSTD_createDCtx();
  // One region of the module's memory, grown as needed, holds each call's input and output.
  let scratch = 0;
  let scratchSize = 0;
  const reserve = (size: number): number => {
    if (size > scratchSize) {
      if (scratch !== 0) module._free(scratch);
      scratchSize = Math.max(size, 2 * scratchSize, 64 << 10);
      scratch = module._malloc(scratchSize);
      if (scratch === 0) {
        scratchSize = 0;
        throw new Error(`zstd (wasm) could not allocate ${size} bytes`);
      }
    }
    return scratch;
  };
  const check = (result: number, what: string): number => {
    if (module._ZSTD_isError(result) !== 0) throw new Error(`zstd (wasm) could not ${what} (error code ${-result})`);
    return result >>> 0;
  };
  return {
    path: 'wasm',
    compress(data, level, _windowLog, headroom) {
      const bound = zstdCompressBound(data.length);
      const dst = reserve(bound + data.length);
      const src = dst + bound;
      module.HEAPU8.set(data, src);
      const size = check(module._ZSTD_compress_usingDict(compressContext, dst, bound, src, data.length, 0, 0, level), 'compress');
      const block = new Uint8Array(headroom + size);
      block.set(module.HEAPU8.subarray(dst, dst + size), headroom);
      return block;
    },
    decompress(src, size, output) {
      const dst = reserve(size + src.length);
      const input = dst + size;
      module.HEAPU8.set(src, input);
      const written = check(module._ZSTD_decompress_usingDict(decompressContext, dst, size, input, src.length, 0, 0), 'decompress');
      if (written !== size) throw new Error(`zstd produced ${written} bytes`);
      const block = output.take(size);
      block.set(module.HEAPU8.subarray(dst, dst + size));
      return block;
    },
  };
}

/** True when this Node has zstd in node:zlib (22.15+, 23.8+). */
export function nodeHasZstd(): boolean {
  return typeof (zlib as unknown as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
}

/**
 * The codec of one path, or why it cannot run here.
 * @example const codec = loadZstdCodec('wasm'); if (typeof codec === 'string') console.log(codec);
 */
export function loadZstdCodec(path: ZstdPath): ZstdCodec | string {
  switch (path) {
    case 'zstd-napi': {
      const binding = loadZstdBinding();
      return typeof binding === 'string' ? `the zstd-napi addon could not be loaded (${binding})` : napiCodec(binding);
    }
    case 'node:zlib':
      return nodeHasZstd() ? zlibCodec() : `Node ${process.version} has no zstd in node:zlib (22.15 and later have)`;
    case 'wasm':
      try {
        return wasmCodec(loadWasmModule());
      } catch (cause) {
        return `the WebAssembly zstd could not be loaded (${String((cause as Error).message).split('\n')[0]})`;
      }
  }
}

let chosen: ZstdCodec | UnsupportedError | undefined;
/** Whether `chosen` came from resetZstdCodec(codec) rather than from choose(). */
let given = false;

function choose(): ZstdCodec | UnsupportedError {
  const variable = process.env[ZSTD_PATH_VARIABLE];
  if (variable !== undefined && variable !== '') {
    const forced = FORCED[variable];
    if (forced === undefined) {
      return new UnsupportedError(`${ZSTD_PATH_VARIABLE}=${variable} names no zstd path: expected napi, zlib, wasm or none`);
    }
    if (forced === 'none') return new UnsupportedError(`zstd is turned off here (${ZSTD_PATH_VARIABLE}=none)`);
    const codec = loadZstdCodec(forced);
    return typeof codec === 'string' ? new UnsupportedError(`zstd was asked to run on ${forced} (${ZSTD_PATH_VARIABLE}=${variable}), but ${codec}`) : codec;
  }
  const reasons: string[] = [];
  for (const path of PATHS) {
    const codec = loadZstdCodec(path);
    if (typeof codec !== 'string') return codec;
    reasons.push(codec);
  }
  return new UnsupportedError(
    `zstd cannot run here: ${reasons.join('; ')}. Reinstall the package with its dependencies, or build the addon: ` +
      '`npm install-scripts approve zstd-napi && npm rebuild zstd-napi` (npm 11; python3, make and a C++ compiler)',
  );
}

/**
 * The codec this process uses for zstd: the first of zstd-napi, node:zlib and wasm that loads, or the
 * one ARRAY_RECORD_ZSTD names. Chosen on first use, then kept.
 * @throws UnsupportedError when none can run (or the forced one cannot).
 */
export function zstdCodec(): ZstdCodec {
  chosen ??= choose();
  if (chosen instanceof Error) throw chosen;
  return chosen;
}

/**
 * Where zstd runs in this process: 'zstd-napi', 'node:zlib' or 'wasm'; undefined when it cannot run.
 * @example console.log(`zstd on ${zstdPath() ?? 'nothing'}`);
 */
export function zstdPath(): ZstdPath | undefined {
  try {
    return zstdCodec().path;
  } catch {
    return undefined;
  }
}

/** For tests: makes the next zstdCodec() choose again (after ARRAY_RECORD_ZSTD changed), or use `codec`. */
export function resetZstdCodec(codec?: ZstdCodec): void {
  chosen = codec;
  given = codec !== undefined;
}

/**
 * True while zstdCodec() is a codec resetZstdCodec was given, which a worker thread (choosing its own
 * by ARRAY_RECORD_ZSTD and what loads) would not use: writers then encode zstd on this thread only.
 */
export function zstdCodecWasGiven(): boolean {
  return given;
}
