export * from './pin-format.js';
export * from './pin-structures.js';
export * from './features.js';
export * from './control-codes.js';
export * from './tlv-properties.js';
export * from './pin-properties.js';
