/**
 * core/iso7816: APDUs (apdu-limits, command-apdu to parse, encode-command-apdu to build,
 * response-apdu, status words, CLA/INS/P1-P2), the ATR (atr for its structure, atr-interface-bytes
 * for what each byte means, historical-bytes), T=1 blocks and their reassembly, 61xx/6Cxx
 * transactions, secret commands and PIN redaction.
 */
export * from './apdu-limits.js';
export * from './atr.js';
export * from './atr-interface-bytes.js';
export * from './cla.js';
export * from './command-apdu.js';
export * from './exchange.js';
export * from './historical-bytes.js';
export * from './ins.js';
export * from './parameters.js';
export * from './response-apdu.js';
export * from './status-words.js';
export * from './t1.js';
export * from './t1-reassembler.js';
export * from './transactions.js';
export * from './pin-redaction.js';
export * from './secret-commands.js';
