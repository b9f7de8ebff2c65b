/**
 * The software path, for readers without a keypad: the VERIFY or CHANGE REFERENCE DATA APDU
 * built from a PIN typed on the computer, formatted exactly as a pinpad would (same structure,
 * same insertion code as the virtual reader: ASCII, BCD or binary digits, justification,
 * fillers, ISO 9564 format 2 length nibble, or an appended variable-length PIN). The PIN exists
 * only in the returned bytes: every error names sizes and fields, never a digit, so an error
 * can be logged and shown as it is.
 *
 * API: buildSoftwarePinApdu(operation, parameters, pins) → Uint8Array; SoftwarePinError.
 */
import {
  completeModifyApdu,
  completeVerifyApdu,
  decodeConfirmPin,
  decodePinMaxExtraDigit,
  PinInsertionError,
  type PinOperationName,
  type PinParameters,
} from '../pcsc/pin-format.js';
import { decodePinStructure, encodePinStructure } from '../pcsc/pin-structures.js';

export class SoftwarePinError extends Error {
  override readonly name = 'SoftwarePinError';
}

export interface SoftwarePins {
  /** Verify: the PIN. */
  pin?: string;
  /** Modify: the current PIN (needed when bConfirmPIN bit 1 asks for it). */
  currentPin?: string;
  /** Modify: the new PIN. */
  newPin?: string;
  /** Modify: the new PIN typed again, when bConfirmPIN bit 0 asks for a confirmation. */
  newPinAgain?: string;
}

function checkDigits(label: string, value: string | undefined, min: number, max: number): string {
  if (value === undefined || value.length === 0) throw new SoftwarePinError(`the ${label} is missing`);
  if (!/^\d+$/.test(value)) throw new SoftwarePinError(`the ${label} must hold digits only`);
  if (value.length < min || value.length > max) {
    throw new SoftwarePinError(`the ${label} must be ${min} to ${max} digits long (wPINMaxExtraDigit), it has ${value.length}`);
  }
  return value;
}

/** Builds the APDU a pinpad would send with these PINs in place. */
export function buildSoftwarePinApdu(operation: PinOperationName, parameters: PinParameters, pins: SoftwarePins): Uint8Array {
  const decoded = decodePinStructure(operation, encodePinStructure(operation, parameters));
  const structure = decoded.structure;
  if (!structure || structure.apdu.bytes.length < 4) throw new SoftwarePinError('the APDU template needs at least CLA INS P1 P2');
  const { min, max } = decodePinMaxExtraDigit(parameters.wPINMaxExtraDigit);
  try {
    if (operation === 'verify') return completeVerifyApdu(structure.apdu, structure, checkDigits('PIN', pins.pin, min, max));
    const confirm = decodeConfirmPin(parameters.bConfirmPIN);
    const current = confirm.currentPinRequested ? checkDigits('current PIN', pins.currentPin, min, max) : undefined;
    const next = checkDigits('new PIN', pins.newPin, min, max);
    if (confirm.confirmationRequested && pins.newPinAgain !== undefined && pins.newPinAgain !== next) {
      throw new SoftwarePinError('the new PIN and its confirmation differ');
    }
    return completeModifyApdu(structure.apdu, structure, current, next);
  } catch (error) {
    if (error instanceof PinInsertionError) throw new SoftwarePinError(error.message);
    throw error;
  }
}
