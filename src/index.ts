// The package's public API: the ArrayRecord format, whole-file tools (convert, repair), samplers, data sources, loaders and tf.Example codecs.

/**
 * Google's ArrayRecord format (reader, writer, plain Riegeli and TFRecord files, convert and repair),
 * samplers, data sources, the DataLoader and tf.Example codecs. Guides: docs/ in the repository.
 * @module array-record
 */

export * from './format/index.js';
export * from './format/tools/index.js';
export * from './samplers/index.js';
export * from './source/index.js';
export * from './loader/index.js';
export * from './example/index.js';
