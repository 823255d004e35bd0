// Resident memory of a process, read from /proc (Linux); undefined elsewhere or once it has exited.

import fs from 'node:fs';

/** VmRSS of `pid` in MiB. */
export function rssMb(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match === null ? undefined : Math.round(Number(match[1]) / 1024);
  } catch {
    return undefined;
  }
}
