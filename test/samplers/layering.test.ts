// The samplers layer knows no files: it imports only its own modules, the shared error types and option checks.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SOURCE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/samplers');

describe('src/samplers imports', () => {
  it('reach only ./*.js, ../format/errors.js and ../format/options-check.js', () => {
    const files = fs.readdirSync(SOURCE_DIR).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = fs.readFileSync(path.join(SOURCE_DIR, file), 'utf8');
      const specifiers = [...text.matchAll(/\bfrom\s+'([^']+)'/g)].map((match) => match[1]);
      for (const specifier of specifiers) {
        expect({ file, specifier, allowed: /^\.\/[a-z0-9-]+\.js$/.test(specifier!) || specifier === '../format/errors.js' || specifier === '../format/options-check.js' }).toEqual({
          file,
          specifier,
          allowed: true,
        });
      }
    }
  });
});
