// A bounded, least-recently-used set of open ArrayRecordReaders, one per file, shared by sync and async reads.

import { ArrayRecordReader } from '../format/arrayrecord/reader.js';
import { ClosedError, InvalidOptionsError } from '../format/errors.js';
import type { RemoteOptions } from '../format/io/remote/remote-options.js';

/** Called on every reader the pool opens, before anyone uses it; throwing rejects the reader. */
export type ReaderCheck = (file: number, reader: ArrayRecordReader) => void;

interface Entry {
  reader: ArrayRecordReader | undefined;
  /** Set while the reader is being opened asynchronously; every caller for that file awaits it. */
  opening: Promise<ArrayRecordReader> | undefined;
  /** Operations using the reader now; a pinned reader is never closed under them. */
  pins: number;
}

/**
 * Keeps at most `capacity` readers open; opening another closes the least recently used one that
 * no operation is using. Async callers wait for a free slot when every open reader is in use; a
 * sync caller cannot wait, so it then gets a reader of its own that is closed as soon as it is done.
 */
export class ReaderPool {
  /** File number -> entry, in order of last use (oldest first). */
  private readonly entries = new Map<number, Entry>();
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  /**
   * @param paths file number -> path.
   * @param readerOptions options string passed to every ArrayRecordReader.
   * @param capacity most readers open at once (a positive integer).
   * @param check runs on each newly opened reader (record-count checks, warnings).
   * @param remote how remote files are fetched.
   * @throws InvalidOptionsError when capacity is not a positive safe integer.
   */
  constructor(
    private readonly paths: readonly string[],
    private readonly readerOptions: string,
    readonly capacity: number,
    private readonly check: ReaderCheck,
    private readonly remote?: RemoteOptions,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new InvalidOptionsError(`maxOpenReaders must be a positive integer, got ${capacity}`);
    }
  }

  /** Readers open now (including ones being opened). */
  get openCount(): number {
    return this.entries.size;
  }

  /**
   * Runs `use` with the reader of `file`, opening it (blocking) if needed.
   * @throws ClosedError after `close()`; whatever opening the file or `use` throws.
   */
  withReader<T>(file: number, use: (reader: ArrayRecordReader) => T): T {
    this.checkOpen(file);
    const entry = this.entries.get(file);
    if (entry?.reader !== undefined) {
      this.pin(file, entry);
      try {
        return use(entry.reader);
      } finally {
        this.unpin(file, entry);
      }
    }
    if (entry === undefined && (this.entries.size < this.capacity || this.evictIdle())) {
      const reader = this.openSync(file);
      const opened: Entry = { reader, opening: undefined, pins: 0 };
      this.entries.set(file, opened);
      this.pin(file, opened);
      try {
        return use(reader);
      } finally {
        this.unpin(file, opened);
      }
    }
    // Being opened asynchronously, or every slot is in use by async reads: a private reader.
    const reader = this.openSync(file);
    try {
      return use(reader);
    } finally {
      reader.close();
    }
  }

  /**
   * Runs `use` with the reader of `file`, opening it on libuv's pool if needed and waiting for a
   * free slot when all `capacity` readers are in use. The reader stays open until `use` settles.
   * @throws ClosedError after `close()` (also while waiting); whatever opening the file or `use` throws.
   */
  async withReaderAsync<T>(file: number, use: (reader: ArrayRecordReader) => Promise<T>): Promise<T> {
    const entry = await this.acquire(file);
    try {
      return await use(entry.reader!);
    } finally {
      this.unpin(file, entry);
    }
  }

  /**
   * Opens the reader of `file` asynchronously (running the check, which counts its records) and leaves
   * it open and idle, to be closed like any other when the pool needs the room.
   * @throws as withReaderAsync.
   */
  async openCounted(file: number): Promise<void> {
    const entry = await this.acquire(file);
    this.unpin(file, entry);
  }

  /** Closes every idle reader now and each busy one when its operation ends; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [file, entry] of this.entries) {
      if (entry.pins === 0 && entry.reader !== undefined) {
        entry.reader.close();
        this.entries.delete(file);
      }
    }
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** Pins the entry of `file` once its reader is open. */
  private async acquire(file: number): Promise<Entry> {
    while (true) {
      this.checkOpen(file);
      const entry = this.entries.get(file);
      if (entry !== undefined) {
        this.pin(file, entry);
        if (entry.opening !== undefined) {
          try {
            await entry.opening;
          } catch (error) {
            entry.pins--;
            throw error;
          }
        }
        return entry;
      }
      if (this.entries.size < this.capacity || this.evictIdle()) {
        const opened: Entry = { reader: undefined, opening: undefined, pins: 1 };
        opened.opening = this.openAsync(file, opened);
        this.entries.set(file, opened);
        await opened.opening;
        return opened;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private async openAsync(file: number, entry: Entry): Promise<ArrayRecordReader> {
    try {
      // Finishes even if the pool closes meanwhile: its callers are in flight, and unpin closes it.
      const reader = await ArrayRecordReader.open(this.paths[file]!, this.readerOptions, this.remote);
      try {
        this.check(file, reader);
      } catch (error) {
        reader.close();
        throw error;
      }
      entry.reader = reader;
      return reader;
    } catch (error) {
      if (this.entries.get(file) === entry) this.entries.delete(file);
      this.wakeOne();
      throw error;
    } finally {
      entry.opening = undefined;
    }
  }

  private openSync(file: number): ArrayRecordReader {
    const reader = new ArrayRecordReader(this.paths[file]!, this.readerOptions);
    try {
      this.check(file, reader);
    } catch (error) {
      reader.close();
      throw error;
    }
    return reader;
  }

  /** Marks the entry in use and most recently used. */
  private pin(file: number, entry: Entry): void {
    entry.pins++;
    this.entries.delete(file);
    this.entries.set(file, entry);
  }

  private unpin(file: number, entry: Entry): void {
    entry.pins--;
    if (entry.pins > 0) return;
    if (this.closed) {
      entry.reader?.close();
      if (this.entries.get(file) === entry) this.entries.delete(file);
      return;
    }
    this.wakeOne();
  }

  /** Closes the least recently used idle reader; false when every open reader is in use. */
  private evictIdle(): boolean {
    for (const [file, entry] of this.entries) {
      if (entry.pins === 0 && entry.reader !== undefined) {
        entry.reader.close();
        this.entries.delete(file);
        return true;
      }
    }
    return false;
  }

  private wakeOne(): void {
    this.waiting.shift()?.();
  }

  private checkOpen(file: number): void {
    if (this.closed) throw new ClosedError('ArrayRecordDataSource', { path: this.paths[file] });
  }
}
