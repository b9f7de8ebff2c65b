/**
 * What a pinpad does with the digits the user typed: code them (ASCII, BCD or binary), justify
 * them inside the PIN block, write the PIN length where bmPINBlockString/bmPINLengthFormat say,
 * and leave every other template byte (fillers, the ISO 9564 format 2 control nibble) untouched.
 * The placement itself comes from locatePin, the same code that explains a capture, so what the
 * wizard shows, what the virtual reader sends and what the software path builds cannot disagree.
 * Error messages name sizes, never a digit.
 *
 * API: completeVerifyApdu(template, fields, pin), completeModifyApdu(template, fields, current,
 * new) → the APDU with the PIN(s) in place; PinInsertionError when the structure cannot hold it.
 */
import type { FormatString } from './pin-bit-fields.js';
import type { PinEntryCommon } from './pin-field-values.js';
import type { PinApduTemplate, PinPlacement } from './pin-placement.js';

export class PinInsertionError extends Error {}

/** Digit values from a string of 0-9 (the keypad only has digit keys). */
function digitValues(pin: string): number[] {
  if (!/^\d*$/.test(pin)) throw new PinInsertionError('a PIN holds digits only');
  return Array.from(pin, (c) => c.charCodeAt(0) - 0x30);
}

function unitBits(fs: FormatString): number {
  if (fs.coding === 'rfu') throw new PinInsertionError('bmFormatString uses the reserved PIN coding 3');
  return fs.coding === 'bcd' ? 4 : 8;
}

function codeDigit(fs: FormatString, digit: number): number {
  return fs.coding === 'ascii' ? 0x30 + digit : digit;
}

/** Writes `width` bits of `value` at absolute bit `bitPosition` (bit 0 = MSB of byte 0). */
function writeBits(target: Uint8Array, bitPosition: number, width: number, value: number): void {
  for (let i = 0; i < width; i++) {
    const bit = (value >> (width - 1 - i)) & 1;
    const at = bitPosition + i;
    const byteIndex = at >> 3;
    const mask = 0x80 >> (at & 7);
    if (byteIndex >= target.length) throw new PinInsertionError('the PIN does not fit in the APDU template');
    target[byteIndex] = bit ? target[byteIndex]! | mask : target[byteIndex]! & ~mask;
  }
}

/** Puts one PIN into `apdu` (modified in place) at a fixed-size PIN block. */
function fillBlock(apdu: Uint8Array, placement: PinPlacement, fs: FormatString, pin: string): void {
  const digits = digitValues(pin);
  const width = unitBits(fs);
  const blockStart = placement.blockOffset * 8;
  const blockEnd = (placement.blockOffset + placement.blockSize) * 8;
  const pinBits = digits.length * width;
  const start = fs.rightJustify ? blockEnd - pinBits : placement.pinOffset * 8 + placement.pinBitOffset;
  if (start < blockStart || start + pinBits > blockEnd || blockEnd > apdu.length * 8) {
    throw new PinInsertionError(`a ${digits.length}-digit PIN does not fit in the ${placement.blockSize}-byte PIN block`);
  }
  digits.forEach((d, i) => writeBits(apdu, start + i * width, width, codeDigit(fs, d)));
  if (placement.lengthField) {
    const { offset, bitOffset, sizeBits } = placement.lengthField;
    if (digits.length >= 2 ** sizeBits) throw new PinInsertionError(`the PIN length does not fit in ${sizeBits} bits`);
    writeBits(apdu, offset * 8 + bitOffset, sizeBits, digits.length);
  }
}

/** Digits packed as the coding says, for a PIN appended after the header (no PIN block in the template). */
function packDigits(fs: FormatString, pin: string): Uint8Array {
  const digits = digitValues(pin);
  const width = unitBits(fs);
  const out = new Uint8Array(Math.ceil((digits.length * width) / 8)).fill(width === 4 ? 0xff : 0);
  digits.forEach((d, i) => writeBits(out, i * width, width, codeDigit(fs, d)));
  return out;
}

/**
 * bmPINBlockString block size 0: the template carries no PIN block (e.g. `00 20 00 81`, a case-1
 * APDU), so the reader appends Lc and the digits, the way variable-length OpenPGP PINs are sent.
 */
function appendPin(template: Uint8Array, fs: FormatString, pins: readonly string[]): Uint8Array {
  const header = template.subarray(0, 4);
  const existing = template.length > 5 ? template.subarray(5, 5 + template[4]!) : new Uint8Array(0);
  const packed = pins.map((pin) => packDigits(fs, pin));
  const dataLength = existing.length + packed.reduce((n, p) => n + p.length, 0);
  if (dataLength > 255) throw new PinInsertionError('the APDU with the PIN would exceed 255 data bytes');
  const out = new Uint8Array(5 + dataLength);
  out.set(header, 0);
  out[4] = dataLength;
  let at = 5;
  for (const part of [existing, ...packed]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The verify APDU with the PIN in place. Throws PinInsertionError when the structure cannot hold it. */
export function completeVerifyApdu(template: PinApduTemplate, fields: PinEntryCommon, pin: string): Uint8Array {
  if (template.bytes.length < 4) throw new PinInsertionError('the APDU template is shorter than CLA INS P1 P2');
  if (template.placement.blockSize === 0) return appendPin(template.bytes, fields.bmFormatString, [pin]);
  const apdu = Uint8Array.from(template.bytes);
  fillBlock(apdu, template.placement, fields.bmFormatString, pin);
  return apdu;
}

/**
 * The modify APDU: the current PIN at bInsertionOffsetOld (only when it was asked for), the new
 * PIN at bInsertionOffsetNew.
 */
export function completeModifyApdu(
  template: PinApduTemplate,
  fields: PinEntryCommon,
  currentPin: string | undefined,
  newPin: string,
): Uint8Array {
  if (template.bytes.length < 4) throw new PinInsertionError('the APDU template is shorter than CLA INS P1 P2');
  const newPlacement = template.newPinPlacement ?? template.placement;
  if (newPlacement.blockSize === 0) {
    return appendPin(template.bytes, fields.bmFormatString, currentPin === undefined ? [newPin] : [currentPin, newPin]);
  }
  const apdu = Uint8Array.from(template.bytes);
  if (currentPin !== undefined) fillBlock(apdu, template.placement, fields.bmFormatString, currentPin);
  fillBlock(apdu, newPlacement, fields.bmFormatString, newPin);
  return apdu;
}
