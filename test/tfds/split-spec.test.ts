// TFDS split selections against the rules of tensorflow_datasets/core/splits.py and utils/shard_utils.py:
// each expected range below is worked out from TFDS's formulas by hand, with Python's round() (ties to
// even) for the default 'closest' rounding and boundary * trunc(n / 100) for 'pct1_dropremainder'.

import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidOptionsError } from '../../src/index.js';
import { parseSplit, roundHalfEven, shardRanges, splitRanges, shardPath } from '../../src/tfds/index.js';

/** Splits of one shard of `n` records each, or the given shard lengths. */
function splits(entries: Record<string, number | number[]>): Map<string, readonly number[]> {
  return new Map(Object.entries(entries).map(([name, value]) => [name, typeof value === 'number' ? [value] : value]));
}

/** The [from, to) ranges of a selection, as pairs. */
function ranges(selection: Parameters<typeof splitRanges>[0], lengths: Map<string, readonly number[]>, rounding?: 'closest' | 'pct1_dropremainder') {
  return splitRanges(selection, lengths, rounding).map((range) => [range.split, range.from, range.to]);
}

describe('split strings', () => {
  it('parse into read instructions as AbstractSplit.from_spec does', () => {
    expect(parseSplit('train')).toEqual([{ split: 'train', from: undefined, to: undefined, unit: 'abs', rounding: 'closest' }]);
    expect(parseSplit('train[:80%]')).toEqual([{ split: 'train', from: undefined, to: 80, unit: '%', rounding: 'closest' }]);
    expect(parseSplit('test[10:20]')).toEqual([{ split: 'test', from: 10, to: 20, unit: 'abs', rounding: 'closest' }]);
    // One unit for both bounds: the first bound's, else the second's.
    expect(parseSplit('train[10%:20]')[0]).toMatchObject({ from: 10, to: 20, unit: '%' });
    expect(parseSplit('train[2shard]')[0]).toMatchObject({ from: 2, to: 3, unit: 'shard' });
    expect(parseSplit('train[-1shard]')[0]).toMatchObject({ from: -1, to: 0, unit: 'shard' });
    expect(parseSplit('train[:0.5%]')[0]).toMatchObject({ to: 0.5, unit: '%' });
    expect(parseSplit('train[1_000:]')[0]).toMatchObject({ from: 1000 });
    expect(parseSplit('train + test[:-5%]').map((part) => part.split)).toEqual(['train', 'test']);
    expect(parseSplit('all')).toEqual([{ split: 'all' }]);
  });

  it('reject what TFDS rejects, with its messages', () => {
    const rejects = (spec: string, message: RegExp | string) => {
      expect(() => parseSplit(spec)).toThrow(InvalidArgumentError);
      expect(() => parseSplit(spec)).toThrow(message);
    };
    rejects('train[10]', 'Absolute or percent only support slice syntax.');
    rejects('train[10%]', 'Absolute or percent only support slice syntax.');
    rejects('train[:]', /Unrecognized split format: "train\[:\]"/);
    rejects('train[1:2:3]', /Unrecognized split format/);
    rejects('train[a:b]', /Unrecognized split format/);
    rejects('train[:101%]', /percent slice boundaries should be in \[-100, 100\]/);
    rejects('train[1.5:]', /invalid integer bound "1.5"/);
    rejects('all[:50%]', /'all' does not support slice/);
    rejects(' train', /Unrecognized split format/);
  });
});

