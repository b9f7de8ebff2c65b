/**
 * The pinpad workbench's core: presets (data), the parameter model and its `FIELD=VALUE` parser,
 * the request builder (PC/SC and CCID bytes, decode trees, template roles, warnings), reader
 * capabilities and models, what libccid sends per model, outcome explanations, the retry-counter
 * guard, profiles and the software PIN path. Pure: the backend service, the CLI and the renderer
 * all build on these.
 */
export * from './parameters.js';
export * from './presets.js';
export * from './reader-models.js';
export * from './reader-capabilities.js';
export * from './libccid-wire.js';
export * from './warnings.js';
export * from './pin-request.js';
export * from './pin-request-view.js';
export * from './pin-outcome.js';
export * from './retry-guard.js';
export * from './software-pin.js';
export * from './profiles.js';
export * from './pin-request-text.js';
export * from './keypad-prompts.js';
