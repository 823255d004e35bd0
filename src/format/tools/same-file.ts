// Refusing an output that is one of the inputs (writing it would destroy the data being read), and an
// output that cannot be renamed into place (a directory, a missing directory), before anything is written.

import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, IoError } from '../errors.js';

/** Device and inode of what `file` names (symlinks followed), or undefined when nothing is there. */
function identity(file: string): string | undefined {
  const stat = statOf(file);
  return stat === undefined ? undefined : `${stat.dev}:${stat.ino}`;
}

/**
 * Throws when any of `outputs` is the same file as any of `inputs`: the same real path, a symlink to
 * it, or a hard link (same device and inode). Paths that do not exist yet cannot be inputs.
 * @throws InvalidArgumentError naming both.
 * @example assertOutputsAreNotInputs(['f'], ['f']) // throws: the output f is the input f
 */
export function assertOutputsAreNotInputs(outputs: readonly string[], inputs: readonly string[]): void {
  const inputIds = new Map<string, string>();
  for (const input of inputs) {
    const id = identity(input);
    if (id !== undefined) inputIds.set(id, input);
  }
  const inputPaths = new Map(inputs.map((input) => [path.resolve(input), input]));
  for (const output of outputs) {
    const id = identity(output);
    const input = (id === undefined ? undefined : inputIds.get(id)) ?? inputPaths.get(path.resolve(output));
    if (input !== undefined) {
      throw new InvalidArgumentError(`the output ${output} is the input ${input}: writing it would destroy what is being read`, { path: output });
    }
  }
}

/**
 * Throws unless each of `outputs` names a file that a finished temporary file beside it can be renamed
 * to. Checked before anything is written: the rename is the last step, and when it failed for the
 * second of several shards the first was already in place (replacing a file of that name), so a failed
 * run would leave half a set of outputs behind.
 * @throws InvalidArgumentError for an empty name or a directory; IoError when the directory to write in
 *   does not exist or is not a directory.
 * @example assertOutputsAreFiles(['out/']) // throws: the output out/ is a directory
 */
export function assertOutputsAreFiles(outputs: readonly string[]): void {
  for (const output of outputs) {
    if (output === '') throw new InvalidArgumentError('an output needs a file name, got ""');
    // A name ending in a separator, '.' or '..' names a directory whatever is there; a symlink to a
    // directory is refused too, rather than replaced by the file (rename would replace the link).
    const base = path.basename(output);
    const isDirectory = output.endsWith('/') || output.endsWith(path.sep) || base === '.' || base === '..' || statOf(output)?.isDirectory() === true;
    if (isDirectory) throw new InvalidArgumentError(`the output ${output} is a directory: name a file to write`, { path: output });
    const parent = path.dirname(output);
    const parentStat = statOf(parent);
    if (parentStat?.isDirectory() !== true) {
      const found = parentStat === undefined ? 'does not exist' : 'is not a directory';
      throw new IoError(`cannot write ${output}: expected a directory at ${parent}, but it ${found}`, { path: output });
    }
  }
}

/** What `file` names (symlinks followed), or undefined when nothing can be there. */
function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}
