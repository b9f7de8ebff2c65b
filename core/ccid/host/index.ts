export * from './usb-ccid-transport.js';
export * from './ccid-error.js';
export * from './ccid-timeouts.js';
export * from './ccid-message-channel.js';
export * from './t0-exchange.js';
export * from './t1-engine.js';
export * from './pin-outcome.js';
export * from './ccid-driver.js';
