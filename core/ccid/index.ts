/**
 * core/ccid: CCID messages. The layout is data: message-types (each type's header fields, payload
 * kind and answer; CCID_MESSAGE_CODE) and value-tables (field values, bError codes, chaining).
 * decode-message and encode-message read and write by it; slot-status reads bStatus/bError alone;
 * class-descriptor, protocol-parameters and secure (+ secure-from-pcsc) are the structures inside.
 * host/ is the host driver.
 */
export * from './message-types.js';
export * from './value-tables.js';
export * from './slot-status.js';
export * from './decode-message.js';
export * from './encode-message.js';
export * from './protocol-parameters.js';
export * from './secure.js';
export * from './secure-from-pcsc.js';
export * from './class-descriptor.js';
export { FieldCursor } from './field-cursor.js';
