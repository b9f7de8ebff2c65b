/**
 * How the wizard writes numbers and bytes: field values in hex at their width, hex strings in
 * spaced pairs, status words as "90 00", and the countdown. One place, so every panel agrees.
 */
import { PIN_PARAMETER_FIELDS } from '#core/pinpad/parameters.js';

/** A field's width in hex digits (2 per byte; ulDataLength is 4 bytes). */
export function fieldHexDigits(name: string): number {
  if (name === 'ulDataLength') return 8;
  const field = PIN_PARAMETER_FIELDS.find((f) => f.name === name);
  return (field?.bytes ?? 1) * 2;
}

/** 0x1E, 0x0409, 0x000000: how a field's value is shown and edited. */
export function fieldHex(name: string, value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(fieldHexDigits(name), '0')}`;
}

/** "0020008108FF" → "00 20 00 81 08 FF". */
export function spacedHex(hex: string): string {
  return hex.replace(/\s+/g, '').replace(/(..)(?=.)/g, '$1 ');
}

/** 0x9000 → "90 00". */
export function statusWordText(sw: number): string {
  return spacedHex(sw.toString(16).toUpperCase().padStart(4, '0'));
}

/** Whole seconds left until a deadline, never below zero. */
export function secondsLeft(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}
