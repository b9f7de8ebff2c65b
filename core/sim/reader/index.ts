export * from './keypad.js';
export * from './keypad-pin-entry.js';
export * from './pin-insertion.js';
export * from './t1-card-link.js';
export * from './reader-profile.js';
export * from './gempc-escape.js';
export * from './virtual-ccid-reader.js';
