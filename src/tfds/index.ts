// Public API of TFDS datasets (`array-record/tfds`): prepared TensorFlow Datasets directories, their split
// syntax, feature trees, parsing with image decoding, and decoded records for loaders and tfjs.

/**
 * Prepared TensorFlow Datasets directories: their info, split syntax, feature trees, parsing with image
 * decoding, and decoded records for the DataLoader and tfjs.
 * @module array-record/tfds
 */

export { TfdsDataset, type LoaderTransformsOptions, type RecordsByIndex, type SupervisedOptions, type TfdsLoaderTransforms, type TfdsSourceOptions, type TfdsSplit } from './tfds-dataset.js';
export type { SupervisedKeys, SupervisedNest, TfdsInfo } from './dataset-info.js';
export {
  flattenFeatures,
  type Dim,
  type TfdsClassLabel,
  type TfdsDtype,
  type TfdsFeature,
  type TfdsFeaturesDict,
  type TfdsImage,
  type TfdsSequence,
  type TfdsTensor,
  type TfdsText,
  type TfdsUnsupportedFeature,
} from './features.js';
export { TfdsParser, type TfdsParsedFeatures, type TfdsParserOptions } from './tfds-parser.js';
export { TfdsRecordDecoder, decodedSpec, type DecodedSpecOptions } from './record-decoder.js';
export {
  parseSplit,
  roundHalfEven,
  shardRanges,
  splitRanges,
  type ShardRange,
  type SplitRange,
  type SplitRounding,
  type SplitShardLengths,
  type SplitUnit,
  type TfdsReadInstruction,
  type TfdsSplitArg,
} from './split-spec.js';
export { DEFAULT_FILEPATH_TEMPLATE, shardPath, type TemplateValues } from './naming.js';
export { DEFAULT_MAX_PIXELS, decodeImage, sniffImageFormat, type DecodeImageOptions, type DecodedImage, type ImageFormat } from './image-decode.js';
