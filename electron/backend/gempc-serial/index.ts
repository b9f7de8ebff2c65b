export * from './gempc-framing.js';
export * from './gempc-serial-link.js';
export * from './socat-pty.js';
export * from './gempc-serial-server.js';
export * from './terminal-keypad.js';
