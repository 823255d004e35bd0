// The package's public API: the ArrayRecord format, samplers, data sources and loaders.

export * from './format/index.js';
export * from './samplers/index.js';
export * from './data/index.js';
export * from './data/tf/index.js';
