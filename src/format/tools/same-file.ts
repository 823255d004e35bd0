// Refusing an output that is one of the inputs: writing it would destroy the data being read.

import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '../errors.js';

/** Device and inode of what `file` names (symlinks followed), or undefined when nothing is there. */
function identity(file: string): string | undefined {
  try {
    const stat = fs.statSync(file);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
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
