// PNG and JPEG decoding for tfds.features.Image, synchronous so that it runs inside a parser or a loader
// transform (on the main thread or the loader's workers): Squoosh's WebAssembly decoders from
// @jsquash/png (the Rust png crate) and @jsquash/jpeg (MozJPEG, libjpeg-turbo's decoder), compiled on the
// first image of each format, once per thread. The header is read first (image-header.ts): an image
// larger than allowed, or of another size than its feature declares, is refused before any allocation.

import fs from 'node:fs';
import { createRequire } from 'node:module';
// The package's own codec module: its `decode` wrapper is async only because of the first load.
import mozjpegDecoder from '@jsquash/jpeg/codec/dec/mozjpeg_dec.js';
import { InvalidArgumentError, InvalidOptionsError, ParseError, UnsupportedError } from '../format/errors.js';
import { checkOptions, describeFound, optionNames, requireInteger } from '../format/options-check.js';
import { readImageHeader, type ImageHeader } from './image-header.js';
import { decodePngRgba, RETAINED_MEMORY } from './png-codec.js';

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

/** How to decode: the channel count wanted (else the file's own), 8- or 16-bit samples, the largest image. */
export interface DecodeImageOptions {
  /** 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA); undefined keeps the file's channels. */
  readonly channels?: number | undefined;
  /**
   * 8 (default) gives a Uint8Array, 16 a Uint16Array (PNG's 16-bit samples as they are, 8-bit ones times
   * 257; JPEG's times 256, as TensorFlow scales them).
   */
  readonly depth?: 8 | 16;
  /**
   * The most pixels (height x width, from the header, before decoding) an image may have; default
   * DEFAULT_MAX_PIXELS (2^27), at most 2^29 - 1 (TensorFlow refuses 2^29 and more).
   */
  readonly maxPixels?: number | undefined;
}

/**
 * The default bound on an image's pixels: 2^27 (134M, e.g. 16384 x 8192), a quarter of the 2^29 that
 * TensorFlow's decoders refuse. Decoding goes through RGBA (8 bytes a pixel for 16-bit PNGs) in a 4 GB
 * WebAssembly memory, so this keeps one image near 1 GB at most.
 */
export const DEFAULT_MAX_PIXELS = 2 ** 27;

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
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
};

/** A decoder's gray from R, G and B samples. */
type GrayOf = (r: number, g: number, b: number) => number;

const require = createRequire(import.meta.url);
const OPTION_KEYS = optionNames<DecodeImageOptions>({ channels: true, depth: true, maxPixels: true });
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** TensorFlow's own bound: its PNG and JPEG decoders refuse 2^29 pixels (samples for JPEG) or more. */
export const MAX_PIXELS_LIMIT = 2 ** 29 - 1;
let jpeg: { module: JpegModule; memory: { readonly buffer: ArrayBuffer } } | undefined;
/** The first message MozJPEG printed during the current image (libjpeg's first warning, or its error). */
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
 * `[height, width, channels]` samples. A channel count other than the file's is converted as
 * TensorFlow converts it: alpha dropped, or added opaque; gray from color with libpng's weights for PNG
 * (9797 R + 19234 G + 3737 B) / 32768, and libjpeg's BT.601 ones for JPEG. EXIF orientation is ignored,
 * as TensorFlow ignores it. The header is checked before anything is decoded.
 * @throws UnsupportedError for another format (GIF, BMP, WebP, ...) or a CMYK JPEG; ParseError for bytes
 *   the decoder rejects (a truncated JPEG included) or an image of more than `maxPixels` pixels;
 *   InvalidOptionsError for an unknown option, channels outside 1-4, a depth other than 8 or 16, a bad
 *   maxPixels; InvalidArgumentError when `bytes` is not a Uint8Array.
 * @example
 * const { data, height, width, channels } = decodeImage(pngBytes, { channels: 1 }); // Uint8Array of height*width
 */
