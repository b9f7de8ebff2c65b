export * from './vpcd-address.js';
export * from './vpcd-card-session.js';
export * from './vpcd-framing.js';
