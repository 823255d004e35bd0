// Public API of tf.Example support: feature specs, parsers into typed arrays, the deterministic encoder
// and its inverse for inspecting records.

export {
  fixedLen,
  fixedLenRaw,
  fixedLenSequence,
  varLen,
  shapeSize,
  type BytesAs,
  type ContextFeature,
  type ExampleFeature,
  type ExampleSpec,
  type FeatureDtype,
  type FixedLenFeature,
  type FixedLenRawFeature,
  type FixedLenSequenceFeature,
  type FixedLenSequenceOptions,
  type Int64As,
  type Layout,
  type RawOptions,
  type RawType,
  type ScalarOf,
  type SequenceFeature,
  type ValueOptions,
  type ValueType,
  type ValuesOf,
  type VarLenFeature,
  type VarLenOptions,
} from './feature-spec.js';
export type {
  BatchFeatureOf,
  DenseFeature,
  FeatureValues,
  ParsedBatch,
  ParsedExample,
  ParsedFeature,
  RaggedFeature,
  SequenceBatchFeatureOf,
  SequenceSingleFeatureOf,
  SingleFeatureOf,
} from './parsed-feature.js';
export { ExampleParser, parseExample, parseExampleBatch, type ParserOptions } from './parse-example.js';
export {
  SequenceExampleParser,
  parseSequenceExample,
  type ContextSpec,
  type FeatureListsSpec,
  type ParsedSequenceBatch,
  type ParsedSequenceExample,
  type SequenceExampleSpec,
} from './sequence-example.js';
export {
  bytesFeature,
  encodeExample,
  encodeSequenceExample,
  floatFeature,
  int64Feature,
  type FeatureInput,
  type FeatureListsInput,
  type FeaturesInput,
} from './example-encode.js';
export { decodeExample, decodeSequenceExample, type DecodedFeature, type DecodedFeatures, type DecodedSequenceExample } from './example-decode.js';