describe('percent slices, rounding closest (Python round: ties to even)', () => {
  it('rounds ties to the even neighbour, like Python 3', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 4, 0, -2, -2, 2, 3]);
    expect(Object.is(roundHalfEven(-0.4), 0)).toBe(true);
  });

  it('10 records: 25% is 2.5 -> 2, 35% is 3.5 -> 4, 15% is 1.5 -> 2, 45% is 4.5 -> 4', () => {
    const ten = splits({ train: 10 });
    expect(ranges('train[:25%]', ten)).toEqual([['train', 0, 2]]);
    expect(ranges('train[:35%]', ten)).toEqual([['train', 0, 4]]);
    expect(ranges('train[15%:45%]', ten)).toEqual([['train', 2, 4]]);
    expect(ranges('train[25%:]', ten)).toEqual([['train', 2, 10]]);
  });

  it('negative percents count from the end: -5% of 10 is -0.5 -> 0, so train[-5%:] is the whole split', () => {
    const ten = splits({ train: 10 });
    expect(ranges('train[-5%:]', ten)).toEqual([['train', 0, 10]]);
    expect(ranges('train[-15%:]', ten)).toEqual([['train', 8, 10]]); // -1.5 -> -2
    expect(ranges('train[:-25%]', ten)).toEqual([['train', 0, 8]]); // -2.5 -> -2
    // -3.5 -> -4, and -0.5 -> 0 is a bound at 0, not at the end: TFDS reads nothing here.
    expect(ranges('train[-35%:-5%]', ten)).toEqual([['train', 6, 0]]);
    expect(shardRanges('train[-35%:-5%]', ten)).toEqual([]);
  });

  it('101 records: 50% is 50.5 -> 50, 10% is 10.1 -> 10, -5% is -5.05 -> -5', () => {
    const odd = splits({ train: [34, 34, 33] });
    expect(ranges('train[:50%]', odd)).toEqual([['train', 0, 50]]);
    expect(ranges('train[50%:]', odd)).toEqual([['train', 50, 101]]);
    expect(ranges('train[:10%]', odd)).toEqual([['train', 0, 10]]);
    expect(ranges('train[-5%:]', odd)).toEqual([['train', 96, 101]]);
    expect(ranges('train[:80%]', odd)).toEqual([['train', 0, 81]]); // 80.8 -> 81
  });

  it('50 records: 29% is 14.5 -> 14, 57% is 28.5 -> 28, 1% is 0.5 -> 0; fractional percents (TFDS 4.9)', () => {
    const fifty = splits({ train: 50 });
    expect(ranges('train[29%:57%]', fifty)).toEqual([['train', 14, 28]]);
    expect(ranges('train[:1%]', fifty)).toEqual([['train', 0, 0]]);
    expect(ranges('train[:3%]', fifty)).toEqual([['train', 0, 2]]); // 1.5 -> 2
    expect(ranges('train[:0.5%]', splits({ train: 300 }))).toEqual([['train', 0, 2]]); // 1.5 -> 2
    expect(ranges('train[:0.5%]', splits({ train: 1000 }))).toEqual([['train', 0, 5]]);
  });
});

describe('percent slices, rounding pct1_dropremainder', () => {
  it('counts whole 1% blocks of trunc(n / 100) records', () => {
    const n250 = splits({ train: 250 });
    expect(ranges('train[:10%]', n250, 'pct1_dropremainder')).toEqual([['train', 0, 20]]); // closest would give 25
    expect(ranges('train[:10%]', n250)).toEqual([['train', 0, 25]]);
    expect(ranges('train[-10%:]', n250, 'pct1_dropremainder')).toEqual([['train', 230, 250]]);
    expect(ranges('train[:100%]', n250, 'pct1_dropremainder')).toEqual([['train', 0, 200]]);
    expect(ranges({ split: 'train', to: 33, unit: '%', rounding: 'pct1_dropremainder' }, n250)).toEqual([['train', 0, 66]]);
  });

  it('is refused on fewer than 100 records, as TFDS refuses it', () => {
    expect(() => splitRanges('train[:10%]', splits({ train: 99 }), 'pct1_dropremainder')).toThrow(/less than 100 elements is forbidden/);
  });
});

