/**
 * core/trace-diff: two traces compared at APDU level — exchanges reduced to what a comparison
 * needs (diff-exchange), aligned by command content with bounded cost (align), paired by card
 * conversation and classified (trace-diff), and written for people and scripts (diff-text).
 */
export * from './align.js';
export * from './diff-exchange.js';
export * from './diff-text.js';
export * from './timing-option.js';
export * from './trace-diff.js';
export * from './replay-plan.js';
