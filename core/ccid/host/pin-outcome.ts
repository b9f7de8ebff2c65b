/**
 * What a PIN entry on the reader's keypad came to, as the CCID host driver reports it: from the
 * CCID bError (the reader stopped it) or the status word (the card, or the reader speaking for it
 * per PC/SC part 10). The explanation itself is core/pinpad/pin-outcome's, the one every path
 * (PC/SC, direct USB, the virtual reader, the wizard) uses.
 */
import { CCID_BERROR } from '../value-tables.js';
import { explainPinBError, explainPinResponse, type PinOutcomeKind } from '#core/pinpad/pin-outcome.js';

export type { PinOutcomeKind };

export interface PinOperationOutcome {
  operation: 'verify' | 'modify';
  kind: PinOutcomeKind;
  /** The response APDU (SW only, for PIN commands); absent when the reader stopped the entry. */
  response?: Uint8Array;
  sw?: number;
  /** 63Cx: tries left. */
  triesLeft?: number;
  /** bError when the reader reported the outcome itself (PIN_CANCELLED 0xEF, PIN_TIMEOUT 0xF0). */
  bError?: number;
  /** One sentence for people. */
  meaning: string;
}

export function pinOutcomeFromBError(operation: 'verify' | 'modify', bError: number): PinOperationOutcome | undefined {
  if (bError !== CCID_BERROR.PIN_CANCELLED && bError !== CCID_BERROR.PIN_TIMEOUT) return undefined;
  const explained = explainPinBError(operation, bError);
  return { operation, kind: explained.kind, bError, meaning: explained.detail };
}

export function pinOutcomeFromResponse(operation: 'verify' | 'modify', response: Uint8Array): PinOperationOutcome {
  const explained = explainPinResponse(operation, response);
  const outcome: PinOperationOutcome = { operation, kind: explained.kind, response, meaning: explained.detail };
  if (explained.sw !== undefined) outcome.sw = explained.sw;
  if (explained.triesLeft !== undefined) outcome.triesLeft = explained.triesLeft;
  return outcome;
}
