/**
 * What a PIN entry came to, explained from whatever reported it: the status word (the card, or
 * the reader speaking for it per PC/SC part 10 §2.6.3: 6400 timeout, 6401 cancel, 6402 new PINs
 * differ, 6403 wrong length, 6B80 bad structure), the CCID bError of a failed PC_to_RDR_Secure
 * (EF cancelled, F0 timeout, 00 not supported, 01..7F the offset of the refused field, named
 * here), or the PC/SC error of SCardControl (what libccid turns the rest into). A "success" with
 * no status word — a driver that took the request and never prompted — is named as such.
 *
 * API: explainPinOutcome(input) → PinpadOutcome { kind, title, detail, triesLeft?, sw?, source };
 * explainPinResponse / explainPinBError / explainPcscError for each source; PCSC_ERROR_NAMES.
 */
import { CCID_BERROR, describeBError } from '../ccid/value-tables.js';
import { intHex } from '../bytes/hex.js';
import { describeStatusWord } from '../iso7816/status-words.js';
import { pinStructureFields, type PinOperationName } from '../pcsc/pin-format.js';

export type PinOutcomeKind =
  | 'accepted'
  | 'wrong-pin'
  | 'blocked'
  | 'cancelled'
  | 'timeout'
  | 'confirmation-mismatch'
  | 'wrong-length'
  | 'card-error'
  /** The driver reported success without a status word: nobody was asked for a PIN. */
  | 'not-prompted'
  /** The reader (or its driver) refused the request before the card saw it. */
  | 'reader-refused'
  /** The exchange failed below the card (PC/SC or USB error). */
  | 'reader-error';

export interface PinpadOutcome {
  kind: PinOutcomeKind;
  /** A few words for a heading: 'PIN verified', 'Cancelled on the keypad'. */
  title: string;
  /** One or two sentences: what happened and what to do. */
  detail: string;
  triesLeft?: number;
  sw?: number;
  /** Who reported it. */
  source: 'card' | 'reader' | 'driver';
}

const PART10 = 'PC/SC part 10 §2.6.3';

/** Explains the bytes SCardControl(VERIFY/MODIFY_PIN_DIRECT) or the Secure DataBlock returned. */
export function explainPinResponse(operation: PinOperationName, response: Uint8Array): PinpadOutcome {
  if (response.length === 0) {
    return {
      kind: 'not-prompted',
      title: 'Success with no status word',
      detail:
        'The driver reported success but returned no status word: the PIN request never reached the keypad or the card. Some drivers accept the feature code and do nothing; part 10 requires SW1 SW2 (OpenSC treats this as unknown data received).',
      source: 'driver',
    };
  }
  if (response.length === 1) {
    return {
      kind: 'reader-error',
      title: 'One byte instead of a status word',
      detail: `The reader returned the single byte ${intHex(response[0]!, 2)} where a status word (2 bytes) belongs.`,
      source: 'driver',
    };
  }
  const sw = (response[response.length - 2]! << 8) | response[response.length - 1]!;
  const outcome = explainStatusWord(operation, sw);
  if (response.length > 2) {
    outcome.detail += ` (The reader returned ${response.length} bytes; part 10 expects only the status word.)`;
  }
  return outcome;
}

