// Running the array-record command as a user does, in a child process, with its exit status, stdout and
// stderr: `node <entry>` where the entry is bin/array-record.ts bundled for this run by
// test/global-setup.ts, as the package's dist/lib/array-record.js is.

import { spawn, spawnSync } from 'node:child_process';
import { inject } from 'vitest';

/** The command's entry point (JavaScript, run with plain node). */
export const CLI = inject('cliEntry');
/** The command line that runs it, for shell pipelines (the paths here have no spaces). */
export const CLI_COMMAND = `${process.execPath} ${CLI}`;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the command with `args` (and `input` on stdin), waiting for it to end. */
export function run(args: readonly string[], input?: string | Uint8Array): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, maxBuffer: 256 << 20 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the command with `args`, returning stdout as bytes. */
export function runBinary(args: readonly string[], input?: Uint8Array): { code: number | null; stdout: Buffer; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { input, maxBuffer: 256 << 20 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr.toString('utf8') };
}

/** Runs a bash command line (pipelines), `$CLI` standing for the command. */
export function shell(script: string): CliResult {
  const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, CLI: CLI_COMMAND }, maxBuffer: 256 << 20 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * `run` without blocking this process's event loop, for a test whose server lives in this process;
 * `env` is added to this process's environment.
 */
export function runAsync(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
