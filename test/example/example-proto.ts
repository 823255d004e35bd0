// The tf.Example protos as protobufjs reflection types: an independent encoder/decoder to check ours against.

import protobuf from 'protobufjs';

function schema(packed: boolean): protobuf.Root {
  const json = {
    nested: {
      Example: { fields: { features: { type: 'Features', id: 1 } } },
      SequenceExample: {
        fields: { context: { type: 'Features', id: 1 }, featureLists: { type: 'FeatureLists', id: 2 } },
      },
      Features: { fields: { feature: { keyType: 'string', type: 'Feature', id: 1 } } },
      FeatureList: { fields: { feature: { rule: 'repeated', type: 'Feature', id: 1 } } },
      FeatureLists: { fields: { featureList: { keyType: 'string', type: 'FeatureList', id: 1 } } },
      Feature: {
        oneofs: { kind: { oneof: ['bytesList', 'floatList', 'int64List'] } },
        fields: {
          bytesList: { type: 'BytesList', id: 1 },
          floatList: { type: 'FloatList', id: 2 },
          int64List: { type: 'Int64List', id: 3 },
        },
      },
      BytesList: { fields: { value: { rule: 'repeated', type: 'bytes', id: 1 } } },
      FloatList: { fields: { value: { rule: 'repeated', type: 'float', id: 1, options: { packed } } } },
      Int64List: { fields: { value: { rule: 'repeated', type: 'int64', id: 1, options: { packed } } } },
    },
  };
  return protobuf.Root.fromJSON(json as protobuf.INamespace);
}

/** Example / SequenceExample types that write numeric lists packed, as TensorFlow does. */
export const packedRoot = schema(true);
/** The same types writing numeric lists unpacked (one field per value), which parsers must accept. */
export const unpackedRoot = schema(false);

/** Conversion options that give int64 as decimal strings and bytes as Uint8Array. */
export const toObjectOptions: protobuf.IConversionOptions = { longs: String, bytes: Array, defaults: false, arrays: true };
