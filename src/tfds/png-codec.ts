// The PNG decoder of @jsquash/png (the Rust png crate compiled to WebAssembly), instantiated here rather
// than through the package's wasm-bindgen glue, which keeps one instance for the life of the process.
// A failed decode leaves that instance damaged: Rust's panics and `unwrap_throw` leave through a trap or
// a JavaScript exception, skipping the frees of the input copy and of the output buffer (the whole image,
// leaked) and the restore of the stack pointer (after some thousands of failures, every later image fails
// with "memory access out of bounds"). So a failed instance is dropped and the next image gets a fresh
// one, as is an instance whose memory grew past RETAINED_MEMORY: WebAssembly memory never shrinks.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import { ParseError, UnsupportedError } from '../format/errors.js';

/** RGBA samples of a decoded PNG: 8-bit, or 16-bit as stored. */
export interface PngRgba {
  readonly data: Uint8Array | Uint16Array;
  readonly width: number;
  readonly height: number;
}

/** The part of the WebAssembly global used here (its types come with the DOM lib, which Node code leaves out). */
declare const WebAssembly: {
  Module: { new (bytes: Uint8Array): object; imports(module: object): { module: string; name: string }[] };
  Instance: new (module: object, imports: object) => { readonly exports: object };
};

interface PngExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  decode(pointer: number, length: number): number;
  decode_rgba16(pointer: number, length: number): number;
  imagedatargba16_width(image: number): number;
  imagedatargba16_height(image: number): number;
  imagedatargba16_data(image: number): number;
  __wbg_imagedatargba16_free(image: number): void;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(pointer: number, size: number, align: number): void;
}

/** Memory a decoder instance (PNG or JPEG) may keep between images: WebAssembly memory never shrinks, so a larger one is dropped. */
export const RETAINED_MEMORY = 256 * 1024 * 1024;
/** wasm-bindgen's reserved handles: below 128 unused, then undefined, null, true, false. */
const FIRST_HANDLE = 132;

const require = createRequire(import.meta.url);
let compiled: object | undefined;
let current: PngInstance | undefined;

/**
 * Decodes PNG bytes to RGBA samples: 8-bit (16-bit samples cut to their high byte, as libpng's
 * png_set_strip_16) or, with `wide`, 16-bit (8-bit samples as they are).
 * @throws ParseError for bytes the decoder rejects.
 * @example decodePngRgba(pngBytes, false) // { data: Uint8Array(width * height * 4), width, height }
 */
export function decodePngRgba(bytes: Uint8Array, wide: boolean): PngRgba {
  const instance = (current ??= new PngInstance());
  try {
    return wide ? instance.decode16(bytes) : instance.decode8(bytes);
  } catch (error) {
    current = undefined;
    throw new ParseError(`PNG data does not decode: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (current !== undefined && current.memoryBytes() > RETAINED_MEMORY) current = undefined;
  }
}

/** One instance of the decoder with its own memory and the JavaScript objects its imports hand out. */
class PngInstance {
  private readonly exports: PngExports;
  private readonly objects = new Map<number, unknown>();
  private nextHandle = FIRST_HANDLE;

  constructor() {
    compiled ??= new WebAssembly.Module(fs.readFileSync(require.resolve('@jsquash/png/codec/pkg/squoosh_png_bg.wasm')));
    this.exports = new WebAssembly.Instance(compiled, { wbg: this.imports(compiled) }).exports as PngExports;
  }

  memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  decode8(bytes: Uint8Array): PngRgba {
    const image = this.take(this.exports.decode(...this.pass(bytes))) as PngRgba;
    return { data: image.data, width: image.width, height: image.height };
  }

  decode16(bytes: Uint8Array): PngRgba {
    const image = this.exports.decode_rgba16(...this.pass(bytes));
    try {
      const data = (this.take(this.exports.imagedatargba16_data(image)) as Uint16Array).slice();
      return { data, width: this.exports.imagedatargba16_width(image) >>> 0, height: this.exports.imagedatargba16_height(image) >>> 0 };
    } finally {
      this.exports.__wbg_imagedatargba16_free(image);
    }
  }

  /** Copies `bytes` into the instance's memory; the decode functions take ownership of the copy. */
  private pass(bytes: Uint8Array): [number, number] {
    const pointer = this.exports.__wbindgen_malloc(bytes.length, 1) >>> 0;
    new Uint8Array(this.exports.memory.buffer).set(bytes, pointer);
    return [pointer, bytes.length];
  }

  private add(value: unknown): number {
    this.objects.set(this.nextHandle, value);
    return this.nextHandle++;
  }

  private take(handle: number): unknown {
    const value = this.objects.get(handle);
    this.objects.delete(handle);
    return value;
  }

  /** The imports of the glue, matched by name without their per-build hash suffix. */
  private imports(module: object): Record<string, (...args: number[]) => unknown> {
    const byPrefix: Record<string, (...args: number[]) => unknown> = {
      __wbindgen_memory: () => this.add(this.exports.memory),
      __wbg_buffer_: (memory) => this.add((this.objects.get(memory!) as { buffer: ArrayBuffer }).buffer),
      __wbg_newwithbyteoffsetandlength_: (buffer, offset, length) => this.add(new Uint16Array(this.objects.get(buffer!) as ArrayBuffer, offset! >>> 0, length! >>> 0)),
      __wbindgen_object_drop_ref: (handle) => this.objects.delete(handle!),
      __wbg_newwithownedu8clampedarrayandsh_: (pointer, length, width, height) => {
        const data = new Uint8Array(this.exports.memory.buffer, pointer! >>> 0, length! >>> 0).slice();
        this.exports.__wbindgen_free(pointer!, length!, 1);
        return this.add({ data, width: width! >>> 0, height: height! >>> 0 });
      },
      __wbindgen_throw: (pointer, length) => {
        throw new Error(new TextDecoder().decode(new Uint8Array(this.exports.memory.buffer, pointer! >>> 0, length! >>> 0)));
      },
    };
    const imports: Record<string, (...args: number[]) => unknown> = {};
    for (const { name } of WebAssembly.Module.imports(module)) {
      const prefix = Object.keys(byPrefix).find((key) => name.startsWith(key));
      if (prefix === undefined) throw new UnsupportedError(`the PNG decoder of @jsquash/png imports ${name}, unknown here; this package pins the version it works with`);
      imports[name] = byPrefix[prefix]!;
    }
    return imports;
  }
}
