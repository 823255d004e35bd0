// A child process of the fuzzer: reads mutants through the read paths it is asked for and reports each
// path's outcome as it finishes, so the parent knows which path was running when a hang, a crash or a
// memory blow-up ended the process.

import path from 'node:path';
import { ArrayRecordReader } from '../../src/index.js';
import { runCliPath, findCliEntry } from './cli-runner.js';
import { runPath } from './paths.js';
import { CLI_PATHS, type ChildMessage, type LimitSettings, type PathName, type RunRequest } from './protocol.js';
import { REPO_ROOT } from '../repo.js';

const limits = JSON.parse(process.env.ARRAY_RECORD_FUZZ_LIMITS ?? '{}') as LimitSettings;
let cliEntry: string | undefined;

function send(message: ChildMessage): void {
  process.send!(message);
}

/**
 * With ARRAY_RECORD_FUZZ_SELFTEST set, a file named selftest-hang, -crash or -memory makes the path
 * misbehave that way, so a test can check that the parent catches each.
 */
function selfTest(file: string): void {
  if (process.env.ARRAY_RECORD_FUZZ_SELFTEST === undefined) return;
  const name = file.split('/').pop() ?? '';
  if (name.startsWith('selftest-hang')) for (;;);
  if (name.startsWith('selftest-crash')) process.abort();
  if (name.startsWith('selftest-memory')) {
    const hoard: Buffer[] = [];
    for (;;) hoard.push(Buffer.alloc(64 * 1024 * 1024, 1));
  }
}

async function handle(request: RunRequest): Promise<void> {
  for (const name of request.paths) {
    send({ type: 'begin', id: request.id, path: name });
    selfTest(request.file);
    let outcome;
    if (CLI_PATHS.has(name)) {
      // The parent bundles the CLI once per run; without that build, run its source through tsx.
      cliEntry ??= process.env.ARRAY_RECORD_FUZZ_CLI ?? findCliEntry();
      // The CLI has its own limits (its process is not this one); the parent's timer allows for them.
      outcome = await runCliPath(cliEntry, name, request.file, limits);
    } else {
      outcome = await runPath(name as Exclude<PathName, 'cliInfo' | 'cliCat' | 'cliVerify'>, request.file, request.seed);
    }
    send({ type: 'result', id: request.id, path: name, outcome });
  }
  send({ type: 'done', id: request.id });
}

/**
 * Starts the read workers before the first timed path: on a busy machine their cold start (tsx compiling
 * the package in each worker) takes longer than a path's time limit and would count as a hang.
 */
async function warmUp(): Promise<void> {
  // The harness's self-test only needs children that start fast.
  if (process.env.ARRAY_RECORD_FUZZ_SELFTEST !== undefined) return;
  const file = path.join(REPO_ROOT, 'test/golden/digits.array_record-00000-of-00002');
  const reader = new ArrayRecordReader(file);
  try {
    await Promise.race([reader.readAllAsync(), new Promise((resolve) => setTimeout(resolve, WARM_UP_MS).unref())]);
  } finally {
    reader.close();
  }
}
const WARM_UP_MS = 45_000;

// One request at a time: the parent sends the next after 'done'.
let queue = Promise.resolve();
process.on('message', (request: RunRequest) => {
  queue = queue.then(() => handle(request));
});
// A failing warm-up is not this child's business: the paths will report what is wrong.
warmUp()
  .catch(() => undefined)
  .then(() => send({ type: 'ready' }));
