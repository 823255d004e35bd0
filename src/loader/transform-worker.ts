// A transform worker: imports the user's module of transforms once, then runs blocks of records through
// them and sends the kept values back, transferring their buffers rather than copying them.

import { parentPort } from 'node:worker_threads';
import { InvalidArgumentError } from '../format/errors.js';
import { unpackRecords } from '../format/io/record-transfer.js';
import type { RunRequest, TransformRequest, TransformResponse, WorkerError } from './transform-protocol.js';
import { applyTransforms, TransformFailure } from './apply-transforms.js';
import { TimedSteps, timeTransforms } from './transform-timing.js';
import { checkTransforms, describeTransforms, type Transform } from './transforms.js';
import { workerError } from './worker-error.js';

const port = parentPort!;
/** The user's steps, timed (undefined for an empty list). */
let loaded: Promise<{ transforms: readonly Transform[]; timed: TimedSteps | undefined; seed: number | undefined }> | undefined;

/** Imports the user's module; a TypeScript module needs tsx in this thread, which the built package must register. */
async function importModule(href: string): Promise<Record<string, unknown>> {
  if (/\.[cm]?ts$/.test(new URL(href).pathname) && import.meta.url.endsWith('.js')) {
    const tsxApi = 'tsx/esm/api';
    try {
      ((await import(tsxApi)) as { register(): void }).register();
    } catch {
      // tsx is not installed: the import below then fails with Node's own message about the .ts file.
    }
  }
  return (await import(href)) as Record<string, unknown>;
}

/** The buffers of the values to transfer back: typed arrays and ArrayBuffers, also one level inside arrays and objects. */
function transferables(values: readonly unknown[], kept: Int32Array<ArrayBuffer>): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>([kept.buffer]);
  // Empty buffers are left out: a detached one (byteLength 0), such as a module-level array an earlier
  // block's results already took to the main thread, makes postMessage drop the whole message without a
  // word (Node 20), and the block would never be answered. Left out, cloning it fails, which is reported.
  const add = (value: unknown): void => {
    const buffer = value instanceof ArrayBuffer ? value : ArrayBuffer.isView(value) ? value.buffer : undefined;
    if (buffer instanceof ArrayBuffer && buffer.byteLength > 0) buffers.add(buffer);
  };
  for (const value of values) {
    add(value);
    if (Array.isArray(value)) for (const item of value) add(item);
    else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) for (const item of Object.values(value)) add(item);
  }
  return [...buffers];
}

/** Posts a response, transferring the buffers of its values; copies when some buffer cannot be transferred. */
function send(response: TransformResponse & { values: unknown[]; kept: Int32Array<ArrayBuffer> }): void {
  try {
    port.postMessage(response, transferables(response.values, response.kept));
    return;
  } catch {
    // A buffer that cannot be transferred (shared, or already detached): send copies instead.
  }
  port.postMessage(response);
}

/**
 * The failure of the first value of a block that cannot be posted (a function, a symbol, a detached
 * buffer), named at its element and the step that made it, so the values before it still arrive;
 * undefined when each value can be posted on its own.
 */
function unsendable(transforms: readonly Transform[], values: unknown[], kept: Int32Array<ArrayBuffer>): TransformFailure | undefined {
  for (let index = 0; index < values.length; index++) {
    try {
      structuredClone(values[index]);
    } catch (error) {
      let step = transforms.length - 1;
      while (step > 0 && transforms[step]!.kind !== 'map') step--;
      const cause = new InvalidArgumentError(
        `its result cannot be sent back from the transform worker: ${(error as Error).message} ` +
          `(worker transforms must return values postMessage can copy: no functions or symbols, and arrays in fresh ` +
          `buffers, not views of buffers the module keeps, which an earlier block's results took to the main thread)`,
      );
      return new TransformFailure(kept[index]!, step, transforms[step]?.name ?? '', cause, { values: values.slice(0, index), kept: kept.slice(0, index) });
    }
  }
  return undefined;
}

async function run(request: RunRequest): Promise<void> {
  const { id } = request;
  try {
    const { transforms, timed, seed } = await loaded!;
    const records = unpackRecords(request);
    const { values, kept, timing } = await (timed === undefined
      ? applyTransforms(transforms, records, request.epoch, request.sources, request.keys, seed)
      : timeTransforms(timed, records, request.epoch, request.sources, request.keys, seed));
    try {
      send({ kind: 'done', id, values, kept, timing });
    } catch (error) {
      throw unsendable(transforms, values, kept) ?? error;
    }
  } catch (error) {
    if (error instanceof TransformFailure) {
      const { element, step, stepName, cause, before } = error;
      try {
        send({ kind: 'failed', id, element, step, stepName, failure: workerError(cause), ...before });
        return;
      } catch {
        // The values before the failure cannot be sent either: report the block as a whole below.
      }
    }
    const failure = workerError(error instanceof TransformFailure ? error.cause : error);
    const failed = (reported: WorkerError): TransformResponse => ({ kind: 'failed', id, element: -1, step: -1, stepName: '', failure: reported, values: [], kept: new Int32Array(0) });
    try {
      port.postMessage(failed(failure));
    } catch (cloning) {
      // Something in the description cannot be posted: the loader must hear of the failure all the same.
      port.postMessage(failed(workerError(new Error(`${failure.message} (its details could not be sent: ${(cloning as Error).message})`))));
    }
  }
}

port.on('message', (request: TransformRequest) => {
  if (request.kind === 'init') {
    loaded = (async () => {
      const module = await importModule(request.moduleUrl);
      const transforms = checkTransforms(module[request.exportName], `export '${request.exportName}' of ${request.moduleUrl}`);
      return { transforms, timed: transforms.length === 0 ? undefined : new TimedSteps(transforms), seed: request.seed };
    })();
    loaded.then(
      ({ transforms }) => port.postMessage({ kind: 'ready', shape: describeTransforms(transforms) } satisfies TransformResponse),
      (error: unknown) => port.postMessage({ kind: 'init-failed', failure: workerError(error) } satisfies TransformResponse),
    );
    return;
  }
  void run(request);
});
