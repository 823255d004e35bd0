// Image decoding against hostile or unlucky datasets: decompression bombs refused from the header, corrupt
// images that must not leak the decoder's memory, and conversions that must give TensorFlow's values.
// Every image is built here: PNGs by hand (node:zlib, CRC-32), JPEGs with MozJPEG's encoder or by hand.

import v8 from 'node:v8';
import vm from 'node:vm';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ParseError, UnsupportedError, bytesFeature, encodeExample } from '../../src/index.js';
import { TfdsParser, decodeImage, type TfdsFeaturesDict } from '../../src/tfds/index.js';
import { encodeJpeg, pngChunk as chunk, testPixels } from './tfds-fixtures.js';

const MB = 1024 * 1024;

/** A PNG of the given IHDR fields around `idat` (compressed scanlines). */
function png(width: number, height: number, bitDepth: number, colorType: number, idat: Uint8Array): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([bitDepth, colorType, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]));
}

/** Scanlines of `rows` (each prefixed with filter type 0), deflated. */
function scanlines(rows: readonly number[][], bytesPerSample = 1): Buffer {
  const raw = rows.flatMap((row) => [0, ...row.flatMap((v) => (bytesPerSample === 2 ? [v >> 8, v & 0xff] : [v]))]);
  return zlib.deflateSync(Buffer.from(raw));
}

/** A JPEG with its frame header's height and width replaced. */
function withFrameSize(jpeg: Uint8Array, height: number, width: number): Uint8Array {
  const out = jpeg.slice();
  let at = 2;
  while (!(out[at + 1]! >= 0xc0 && out[at + 1]! <= 0xc2)) at += 2 + ((out[at + 2]! << 8) | out[at + 3]!);
  out.set([height >> 8, height & 0xff, width >> 8, width & 0xff], at + 5);
  return out;
}

/** The feature dict of one image feature of `shape`. */
function imageFeatures(shape: (number | null)[]): TfdsFeaturesDict {
  const image = { kind: 'image', className: 'tensorflow_datasets.core.features.image_feature.Image', description: undefined, shape, dtype: 'uint8', encodingFormat: 'png' };
  return { kind: 'dict', className: 'tensorflow_datasets.core.features.features_dict.FeaturesDict', description: undefined, features: { image } } as unknown as TfdsFeaturesDict;
}

/** Runs `attempt`, which must throw, and returns the error and how much the resident set grew meanwhile. */
function measure(attempt: () => unknown): { error: unknown; grewBy: number } {
  const before = process.memoryUsage().rss;
  try {
    attempt();
  } catch (error) {
    return { error, grewBy: process.memoryUsage().rss - before };
  }
  throw new Error('expected the attempt to throw');
}

/**
 * A full collection. A dropped decoder instance's memory returns to the system only once the instance is
 * collected, and when that happens is the engine's choice: without this, the resident set measured below
 * depends on the machine's load, not on what the decoder keeps.
 */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

