// PNG and JPEG decoding for tfds.features.Image, synchronous so that it runs inside a parser or a loader
// transform (on the main thread or the loader's workers): Squoosh's WebAssembly decoders from
// @jsquash/png (the Rust png crate) and @jsquash/jpeg (MozJPEG, libjpeg-turbo's decoder), compiled on the
// first image of each format, once per thread.

import fs from 'node:fs';
import { createRequire } from 'node:module';
// The packages' own codec modules: their `decode` wrappers are async only because of the first load.
import { decode as decodePngRgba8, decode_rgba16 as decodePngRgba16, initSync as initPng } from '@jsquash/png/codec/pkg/squoosh_png.js';
import mozjpegDecoder from '@jsquash/jpeg/codec/dec/mozjpeg_dec.js';
import { InvalidArgumentError, InvalidOptionsError, ParseError, UnsupportedError } from '../format/errors.js';
import { checkOptions, describeFound, optionNames } from '../format/options-check.js';

/** The image formats tfds.features.Image stores and this module decodes. */
export type ImageFormat = 'png' | 'jpeg';

/** Decoded pixels, row-major `[height, width, channels]`. */
export interface DecodedImage {
  /** The samples, row-major `[height, width, channels]`: 8-bit, or 16-bit for 16-bit PNGs. */
  readonly data: Uint8Array | Uint16Array;
  /** Rows of pixels. */
  readonly height: number;
  /** Pixels per row. */
  readonly width: number;
  /** Samples per pixel: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA). */
  readonly channels: number;
}

/** How to decode: the channel count wanted (else the file's own) and 8- or 16-bit samples. */
export interface DecodeImageOptions {
  /** 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA); undefined keeps the file's channels. */
  readonly channels?: number | undefined;
  /** 8 (default) gives a Uint8Array, 16 a Uint16Array (PNG's 16-bit samples as they are, 8-bit ones times 257). */
  readonly depth?: 8 | 16;
}

/** What the codecs return: RGBA samples (8- or 16-bit). */
interface RgbaImage {
  readonly data: Uint8Array | Uint8ClampedArray | Uint16Array;
  readonly width: number;
  readonly height: number;
}

interface JpegModule {
  decode(data: Uint8Array, preserveOrientation: boolean): RgbaImage | null;
}

/** The part of the WebAssembly global used here (its types come with the DOM lib, which Node code leaves out). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
};

const require = createRequire(import.meta.url);
const OPTION_KEYS = optionNames<DecodeImageOptions>({ channels: true, depth: true });
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
let pngReady = false;
let jpeg: JpegModule | undefined;
/** The last message MozJPEG printed (libjpeg's warnings and errors), for error messages. */
let jpegMessage = '';

/**
 * The format of encoded image bytes, told by their first bytes; undefined for anything else.
 * @example sniffImageFormat(pngBytes) // 'png'
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/**
 * Decodes a PNG or JPEG image (told apart by its bytes, as tf.image.decode_image does) into
 * `[height, width, channels]` samples. A channel count other than the file's is converted: gray
 * from color with ITU-R BT.601 weights (libjpeg's), alpha dropped or added opaque. EXIF orientation is
 * ignored, as TensorFlow ignores it.
 * @throws UnsupportedError for another format (GIF, BMP, WebP, ...); ParseError for bytes the
 *   decoder rejects; InvalidOptionsError for an unknown option, channels outside 1-4 or a depth other
 *   than 8 or 16; InvalidArgumentError when `bytes` is not a Uint8Array.
 * @example
 * const { data, height, width, channels } = decodeImage(pngBytes, { channels: 1 }); // Uint8Array of height*width
 */
export function decodeImage(bytes: Uint8Array, options: DecodeImageOptions = {}): DecodedImage {
  checkOptions('decodeImage', options, OPTION_KEYS);
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(`decodeImage takes the encoded image as a Uint8Array, got ${describeFound(bytes)}`);
  const format = sniffImageFormat(bytes);
  const depth = options.depth ?? 8;
  if (depth !== 8 && depth !== 16) throw new InvalidOptionsError(`decodeImage: depth must be 8 or 16 (got ${describeFound(depth)})`);
  if (format === undefined) {
    throw new UnsupportedError(`cannot decode ${describeFormat(bytes)} image data: tfds.features.Image is read from PNG or JPEG`);
  }
  const channels = options.channels ?? (format === 'png' ? pngChannels(bytes) : jpegChannels(bytes));
  if (![1, 2, 3, 4].includes(channels)) throw new InvalidOptionsError(`decodeImage: channels must be 1, 2, 3 or 4 (got ${describeFound(channels)})`);
  const rgba = format === 'png' ? decodePng(bytes, depth) : decodeJpeg(bytes);
  return { data: toChannels(rgba, channels, depth), height: rgba.height, width: rgba.width, channels };
}

function decodePng(bytes: Uint8Array, depth: 8 | 16): RgbaImage {
  if (!pngReady) {
    initPng(fs.readFileSync(require.resolve('@jsquash/png/codec/pkg/squoosh_png_bg.wasm')));
    pngReady = true;
  }
  try {
    if (depth === 8) return decodePngRgba8(bytes) as unknown as RgbaImage;
    const wide = decodePngRgba16(bytes);
    try {
      return { data: wide.data.slice(), width: wide.width, height: wide.height };
    } finally {
      wide.free();
    }
  } catch (error) {
    throw new ParseError(`PNG data does not decode: ${errorText(error)}`);
  }
}

