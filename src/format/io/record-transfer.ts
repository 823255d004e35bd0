// Records crossing a thread boundary: the buffers they view, transferred rather than copied, and each
// record's place in them. The read workers send their records this way, and the loader its blocks to
// the transform workers.

import * as workerThreads from 'node:worker_threads';

/** Record i is the bytes [starts[i], starts[i] + lengths[i]) of `buffers[bufferOf[i]]`. */
export interface TransferableRecords {
  /** The buffers holding the records; they can be transferred to another thread. */
  readonly buffers: ArrayBuffer[];
  /** Record i lies in `buffers[bufferOf[i]]`. */
  readonly bufferOf: Int32Array<ArrayBuffer>;
  /** Record i starts at byte `starts[i]` of its buffer. */
  readonly starts: Float64Array<ArrayBuffer>;
  /** Record i is `lengths[i]` bytes long. */
  readonly lengths: Float64Array<ArrayBuffer>;
}

/** Packs records into one new buffer that can be transferred: one copy instead of one clone per record. */
export function packRecords(records: readonly Uint8Array[]): TransferableRecords {
  const starts = new Float64Array(records.length);
  const lengths = new Float64Array(records.length);
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    starts[i] = total;
    lengths[i] = records[i]!.length;
    total += records[i]!.length;
  }
  const values = new Uint8Array(total);
  for (let i = 0; i < records.length; i++) values.set(records[i]!, starts[i]);
  return { buffers: [values.buffer], bufferOf: new Int32Array(records.length), starts, lengths };
}

/**
 * The records where they are, to transfer the buffers they view (the caller must own those buffers
 * whole: they become unusable here); undefined if one is not in a plain ArrayBuffer.
 */
export function recordsInPlace(records: readonly Uint8Array[]): TransferableRecords | undefined {
  const indexOf = new Map<ArrayBuffer, number>();
  const bufferOf = new Int32Array(records.length);
  const starts = new Float64Array(records.length);
  const lengths = new Float64Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const buffer = record.buffer;
    if (!(buffer instanceof ArrayBuffer)) return undefined;
    let index = indexOf.get(buffer);
    if (index === undefined) indexOf.set(buffer, (index = indexOf.size));
    bufferOf[i] = index;
    starts[i] = record.byteOffset;
    lengths[i] = record.byteLength;
  }
  return { buffers: [...indexOf.keys()], bufferOf, starts, lengths };
}

/** The records as views into the buffers that arrived. */
export function unpackRecords(transferred: TransferableRecords): Uint8Array[] {
  const { buffers, bufferOf, starts, lengths } = transferred;
  // One view per buffer, then subarray() per record: V8's fast path, where the constructor is not.
  const views = buffers.map((buffer) => new Uint8Array(buffer));
  const records = new Array<Uint8Array>(bufferOf.length);
  for (let i = 0; i < records.length; i++) records[i] = views[bufferOf[i]!]!.subarray(starts[i]!, starts[i]! + lengths[i]!);
  return records;
}

/**
 * Node 21+ says which buffers are marked untransferable (the shared slabs of plain reads, Node's
 * Buffer pool); on Node 20, which has no such test, postMessage copies them silently.
 */
const isMarkedAsUntransferable =
  (workerThreads as { isMarkedAsUntransferable?: (value: unknown) => boolean }).isMarkedAsUntransferable ?? (() => false);

/**
 * Everything of `transferred` to list for transfer. A buffer marked untransferable is left out, so
 * it is copied into the message instead: Node 22 and later throw a DataCloneError for one in the list.
 */
export function transferList(transferred: TransferableRecords): ArrayBuffer[] {
  const list = [transferred.bufferOf.buffer, transferred.starts.buffer, transferred.lengths.buffer];
  for (const buffer of transferred.buffers) if (!isMarkedAsUntransferable(buffer)) list.push(buffer);
  return list;
}