describe('decompression bombs are refused from the header', () => {
  it('a PNG declaring 30000x30000 pixels is refused by the default pixel bound before decoding', () => {
    const { error, grewBy } = measure(() => decodeImage(png(30000, 30000, 8, 0, zlib.deflateSync(Buffer.alloc(100)))));
    expect(error).toBeInstanceOf(ParseError);
    expect((error as Error).message).toMatch(/PNG header declares a 30000x30000 image, 900000000 pixels, more than maxPixels 134217728/);
    expect(grewBy).toBeLessThan(64 * MB);
  });

  it('a JPEG whose frame header declares 65500x65500 is refused by the pixel bound, not by a failed allocation', async () => {
    const bomb = withFrameSize(await encodeJpeg(testPixels(1, 8, 8, 3), 8, 8, 3), 65500, 65500);
    const { error, grewBy } = measure(() => decodeImage(bomb));
    expect(error).toBeInstanceOf(ParseError);
    expect((error as Error).message).toMatch(/JPEG header declares a 65500x65500 image, 4290250000 pixels, more than maxPixels/);
    expect(grewBy).toBeLessThan(64 * MB);
  });

  it('an image of another size than the feature declares is refused from its header, naming both', () => {
    // 389 KB of zlib'd zeros that decode to 64M pixels: never decoded for a [28, 28, 1] feature.
    const bomb = png(8000, 8000, 8, 0, zlib.deflateSync(Buffer.alloc(8001 * 8000)));
    const parser = new TfdsParser(imageFeatures([28, 28, 1]));
    const record = encodeExample({ image: bytesFeature([bomb]) });
    const { error, grewBy } = measure(() => parser.parse(record, 'r7'));
    expect(error).toBeInstanceOf(ParseError);
    expect((error as Error).message).toMatch(/Name: r7, Key: image, Index: 0\.\s+The image is 8000x8000x1, the feature's shape is \[28, 28, 1\] \(read from its PNG header; not decoded\)/);
    expect(grewBy).toBeLessThan(64 * MB);
  });

  it('maxPixels (decodeImage) and maxImagePixels (TfdsParser) set the bound for images of any size', () => {
    const image = png(100, 50, 8, 0, scanlines(Array.from({ length: 50 }, () => new Array(100).fill(7))));
    expect(() => decodeImage(image, { maxPixels: 4999 })).toThrow(/declares a 50x100 image, 5000 pixels, more than maxPixels 4999/);
    expect(decodeImage(image, { maxPixels: 5000 })).toMatchObject({ height: 50, width: 100, channels: 1 });
    const parser = new TfdsParser(imageFeatures([null, null, 1]), { maxImagePixels: 4999 });
    expect(() => parser.parse(encodeExample({ image: bytesFeature([image]) }))).toThrow(ParseError);
    expect(() => decodeImage(image, { maxPixels: 2 ** 29 })).toThrow(/maxPixels must be an integer in \[1, 536870911\]/);
  });
});

describe('corrupt images: typed errors that say what is wrong, and no leaked decoder memory', () => {
  it('truncated PNGs, each failing inside the decoder, do not pile up in its memory', async () => {
    // 1500x1500 RGBA: each failure leaked its 9 MB output buffer (and more) into the decoder's memory.
    const raw = Buffer.alloc((1 + 1500 * 4) * 1500, 7);
    for (let row = 0; row < 1500; row++) raw[row * (1 + 1500 * 4)] = 0; // filter type None
    const whole = zlib.deflateSync(raw);
    const truncated = png(1500, 1500, 8, 6, whole.subarray(0, whole.length >> 1));
    decodeImage(png(1, 1, 8, 0, scanlines([[1]]))); // the decoder's own start-up is not what is measured
    collectGarbage();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 30; i++) expect(() => decodeImage(truncated)).toThrow(ParseError);
    // The dropped instances' memory goes back once they are collected, and V8 may free it on a
    // background thread after the collection returns (on a loaded machine, Node 24 was 67 MB up right
    // after one): collections are repeated for up to 10 s. A decoder that keeps what failures leaked
    // stays 255 MB up (the code before the fix), twice the bound.
    const grew = (): number => process.memoryUsage().rss - before;
    for (let waited = 0; grew() >= 128 * MB && waited < 10_000; waited += 100) {
      collectGarbage();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(grew()).toBeLessThan(128 * MB);
    expect([...decodeImage(png(2, 1, 8, 0, scanlines([[5, 9]]))).data]).toEqual([5, 9]);
  });

  it('PNG headers that cannot be decoded are named: zero or oversized sides, bad depth', () => {
    expect(() => decodeImage(png(0, 0, 8, 0, scanlines([])))).toThrow(/IHDR declares a 0x0 image \(height x width\); each side must be 1 to 2\^31-1/);
    expect(() => decodeImage(png(0x80000000, 1, 8, 0, scanlines([[0]])))).toThrow(/IHDR declares a 1x2147483648 image/);
    expect(() => decodeImage(png(2, 1, 3, 0, scanlines([[0, 0]])))).toThrow(/IHDR bit depth 3 with color type 0 \(expected 1, 2, 4, 8, 16\)/);
  });

  it('a PNG whose IDAT fails its CRC is refused, as libpng refuses it, not decoded as if intact', () => {
    const good = png(2, 1, 8, 0, scanlines([[5, 9]]));
    const corrupt = good.slice();
    corrupt[good.length - 13] = good[good.length - 13]! ^ 1; // the last byte of IDAT's CRC
    expect(() => decodeImage(corrupt)).toThrow(/CRC mismatch in chunk IDAT at byte 33/);
  });

  it('a JPEG cut short is refused, where libjpeg would fill the rest with gray', async () => {
    const jpeg = await encodeJpeg(testPixels(2, 64, 64, 3), 64, 64, 3);
    for (const cut of [jpeg.subarray(0, jpeg.length - 200), jpeg.subarray(0, jpeg.length - 2)]) {
      expect(() => decodeImage(cut)).toThrow(/no end-of-image marker after the scan at byte \d+: the data ends before the image does/);
    }
    expect(decodeImage(Uint8Array.from([...jpeg, 1, 2, 3])).height).toBe(64); // trailing bytes after the end are ignored
  });

  it('a JPEG of zero height (DNL) or of 4 components (CMYK) is refused with what it is', async () => {
    const jpeg = await encodeJpeg(testPixels(1, 8, 8, 3), 8, 8, 3);
    expect(() => decodeImage(withFrameSize(jpeg, 0, 8))).toThrow(/the frame header declares a 0x8 image/);
    // SOI, SOF0 of 4 components (CMYK), SOS, EOI: refused from the frame header.
    const sof = [0xff, 0xc0, 0, 20, 8, 0, 8, 0, 8, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0];
    const cmyk = Uint8Array.from([0xff, 0xd8, ...sof, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0, 0xff, 0xd9]);
    expect(() => decodeImage(cmyk)).toThrow(UnsupportedError);
    expect(() => decodeImage(cmyk)).toThrow(/4-component \(CMYK or YCCK\) JPEG/);
  });
});

describe("conversions give TensorFlow's values", () => {
  it("PNG color to gray uses libpng's rgb_to_gray as decode_png sets it up (9797, 19234, 3737 / 32768, truncated)", () => {
    const rgb = png(4, 1, 8, 2, scanlines([[255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 10, 10]]));
    // libjpeg's rounded BT.601 weights give 150 for pure green; tf.io.decode_png(channels=1) gives 149.
    expect([...decodeImage(rgb, { channels: 1 }).data]).toEqual([76, 149, 29, 10]);
  });

  it('16-bit PNG color to gray is computed on the 16-bit samples, rounded, as libpng does', () => {
    const rgb16 = png(1, 1, 16, 2, scanlines([[0, 0xffff, 0]], 2));
    expect([...decodeImage(rgb16, { channels: 1, depth: 16 }).data]).toEqual([38467]);
    expect([...decodeImage(rgb16, { channels: 1 }).data]).toEqual([150]);
  });

  it("JPEG samples widen to 16 bits times 256, as decode_image(dtype=uint16) scales them", async () => {
    const jpeg = await encodeJpeg(testPixels(3, 8, 8, 1), 8, 8, 1);
    const narrow = decodeImage(jpeg).data;
    expect([...decodeImage(jpeg, { depth: 16 }).data]).toEqual([...narrow].map((v) => v * 256));
  });
});
