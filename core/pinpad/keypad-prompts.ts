/**
 * What a keypad run says and how long it waits, shared by the backend (the virtual reader's
 * on-screen keypad request, the run-state countdown), the CLI prompt and the wizard.
 *
 * API: keypadPromptMessages(operation, step) → display lines; pinEntryTimeoutMs(bTimerOut,
 * defaultMs) → milliseconds the reader waits; KEYPAD_DEFAULT_TIMEOUT_MS.
 */
import type { PinOperationName } from '../pcsc/pin-format.js';

export type KeypadStep = 'pin' | 'current-pin' | 'new-pin' | 'confirm-new-pin';

/** Readers that get bTimerOut 0 use their own default; 30 s is what most document and what OpenSC asks for. */
export const KEYPAD_DEFAULT_TIMEOUT_MS = 30_000;

const MESSAGES: Record<KeypadStep, string> = {
  pin: 'Enter PIN',
  'current-pin': 'Enter current PIN',
  'new-pin': 'Enter new PIN',
  'confirm-new-pin': 'Confirm new PIN',
};

export function keypadPromptMessages(operation: PinOperationName, step: KeypadStep): string[] {
  const first = operation === 'modify' && step === 'pin' ? MESSAGES['current-pin'] : MESSAGES[step];
  return [first, 'OK to validate, Cancel to stop'];
}

/** How long the reader waits for the PIN: bTimerOut seconds, or the default when it is 0. */
export function pinEntryTimeoutMs(bTimerOut: number, defaultMs = KEYPAD_DEFAULT_TIMEOUT_MS): number {
  return bTimerOut > 0 ? bTimerOut * 1000 : defaultMs;
}
