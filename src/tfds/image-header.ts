// The size and sample layout of a PNG or JPEG image, read from its header alone (PNG's IHDR chunk, JPEG's
// SOFn frame header): the decoders allocate the whole image before they look at its data, so a few
// hundred bytes declaring 30000x30000 pixels cost gigabytes unless the size is checked first.

import zlib from 'node:zlib';
import { ParseError, UnsupportedError } from '../format/errors.js';

/** What an image's header says. */
export interface ImageHeader {
  readonly format: 'png' | 'jpeg';
  /** Rows of pixels. */
  readonly height: number;
  /** Pixels per row. */
  readonly width: number;
  /** The file's own channel count, as TensorFlow counts it (a PNG palette with tRNS is 4, a color JPEG 3). */
  readonly channels: number;
  /** Bits per sample: 1, 2, 4, 8 or 16 for PNG (a palette's index size), 8 for JPEG. */
  readonly bitDepth: number;
}

/** PNG color type -> the bit depths the specification allows for it (table 11.1). */
const PNG_DEPTHS: ReadonlyMap<number, readonly number[]> = new Map([
  [0, [1, 2, 4, 8, 16]],
  [2, [8, 16]],
  [3, [1, 2, 4, 8]],
  [4, [8, 16]],
  [6, [8, 16]],
]);
/** Chunks whose CRC is checked: libpng (TensorFlow's decoder) fails on a bad CRC in a critical chunk; tRNS changes pixels. */
const CHECKED_CHUNKS = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND', 'tRNS']);
const END_OF_IMAGE = Buffer.from([0xff, 0xd9]);

/**
 * The header of PNG or JPEG bytes (whose signature the caller checked), without decoding any pixel.
 * @throws ParseError for a header that is truncated, contradicts its format (bad IHDR, a PNG chunk whose
 *   CRC does not match, no JPEG frame header, a JPEG without its end-of-image marker) or declares a
 *   0-pixel side; UnsupportedError for a valid
 *   JPEG that the decoder cannot turn into RGB (CMYK or YCCK, other than 8-bit samples).
 * @example readImageHeader(pngBytes, 'png') // { format: 'png', height: 28, width: 28, channels: 1, bitDepth: 8 }
 */
export function readImageHeader(bytes: Uint8Array, format: 'png' | 'jpeg'): ImageHeader {
  return format === 'png' ? readPngHeader(bytes) : readJpegHeader(bytes);
}

function readPngHeader(bytes: Uint8Array): ImageHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks = pngChunks(bytes, view);
  const ihdr = chunks[0];
  if (ihdr === undefined || ihdr.type !== 'IHDR' || ihdr.length !== 13) {
    throw new ParseError(`PNG data does not decode: the first chunk must be a 13-byte IHDR, found ${ihdr === undefined ? 'none' : `${ihdr.type} of ${ihdr.length} bytes`}`);
  }
  const width = view.getUint32(ihdr.at + 8);
  const height = view.getUint32(ihdr.at + 12);
  const bitDepth = bytes[ihdr.at + 16]!;
  const colorType = bytes[ihdr.at + 17]!;
  checkPngLayout(width, height, bitDepth, colorType, bytes.subarray(ihdr.at + 18, ihdr.at + 21));
  const types = new Set(chunks.map((chunk) => chunk.type));
  if (colorType === 3 && !types.has('PLTE')) throw new ParseError('PNG data does not decode: a palette image (color type 3) without a PLTE chunk');
  if (!types.has('IDAT')) throw new ParseError('PNG data does not decode: no IDAT chunk (truncated?)');
  // TensorFlow counts a palette with transparency as RGBA, every other type by its own samples.
  const channels = colorType === 3 ? (types.has('tRNS') ? 4 : 3) : { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType]!;
  return { format: 'png', height, width, channels, bitDepth };
}

/** The chunks of a PNG up to IEND (or the end of the bytes), each checked against the bytes' length and, if it matters, its CRC. */
function pngChunks(bytes: Uint8Array, view: DataView): { type: string; at: number; length: number }[] {
  const chunks: { type: string; at: number; length: number }[] = [];
  for (let at = 8; at < bytes.length; ) {
    if (at + 12 > bytes.length) throw new ParseError(`PNG data does not decode: truncated chunk header at byte ${at}`);
    const length = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    if (length > bytes.length - at - 12) {
      throw new ParseError(`PNG data does not decode: chunk ${JSON.stringify(type)} at byte ${at} declares ${length} bytes, ${bytes.length - at - 12} remain (truncated?)`);
    }
    if (CHECKED_CHUNKS.has(type) && zlib.crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) {
      throw new ParseError(`PNG data does not decode: CRC mismatch in chunk ${type} at byte ${at} (corrupt data)`);
    }
    chunks.push({ type, at, length });
    if (type === 'IEND') break;
    at += 12 + length;
  }
  return chunks;
}

