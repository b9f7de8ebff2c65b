export * from './application-kind.js';
export * from './known-aids.js';
export * from './tag-names.js';
export * from './selected-applications.js';
