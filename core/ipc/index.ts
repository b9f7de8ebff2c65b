export * from './app-info.js';
export * from './client.js';
export * from './contract.js';
export * from './dispatch.js';
export * from './envelope.js';
export * from './errors.js';
export * from './wire.js';
