// How cat, head and sample print one record: values printed are the values, byte for byte.

import { describe, expect, it } from 'vitest';
import { formatRecord } from '../../src/cli/record-format.js';
import { bytesFeature, encodeExample } from '../../src/example/example-encode.js';

describe('formatRecord', () => {
  it('keeps a leading U+FEFF of a bytes value printed as text in --as example', () => {
    const record = encodeExample({ '\uFEFFkey': bytesFeature(['\uFEFFvalue']) });
    expect(JSON.parse(formatRecord(record, 'example') as string)).toEqual({ '\uFEFFkey': { bytesList: ['\uFEFFvalue'] } });
  });
});
