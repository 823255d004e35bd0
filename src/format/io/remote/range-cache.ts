// A disk cache of byte ranges fetched from remote files, bounded in size: one file per fetched
// request, named by the object (URL and version) and the range, the least recently used deleted first.
// Each file ends with a CRC-32 of every 64 KiB block of its bytes, checked on every hit: a file damaged
// on disk is a miss (and deleted), never bytes handed out as the remote file's (a bad chunk read from
// the cache would otherwise be a CorruptFileError naming the URL on every later read).

import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { CachedRanges, type CachedRange } from './cached-ranges.js';

/** The bytes checked by one CRC-32: a hit reads and checks at most one block more on each side. */
const BLOCK = 64 * 1024;

/** The size of a cache file holding `length` bytes: the bytes, then a 4-byte CRC-32 per block. */
function fileSize(length: number): number {
  return length + 4 * Math.ceil(length / BLOCK);
}

const NAME = /^([0-9a-f]{32})-(\d+)-(\d+)\.range$/;

/**
 * The cache of one directory. Entries found there at first use are taken over (a cache survives the
 * process); another process sharing the directory may delete a file, which is then a miss.
 */
export class RangeCache {
  private static readonly caches = new Map<string, RangeCache>();
  /** Entries by object, then by offset. */
  private readonly byObject = new Map<string, CachedRanges>();
  /** Every entry, the least recently used first (a hit moves its entry to the end): eviction takes from the front. */
  private readonly recency = new Set<CachedRange>();
  private totalBytes = 0;
  /** Writes under way: a lookup waits for them, so a range fetched a moment ago is found. */
  private readonly writing = new Set<Promise<void>>();
  /** The files those writes are storing, or deletions removing: a store of one of them meanwhile is dropped. */
  private readonly storing = new Set<string>();

