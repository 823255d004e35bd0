// How the array-record command prints a record: text, hex, base64, JSON (text or base64), length-framed
// bytes, or a tf.Example / SequenceExample decoded into JSON.

import { decodeExample, decodeSequenceExample, type DecodedFeature } from '../example/index.js';
import { frameRecord, recordToJson } from '../format/tools/index.js';

/** The `--as` choices of cat, head and sample. */
export const ENCODINGS = ['utf8', 'hex', 'base64', 'json', 'framed', 'example', 'sequence-example'] as const;
export type Encoding = (typeof ENCODINGS)[number];

// ignoreBOM keeps a leading U+FEFF, which is part of the value: a printed value is the value.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A bytes value in JSON: its text when it is printable UTF-8, else `{"base64": ...}` (never ambiguous). */
function bytesJson(value: Uint8Array): unknown {
  try {
    const text = strictUtf8.decode(value);
    // eslint-disable-next-line no-control-regex
    if (!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) return text;
  } catch {
    // Not UTF-8: base64 below.
  }
  return { base64: Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64') };
}

/** A Feature in JSON: int64 values as numbers (as decimal strings beyond 2^53), floats as numbers. */
function featureJson(feature: DecodedFeature): unknown {
  if ('int64List' in feature) return { int64List: feature.int64List.map((value) => (Number.isSafeInteger(Number(value)) ? Number(value) : value.toString())) };
  if ('floatList' in feature) return { floatList: feature.floatList.map((value) => (Number.isFinite(value) ? value : String(value))) };
  if ('bytesList' in feature) return { bytesList: feature.bytesList.map(bytesJson) };
  return {};
}

function mapValues<T>(record: Record<string, T>, map: (value: T) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}

/** One record as printed in `encoding`: a line of text, or (framed) its length and bytes. */
export function formatRecord(record: Uint8Array, encoding: Encoding): string | Uint8Array {
  switch (encoding) {
    case 'framed':
      return frameRecord(record);
    case 'json':
      return `${recordToJson(record)}\n`;
    case 'example':
      return `${JSON.stringify(mapValues(decodeExample(record), featureJson))}\n`;
    case 'sequence-example': {
      const { context, featureLists } = decodeSequenceExample(record);
      return `${JSON.stringify({ context: mapValues(context, featureJson), featureLists: mapValues(featureLists, (steps) => steps.map(featureJson)) })}\n`;
    }
    default:
      return `${Buffer.from(record.buffer, record.byteOffset, record.length).toString(encoding)}\n`;
  }
}

/** A JSON value for printing: bytes as `{"base64": ...}`, bigints as decimal strings. */
export function jsonSafe(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, item: unknown) => {
      if (item instanceof Uint8Array) return { base64: Buffer.from(item.buffer, item.byteOffset, item.length).toString('base64') };
      if (typeof item === 'bigint') return item.toString();
      return item;
    }),
  );
}
