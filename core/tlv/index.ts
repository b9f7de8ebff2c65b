export * from './ber-tlv.js';
export * from './compact-tlv.js';
