/** The capture store: open captures indexed as rows, queried by window, exported. */
export * from './capture-store.js';
export * from './capture-session.js';
export * from './capture-export.js';