function decodeJpeg(bytes: Uint8Array): RgbaImage {
  const decoder = jpegModule();
  jpegMessage = '';
  let image: RgbaImage | null;
  try {
    image = decoder.decode(bytes, false);
  } catch (error) {
    // libjpeg's error exit leaves the module's stack as it was: start a fresh instance next time.
    jpeg = undefined;
    throw new ParseError(`JPEG data does not decode: ${jpegMessage || errorText(error)}`);
  }
  if (image === null) throw new ParseError(`JPEG data does not decode${jpegMessage === '' ? '' : `: ${jpegMessage}`}`);
  return image;
}

/**
 * MozJPEG's Emscripten module, instantiated synchronously: with a compiled WebAssembly.Module handed to
 * `instantiateWasm`, the module runs its start-up in the factory call and its functions are there on return.
 */
function jpegModule(): JpegModule {
  if (jpeg !== undefined) return jpeg;
  const wasm = new WebAssembly.Module(fs.readFileSync(require.resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm')));
  const module: Record<string, unknown> = {
    noInitialRun: true,
    print: () => {},
    printErr: (message: string) => {
      jpegMessage = message;
    },
    instantiateWasm(imports: object, receive: (instance: { readonly exports: object }) => void) {
      const instance = new WebAssembly.Instance(wasm, imports);
      receive(instance);
      return instance.exports;
    },
  };
  const factory = mozjpegDecoder as unknown as (options: Record<string, unknown>) => Promise<unknown>;
  factory(module).catch(() => {});
  if (typeof module['decode'] !== 'function') {
    throw new UnsupportedError('the JPEG decoder of @jsquash/jpeg did not start synchronously; this package pins the version it works with');
  }
  jpeg = module as unknown as JpegModule;
  return jpeg;
}

/** RGBA samples to `channels` channels, as `depth`-bit samples. */
function toChannels(image: RgbaImage, channels: number, depth: 8 | 16): Uint8Array | Uint16Array {
  const source = image.data;
  const pixels = image.width * image.height;
  const wide = source instanceof Uint16Array;
  const scale = depth === 16 && !wide ? 257 : 1;
  const narrow = depth === 8 && wide ? 8 : 0;
  if (channels === 4 && scale === 1 && narrow === 0) {
    // Already fresh samples copied out of the decoder's memory: a view, no second copy.
    return wide ? source : new Uint8Array(source.buffer, source.byteOffset, source.length);
  }
  const out = depth === 16 ? new Uint16Array(pixels * channels) : new Uint8Array(pixels * channels);
  for (let p = 0, s = 0, o = 0; p < pixels; p++, s += 4, o += channels) {
    const r = source[s]!;
    const g = source[s + 1]!;
    const b = source[s + 2]!;
    const a = source[s + 3]!;
    if (channels >= 3) {
      out[o] = (r >> narrow) * scale;
      out[o + 1] = (g >> narrow) * scale;
      out[o + 2] = (b >> narrow) * scale;
      if (channels === 4) out[o + 3] = (a >> narrow) * scale;
    } else {
      // libjpeg's RGB -> gray: 0.29900 R + 0.58700 G + 0.11400 B in 16-bit fixed point (exact for gray input).
      const gray = r === g && g === b ? r : Math.floor((19595 * r + 38470 * g + 7471 * b + 32768) / 65536);
      out[o] = (gray >> narrow) * scale;
      if (channels === 2) out[o + 1] = (a >> narrow) * scale;
    }
  }
  return out;
}

/** A PNG's own channel count: its color type, palettes with a tRNS chunk counting as RGBA. */
function pngChannels(bytes: Uint8Array): number {
  if (bytes.length < 33) throw new ParseError('PNG data does not decode: truncated header');
  switch (bytes[25]) {
    case 0:
      return 1;
    case 2:
      return 3;
    case 4:
      return 2;
    case 6:
      return 4;
    case 3:
      return hasPngChunk(bytes, 'tRNS') ? 4 : 3;
    default:
      throw new ParseError(`PNG data does not decode: color type ${bytes[25]}`);
  }
}

function hasPngChunk(bytes: Uint8Array, type: string): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const name = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    if (name === type) return true;
    if (name === 'IDAT') return false;
    at += 12 + length;
  }
  return false;
}

/** A JPEG's component count (from its frame header): 1 is gray, anything else decodes as RGB. */
function jpegChannels(bytes: Uint8Array): number {
  for (let at = 2; at + 9 < bytes.length; ) {
    if (bytes[at] !== 0xff) return 3;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return bytes[at + 9] === 1 ? 1 : 3;
    at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  return 3;
}

function describeFormat(bytes: Uint8Array): string {
  const text = String.fromCharCode(...bytes.subarray(0, 12));
  if (text.startsWith('GIF8')) return 'GIF';
  if (text.startsWith('BM')) return 'BMP';
  if (text.startsWith('RIFF') && text.slice(8, 12) === 'WEBP') return 'WebP';
  return bytes.length === 0 ? 'empty' : 'unrecognised';
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'object' && error !== null && 'message' in error ? String((error as { message: unknown }).message) : String(error);
}
