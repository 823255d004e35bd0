// The "key:value,key,..." option grammar of Riegeli's OptionsParser, with its value parsers and messages.

import { InvalidOptionsError } from '../errors.js';
import { unknownOptionMessage } from '../options-check.js';

/** Parses one option's value; returns false (with `expected` filled) when the value is invalid. */
export type ValueParser = (value: string, context: ParseContext) => boolean;

/** What a value parser sees besides the value: the option's key and which options came before. */
export interface ParseContext {
  /** Which options string this is ("writer options"), for messages. */
  readonly what: string;
  readonly key: string;
  readonly seen: ReadonlySet<string>;
  /** Descriptions of valid values, joined into the error message when parsing fails. */
  readonly expected: string[];
}

/**
 * Splits `text` on commas into `key[:value]` pairs and runs each key's parser once. Empty items are
 * skipped, an unknown or repeated key is an error, as in Riegeli; an unknown key is named with the
 * nearest valid one (`groupSize` suggests group_size), or with the valid keys when none is close.
 * @throws InvalidOptionsError naming the option, the bad value and the valid values.
 */
export function parseOptions(text: string, parsers: ReadonlyMap<string, ValueParser>, what: string): void {
  const seen = new Set<string>();
  for (const item of text.split(',')) {
    if (item === '') continue;
    const colon = item.indexOf(':');
    const key = colon < 0 ? item : item.slice(0, colon);
    const value = colon < 0 ? '' : item.slice(colon + 1);
    const parser = parsers.get(key);
    if (parser === undefined) {
      throw new InvalidOptionsError(`${what}: ${unknownOptionMessage([key], [...parsers.keys()], { quote: true })}`);
    }
    if (seen.has(key)) throw new InvalidOptionsError(`${what}: option ${key} is present more than once`);
    const context: ParseContext = { what, key, seen, expected: [] };
    if (!parser(value, context)) {
      const valid = context.expected.length > 0 ? `, valid values: ${context.expected.join(', ')}` : '';
      throw new InvalidOptionsError(`${what}: option ${key}: invalid value: ${value === '' ? '(empty)' : value}${valid}`);
    }
    seen.add(key);
  }
}

/** Parses a decimal integer the way absl::SimpleAtoi does (surrounding blanks and a sign allowed). */
export function parseDecimalInteger(value: string): number | undefined {
  const trimmed = value.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return undefined;
  const parsed = Number(trimmed);
  return Number.isSafeInteger(parsed) ? parsed : undefined;
}

/** An integer in [min, max]. */
export function intValue(min: number, max: number, store: (value: number) => void): ValueParser {
  return (value, context) => {
    const parsed = parseDecimalInteger(value);
    if (parsed !== undefined && parsed >= min && parsed <= max) {
      store(parsed);
      return true;
    }
    context.expected.push(`integers in the range [${min}..${max}]`);
    return false;
  };
}

const BYTE_SUFFIXES: Readonly<Record<string, number>> = {
  B: 1,
  k: 2 ** 10,
  K: 2 ** 10,
  M: 2 ** 20,
  G: 2 ** 30,
  T: 2 ** 40,
  P: 2 ** 50,
  E: 2 ** 60,
};

/** A byte count: a non-negative real with an optional suffix [BkKMGTPE], rounded, in [min, max]. */
export function bytesValue(min: number, max: number, store: (value: number) => void): ValueParser {
  return (value, context) => {
    const scale = BYTE_SUFFIXES[value.slice(-1)];
    const number = scale === undefined ? value : value.slice(0, -1);
    const real = /^\s*[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(number) ? Number(number) : NaN;
    const bytes = Math.round(real * (scale ?? 1));
    if (Number.isFinite(bytes) && bytes >= min && bytes <= max) {
      store(bytes);
      return true;
    }
    context.expected.push(`integers expressed as reals with optional suffix [BkKMGTPE], in the range [${min}..${max}]`);
    return false;
  };
}

/** One of a fixed set of words. */
export function enumValue<T>(choices: ReadonlyMap<string, T>, store: (value: T) => void): ValueParser {
  return (value, context) => {
    if (choices.has(value)) {
      store(choices.get(value) as T);
      return true;
    }
    context.expected.push([...choices.keys()].map((choice) => (choice === '' ? '(empty)' : choice)).join(', '));
    return false;
  };
}

/** An empty value (the option stands alone), which stores `value`. */
export function emptyValue(store: () => void): ValueParser {
  return (value, context) => {
    if (value === '') {
      store();
      return true;
    }
    context.expected.push('(empty)');
    return false;
  };
}

/** The first parser that accepts the value wins. */
export function eitherValue(...parsers: ValueParser[]): ValueParser {
  return (value, context) => parsers.some((parser) => parser(value, context));
}

/** Rejects the option when any of `keys` came before it. */
export function conflictsWith(keys: readonly string[], then: ValueParser): ValueParser {
  return (value, context) => {
    const earlier = keys.find((key) => context.seen.has(key));
    if (earlier !== undefined) {
      throw new InvalidOptionsError(`${context.what}: option ${context.key} conflicts with option ${earlier}`);
    }
    return then(value, context);
  };
}

/** Booleans written as "", "true" or "false"; `bare` is what the key alone means. */
export function booleanValue(bare: boolean, store: (value: boolean) => void): ValueParser {
  return enumValue(
    new Map([
      ['', bare],
      ['true', true],
      ['false', false],
    ]),
    store,
  );
}