function explainStatusWord(operation: PinOperationName, sw: number): PinpadOutcome {
  const card = (kind: PinOutcomeKind, title: string, detail: string, extra: Partial<PinpadOutcome> = {}): PinpadOutcome => ({
    kind,
    title,
    detail,
    sw,
    source: 'card',
    ...extra,
  });
  const reader = (kind: PinOutcomeKind, title: string, detail: string): PinpadOutcome => ({ kind, title, detail, sw, source: 'reader' });
  if (sw === 0x9000) {
    return operation === 'verify'
      ? card('accepted', 'PIN verified', 'The card accepted the PIN typed on the keypad (90 00).')
      : card('accepted', 'PIN changed', 'The card accepted the current PIN and stored the new one (90 00).');
  }
  if ((sw & 0xfff0) === 0x63c0) {
    const left = sw & 0x0f;
    if (left === 0)
      return card(
        'blocked',
        'Wrong PIN: now blocked',
        'The PIN was wrong and that was the last try: the PIN is blocked (63 C0). Unblock it with the PUK or reset code.',
        { triesLeft: 0 },
      );
    return card(
      'wrong-pin',
      `Wrong PIN: ${left} ${left === 1 ? 'try' : 'tries'} left`,
      `The card refused the PIN (63 C${intHex(left)}).${left === 1 ? ' One more wrong PIN blocks it.' : ''}`,
      { triesLeft: left },
    );
  }
  switch (sw) {
    case 0x6300:
      return card('wrong-pin', 'Wrong PIN', 'The card refused the PIN without saying how many tries are left (63 00).');
    case 0x6983:
      return card(
        'blocked',
        'PIN blocked',
        'The PIN is blocked (69 83, authentication method blocked): nothing was tried. Unblock it with the PUK or reset code.',
        { triesLeft: 0 },
      );
    case 0x6984:
      return card('card-error', 'PIN not usable', 'The card says the reference data is not usable (69 84): blocked or never initialised.');
    case 0x6400:
      return reader(
        'timeout',
        'Nobody typed the PIN in time',
        `The reader gave up waiting for the PIN (64 00, ${PART10}). Raise bTimerOut or type faster.`,
      );
    case 0x6401:
      return reader('cancelled', 'Cancelled on the keypad', `The PIN entry was cancelled on the reader (64 01, ${PART10}).`);
    case 0x6402:
      return reader(
        'confirmation-mismatch',
        'The new PINs differ',
        `The new PIN and its confirmation typed on the keypad were not the same (64 02, ${PART10}). Nothing was sent to the card.`,
      );
    case 0x6403:
      return reader(
        'wrong-length',
        'PIN too short or too long',
        `The PIN typed is outside wPINMaxExtraDigit (64 03, ${PART10}). Nothing was sent to the card.`,
      );
    case 0x6404:
      return reader(
        'reader-refused',
        'The reader wants the PIN on its keypad',
        'The reader refused a PIN command it did not build itself (64 04, a pinpad firewall, OpenSC #439): use the keypad path, not the software one.',
      );
    case 0x6b80:
      return reader(
        'reader-refused',
        'The reader refused the structure',
        `A field of the PIN structure is invalid for this reader (6B 80, ${PART10}); OpenSC reports this as "Generic reader error". Check the warnings, then change one field at a time.`,
      );
    case 0x6700:
      return card(
        'card-error',
        'Wrong length',
        'The card refused the APDU length (67 00): the PIN block size, Lc or a variable-length PIN does not match what it expects.',
      );
    case 0x6a80:
      return card(
        'card-error',
        'PIN format refused',
        'The card refused the data (6A 80): wrong coding, padding or length of the PIN block — or a new PIN its policy refuses.',
      );
    case 0x6a88:
    case 0x6a86:
    case 0x6b00:
      return card(
        'card-error',
        'Wrong PIN reference',
        `${describeStatusWord(sw >> 8, sw & 0xff).meaning} (${intHex(sw, 4)}): check P2 (the PIN reference) and that the right application is selected.`,
      );
    case 0x6982:
    case 0x6985:
      return card(
        'card-error',
        'Not allowed now',
        `${describeStatusWord(sw >> 8, sw & 0xff).meaning} (${intHex(sw, 4)}): the card does not allow this PIN operation in its current state.`,
      );
    default: {
      const meaning = describeStatusWord(sw >> 8, sw & 0xff, { ins: operation === 'verify' ? 0x20 : 0x24, commandHasData: true }).meaning;
      return card('card-error', `Status ${intHex(sw, 4)}`, `${meaning} (${intHex(sw, 4)}).`);
    }
  }
}

