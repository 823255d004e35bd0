// The README's tf_example record rule, rebuilt with encodeExample, and the spec that parses it.

import { contentRecord } from '../helpers/golden.js';
import { bytesFeature, encodeExample, floatFeature, int64Feature, type FeaturesInput } from '../../src/example/index.js';

/** Features of golden Example `i`: label, id, image C(i, 784), score [i/2, -i/4], name "ex<i>". */
export function goldenFeatures(i: number): FeaturesInput {
  return {
    label: int64Feature([i % 10]),
    id: int64Feature([i]),
    image: bytesFeature([contentRecord(i, 784)]),
    score: floatFeature([i * 0.5, -(i * 0.25)]),
    name: bytesFeature([`ex${i}`]),
  };
}

/** Serialized golden Example `i`. */
export function goldenExample(i: number): Uint8Array {
  return encodeExample(goldenFeatures(i));
}
