// Forward-only reads of bytes whose total length is unknown (a pipe, stdin, a decompressor's output):
// exact-length reads, a look at the next bytes without taking them, and the count of bytes taken.

/**
 * Reads an async iterable of byte chunks (a Node Readable, a generator) as one stream of bytes.
 * Reads return views into the chunks when they fit in one, copies otherwise.
 * @example
 * const stream = new ByteStream(fs.createReadStream('data.tfrecord'));
 * const header = await stream.read(12); // fewer bytes only at the end of the stream
 */
export class ByteStream {
  /** Chunks received and not yet taken; the first one from `offset` on. */
  private chunks: Uint8Array[] = [];
  private offset = 0;
  private buffered = 0;
  private taken = 0;
  private received = 0;
  private ended = false;
  private readonly iterator: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Bytes taken by reads and skips so far: the stream position of the next byte. */
  get position(): number {
    return this.taken;
  }

  /** Bytes received from the source so far (taken or buffered). */
  get bytesReceived(): number {
    return this.received;
  }

  /** Buffers until `length` bytes are available or the source ends; true when they are. */
  async fill(length: number): Promise<boolean> {
    while (this.buffered < length && !this.ended) {
      const next = await this.iterator.next();
      if (next.done === true) {
        this.ended = true;
        break;
      }
      const chunk = next.value;
      if (chunk.length === 0) continue;
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.received += chunk.length;
    }
    return this.buffered >= length;
  }

  /** True when every byte has been taken and the source has ended. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  /** Up to `length` next bytes (fewer only at the end), without taking them. */
  async peek(length: number): Promise<Uint8Array> {
    await this.fill(length);
    return this.gather(Math.min(length, this.buffered));
  }

  /** Takes up to `length` bytes (fewer only at the end of the stream). */
  async read(length: number): Promise<Uint8Array> {
    const bytes = await this.peek(length);
    this.drop(bytes.length);
    return bytes;
  }

  /** Takes up to `length` bytes without keeping them; returns how many were there. */
  async skip(length: number): Promise<number> {
    let skipped = 0;
    while (skipped < length) {
      if (this.buffered === 0 && !(await this.fill(1))) break;
      const step = Math.min(length - skipped, this.buffered);
      this.drop(step);
      skipped += step;
    }
    return skipped;
  }

  /**
   * Takes the bytes up to the next `delimiter` byte and the delimiter itself, returning those before it;
   * at the end of the stream the rest (undefined when nothing is left).
   */
  async readUntil(delimiter: number): Promise<Uint8Array | undefined> {
    let searched = 0;
    for (;;) {
      const found = this.indexOf(delimiter, searched);
      if (found >= 0) {
        const bytes = this.gather(found);
        this.drop(found + 1);
        return bytes;
      }
      searched = this.buffered;
      if (!(await this.fill(this.buffered + 1))) {
        if (this.buffered === 0) return undefined;
        const rest = this.gather(this.buffered);
        this.drop(rest.length);
        return rest;
      }
    }
  }

  /** The bytes not yet taken, then the rest of the source: to pipe into a decompressor. Takes them all. */
  async *rest(): AsyncGenerator<Uint8Array> {
    while (this.buffered > 0 || !this.ended) {
      if (this.buffered === 0 && !(await this.fill(1))) return;
      const first = this.chunks[0]!.subarray(this.offset);
      this.drop(first.length);
      yield first;
    }
  }

  /** Stops reading the source (closing a file or stream behind it). */
  async close(): Promise<void> {
    this.chunks = [];
    this.buffered = 0;
    if (!this.ended) {
      this.ended = true;
      await this.iterator.return?.();
    }
  }

  /** Position of `byte` among the buffered bytes from `from` on, or -1. */
  private indexOf(byte: number, from: number): number {
    let base = 0;
    for (let i = 0; i < this.chunks.length; i++) {
      const chunk = i === 0 ? this.chunks[0]!.subarray(this.offset) : this.chunks[i]!;
      if (from < base + chunk.length) {
        const at = chunk.indexOf(byte, Math.max(0, from - base));
        if (at >= 0) return base + at;
      }
      base += chunk.length;
    }
    return -1;
  }

  /** The first `length` buffered bytes: a view when one chunk holds them. */
  private gather(length: number): Uint8Array {
    const first = this.chunks[0];
    if (first === undefined || length === 0) return new Uint8Array(0);
    if (first.length - this.offset >= length) return first.subarray(this.offset, this.offset + length);
    const bytes = new Uint8Array(length);
    let filled = 0;
    for (let i = 0; filled < length; i++) {
      const chunk = i === 0 ? first.subarray(this.offset) : this.chunks[i]!;
      const take = Math.min(chunk.length, length - filled);
      bytes.set(chunk.subarray(0, take), filled);
      filled += take;
    }
    return bytes;
  }

  private drop(length: number): void {
    this.buffered -= length;
    this.taken += length;
    let left = length;
    while (left > 0) {
      const available = this.chunks[0]!.length - this.offset;
      if (left < available) {
        this.offset += left;
        return;
      }
      left -= available;
      this.chunks.shift();
      this.offset = 0;
    }
  }
}
