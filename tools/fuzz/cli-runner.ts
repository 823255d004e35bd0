// Runs the package's command-line tool on a file in a process of its own, with a time, memory and output
// limit, and turns what it printed into a PathOutcome. The entry point is looked up through package.json's
// "bin" at run time (the CLI's source may move between src/cli and bin/).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../repo.js';
import { digest } from './digest.js';
import type { LimitSettings, PathName, PathOutcome, PathStatus } from './protocol.js';
import { rssMb } from './rss.js';

/** A CLI command starts a process, reads the whole file and prints it: it gets this many path time limits. */
export const CLI_TIMEOUT_FACTOR = 3;
/** Output beyond this is a blow-up: no corpus file prints a tenth of it. */
const MAX_OUTPUT = 256 * 1024 * 1024;

/**
 * The TypeScript source of the `array-record` command: package.json's bin entry (a dist/ .js path) mapped
 * back to its source, or the known locations.
 * @throws Error when none exists.
 */
export function findCliEntry(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.['array-record'];
  const candidates: string[] = [];
  if (bin !== undefined) {
    const relative = bin.replace(/^\.\//, '').replace(/^dist\//, '');
    candidates.push(relative.replace(/\.js$/, '.ts'), relative);
  }
  candidates.push('bin/array-record.ts', 'src/cli/array-record.ts');
  for (const candidate of candidates) {
    const full = path.join(REPO_ROOT, candidate);
    if (fs.existsSync(full)) return full;
  }
  throw new Error(`cannot find the array-record command (tried ${candidates.join(', ')})`);
}

interface Spawned {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly killedFor: 'hang' | 'memory' | undefined;
  readonly detail: string;
}

function run(entry: string, args: readonly string[], limits: LimitSettings): Promise<Spawned> {
  return new Promise((resolve) => {
    // A .ts entry (no build) needs tsx; the built .js one runs on plain node.
    const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = spawn(process.execPath, [...loader, '--no-warnings', `--max-old-space-size=${limits.maxOldSpaceMb}`, entry, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let outLength = 0;
    let stderr = '';
    let killedFor: Spawned['killedFor'];
    let detail = '';
    const kill = (why: 'hang' | 'memory', text: string): void => {
      if (killedFor !== undefined) return;
      killedFor = why;
      detail = text;
      child.kill('SIGKILL');
    };
    child.stdout.on('data', (data: Buffer) => {
      outLength += data.length;
      if (outLength > MAX_OUTPUT) kill('memory', `printed more than ${MAX_OUTPUT} bytes`);
      else out.push(data);
    });
    child.stderr.on('data', (data: Buffer) => {
      if (stderr.length < 65536) stderr += data.toString('utf8');
    });
    // Start-up and printing are part of the budget: a CLI path gets three times an in-process path's.
    const timeout = CLI_TIMEOUT_FACTOR * limits.timeoutMs;
    const timer = setTimeout(() => kill('hang', `no exit after ${timeout} ms`), timeout);
    const poll = setInterval(() => {
      const rss = child.pid === undefined ? undefined : rssMb(child.pid);
      if (rss !== undefined && rss > limits.maxRssMb) kill('memory', `resident memory ${rss} MiB`);
    }, 100);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr, killedFor, detail });
    });
  });
}

/**
 * Status of a CLI error message. The CLI prints only the message, so a typed error cannot be told from an
 * untyped one: a message naming the file counts as typed, one that does not as 'unnamed' (BAD either way;
 * the message shape in the report tells which it was).
 */
function errorStatus(message: string, file: string): PathStatus {
  return message.includes(file) || message.includes(path.basename(file)) ? 'typed' : 'unnamed';
}

/** Runs one CLI path on `file`. */
export async function runCliPath(entry: string, name: PathName, file: string, limits: LimitSettings): Promise<PathOutcome> {
  const started = performance.now();
  const args = name === 'cliInfo' ? ['info', file] : name === 'cliVerify' ? ['verify', file] : ['cat', file, '--as', 'hex'];
  const result = await run(entry, args, limits);
  const ms = Math.round(performance.now() - started);
  const base = { keyKind: 'none' as const, keys: [] as number[], digests: [] as string[], complete: false, ms };
  if (result.killedFor !== undefined) return { ...base, status: result.killedFor, detail: result.detail };
  if (result.signal !== null || (result.code !== 0 && result.code !== 1)) {
    return { ...base, status: 'crash', detail: `exit ${result.code ?? result.signal}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  }
  const stdout = result.stdout.toString('utf8');
  if (name === 'cliCat') {
    const lines = stdout.split('\n');
    lines.pop();
    const keys = lines.map((_, i) => i);
    const digests = lines.map((line) => digest(Buffer.from(line, 'hex')));
    if (result.code === 0) return { ...base, status: 'ok', keyKind: 'index', keys, digests, complete: true, count: lines.length };
    const message = result.stderr.trim().replace(/^array-record: /, '');
    return { ...base, status: errorStatus(message, file), keyKind: 'index', keys, digests, error: { name: 'CLI', message } };
  }
  if (name === 'cliInfo') {
    const match = /records:\s+(\d+)/.exec(stdout);
    // `info` of a file it reads as plain Riegeli reports that format's count, not an ArrayRecord one.
    const asRiegeli = /format:\s+riegeli/.test(stdout);
    if (result.code === 0 && match !== null) return { ...base, status: 'ok', ...(asRiegeli ? {} : { numRecords: Number(match[1]) }) };
    const message = result.stderr.trim().replace(/^array-record: /, '') || stdout.trim();
    // Exit 0 without the expected output is a CLI that did not do its job: untyped.
    return { ...base, status: result.code === 0 ? 'untyped' : errorStatus(message, file), error: { name: 'CLI', message } };
  }
  // verify prints "<file>: ok, N records" or "<file>: <error message>".
  const line = stdout.trim().split('\n').pop() ?? '';
  const okMatch = /: ok, (\d+) records?$/.exec(line);
  if (result.code === 0 && okMatch !== null) return { ...base, status: 'ok', complete: true, numRecords: Number(okMatch[1]), count: Number(okMatch[1]) };
  const message = line.startsWith(`${file}: `) ? line.slice(file.length + 2) : line || result.stderr.trim();
  return { ...base, status: result.code === 0 ? 'untyped' : errorStatus(message, file), error: { name: 'CLI', message } };
}