/** The IHDR fields TensorFlow's libpng refuses: zero or >2^31-1 sides, depth and color type pairs outside the table, unknown methods. */
function checkPngLayout(width: number, height: number, bitDepth: number, colorType: number, methods: Uint8Array): void {
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new ParseError(`PNG data does not decode: IHDR declares a ${height}x${width} image (height x width); each side must be 1 to 2^31-1`);
  }
  const depths = PNG_DEPTHS.get(colorType);
  if (depths === undefined) throw new ParseError(`PNG data does not decode: IHDR color type ${colorType} (expected 0, 2, 3, 4 or 6)`);
  if (!depths.includes(bitDepth)) {
    throw new ParseError(`PNG data does not decode: IHDR bit depth ${bitDepth} with color type ${colorType} (expected ${depths.join(', ')})`);
  }
  if (methods[0] !== 0 || methods[1] !== 0 || methods[2]! > 1) {
    throw new ParseError(`PNG data does not decode: IHDR compression, filter and interlace methods ${[...methods].join(', ')} (expected 0, 0 and 0 or 1)`);
  }
}

/** Markers of JPEG frame headers: SOF0-SOF15 without DHT (C4), JPG (C8) and DAC (CC). */
function isFrameMarker(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Markers without a length field: TEM, RST0-RST7, SOI. */
function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);
}

function readJpegHeader(bytes: Uint8Array): ImageHeader {
  let frame: ImageHeader | undefined;
  for (let at = 2; at + 4 <= bytes.length; ) {
    if (bytes[at] !== 0xff) throw new ParseError(`JPEG data does not decode: expected a marker at byte ${at}, found 0x${bytes[at]!.toString(16)}`);
    const marker = bytes[at + 1]!;
    if (marker === 0xff || isStandalone(marker)) {
      // Fill bytes (0xFF before a marker) and markers without a segment.
      at += marker === 0xff ? 1 : 2;
      continue;
    }
    if (marker === 0xd9 || (marker === 0xda && frame === undefined)) {
      throw new ParseError(`JPEG data does not decode: ${marker === 0xda ? 'a scan' : 'the end of image'} at byte ${at} before any frame header (SOFn)`);
    }
    if (marker === 0xda) return checkEnd(bytes, at, frame!);
    if (isFrameMarker(marker)) frame = jpegFrame(bytes, at);
    at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  throw new ParseError(`JPEG data does not decode: no ${frame === undefined ? 'frame header (SOFn)' : 'scan (SOS)'} in ${bytes.length} bytes (truncated?)`);
}

/**
 * The frame, once the end-of-image marker is found after the first scan (entropy-coded data never holds
 * FF D9). Without it libjpeg runs out of data: it warns and fills the rest of the image with gray, where
 * TensorFlow's decoder (try_recover_truncated false) fails.
 */
function checkEnd(bytes: Uint8Array, scan: number, frame: ImageHeader): ImageHeader {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.indexOf(END_OF_IMAGE, scan) < 0) {
    throw new ParseError(`JPEG data does not decode: no end-of-image marker after the scan at byte ${scan}: the data ends before the image does (truncated)`);
  }
  return frame;
}

/** The frame header at `at`: FF Cn, length, precision, height, width, component count. */
function jpegFrame(bytes: Uint8Array, at: number): ImageHeader {
  if (at + 10 > bytes.length) throw new ParseError(`JPEG data does not decode: truncated frame header at byte ${at}`);
  const precision = bytes[at + 4]!;
  const height = (bytes[at + 5]! << 8) | bytes[at + 6]!;
  const width = (bytes[at + 7]! << 8) | bytes[at + 8]!;
  const components = bytes[at + 9]!;
  // A height of 0 defers it to a DNL marker, which libjpeg (and so TensorFlow) does not read.
  if (height === 0 || width === 0) throw new ParseError(`JPEG data does not decode: the frame header declares a ${height}x${width} image (height x width)`);
  if (components === 4) {
    throw new UnsupportedError('cannot decode a 4-component (CMYK or YCCK) JPEG: its decoder here converts only gray and YCbCr/RGB JPEGs to RGB (TensorFlow converts CMYK itself)');
  }
  if (components !== 1 && components !== 3) throw new ParseError(`JPEG data does not decode: the frame header declares ${components} components (expected 1 or 3)`);
  if (precision !== 8) throw new UnsupportedError(`cannot decode a JPEG of ${precision}-bit samples: 8-bit JPEGs are read`);
  return { format: 'jpeg', height, width, channels: components, bitDepth: 8 };
}