/** Names a bError 01..7F (the offset of the refused field in the Secure message) by its field. */
export function secureFieldAtOffset(operation: PinOperationName, offset: number, bNumberMessage = 3): string | undefined {
  const header: Record<number, string> = {
    0: 'bMessageType',
    1: 'dwLength',
    5: 'bSlot',
    6: 'bSeq',
    7: 'bBWI',
    8: 'wLevelParameter',
    10: 'bPINOperation',
  };
  if (offset < 11) return header[offset] ?? (offset < 5 ? 'dwLength' : offset === 9 ? 'wLevelParameter' : undefined);
  let at = 11;
  for (const spec of pinStructureFields('ccid', operation, bNumberMessage)) {
    if (offset < at + spec.size) return spec.label;
    at += spec.size;
  }
  return 'abPINApdu';
}

/** Explains a failed PC_to_RDR_Secure (bmCommandStatus 1) from its bError. */
export function explainPinBError(operation: PinOperationName, bError: number, options: { bNumberMessage?: number } = {}): PinpadOutcome {
  const reader = (kind: PinOutcomeKind, title: string, detail: string): PinpadOutcome => ({ kind, title, detail, source: 'reader' });
  if (bError === CCID_BERROR.PIN_CANCELLED)
    return reader(
      'cancelled',
      'Cancelled on the keypad',
      'The PIN entry was cancelled on the reader (bError EF PIN_CANCELLED; libccid reports 64 01).',
    );
  if (bError === CCID_BERROR.PIN_TIMEOUT)
    return reader(
      'timeout',
      'Nobody typed the PIN in time',
      'The reader gave up waiting for the PIN (bError F0 PIN_TIMEOUT; libccid reports 64 00).',
    );
  if (bError === CCID_BERROR.CMD_NOT_SUPPORTED) {
    return reader(
      'reader-refused',
      'The reader does not do PIN entry',
      'The reader answered PC_to_RDR_Secure with bError 00 (command not supported); libccid turns this into SCARD_E_NOT_TRANSACTED. Use the software path.',
    );
  }
  if (bError === CCID_BERROR.CMD_ABORTED)
    return reader('cancelled', 'Aborted by the host', 'The PIN entry was aborted by the host (bError FF CMD_ABORTED).');
  if (bError >= 0x01 && bError <= 0x7f) {
    const name = secureFieldAtOffset(operation, bError, options.bNumberMessage);
    return reader(
      'reader-refused',
      `The reader refused ${name ?? `byte ${bError}`}`,
      `bError ${intHex(bError, 2)} points at offset ${bError} of the Secure message${name ? ` (${name})` : ''}: the reader does not support that value. Change that field and try again.`,
    );
  }
  const meaning = describeBError(bError, 1);
  const mute = bError === CCID_BERROR.ICC_MUTE || bError === CCID_BERROR.XFR_PARITY_ERROR;
  return {
    kind: mute ? 'card-error' : 'reader-error',
    title: meaning.name ?? `bError ${intHex(bError, 2)}`,
    detail: `The reader reported bError ${intHex(bError, 2)}: ${meaning.meaning}.`,
    source: 'reader',
  };
}

