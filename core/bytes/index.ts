export * from './byte-reader.js';
export * from './decode-error.js';
export * from './hex.js';
export * from './concat.js';
export * from './byte-writer.js';
export * from './byte-slab.js';
