// The repository root, for spawning the CLI and child processes with tsx resolvable.

import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** tools/.. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
