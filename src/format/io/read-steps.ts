// Logic that needs a few positioned reads, written once as a generator of read requests and run
// either synchronously or asynchronously against a ByteSource.

import type { ByteSource } from './byte-source.js';

/** One positioned read a step asks for. */
export interface ReadRequest {
  readonly offset: number;
  readonly length: number;
}

/** A computation that yields read requests, receives their bytes, and returns a result. */
export type ReadSteps<T> = Generator<ReadRequest, T, Uint8Array>;

/** Runs read steps with blocking reads. */
export function runSync<T>(steps: ReadSteps<T>, source: ByteSource): T {
  let next = steps.next();
  while (!next.done) next = steps.next(source.readSync(next.value.offset, next.value.length));
  return next.value;
}

/** Runs read steps with reads on libuv's thread pool. */
export async function runAsync<T>(steps: ReadSteps<T>, source: ByteSource): Promise<T> {
  let next = steps.next();
  while (!next.done) next = steps.next(await source.read(next.value.offset, next.value.length));
  return next.value;
}
