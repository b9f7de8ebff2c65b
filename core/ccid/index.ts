export * from './message-types.js';
export * from './value-tables.js';
export * from './decode-message.js';
export * from './encode-message.js';
export * from './protocol-parameters.js';
export * from './secure.js';
export * from './secure-from-pcsc.js';
export * from './class-descriptor.js';
export { FieldCursor } from './field-cursor.js';
