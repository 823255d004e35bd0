// A disk cache of byte ranges fetched from remote files, bounded in size: one file per fetched
// request, named by the object (URL and version) and the range, the least recently used deleted first.

import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

interface Entry {
  readonly object: string;
  readonly offset: number;
  readonly end: number;
  readonly file: string;
  lastUsed: number;
}

const NAME = /^([0-9a-f]{32})-(\d+)-(\d+)\.range$/;

/**
 * The cache of one directory. Entries found there at first use are taken over (a cache survives the
 * process); another process sharing the directory may delete a file, which is then a miss.
 */
export class RangeCache {
  private static readonly caches = new Map<string, RangeCache>();
  /** Entries by object, then by offset. */
  private readonly byObject = new Map<string, Entry[]>();
  private totalBytes = 0;
  private clock = 0;
  /** Writes under way: a lookup waits for them, so a range fetched a moment ago is found. */
  private readonly writing = new Set<Promise<void>>();

  private constructor(
    private readonly directory: string,
    private readonly maxBytes: number,
  ) {
    fs.mkdirSync(directory, { recursive: true });
    const found: Entry[] = [];
    for (const name of fs.readdirSync(directory)) {
      const match = NAME.exec(name);
      if (match === null) continue;
      const file = path.join(directory, name);
      let stat: fs.Stats;
      try {
        stat = fs.statSync(file);
      } catch {
        continue;
      }
      const offset = Number(match[2]);
      const end = Number(match[3]);
      if (stat.size !== end - offset) continue;
      found.push({ object: match[1]!, offset, end, file, lastUsed: stat.mtimeMs });
    }
    found.sort((a, b) => a.lastUsed - b.lastUsed);
    for (const entry of found) {
      entry.lastUsed = this.clock++;
      this.insert(entry);
    }
    for (const file of this.evict()) fs.rmSync(file, { force: true });
  }

  /** The cache of `directory` with bound `maxBytes` (one instance per directory in the process). */
  static of(directory: string, maxBytes: number): RangeCache {
    const key = path.resolve(directory);
    let cache = RangeCache.caches.get(key);
    if (cache === undefined) RangeCache.caches.set(key, (cache = new RangeCache(key, maxBytes)));
    return cache;
  }

  /** The key of an object's bytes: a hash of its URL and version, so a changed object never hits. */
  static objectKey(url: string, version: string): string {
    return createHash('sha256').update(`${url}\u0000${version}`).digest('hex').slice(0, 32);
  }

  /** Bytes [offset, offset + length) of `object`, when one cached range holds them all. */
  async get(object: string, offset: number, length: number): Promise<Uint8Array | undefined> {
    if (this.writing.size > 0) await Promise.all(this.writing);
    const entries = this.byObject.get(object);
    if (entries === undefined) return undefined;
    const entry = entries.find((candidate) => candidate.offset <= offset && candidate.end >= offset + length);
    if (entry === undefined) return undefined;
    entry.lastUsed = this.clock++;
    const bytes = new Uint8Array(length);
    try {
      const handle = await fs.promises.open(entry.file, 'r');
      try {
        const { bytesRead } = await handle.read(bytes, 0, length, offset - entry.offset);
        if (bytesRead !== length) throw new Error('short read');
      } finally {
        await handle.close();
      }
    } catch {
      this.remove(entry);
      return undefined;
    }
    return bytes;
  }

  /**
   * Stores bytes fetched from `object` at `offset` in the background; errors (a full disk) leave the
   * cache as it was. The size bound holds once each write and its evictions are done.
   */
  put(object: string, offset: number, bytes: Uint8Array): void {
    const write = this.write(object, offset, bytes);
    this.writing.add(write);
    void write.finally(() => this.writing.delete(write));
  }

  /** Resolves when every write started so far is done. */
  async flush(): Promise<void> {
    await Promise.all(this.writing);
  }

  private async write(object: string, offset: number, bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0 || bytes.length > this.maxBytes) return;
    const end = offset + bytes.length;
    if (this.byObject.get(object)?.some((entry) => entry.offset <= offset && entry.end >= end)) return;
    const file = path.join(this.directory, `${object}-${offset}-${end}.range`);
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fs.promises.writeFile(temporary, bytes);
      await fs.promises.rename(temporary, file);
    } catch {
      await fs.promises.rm(temporary, { force: true }).catch(() => {});
      return;
    }
    this.insert({ object, offset, end, file, lastUsed: this.clock++ });
    await Promise.all(this.evict().map((evicted) => fs.promises.rm(evicted, { force: true }).catch(() => {})));
  }

  /** Bytes held now. */
  get size(): number {
    return this.totalBytes;
  }

  private insert(entry: Entry): void {
    let entries = this.byObject.get(entry.object);
    if (entries === undefined) this.byObject.set(entry.object, (entries = []));
    entries.push(entry);
    entries.sort((a, b) => a.offset - b.offset);
    this.totalBytes += entry.end - entry.offset;
  }

  private remove(entry: Entry): void {
    const entries = this.byObject.get(entry.object);
    const at = entries?.indexOf(entry) ?? -1;
    if (at < 0) return;
    entries!.splice(at, 1);
    if (entries!.length === 0) this.byObject.delete(entry.object);
    this.totalBytes -= entry.end - entry.offset;
  }

  /** Drops least recently used entries until the cache is within its bound; returns their files, to delete. */
  private evict(): string[] {
    if (this.totalBytes <= this.maxBytes) return [];
    const all = [...this.byObject.values()].flat().sort((a, b) => a.lastUsed - b.lastUsed);
    const files: string[] = [];
    for (const entry of all) {
      if (this.totalBytes <= this.maxBytes) break;
      this.remove(entry);
      files.push(entry.file);
    }
    return files;
  }
}
