export * from './answer.js';
export * from './card-atr.js';
export * from './exchange-summary.js';
export * from './iso-file-system.js';
export * from './openpgp-applet.js';
export * from './piv-applet.js';
export * from './virtual-card.js';
export * from './virtual-smart-card.js';
