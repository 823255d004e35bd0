// The documentation's code is the code: every ```ts block of README.md and docs/*.md type-checks against
// the sources (`array-record` is src/index.ts, as tsconfig.json maps it), every block marked
// ```ts runnable runs to completion in an empty directory (the repository's node_modules linked), and
// every relative link leads to a file and heading that exist.
//
// Markup the blocks may use (invisible on GitHub):
//   <!-- prelude: declare const reader: import('array-record').ArrayRecordReader; -->
// right before a block adds declarations for the type-check only (what the page built earlier);
//   ```ts runnable
// runs the block with tsx, as a module (top-level await allowed), in a fresh temporary directory;
// `array-record` resolves to src/ through tsconfig.json's paths, as in examples/;
// a block whose first line is `// name.ts` is type-checked under that file name, so a later block of
// the same page can import it as './name.js'.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { LAUNCHER_VARIABLES } from '../helpers/launcher-variables.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Snippet {
  /** Page path relative to the repository root. */
  readonly page: string;
  /** 1-based line of the block's first code line in the page. */
  readonly line: number;
  readonly code: string;
  readonly prelude: string;
  readonly runnable: boolean;
  /** File name the block declares with a first line `// name.ts`. */
  readonly name: string | undefined;
}

function pages(): string[] {
  const docs = fs
    .readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

function snippetsOf(page: string): Snippet[] {
  const lines = fs.readFileSync(path.join(root, page), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  let prelude = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('<!-- prelude:')) {
      const body: string[] = [];
      let j = i;
      let text = line.slice('<!-- prelude:'.length);
      while (!text.includes('-->')) {
        body.push(text);
        text = lines[++j]!;
      }
      body.push(text.slice(0, text.indexOf('-->')));
      prelude = body.join('\n');
      i = j;
      continue;
    }
    const fence = /^```(\S*)\s*(.*)$/.exec(line);
    if (fence === null) {
      if (line.trim() !== '') prelude = '';
      continue;
    }
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    if (fence[1] === 'ts') {
      const code = lines.slice(i + 1, end).join('\n');
      const name = /^\/\/ ([\w.-]+\.ts)$/.exec(lines[i + 1] ?? '')?.[1];
      snippets.push({ page, line: i + 2, code, prelude, runnable: fence[2]!.split(/\s+/).includes('runnable'), name });
    }
    prelude = '';
    i = end;
  }
  return snippets;
}

const allSnippets = pages().flatMap(snippetsOf);

/** Type-checks every snippet in one program; returns the errors as `page:line: message`. */
function typeCheck(snippets: readonly Snippet[]): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  })!;
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, declaration: false, sourceMap: false, incremental: false };
  // Virtual files beside the tests, so that module resolution and "type": "module" apply as to a test.
  const virtual = new Map<string, { snippet: Snippet; text: string; preludeLines: number }>();
  snippets.forEach((snippet, k) => {
    const dir = path.join(root, 'test/docs/__snippets__', snippet.page.replace(/[/.]/g, '_'));
    const file = path.join(dir, snippet.name ?? `line-${snippet.line}-${k}.ts`).split(path.sep).join('/');
    const prelude = snippet.prelude === '' ? '' : `${snippet.prelude}\n`;
    virtual.set(file, { snippet, text: `${prelude}${snippet.code}\nexport {};\n`, preludeLines: prelude.split('\n').length - 1 });
  });
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  const dirs = new Set([...virtual.keys()].map((file) => path.posix.dirname(file)));
  host.fileExists = (file) => virtual.has(file) || fileExists.call(host, file);
  host.directoryExists = (dir) => dirs.has(dir.replace(/\/$/, '')) || (directoryExists?.call(host, dir) ?? ts.sys.directoryExists(dir));
  host.readFile = (file) => virtual.get(file)?.text ?? readFile.call(host, file);
  host.getSourceFile = (file, language, onError, create) => {
    const entry = virtual.get(file);
    return entry === undefined ? getSourceFile.call(host, file, language, onError, create) : ts.createSourceFile(file, entry.text, language, true);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const errors: string[] = [];
  for (const [file, { snippet, preludeLines }] of virtual) {
    const source = program.getSourceFile(file)!;
    for (const diagnostic of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const { line } = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      const where = line < preludeLines ? `${snippet.page}:${snippet.line} (prelude)` : `${snippet.page}:${snippet.line + line - preludeLines}`;
      errors.push(`${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    }
  }
  return errors;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens; repeats get -1, -2, ... */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading === null) continue;
    const text = heading[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\- _]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

describe('documentation', () => {
  it('has code blocks to check, on every page', () => {
    for (const page of pages().filter((page) => page !== 'docs/README.md')) {
      expect(allSnippets.some((snippet) => snippet.page === page), `${page} has no \`\`\`ts block`).toBe(true);
    }
    expect(allSnippets.filter((snippet) => snippet.runnable).length).toBeGreaterThan(5);
  });

  it('every ```ts block type-checks against the sources', { timeout: 300_000 }, () => {
    expect(typeCheck(allSnippets)).toEqual([]);
  });

  it('every relative link leads to an existing file and heading', () => {
    const broken: string[] = [];
    for (const page of pages()) {
      const text = fs.readFileSync(path.join(root, page), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [file, anchor] = target!.split('#') as [string, string | undefined];
        const resolved = file === '' ? path.join(root, page) : path.join(root, path.dirname(page), file);
        if (!fs.existsSync(resolved)) {
          broken.push(`${page}: ${target} (no such file)`);
        } else if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(fs.readFileSync(resolved, 'utf8')).has(anchor)) {
          broken.push(`${page}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  const tsx = createRequire(import.meta.url).resolve('tsx');
  const runnable = allSnippets.filter((snippet) => snippet.runnable);
  // One process, one rank: the blocks that read a launcher's variables see none.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !(LAUNCHER_VARIABLES as readonly string[]).includes(key)));
  it.each(runnable.map((snippet) => [`${snippet.page}:${snippet.line}`, snippet] as const))('%s runs', { timeout: 180_000 }, (_, snippet) => {
    expect(snippet.prelude, 'a runnable block declares nothing it does not define').toBe('');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-snippet-'));
    try {
      fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
      // The repository's packages (@tensorflow/tfjs, ...) resolve from the block as from the repository.
      fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      fs.writeFileSync(path.join(dir, 'snippet.ts'), snippet.code);
      const result = spawnSync(process.execPath, ['--import', tsx, 'snippet.ts'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 170_000,
        env: { ...env, TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json') },
      });
      expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
