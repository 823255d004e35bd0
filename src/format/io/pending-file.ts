// An output file written under a temporary name beside its target and renamed into place only when
// complete, so that a failed or interrupted run never leaves a partial file under the final name.

import fs from 'node:fs';
import path from 'node:path';
import { IoError } from '../errors.js';

/** Temporary files of this process not yet committed or discarded, for `discardPendingFiles`. */
const pending = new Set<string>();
let counter = 0;

/**
 * A file being written: write to `tempPath`, then `commit()` renames it to `path` (atomic on one file
 * system) or `discard()` deletes it.
 * @example
 * const file = PendingFile.beside('out.array_record');
 * try {
 *   const writer = new ArrayRecordWriter(file.tempPath);
 *   writer.write('x');
 *   writer.close();
 *   file.commit();
 * } finally {
 *   file.discard(); // no-op after commit
 * }
 */
export class PendingFile {
  private done = false;

  private constructor(
    /** Where the file goes once complete. */
    readonly path: string,
    /** Where it is written meanwhile: a hidden name in the same directory. */
    readonly tempPath: string,
  ) {}

  /** Chooses a temporary name beside `target` (nothing is created yet) and registers it. */
  static beside(target: string): PendingFile {
    const dir = path.dirname(target);
    const tempPath = path.join(dir, `.${path.basename(target)}.${process.pid}-${++counter}.partial`);
    pending.add(tempPath);
    return new PendingFile(target, tempPath);
  }

  /**
   * Renames the finished file to its final name (replacing what was there), then syncs the directory
   * so the rename survives a crash. @throws IoError when the rename fails (the temporary file is deleted).
   */
  commit(): void {
    if (this.done) return;
    try {
      fs.renameSync(this.tempPath, this.path);
    } catch (cause) {
      this.discard();
      throw new IoError(`cannot move the finished file into place: ${(cause as Error).message}`, { path: this.path }, cause);
    }
    this.done = true;
    pending.delete(this.tempPath);
    syncDirectory(path.dirname(this.path));
  }

  /**
   * Deletes the temporary file, if any; idempotent, and a no-op after `commit()`. Never throws: it runs
   * after a failure (one creating the file, say, when its directory is a file: ENOTDIR), and that
   * failure is the one to report.
   */
  discard(): void {
    if (this.done) return;
    this.done = true;
    pending.delete(this.tempPath);
    try {
      fs.rmSync(this.tempPath, { force: true });
    } catch {
      // `force` ignores only ENOENT; a path that cannot exist (ENOTDIR) holds no file to delete either.
    }
  }
}

/**
 * Deletes every temporary file of this process that was neither committed nor discarded, and returns
 * their paths: for a signal handler that ends the process in the middle of writing.
 */
export function discardPendingFiles(): string[] {
  const paths = [...pending];
  for (const file of paths) {
    try {
      fs.rmSync(file, { force: true });
    } catch {
      // Best effort: the process is ending.
    }
    pending.delete(file);
  }
  return paths;
}

/** fsyncs a directory so a rename in it is durable; file systems that cannot do it are left alone. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Not every platform or file system can fsync a directory; the rename itself has happened.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
