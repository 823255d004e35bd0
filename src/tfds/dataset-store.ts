// Where a TFDS dataset's files are read from. Everything TfdsDataset reads goes through a store: a local
// directory today; a store for URLs (gs://, https://) can implement the same interface later.

import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, IoError, UnsupportedError } from '../format/errors.js';

/** The files of one dataset directory. */
export interface DatasetStore {
  /** The directory, as messages and worker modules name it (absolute). */
  readonly location: string;
  /** A file's text, or undefined when the file does not exist. */
  readText(name: string): Promise<string | undefined>;
  /** The names of the files and directories in the directory. */
  list(): Promise<{ readonly name: string; readonly directory: boolean }[]>;
  /** What a data source opens for a file of the directory. */
  filePath(name: string): string;
}

/** A dataset directory on the local file system. */
class LocalStore implements DatasetStore {
  constructor(readonly location: string) {}

  async readText(name: string): Promise<string | undefined> {
    const file = this.filePath(name);
    try {
      return await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new IoError(`cannot read ${file}`, { path: file }, error);
    }
  }

  async list(): Promise<{ name: string; directory: boolean }[]> {
    try {
      return (await fs.readdir(this.location, { withFileTypes: true })).map((entry) => ({ name: entry.name, directory: entry.isDirectory() }));
    } catch (error) {
      throw new IoError(`cannot read the dataset directory ${this.location}`, { path: this.location }, error);
    }
  }

  filePath(name: string): string {
    return path.join(this.location, name);
  }
}

/**
 * The store of a dataset location: a local path or a `file:` URL.
 * @throws UnsupportedError for another URL scheme (local directories only, for now); InvalidArgumentError
 *   for a location that is not a non-empty string or a URL.
 */
export function openStore(location: string | URL): DatasetStore {
  if (location instanceof URL || (typeof location === 'string' && /^[a-z][a-z0-9+.-]+:\/\//i.test(location))) {
    const url = location instanceof URL ? location : new URL(location);
    if (url.protocol !== 'file:') {
      throw new UnsupportedError(`TFDS datasets are read from local directories for now, not ${url.protocol} URLs (copy the dataset directory first)`);
    }
    return new LocalStore(path.resolve(fileURLToPath(url)));
  }
  if (typeof location !== 'string' || location === '') throw new InvalidArgumentError('TfdsDataset.open takes a dataset directory (a path or a file: URL)');
  return new LocalStore(path.resolve(location));
}
