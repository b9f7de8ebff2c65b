/**
 * What a pinpad does with its keypad during a PC_to_RDR_Secure: it asks for each PIN the request
 * needs (the PIN; for a change the current one if asked, the new one, its confirmation if asked),
 * checks the lengths against wPINMaxExtraDigit and the confirmation against the new PIN, and
 * answers for the card with the status words of PC/SC part 10 when the entry never reaches it.
 */
import type { PinModifyFields, PinVerifyFields } from '#core/pcsc/pin-format.js';
import type { Keypad, KeypadResult, PinEntryPrompt, PinEntryStep } from './keypad.js';

export type PinEntryOutcome = 'entered' | 'cancelled' | 'timeout' | 'aborted' | 'confirmation-mismatch' | 'wrong-length' | 'not-insertable';

/** Status words the reader makes up itself for a PIN entry that never reached the card (PC/SC part 10). */
const SW_CONFIRMATION_MISMATCH = Uint8Array.of(0x64, 0x02);
const SW_WRONG_PIN_LENGTH = Uint8Array.of(0x64, 0x03);

export type CollectedPins = { kind: 'digits'; entries: Map<PinEntryStep, string> } | Exclude<KeypadResult, { kind: 'digits' }>;

/** Asks the keypad for every PIN the request needs, in order; stops at the first entry that is not digits (cancel, timeout). */
export async function collectPins(
  keypad: Keypad,
  operation: 'verify' | 'modify',
  fields: PinVerifyFields | PinModifyFields,
): Promise<CollectedPins> {
  const steps: PinEntryStep[] = ['pin'];
  if (operation === 'modify' && 'bConfirmPIN' in fields) {
    steps.length = 0;
    if (fields.bConfirmPIN.currentPinRequested) steps.push('current-pin');
    steps.push('new-pin');
    if (fields.bConfirmPIN.confirmationRequested) steps.push('confirm-new-pin');
  }
  const entries = new Map<PinEntryStep, string>();
  for (const step of steps) {
    const prompt: PinEntryPrompt = {
      operation,
      step,
      minDigits: fields.wPINMaxExtraDigit.min,
      maxDigits: fields.wPINMaxExtraDigit.max,
      timeoutSeconds: fields.bTimeOut,
    };
    const result = await keypad.enterPin(prompt);
    if (result.kind !== 'digits') return result;
    entries.set(step, result.digits);
  }
  return { kind: 'digits', entries };
}

/** 'entered' when the typed PINs can go to the card; else why the reader answers for it. */
export function checkEntries(
  operation: 'verify' | 'modify',
  fields: PinVerifyFields | PinModifyFields,
  entries: Map<PinEntryStep, string>,
): 'entered' | 'confirmation-mismatch' | 'wrong-length' {
  const { min, max } = fields.wPINMaxExtraDigit;
  for (const pin of entries.values()) {
    // A real keypad stops accepting digits at the maximum; the minimum is checked on OK.
    if (pin.length < min || (max > 0 && pin.length > max)) return 'wrong-length';
  }
  if (operation === 'modify' && entries.has('confirm-new-pin') && entries.get('confirm-new-pin') !== entries.get('new-pin')) {
    return 'confirmation-mismatch';
  }
  return 'entered';
}

/** The status word the reader answers with itself: 64 02 when the confirmation differs, 64 03 for a PIN of the wrong length. */
export function readerStatusWord(outcome: 'confirmation-mismatch' | 'wrong-length'): Uint8Array {
  return outcome === 'confirmation-mismatch' ? SW_CONFIRMATION_MISMATCH : SW_WRONG_PIN_LENGTH;
}
