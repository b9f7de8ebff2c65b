/**
 * What a PIN entry on the reader's keypad came to, from the CCID bError (the reader stopped it)
 * or the status word (the card, or the reader speaking for it per PC/SC part 10: 6400 timeout,
 * 6401 cancel, 6402 new PINs differ, 6403 wrong PIN length).
 */
import { describeStatusWord } from '../../iso7816/status-words.js';

export type PinOutcomeKind =
  'accepted' | 'wrong-pin' | 'blocked' | 'cancelled' | 'timeout' | 'confirmation-mismatch' | 'wrong-length' | 'card-error';

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

export const BERROR_PIN_CANCELLED = 0xef;
export const BERROR_PIN_TIMEOUT = 0xf0;

export function pinOutcomeFromBError(operation: 'verify' | 'modify', bError: number): PinOperationOutcome | undefined {
  if (bError === BERROR_PIN_CANCELLED) return { operation, kind: 'cancelled', bError, meaning: 'PIN entry cancelled on the reader.' };
  if (bError === BERROR_PIN_TIMEOUT) return { operation, kind: 'timeout', bError, meaning: 'Nobody typed the PIN in time.' };
  return undefined;
}

export function pinOutcomeFromResponse(operation: 'verify' | 'modify', response: Uint8Array): PinOperationOutcome {
  if (response.length < 2) {
    return { operation, kind: 'card-error', response, meaning: 'The card answered without a status word.' };
  }
  const s1 = response[response.length - 2]!;
  const s2 = response[response.length - 1]!;
  const sw = (s1 << 8) | s2;
  const base = { operation, response, sw };
  const ins = operation === 'verify' ? 0x20 : 0x24;
  const meaning = describeStatusWord(s1, s2, { ins, commandHasData: true }).meaning;
  if (sw === 0x9000) return { ...base, kind: 'accepted', meaning: operation === 'verify' ? 'PIN verified.' : 'PIN changed.' };
  if (s1 === 0x63 && (s2 & 0xf0) === 0xc0) {
    const triesLeft = s2 & 0x0f;
    return { ...base, kind: triesLeft === 0 ? 'blocked' : 'wrong-pin', triesLeft, meaning };
  }
  if (sw === 0x6983) return { ...base, kind: 'blocked', meaning };
  if (sw === 0x6400) return { ...base, kind: 'timeout', meaning: 'Nobody typed the PIN in time (6400).' };
  if (sw === 0x6401) return { ...base, kind: 'cancelled', meaning: 'PIN entry cancelled on the reader (6401).' };
  if (sw === 0x6402) return { ...base, kind: 'confirmation-mismatch', meaning: 'The two new PINs typed differ (6402).' };
  if (sw === 0x6403) return { ...base, kind: 'wrong-length', meaning: 'The PIN typed is too short or too long (6403).' };
  return { ...base, kind: 'card-error', meaning };
}
