// A missing zstd-napi build is an UnsupportedError that says how to build it, not a crash at import.

import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../src/format/errors.js';
import { loadZstdBinding, zstdBinding } from '../../src/format/riegeli/zstd-binding.js';

describe('the zstd addon', () => {
  it('loads once and is the same module after', () => {
    expect(zstdBinding()).toBe(zstdBinding());
    expect(typeof zstdBinding().DCtx).toBe('function');
  });

  it('turns a failed load into an UnsupportedError naming the fix', () => {
    const missing = new Error("Cannot find module '../build/Release/binding.node'\nRequire stack: ...");
    let error: unknown;
    try {
      loadZstdBinding(() => {
        throw missing;
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as UnsupportedError).message).toMatch(/zstd needs the zstd-napi native addon, which could not be loaded \(Cannot find module '\.\.\/build\/Release\/binding\.node'\)\./);
    expect((error as UnsupportedError).message).toMatch(/npm install-scripts approve zstd-napi && npm rebuild zstd-napi/);
    expect((error as UnsupportedError).cause).toBe(missing);
  });
});
