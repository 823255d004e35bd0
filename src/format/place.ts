// Names a part of a file in error messages, and builds that text only when an error needs it.

import type { ErrorLocation } from './errors.js';

/**
 * A description such as "record sizes of chunk at 1234 of data.array_record", kept as its parts:
 * readers name every chunk they decode, and formatting offsets for every chunk (when almost none
 * will ever appear in an error) cost up to a tenth of reading an uncompressed file. `${place}` in a
 * message formats it.
 */
export class Place {
  constructor(
    /** What this is, e.g. "record sizes" or "chunk". */
    private readonly what: string,
    /** Where it is, when that is something of its own: "of <within>". */
    private readonly within?: Place | string,
    /** A file position: "at <at>". */
    private readonly at?: number,
  ) {}

  /** The part `what` of this place: `of('data')` names "data of <this>". */
  of(what: string): Place {
    return new Place(what, this);
  }

  /** The file and byte position this names, as an error's fields: the nearest position, and the file given by name. */
  location(): ErrorLocation {
    if (this.within instanceof Place) {
      const outer = this.within.location();
      return { path: outer.path, offset: this.at ?? outer.offset };
    }
    return { path: this.within, offset: this.at };
  }

  toString(): string {
    const at = this.at === undefined ? '' : ` at ${this.at}`;
    const within = this.within === undefined ? '' : ` of ${String(this.within)}`;
    return `${this.what}${at}${within}`;
  }
}

/** Text or a Place: what error-reporting parameters accept. */
export type Where = string | Place;

/** `what of where`, lazily when `where` is a Place. */
export function partOf(what: string, where: Where): Where {
  return typeof where === 'string' ? `${what} of ${where}` : where.of(what);
}

/** The file and byte position `where` names (none for plain text). */
export function locationOf(where: Where): ErrorLocation {
  return typeof where === 'string' ? {} : where.location();
}