/** PC/SC error codes seen around SCardControl, by value (pcsc-lite and WinSCard share them). */
export const PCSC_ERROR_NAMES: Readonly<Record<number, string>> = {
  0x80100001: 'SCARD_F_INTERNAL_ERROR',
  0x80100002: 'SCARD_E_CANCELLED',
  0x80100004: 'SCARD_E_INVALID_PARAMETER',
  0x80100008: 'SCARD_E_INSUFFICIENT_BUFFER',
  0x80100009: 'SCARD_E_UNKNOWN_READER',
  0x8010000a: 'SCARD_E_TIMEOUT',
  0x8010000b: 'SCARD_E_SHARING_VIOLATION',
  0x8010000c: 'SCARD_E_NO_SMARTCARD',
  0x8010000f: 'SCARD_E_PROTO_MISMATCH',
  0x80100013: 'SCARD_F_COMM_ERROR',
  0x80100016: 'SCARD_E_NOT_TRANSACTED',
  0x80100017: 'SCARD_E_READER_UNAVAILABLE',
  0x8010001d: 'SCARD_E_NO_SERVICE',
  0x8010001f: 'SCARD_E_UNSUPPORTED_FEATURE',
  0x8010002f: 'SCARD_E_COMM_DATA_LOST',
  0x80100066: 'SCARD_W_UNRESPONSIVE_CARD',
  0x80100067: 'SCARD_W_UNPOWERED_CARD',
  0x80100068: 'SCARD_W_RESET_CARD',
  0x80100069: 'SCARD_W_REMOVED_CARD',
};

/** A PC/SC error given as a number, or as a message with the hex code in it ("Transaction failed. (0x80100016)"). */
export function pcscErrorCode(error: number | string): number | undefined {
  if (typeof error === 'number') return error >>> 0;
  const m = /0x([0-9a-f]{8})/i.exec(error);
  return m ? parseInt(m[1]!, 16) >>> 0 : undefined;
}

export function explainPcscError(error: number | string): PinpadOutcome {
  const code = pcscErrorCode(error);
  const name = code === undefined ? undefined : PCSC_ERROR_NAMES[code];
  const label = code === undefined ? 'a PC/SC error' : `${name ?? 'PC/SC error'} (0x${intHex(code, 8)})`;
  const driver = (kind: PinOutcomeKind, title: string, detail: string): PinpadOutcome => ({ kind, title, detail, source: 'driver' });
  switch (code) {
    case 0x80100016:
      return driver(
        'reader-error',
        'The reader failed the PIN request',
        `${label}: libccid returns this when the reader answers the Secure command with an error other than cancel or timeout — e.g. bError 00, "command not supported", as the QEMU reader of the pinpad capture did. The CCID log shows the bError.`,
      );
    case 0x8010001f:
      return driver(
        'reader-refused',
        'The driver refused the structure',
        `${label}: libccid refuses a structure whose ulDataLength disagrees with its size, whose APDU is shorter than 4 bytes, or a modify with bNumberMessage above 3 (commands.c). Nothing reached the reader.`,
      );
    case 0x80100002:
      return driver('cancelled', 'Cancelled by the application', `${label}: SCardCancel stopped the PIN entry.`);
    case 0x8010000a:
      return driver('timeout', 'PC/SC timed out', `${label}: the driver gave up waiting for the reader.`);
    case 0x8010000c:
    case 0x80100069:
      return driver('reader-error', 'No card', `${label}: insert the card and try again.`);
    case 0x80100004:
      return driver('reader-refused', 'Invalid parameter', `${label}: the driver refused the control code or the buffer sizes.`);
    case 0x8010000f:
      return driver('reader-error', 'Protocol mismatch', `${label}: OpenSC reports this as "Generic reader error". Reconnect the card.`);
    default:
      return driver('reader-error', name ?? 'PC/SC error', `${label}: the PIN request did not complete.`);
  }
}

export type PinOutcomeInput =
  | { operation: PinOperationName; response: Uint8Array }
  | { operation: PinOperationName; bError: number; bNumberMessage?: number }
  | { operation: PinOperationName; pcscError: number | string };

/** One entry point for every source of an outcome. */
export function explainPinOutcome(input: PinOutcomeInput): PinpadOutcome {
  if ('response' in input) return explainPinResponse(input.operation, input.response);
  if ('bError' in input)
    return explainPinBError(
      input.operation,
      input.bError,
      input.bNumberMessage === undefined ? {} : { bNumberMessage: input.bNumberMessage },
    );
  return explainPcscError(input.pcscError);
}
