export * from './exported-pdu-tags.js';
export * from './pcapng-blocks.js';
export * from './session-trace-writer.js';
