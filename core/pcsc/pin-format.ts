/**
 * The PIN request codec, split along its seams (this file only gathers them for existing
 * importers):
 * - pin-bit-fields: bmFormatString, bmPINBlockString, bmPINLengthFormat, wPINMaxExtraDigit,
 *   bEntryValidationCondition, bConfirmPIN… decoded, encoded and explained;
 * - pin-placement: where the PIN, its length and the fillers go in the APDU template;
 * - pin-fields: the field lists of the PC/SC and CCID layouts, the one reader and the one writer;
 * - pin-field-values: the typed views of their values (verify/modify fields, the older input);
 * - pin-structure-check: the one validity check;
 * - pin-insertion: what a pinpad does with typed digits (the virtual reader, the software path).
 */
export * from './pin-bit-fields.js';
export * from './pin-placement.js';
export * from './pin-fields.js';
export * from './pin-field-values.js';
export * from './pin-structure-check.js';
export * from './pin-insertion.js';
