// Records as text and simple frames: one per line, one JSON value per line, or u32-length-prefixed
// bytes; read from a stream, and the JSON form of one record (its text, or its bytes in base64).

import { CorruptFileError, ParseError } from '../errors.js';
import type { ByteStream } from '../io/byte-stream.js';
import { readU32, writeU32 } from '../riegeli/bytes.js';

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** Bytes before each record of the `framed` format: its length, u32 little-endian. */
export const FRAME_HEADER_SIZE = 4;

const textEncoder = new TextEncoder();
/** Keeps a leading byte-order mark, which is part of a record's bytes. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * One record per line: the bytes between line feeds, a carriage return before the line feed dropped.
 * A last line without a line feed is a record too; the line feed that ends the input adds none.
 */
export async function* readLines(stream: ByteStream): AsyncGenerator<Uint8Array> {
  for (let line = await stream.readUntil(LINE_FEED); line !== undefined; line = await stream.readUntil(LINE_FEED)) {
    yield line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.subarray(0, line.length - 1) : line;
  }
}

/**
 * One record per line of JSON (blank lines skipped): a string is stored as its UTF-8 bytes,
 * `{"base64": "..."}` as the bytes it encodes, and any other value as its compact JSON text.
 * @throws ParseError naming the line when a line is not JSON or its base64 is invalid.
 */
export async function* readJsonLines(stream: ByteStream, where: string): AsyncGenerator<Uint8Array> {
  let lineNumber = 0;
  for (let line = await stream.readUntil(LINE_FEED); line !== undefined; line = await stream.readUntil(LINE_FEED)) {
    lineNumber++;
    let text: string;
    try {
      text = strictUtf8.decode(line).trim();
    } catch {
      throw new ParseError(`line ${lineNumber} is not UTF-8 text`, { path: where });
    }
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new ParseError(`line ${lineNumber} is not JSON: ${(error as Error).message}`, { path: where });
    }
    try {
      yield recordFromJson(value);
    } catch (error) {
      throw new ParseError(`line ${lineNumber}: ${(error as Error).message}`, { path: where });
    }
  }
}

/**
 * Records framed by their length: a u32 little-endian byte count, then the bytes.
 * @throws CorruptFileError when the input ends inside a frame.
 */
export async function* readFramed(stream: ByteStream, where: string): AsyncGenerator<Uint8Array> {
  for (;;) {
    const at = stream.position;
    const header = await stream.read(FRAME_HEADER_SIZE);
    if (header.length === 0) return;
    if (header.length < FRAME_HEADER_SIZE) {
      throw new CorruptFileError(`a record length needs ${FRAME_HEADER_SIZE} bytes, the input ends after ${header.length} (truncated)`, {
        path: where,
        offset: at,
      });
    }
    const length = readU32(header, 0);
    const record = await stream.read(length);
    if (record.length < length) {
      throw new CorruptFileError(`a ${length}-byte record is cut off after ${record.length} bytes (truncated)`, { path: where, offset: at });
    }
    yield record;
  }
}

/** A record in the `framed` format: its u32 little-endian length, then its bytes. */
export function frameRecord(record: Uint8Array): Uint8Array {
  const framed = new Uint8Array(FRAME_HEADER_SIZE + record.length);
  writeU32(framed, 0, record.length);
  framed.set(record, FRAME_HEADER_SIZE);
  return framed;
}

/**
 * A record as one line of JSON: a string when its bytes are UTF-8, else `{"base64": "..."}`; never
 * ambiguous, and `recordFromJson(JSON.parse(recordToJson(r)))` gives back `r` byte for byte.
 * @example recordToJson(new Uint8Array([0xff])) // '{"base64":"/w=="}'
 */
export function recordToJson(record: Uint8Array): string {
  try {
    return JSON.stringify(strictUtf8.decode(record));
  } catch {
    return JSON.stringify({ base64: Buffer.from(record.buffer, record.byteOffset, record.length).toString('base64') });
  }
}

/**
 * The record a JSON value stands for: a string's UTF-8 bytes, the bytes of `{"base64": "..."}`, else
 * the value's compact JSON text. @throws Error for invalid base64.
 */
export function recordFromJson(value: unknown): Uint8Array {
  if (typeof value === 'string') return textEncoder.encode(value);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const base64 = (value as Record<string, unknown>).base64;
    if (keys.length === 1 && typeof base64 === 'string') {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 === 1) throw new Error('"base64" is not valid base64');
      const bytes = Buffer.from(base64, 'base64');
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    }
  }
  return textEncoder.encode(JSON.stringify(value));
}