  private constructor(
    private readonly directory: string,
    private maxBytes: number,
  ) {
    fs.mkdirSync(directory, { recursive: true });
    const found: (CachedRange & { readonly used: number })[] = [];
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
      // Cut short (or written by a version without checksums): of no use, and not counted in the bound.
      if (stat.size !== fileSize(end - offset)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      found.push({ object: match[1]!, offset, end, file, used: stat.mtimeMs });
    }
    // Added in offset order (appended, not inserted), then ranked by when each was last written.
    found.sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : a.offset - b.offset));
    for (const entry of found) this.index(entry);
    for (const entry of found.sort((a, b) => a.used - b.used)) this.recency.add(entry);
    for (const file of this.evict()) fs.rmSync(file, { force: true });
  }

  /**
   * The cache of `directory` (one instance per directory in the process) with bound `maxBytes`: the
   * bound given last applies to the directory, evicting at once when it is lower than before (kept
   * from the first caller instead, a later reader's own bound would be ignored without a word).
   */
  static of(directory: string, maxBytes: number): RangeCache {
    const key = path.resolve(directory);
    let cache = RangeCache.caches.get(key);
    if (cache === undefined) RangeCache.caches.set(key, (cache = new RangeCache(key, maxBytes)));
    else if (cache.maxBytes !== maxBytes) {
      cache.maxBytes = maxBytes;
      for (const file of cache.evict()) fs.rmSync(file, { force: true });
    }
    return cache;
  }

  /** The key of an object's bytes: a hash of its URL and version, so a changed object never hits. */
  static objectKey(url: string, version: string): string {
    return createHash('sha256').update(`${url}\u0000${version}`).digest('hex').slice(0, 32);
  }

  /**
   * Bytes [offset, offset + length) of `object`, when one cached range holds them all and the blocks
   * holding them match their CRC-32s; a damaged or shortened file is deleted, and a miss.
   */
  async get(object: string, offset: number, length: number): Promise<Uint8Array | undefined> {
    if (this.writing.size > 0) await Promise.all(this.writing);
    const entry = this.byObject.get(object)?.covering(offset, offset + length);
    if (entry === undefined) return undefined;
    if (length === 0) return new Uint8Array(0);
    this.recency.delete(entry);
    this.recency.add(entry);
    const size = entry.end - entry.offset;
    const first = Math.floor((offset - entry.offset) / BLOCK);
    const last = Math.floor((offset - entry.offset + length - 1) / BLOCK);
    const blocks = new Uint8Array(Math.min(size, (last + 1) * BLOCK) - first * BLOCK);
    const sums = new Uint8Array(4 * (last - first + 1));
    try {
      const handle = await fs.promises.open(entry.file, 'r');
      try {
        const read = await handle.read(blocks, 0, blocks.length, first * BLOCK);
        const readSums = await handle.read(sums, 0, sums.length, size + 4 * first);
        if (read.bytesRead !== blocks.length || readSums.bytesRead !== sums.length) throw new Error('short read');
      } finally {
        await handle.close();
      }
      const view = new DataView(sums.buffer);
      for (let block = 0; block <= last - first; block++) {
        if (crc32(blocks.subarray(block * BLOCK, (block + 1) * BLOCK)) !== view.getUint32(4 * block, true)) throw new Error('checksum mismatch');
      }
    } catch {
      // Missing (another process evicted it), cut short or damaged: refetched, and stored again.
      this.remove(entry);
      await this.deleteFile(entry.file);
      return undefined;
    }
    const begin = offset - entry.offset - first * BLOCK;
    return blocks.subarray(begin, begin + length);
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
    if (bytes.length === 0 || fileSize(bytes.length) > this.maxBytes) return;
    const end = offset + bytes.length;
    if (this.byObject.get(object)?.covering(offset, end) !== undefined) return;
    const file = path.join(this.directory, `${object}-${offset}-${end}.range`);
    // Two reads of one range at once both fetch it: stored twice, it was counted twice against the bound.
    if (this.storing.has(file)) return;
    this.storing.add(file);
    try {
      await this.store(object, offset, end, file, bytes);
    } finally {
      this.storing.delete(file);
    }
  }

  /** Writes `bytes` and their checksums to `file` (through a temporary file), then counts them in. */
  private async store(object: string, offset: number, end: number, file: string, bytes: Uint8Array): Promise<void> {
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const sums = new Uint8Array(fileSize(bytes.length) - bytes.length);
    const view = new DataView(sums.buffer);
    for (let block = 0; block * BLOCK < bytes.length; block++) view.setUint32(4 * block, crc32(bytes.subarray(block * BLOCK, (block + 1) * BLOCK)), true);
    try {
      const handle = await fs.promises.open(temporary, 'w');
      try {
        const { bytesWritten } = await handle.writev([bytes, sums]);
        if (bytesWritten !== bytes.length + sums.length) throw new Error('short write');
      } finally {
        await handle.close();
      }
      await fs.promises.rename(temporary, file);
    } catch {
      await fs.promises.rm(temporary, { force: true }).catch(() => {});
      return;
    }
    const entry = { object, offset, end, file };
    this.index(entry);
    this.recency.add(entry);
    await Promise.all(this.evict().map((evicted) => this.deleteFile(evicted)));
  }

  /**
   * Deletes a file no entry tracks any more. Until it is gone, a store of the same range is dropped:
   * its rename could come first, and the deletion would then take the new file from its entry.
   */
  private async deleteFile(file: string): Promise<void> {
    this.storing.add(file);
    try {
      await fs.promises.rm(file, { force: true });
    } catch {
      // Already gone (another process), or not deletable: either way no entry points at it.
    } finally {
      this.storing.delete(file);
    }
  }

  /** Bytes held now, on disk (checksums included). */
  get size(): number {
    return this.totalBytes;
  }

  /** Counts `entry` in and makes it findable; its place in `recency` is the caller's to give. */
  private index(entry: CachedRange): void {
    let ranges = this.byObject.get(entry.object);
    if (ranges === undefined) this.byObject.set(entry.object, (ranges = new CachedRanges()));
    ranges.add(entry);
    this.totalBytes += fileSize(entry.end - entry.offset);
  }

  private remove(entry: CachedRange): void {
    const ranges = this.byObject.get(entry.object);
    if (ranges === undefined || !ranges.remove(entry)) return;
    if (ranges.count === 0) this.byObject.delete(entry.object);
    this.recency.delete(entry);
    this.totalBytes -= fileSize(entry.end - entry.offset);
  }

  /** Drops least recently used entries until the cache is within its bound; returns their files, to delete. */
  private evict(): string[] {
    const files: string[] = [];
    for (const entry of this.recency) {
      if (this.totalBytes <= this.maxBytes) break;
      this.remove(entry);
      files.push(entry.file);
    }
    return files;
  }
}