describe('absolute and shard slices', () => {
  it('absolute bounds, negative from the end; from >= to reads nothing', () => {
    const ten = splits({ train: 10 });
    expect(ranges('train[2:7]', ten)).toEqual([['train', 2, 7]]);
    expect(ranges('train[-3:]', ten)).toEqual([['train', 7, 10]]);
    expect(ranges('train[:-3]', ten)).toEqual([['train', 0, 7]]);
    expect(ranges('train[7:3]', ten)).toEqual([['train', 7, 3]]);
    expect(shardRanges('train[7:3]', ten)).toEqual([]);
    expect(() => ranges('train[:11]', ten)).toThrow('Requested slice [:11] incompatible with 10 examples.');
    expect(() => ranges('train[-11:]', ten)).toThrow('Requested slice [-11:10] incompatible with 10 examples.');
  });

  it('shard units add up whole shards', () => {
    const sharded = splits({ train: [3, 4, 5] });
    expect(ranges('train[1shard]', sharded)).toEqual([['train', 3, 7]]);
    expect(ranges('train[:2shard]', sharded)).toEqual([['train', 0, 7]]);
    expect(ranges('train[-1shard:]', sharded)).toEqual([['train', 7, 12]]);
    expect(ranges('train[-1shard]', sharded)).toEqual([['train', 7, 12]]);
  });

  it('sums and all: splits in dataset order, one after another', () => {
    const two = splits({ train: 10, test: 4 });
    expect(ranges('train[:20%]+test', two)).toEqual([['train', 0, 2], ['test', 0, 4]]);
    expect(ranges('all', two)).toEqual([['train', 0, 10], ['test', 0, 4]]);
    expect(ranges(['test[:1]', { split: 'train', from: -1 }], two)).toEqual([['test', 0, 1], ['train', 9, 10]]);
    expect(() => ranges('validation', two)).toThrow('Unknown split "validation". Should be one of ["train","test"].');
  });

  it('read instruction objects are checked strictly', () => {
    const ten = splits({ train: 10 });
    expect(() => splitRanges({ split: 'train', start: 1 } as never, ten)).toThrow(InvalidOptionsError);
    expect(() => splitRanges({ split: 'train', unit: 'percent' } as never, ten)).toThrow(/Unit should be one of/);
    expect(() => splitRanges({ split: 'train', from: 1.5 }, ten)).toThrow(/from must be an integer/);
    expect(() => splitRanges([], ten)).toThrow(/at least one split/);
  });
});

describe('shard file instructions (shard_utils.get_file_instructions)', () => {
  it('cut ranges at shard boundaries and skip empty shards', () => {
    const lengths = splits({ train: [50, 0, 50, 25] });
    expect(shardRanges('train[45:55]', lengths)).toEqual([
      { split: 'train', shard: 0, start: 45, end: 50 },
      { split: 'train', shard: 2, start: 0, end: 5 },
    ]);
    expect(shardRanges('train[-30:]', lengths)).toEqual([
      { split: 'train', shard: 2, start: 45, end: 50 },
      { split: 'train', shard: 3, start: 0, end: 25 },
    ]);
    expect(shardRanges('train', lengths).map((range) => range.shard)).toEqual([0, 2, 3]);
  });
});

describe('shard file names', () => {
  it('follow the filepath template with TFDS zero padding (5 digits at least)', () => {
    const values = { dataset: 'mnist', split: 'train', fileFormat: 'array_record' };
    expect(shardPath('{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}', values, 3, 8)).toBe('mnist-train.array_record-00003-of-00008');
    expect(shardPath('{SPLIT}/{DATASET}-{SHARD_INDEX}.{FILEFORMAT}', values, 12, 123456)).toBe('train/mnist-000012.array_record');
    expect(shardPath('{DATASET}-{SPLIT}.{FILEFORMAT}@{NUM_SHARDS}', values, 0, 2)).toBe('mnist-train.array_record@00002');
    expect(() => shardPath('{DATASET}-{SHARD}', values, 0, 1)).toThrow(/uses \{SHARD\}/);
  });
});