export function decodeImage(bytes: Uint8Array, options: DecodeImageOptions = {}): DecodedImage {
  checkOptions('decodeImage', options, OPTION_KEYS);
  const header = checkedHeader(bytes, options);
  const channels = options.channels ?? header.channels;
  if (![1, 2, 3, 4].includes(channels)) throw new InvalidOptionsError(`decodeImage: channels must be 1, 2, 3 or 4 (got ${describeFound(channels)})`);
  return decodePixels(bytes, header, channels, options.depth ?? 8);
}

/**
 * Decodes an image of a feature of declared `[height, width, channels]` shape (null: any): an image whose
 * header gives another height or width is refused before it is decoded; the channels are converted.
 * @throws as decodeImage, and ParseError for a height or width other than the shape's.
 * @example decodeImageOfShape(pngBytes, [28, 28, 1], { depth: 8 }) // { data: Uint8Array(784), height: 28, width: 28, channels: 1 }
 */
export function decodeImageOfShape(bytes: Uint8Array, shape: readonly (number | null)[], options: Omit<DecodeImageOptions, 'channels'>): DecodedImage {
  const header = checkedHeader(bytes, options);
  const [height, width, channels] = shape;
  if ((height !== null && height !== header.height) || (width !== null && width !== header.width)) {
    throw new ParseError(
      `The image is ${header.height}x${header.width}x${header.channels}, the feature's shape is [${shape.map((d) => d ?? 'None').join(', ')}] (read from its ${header.format.toUpperCase()} header; not decoded)`,
    );
  }
  return decodePixels(bytes, header, channels ?? header.channels, options.depth ?? 8);
}

/** The header of `bytes`, after checking the arguments, the format and the image's size against maxPixels. */
function checkedHeader(bytes: Uint8Array, options: Omit<DecodeImageOptions, 'channels'>): ImageHeader {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(`decodeImage takes the encoded image as a Uint8Array, got ${describeFound(bytes)}`);
  const depth = options.depth ?? 8;
  if (depth !== 8 && depth !== 16) throw new InvalidOptionsError(`decodeImage: depth must be 8 or 16 (got ${describeFound(depth)})`);
  const maxPixels = options.maxPixels === undefined ? DEFAULT_MAX_PIXELS : requireInteger('decodeImage', 'maxPixels', options.maxPixels, 1, MAX_PIXELS_LIMIT);
  const format = sniffImageFormat(bytes);
  if (format === undefined) {
    throw new UnsupportedError(`cannot decode ${describeFormat(bytes)} image data: tfds.features.Image is read from PNG or JPEG`);
  }
  const header = readImageHeader(bytes, format);
  if (header.height * header.width > maxPixels) {
    throw new ParseError(
      `the ${format.toUpperCase()} header declares a ${header.height}x${header.width} image, ${header.height * header.width} pixels, more than maxPixels ${maxPixels}; it is not decoded`,
    );
  }
  return header;
}

/** Decodes an image whose header was checked and converts it to `channels` channels of `depth` bits. */
function decodePixels(bytes: Uint8Array, header: ImageHeader, channels: number, depth: 8 | 16): DecodedImage {
  const rgba = header.format === 'png' ? decodePngRgba(bytes, header.bitDepth === 16) : decodeJpeg(bytes);
  if (rgba.height !== header.height || rgba.width !== header.width) {
    throw new ParseError(`${header.format.toUpperCase()} data does not decode: its header declares ${header.height}x${header.width}, the decoder gave ${rgba.height}x${rgba.width}`);
  }
  const grayOf = header.format === 'jpeg' ? jpegGray : header.bitDepth === 16 ? png16Gray : png8Gray;
  // TensorFlow widens JPEG's 8-bit samples by 65536 / 256 (decode_image's uint16), PNG's by 257 (libpng).
  const widen = header.format === 'jpeg' ? 256 : 257;
  return { data: toChannels(rgba, channels, depth, grayOf, widen), height: rgba.height, width: rgba.width, channels };
}

/**
 * libpng's rgb_to_gray for 8-bit samples as TensorFlow sets it up (png_set_rgb_to_gray(0.299, 0.587), coefficients
 * truncated to 9797 and 19234 of 32768, blue the rest), which truncates and passes gray pixels through.
 */
