// Read instructions: Python's "path[start:end]" strings (and open-ended forms), slice objects, TFDS instructions, errors.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReadInstruction, toFileSlices } from '../../src/source/read-instructions.js';
import { InvalidArgumentError } from '../../src/format/errors.js';

describe('parseReadInstruction', () => {
  it('reads a plain path as the whole file', () => {
    expect(parseReadInstruction('data/train.array_record-00000-of-00008')).toEqual({
      path: 'data/train.array_record-00000-of-00008',
      start: 0,
      end: undefined,
    });
  });

  it('reads closed and open-ended slices', () => {
    expect(parseReadInstruction('a.ar[0:3]')).toEqual({ path: 'a.ar', start: 0, end: 3 });
    expect(parseReadInstruction('a.ar[2:]')).toEqual({ path: 'a.ar', start: 2, end: undefined });
    expect(parseReadInstruction('a.ar[:4]')).toEqual({ path: 'a.ar', start: 0, end: 4 });
    expect(parseReadInstruction('a.ar[:]')).toEqual({ path: 'a.ar', start: 0, end: undefined });
    expect(parseReadInstruction('a.ar[3:3]')).toEqual({ path: 'a.ar', start: 3, end: 3 });
  });

  it('takes the last bracket as the slice, like upstream greedy (.*)', () => {
    expect(parseReadInstruction('dir[1:2]/x[4:5]')).toEqual({ path: 'dir[1:2]/x', start: 4, end: 5 });
    expect(parseReadInstruction('dir[1:2]/x')).toEqual({ path: 'dir[1:2]/x', start: 0, end: undefined });
  });

  it('refuses a slice gone wrong (negative bounds, steps, words) unless a file has that very name, which upstream reads', () => {
    for (const text of ['a[-1:3]', 'a[1:3:2]', 'a[x:y]', 's3://b/train[-2:]']) {
      expect(() => parseReadInstruction(text)).toThrow(InvalidArgumentError);
    }
    expect(() => parseReadInstruction('a[-2:]')).toThrow('read instruction a[-2:]: a slice is path[start:end], its bounds non-negative decimal record numbers, either one optional');
    // No colon, no slice: a path, as upstream.
    expect(parseReadInstruction('a[1]').path).toBe('a[1]');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'read-instructions-'));
    try {
      const literal = path.join(dir, 'odd[-1:3]');
      fs.writeFileSync(literal, '');
      expect(parseReadInstruction(literal)).toEqual({ path: literal, start: 0, end: undefined });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a slice that starts after it ends, or bounds beyond safe integers', () => {
    expect(() => parseReadInstruction('a[5:3]')).toThrow(InvalidArgumentError);
    expect(() => parseReadInstruction('a[5:3]')).toThrow(/a\[5:3\] starts after it ends \(5 > 3\)/);
    expect(() => parseReadInstruction('a[0:99999999999999999999]')).toThrow(/end must be a non-negative safe integer/);
  });

  it('round-trips any slice written as path[start:end]', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(), fc.nat(), (path, a, b) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        expect(parseReadInstruction(`${path}[${start}:${end}]`)).toEqual({ path, start, end });
      }),
    );
  });
});

describe('toFileSlices', () => {
  it('takes one entry or a list, strings and objects mixed', () => {
    expect(toFileSlices('a')).toEqual([{ path: 'a', start: 0, end: undefined }]);
    expect(toFileSlices({ path: 'a', start: 1 })).toEqual([{ path: 'a', start: 1, end: undefined }]);
    expect(toFileSlices(['a[1:2]', { path: 'b' }, { path: 'c', end: 7 }, { path: 'd', start: 2, end: 4 }])).toEqual([
      { path: 'a', start: 1, end: 2 },
      { path: 'b', start: 0, end: undefined },
      { path: 'c', start: 0, end: 7 },
      { path: 'd', start: 2, end: 4 },
    ]);
  });

  it('takes TFDS file instructions, take -1 meaning the rest of the file', () => {
    expect(toFileSlices([{ filename: 'a', skip: 2, take: 3, examples_in_shard: 10 }, { filename: 'b', skip: 4, take: -1 }])).toEqual([
      { path: 'a', start: 2, end: 5 },
      { path: 'b', start: 4, end: undefined },
    ]);
  });

  it('does not treat brackets in an object path as a slice', () => {
    expect(toFileSlices({ path: 'a[1:2]' })).toEqual([{ path: 'a[1:2]', start: 0, end: undefined }]);
  });

  it('rejects empty lists, empty paths, other types and bad bounds', () => {
    const bad: unknown[] = [
      [],
      '',
      [''],
      [42],
      [null],
      [{}],
      [{ path: '' }],
      [{ path: 'a', start: -1 }],
      [{ path: 'a', start: 1.5 }],
      [{ path: 'a', end: '3' }],
      [{ path: 'a', start: 4, end: 3 }],
      [{ filename: 'a', skip: 0, take: -2 }],
      [{ filename: 'a', skip: -1, take: 1 }],
      [{ filename: 'a', skip: 0 }],
    ];
    for (const paths of bad) expect(() => toFileSlices(paths as never), JSON.stringify(paths)).toThrow(InvalidArgumentError);
  });

  it('names the entry in its errors', () => {
    expect(() => toFileSlices(['a', 7 as never])).toThrow(/path 1 of the data source must be a path string/);
    expect(() => toFileSlices([{ path: 'x.ar', start: -2 }])).toThrow(/\{"path":"x.ar","start":-2\}: start must be/);
  });
});
