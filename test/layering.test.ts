// The layers of DESIGN.md, checked on every import of src/: data flows down, no module imports a layer above it.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');

/** Layer rank of a file under src/ (higher may import lower, never the reverse); the floors of DESIGN.md. */
function layerOf(relative: string): number {
  const file = relative.split(path.sep).join('/');
  if (file === 'format/errors.ts' || file === 'format/options-check.ts' || file === 'format/place.ts') return 0;
  if (file.startsWith('format/io/')) return 1;
  if (file.startsWith('format/riegeli/') || file.startsWith('format/tfrecord/')) return 2;
  if (file.startsWith('format/arrayrecord/') || file === 'format/index.ts') return 3;
  if (file.startsWith('format/tools/')) return 3.5;
  if (file.startsWith('samplers/')) return 4;
  if (file.startsWith('source/')) return 5;
  if (file.startsWith('loader/')) return 6;
  if (file.startsWith('example/')) return 7;
  if (file.startsWith('tfjs/')) return 8;
  if (file.startsWith('tfds/')) return 9;
  if (file === 'index.ts') return 10;
  if (file.startsWith('cli/')) return 11;
  throw new Error(`no layer for src/${file}`);
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('layering', () => {
  it('no module under src/ imports a layer above its own', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const text = fs.readFileSync(file, 'utf8');
      for (const [, specifier] of text.matchAll(/\b(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
        const target = path.relative(SRC, path.resolve(path.dirname(file), specifier!.replace(/\.js$/, '.ts')));
        const from = path.relative(SRC, file);
        if (layerOf(target) > layerOf(from)) violations.push(`${from} imports ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('only the tf.data adapter refers to tfjs, and only for types', () => {
    for (const file of sourceFiles(SRC)) {
      const text = fs.readFileSync(file, 'utf8');
      const tfjsImports = [...text.matchAll(/^import(\s+type)?[^;]*'@tensorflow\/[^']+'/gm)];
      if (path.relative(SRC, file) === path.join('tfjs', 'index.ts')) {
        expect(tfjsImports.every(([, typeOnly]) => typeOnly !== undefined)).toBe(true);
      } else {
        expect(tfjsImports, file).toEqual([]);
      }
    }
  });
});
