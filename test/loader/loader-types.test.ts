// The DataLoader's output type follows from its options: records -> each transform -> element -> batch or
// collate. Checked by the compiler (npx tsc --noEmit covers test/): expectTypeOf and @ts-expect-error
// lines fail the type check when inference is wrong or a wrong type argument is accepted.

import { describe, expect, expectTypeOf, it } from 'vitest';
import { DataLoader, filter, map, type Transform } from '../../src/index.js';
import { SequentialSampler } from '../../src/samplers/index.js';
import { MemorySource, text } from './loader-helpers.js';

const source = new MemorySource('t', 4);
const sampler = new SequentialSampler({ numRecords: 4 });
const decode = map((record: Uint8Array) => text(record), 'decode');

describe('DataLoader output type', () => {
  it('infers the element from the transforms and the batch from batchSize, without annotations', async () => {
    const lengths = new DataLoader({ source, sampler, transforms: [map((record) => record.length)], batchSize: 4 });
    expectTypeOf(lengths).toEqualTypeOf<DataLoader<number[]>>();
    expect(await collect(lengths)).toEqual([[3, 3, 3, 3]]);

    const elements = new DataLoader({ source, sampler, transforms: [map((record) => record.length)] });
    expectTypeOf(elements).toEqualTypeOf<DataLoader<number>>();
    expectTypeOf(new DataLoader({ source, sampler })).toEqualTypeOf<DataLoader<Uint8Array>>();
    expectTypeOf(new DataLoader({ source, sampler, batchSize: 2 })).toEqualTypeOf<DataLoader<Uint8Array[]>>();
  });

  it('follows a chain of steps, async maps and type-guard filters', () => {
    const chained = new DataLoader({
      source,
      sampler,
      transforms: [decode, map((value: string) => value.length), map(async (length: number) => ({ length }))],
      batchSize: 2,
    });
    expectTypeOf(chained).toEqualTypeOf<DataLoader<{ length: number }[]>>();
    const narrowed = new DataLoader({
      source,
      sampler,
      transforms: [map((record) => (record.length > 3 ? null : text(record))), filter((value: string | null): value is string => value !== null)],
    });
    expectTypeOf(narrowed).toEqualTypeOf<DataLoader<string>>();
    // A later step may leave its parameter unannotated when it takes anything.
    expectTypeOf(new DataLoader({ source, sampler, transforms: [decode, map((value) => String(value))] })).toEqualTypeOf<DataLoader<string>>();
  });

  it("takes collate's return type, with the items typed from the transforms", () => {
    const joined = new DataLoader({ source, sampler, transforms: [decode], batchSize: 2, collate: (items) => items.join('|') });
    expectTypeOf(joined).toEqualTypeOf<DataLoader<string>>();
    const counted = new DataLoader({ source, sampler, batchSize: 2, collate: (items) => items.map((record) => record.byteLength) });
    expectTypeOf(counted).toEqualTypeOf<DataLoader<number[]>>();
  });

  it('needs the type where workers run transforms it cannot see, and for a list in an array variable', () => {
    const module = new URL('./fixtures/loader-transforms.js', import.meta.url);
    expectTypeOf(new DataLoader({ source, sampler, workers: 1, transformModule: module, batchSize: 2 })).toEqualTypeOf<DataLoader<unknown[]>>();
    expectTypeOf(new DataLoader<{ value: string }[]>({ source, sampler, workers: 1, transformModule: module, batchSize: 2 })).toEqualTypeOf<
      DataLoader<{ value: string }[]>
    >();
    const list = [decode, map((value: string) => value.length)];
    expectTypeOf(new DataLoader({ source, sampler, transforms: list })).toEqualTypeOf<DataLoader<unknown>>();
    const tuple = [decode, map((value: string) => value.length)] as const;
    expectTypeOf(new DataLoader({ source, sampler, transforms: tuple })).toEqualTypeOf<DataLoader<number>>();
    const untyped: readonly Transform[] = list;
    expectTypeOf(new DataLoader<number[]>({ source, sampler, transforms: untyped, batchSize: 2 })).toEqualTypeOf<DataLoader<number[]>>();
  });

  it('accepts a right type argument and checks it against the options', () => {
    expectTypeOf(new DataLoader<string[]>({ source, sampler, transforms: [map((record) => text(record))], batchSize: 4 })).toEqualTypeOf<
      DataLoader<string[]>
    >();
    expectTypeOf(new DataLoader<Uint8Array>({ source, sampler })).toEqualTypeOf<DataLoader<Uint8Array>>();
    expectTypeOf(new DataLoader<number>({ source, sampler, batchSize: 2, collate: (items: Uint8Array[]) => items.length })).toEqualTypeOf<
      DataLoader<number>
    >();
    const sameOutputs = [map((record: Uint8Array) => text(record))];
    expectTypeOf(new DataLoader<string>({ source, sampler, transforms: sameOutputs })).toEqualTypeOf<DataLoader<string>>();
  });

  it('rejects wrong types at compile time', () => {
    const fails = (build: () => unknown): void => expect(build).toBeTypeOf('function');
    // The case: a transform returning numbers under an explicit string[].
    // @ts-expect-error the list ends in number, not string
    fails(() => new DataLoader<string[]>({ source, sampler, transforms: [map((record) => record.length)], batchSize: 4 }));
    // @ts-expect-error records are Uint8Array, not string
    fails(() => new DataLoader<string[]>({ source, sampler, batchSize: 4 }));
    // @ts-expect-error without batchSize the output is the element, not an array
    fails(() => new DataLoader<number[]>({ source, sampler, transforms: [map((record) => record.length)] }));
    // @ts-expect-error collate returns a number, not a string
    fails(() => new DataLoader<string>({ source, sampler, batchSize: 2, collate: (items: Uint8Array[]) => items.length }));
    const mixed = [decode, map((value: string) => value.length)];
    // @ts-expect-error a list in a variable (order unknown) whose steps do not all yield the element type
    fails(() => new DataLoader<number>({ source, sampler, transforms: mixed }));
    // @ts-expect-error step 1 takes a string but receives a number
    fails(() => new DataLoader({ source, sampler, transforms: [map((record) => record.length), map((value: string) => value)] }));
    // @ts-expect-error step 0 must take a record
    fails(() => new DataLoader({ source, sampler, transforms: [map((value: string) => value.length)] }));
    // @ts-expect-error a later step's parameter is unknown until annotated
    fails(() => new DataLoader({ source, sampler, transforms: [decode, map((value) => value.toUpperCase())] }));
    // @ts-expect-error collate's items are strings here
    fails(() => new DataLoader({ source, sampler, transforms: [decode], batchSize: 2, collate: (items: number[]) => items }));
  });
});

async function collect<T>(loader: DataLoader<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of loader) out.push(value);
  await loader.close();
  return out;
}
