export * from './virtual-reader-backend.js';
