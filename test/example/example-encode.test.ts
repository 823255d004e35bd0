// encodeExample / encodeSequenceExample: the golden records byte for byte, exact layouts, and rejected inputs.

import { describe, expect, it } from 'vitest';
import { goldenSidecar, sha256 } from '../helpers/golden.js';
import { InvalidArgumentError } from '../../src/format/errors.js';
import {
  bytesFeature,
  encodeExample,
  encodeSequenceExample,
  floatFeature,
  int64Feature,
  type FeatureInput,
} from '../../src/example/index.js';
import { packedRoot, toObjectOptions } from './example-proto.js';
import { goldenExample } from './golden-examples.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('encodeExample', () => {
  it("rebuilds every golden tf.Example record byte for byte (the README's rule)", () => {
    const sidecar = goldenSidecar('tfex_zstd3_g1.array_record');
    expect(sidecar.record_rule).toBe('tf_example');
    expect(sidecar.sha256.length).toBe(500);
    const mismatches = sidecar.sha256.filter((expected, i) => sha256(goldenExample(i)) !== expected);
    expect(mismatches).toEqual([]);
  });

  it('writes the documented layout: sorted entries, key then value, packed lists', () => {
    const record = encodeExample({ b: floatFeature([1]), a: int64Feature([300]) });
    expect(hex(record)).toBe(
      '0a1c' + '0a0b0a016112061a040a02ac02' + '0a0d0a0162120812060a040000803f',
    );
  });

  it('sorts keys by UTF-8 bytes, not UTF-16 code units', () => {
    const record = encodeExample({ '\u{1F600}': int64Feature([1]), '\uFFFD': int64Feature([2]) });
    const decoded = packedRoot.lookupType('Example').decode(record) as unknown as { features: { feature: object } };
    expect(Object.keys(decoded.features.feature)).toEqual(['\uFFFD', '\u{1F600}']);
  });

  it('writes negative int64 as 10-byte varints and takes bigints across the whole range', () => {
    expect(hex(encodeExample({ v: int64Feature([-1]) }))).toBe('0a150a130a0176120e1a0c0a0a' + 'ff'.repeat(9) + '01');
    const extremes = encodeExample({ v: int64Feature([-(2n ** 63n), 2n ** 63n - 1n, 2 ** 53 - 1]) });
    const decoded = packedRoot.lookupType('Example').toObject(packedRoot.lookupType('Example').decode(extremes), toObjectOptions);
    expect((decoded as { features: { feature: { v: { int64List: { value: string[] } } } } }).features.feature.v.int64List.value).toEqual([
      String(-(2n ** 63n)),
      String(2n ** 63n - 1n),
      String(2 ** 53 - 1),
    ]);
  });

  it('writes empty lists as empty list messages and an empty Example as an empty Features', () => {
    expect(hex(encodeExample({ e: int64Feature([]), f: floatFeature([]), g: bytesFeature([]) }))).toBe(
      '0a1b' + '0a070a01651202' + '1a00' + '0a070a01661202' + '1200' + '0a070a01671202' + '0a00',
    );
    expect(hex(encodeExample({}))).toBe('0a00');
    expect(hex(encodeExample({ '': bytesFeature(['', Uint8Array.of(7)]) }))).toBe('0a0d0a0b0a0012070a050a000a0107');
  });

  it('rounds float values to float32', () => {
    const record = encodeExample({ f: floatFeature([0.1]) });
    expect(hex(record.subarray(record.length - 4))).toBe(hex(new Uint8Array(new Float32Array([0.1]).buffer)));
  });

  it('rejects features that are not exactly one list of valid values', () => {
    const bad: unknown[] = [
      { int64List: [1.5] },
      { int64List: [2 ** 53] },
      { int64List: [2n ** 63n] },
      { int64List: ['1'] },
      { floatList: ['1'] },
      { bytesList: [1] },
      { bytesList: 'abc' },
      { int64List: [1], floatList: [1] },
      {},
      null,
      7,
    ];
    for (const feature of bad) {
      expect(() => encodeExample({ k: feature as FeatureInput })).toThrow(InvalidArgumentError);
    }
    expect(() => encodeExample({ k: { floatList: [1], extra: 1 } as FeatureInput })).not.toThrow();
    expect(() => encodeExample(null as unknown as Record<string, FeatureInput>)).toThrow(InvalidArgumentError);
    expect(() => encodeExample({ k: { int64List: [1, 0.5] } })).toThrow(/feature 'k': int64List\[1\] = 0.5 is not a safe integer/);
  });
});

describe('encodeSequenceExample', () => {
  const type = packedRoot.lookupType('SequenceExample');

  it('writes context and feature lists that protobufjs reads back', () => {
    const record = encodeSequenceExample({
      context: { length: int64Feature([2]), title: bytesFeature(['t']) },
      featureLists: {
        tokens: [int64Feature([1, 2]), int64Feature([3])],
        frames: [floatFeature([0.5, 1]), floatFeature([2, 4])],
        empty: [],
      },
    });
    const decoded = type.toObject(type.decode(record), toObjectOptions) as {
      context: { feature: Record<string, unknown> };
      featureLists: { featureList: Record<string, { feature?: unknown[] }> };
    };
    expect(decoded.context.feature).toEqual({ length: { int64List: { value: ['2'] } }, title: { bytesList: { value: [[0x74]] } } });
    expect(decoded.featureLists.featureList.tokens!.feature).toEqual([
      { int64List: { value: ['1', '2'] } },
      { int64List: { value: ['3'] } },
    ]);
    expect(decoded.featureLists.featureList.frames!.feature).toEqual([
      { floatList: { value: [0.5, 1] } },
      { floatList: { value: [2, 4] } },
    ]);
    expect(decoded.featureLists.featureList.empty!.feature ?? []).toEqual([]);
    expect(Object.keys(decoded.featureLists.featureList)).toEqual(['empty', 'frames', 'tokens']);
  });

  it('writes only the parts it is given', () => {
    expect(encodeSequenceExample({}).length).toBe(0);
    expect(hex(encodeSequenceExample({ context: {} }))).toBe('0a00');
    expect(hex(encodeSequenceExample({ featureLists: {} }))).toBe('1200');
  });

  it('rejects feature lists that are not arrays of Features', () => {
    expect(() => encodeSequenceExample({ featureLists: { x: int64Feature([1]) as unknown as FeatureInput[] } })).toThrow(
      /feature list 'x' must be an array/,
    );
    expect(() => encodeSequenceExample({ featureLists: { x: [{ int64List: [0.5] }] } })).toThrow(
      /feature list 'x' step 0: int64List\[0\]/,
    );
  });
});
