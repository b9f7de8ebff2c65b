export * from './pcapng-blocks.js';
export * from './session-trace-writer.js';