const png8Gray: GrayOf = (r, g, b) => (r === g && g === b ? r : (9797 * r + 19234 * g + 3737 * b) >>> 15);
/** libpng's rgb_to_gray for 16-bit samples: the same coefficients, rounded. */
const png16Gray: GrayOf = (r, g, b) => (9797 * r + 19234 * g + 3737 * b + 16384) >>> 15;
/** libjpeg's RGB -> gray: 0.29900 R + 0.58700 G + 0.11400 B in 16-bit fixed point, rounded (exact for gray input). */
const jpegGray: GrayOf = (r, g, b) => (r === g && g === b ? r : Math.floor((19595 * r + 38470 * g + 7471 * b + 32768) / 65536));

function decodeJpeg(bytes: Uint8Array): RgbaImage {
  const decoder = jpegModule();
  jpegMessage = '';
  let image: RgbaImage | null;
  try {
    image = decoder.module.decode(bytes, false);
  } catch (error) {
    // libjpeg's error exit leaves the module's stack as it was: start a fresh instance next time.
    jpeg = undefined;
    throw new ParseError(`JPEG data does not decode: ${jpegMessage || errorText(error)}`);
  } finally {
    if (jpeg !== undefined && jpeg.memory.buffer.byteLength > RETAINED_MEMORY) jpeg = undefined;
  }
  if (image === null) throw new ParseError(`JPEG data does not decode${jpegMessage === '' ? '' : `: ${jpegMessage}`}`);
  return image;
}

/**
 * MozJPEG's Emscripten module, instantiated synchronously: with a compiled WebAssembly.Module handed to
 * `instantiateWasm`, the module runs its start-up in the factory call and its functions are there on return.
 */
function jpegModule(): NonNullable<typeof jpeg> {
  if (jpeg !== undefined) return jpeg;
  let memory: { readonly buffer: ArrayBuffer } | undefined;
  const wasm = new WebAssembly.Module(fs.readFileSync(require.resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm')));
  const module: Record<string, unknown> = {
    noInitialRun: true,
    print: () => {},
    printErr: (message: string) => {
      // libjpeg prints its first warning only, and an error last: the message kept is the error, else that warning.
      jpegMessage = message;
    },
    instantiateWasm(imports: object, receive: (instance: { readonly exports: object }) => void) {
      const instance = new WebAssembly.Instance(wasm, imports);
      memory = Object.values(instance.exports).find((value) => value instanceof WebAssembly.Memory) as typeof memory;
      receive(instance);
      return instance.exports;
    },
  };
  const factory = mozjpegDecoder as unknown as (options: Record<string, unknown>) => Promise<unknown>;
  factory(module).catch(() => {});
  if (typeof module['decode'] !== 'function' || memory === undefined) {
    throw new UnsupportedError('the JPEG decoder of @jsquash/jpeg did not start synchronously; this package pins the version it works with');
  }
  jpeg = { module: module as unknown as JpegModule, memory };
  return jpeg;
}

/**
 * RGBA samples to `channels` channels of `depth` bits: 16-bit samples narrowed to their high byte
 * (libpng's strip_16), 8-bit ones widened times `widen`; gray computed before either, as the decoders do.
 */
function toChannels(image: RgbaImage, channels: number, depth: 8 | 16, grayOf: GrayOf, widen: number): Uint8Array | Uint16Array {
  const source = image.data;
  const pixels = image.width * image.height;
  const wide = source instanceof Uint16Array;
  const scale = depth === 16 && !wide ? widen : 1;
  // Opaque stays opaque: alpha (added opaque to JPEGs) always widens times 257.
  const alphaScale = depth === 16 && !wide ? 257 : 1;
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
      if (channels === 4) out[o + 3] = (a >> narrow) * alphaScale;
    } else {
      out[o] = (grayOf(r, g, b) >> narrow) * scale;
      if (channels === 2) out[o + 1] = (a >> narrow) * alphaScale;
    }
  }
  return out;
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
