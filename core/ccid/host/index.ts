/**
 * core/ccid/host: the CCID host driver over a UsbCcidTransport. ccid-driver holds a reader's state;
 * ccid-message-channel the bulk pipes (bSeq, time extensions, abort); activation-policy decides
 * power-on from descriptor and ATR; t0-exchange, t1-engine and extended-apdu-exchange carry APDUs
 * at each exchange level; pin-entry runs PC_to_RDR_Secure; ccid-timeouts and ccid-error say how
 * long to wait and what failed.
 */
export * from './usb-ccid-transport.js';
export * from './ccid-error.js';
export * from './ccid-timeouts.js';
export * from './ccid-message-channel.js';
export * from './t0-exchange.js';
export * from './extended-apdu-exchange.js';
export * from './t1-engine.js';
export * from './pin-outcome.js';
export * from './activation-policy.js';
export * from './pin-entry.js';
export * from './ccid-driver.js';
