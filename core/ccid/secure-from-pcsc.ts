/**
 * Turns a PC/SC PIN_VERIFY/MODIFY_STRUCTURE into the abData of a CCID PC_to_RDR_Secure the way
 * libccid does (drop bTimerOut2 and ulDataLength, drop bMsgIndex2/3 that CCID does not carry,
 * rewrite an invalid bEntryValidationCondition to 02, refuse inconsistent lengths). The virtual
 * reader and the pinpad wizard use it to show "what goes on the wire".
 */
import type { Problem } from '../dissect/node.js';
import {
  decodePinModifyStructure,
  decodePinVerifyStructure,
  type PinModifyStructure,
  type PinVerifyStructure,
} from '../pcsc/pin-structures.js';
import { encodeSecureModifyData, encodeSecureVerifyData } from './secure.js';

export interface SecureConversion {
  /** abData of the Secure message (starting with bPINOperation), absent when refused. */
  data?: Uint8Array;
  /** Why it was refused (errors) or what was changed (warnings). */
  problems: Problem[];
}

function validEntryCondition(raw: number): number {
  return raw === 0 || raw > 0x07 ? 0x02 : raw;
}

export function secureVerifyDataFromStructure(s: PinVerifyStructure): Uint8Array {
  return encodeSecureVerifyData({
    timeOut: s.bTimeOut,
    formatString: s.bmFormatString.raw,
    pinBlockString: s.bmPINBlockString.raw,
    pinLengthFormat: s.bmPINLengthFormat.raw,
    minPinSize: s.wPINMaxExtraDigit.min,
    maxPinSize: s.wPINMaxExtraDigit.max,
    entryValidationCondition: validEntryCondition(s.bEntryValidationCondition.raw),
    numberMessage: s.bNumberMessage,
    langId: s.wLangId,
    msgIndex: s.bMsgIndex,
    teoPrologue: s.bTeoPrologue,
    apdu: s.apdu.bytes,
  });
}

export function secureModifyDataFromStructure(s: PinModifyStructure): Uint8Array {
  return encodeSecureModifyData({
    timeOut: s.bTimeOut,
    formatString: s.bmFormatString.raw,
    pinBlockString: s.bmPINBlockString.raw,
    pinLengthFormat: s.bmPINLengthFormat.raw,
    insertionOffsetOld: s.bInsertionOffsetOld,
    insertionOffsetNew: s.bInsertionOffsetNew,
    minPinSize: s.wPINMaxExtraDigit.min,
    maxPinSize: s.wPINMaxExtraDigit.max,
    confirmPin: s.bConfirmPIN.raw,
    entryValidationCondition: validEntryCondition(s.bEntryValidationCondition.raw),
    numberMessage: s.bNumberMessage,
    langId: s.wLangId,
    msgIndex1: s.bMsgIndex1,
    msgIndex2: s.bMsgIndex2,
    msgIndex3: s.bMsgIndex3,
    teoPrologue: s.bTeoPrologue,
    apdu: s.apdu.bytes,
  });
}

const REFUSING = new Set(['truncated', 'length-mismatch', 'apdu-too-short', 'bad-number-message']);

function convert<T extends PinVerifyStructure | PinModifyStructure>(
  decoded: { structure?: T; problems: Problem[] },
  build: (s: T) => Uint8Array,
): SecureConversion {
  const refusals = decoded.problems.filter((p) => REFUSING.has(p.code)).map((p): Problem => ({ ...p, severity: 'error' }));
  if (!decoded.structure || refusals.length > 0) return { problems: refusals.length ? refusals : decoded.problems };
  const problems: Problem[] = [];
  const evc = decoded.structure.bEntryValidationCondition.raw;
  if (validEntryCondition(evc) !== evc) {
    problems.push({
      code: 'entry-validation-fixed',
      message: `bEntryValidationCondition 0x${evc.toString(16)} sent as 02`,
      severity: 'warning',
    });
  }
  return { data: build(decoded.structure), problems };
}

/** SCardControl(VERIFY_PIN_DIRECT) input bytes → Secure abData. */
export function secureDataFromPinVerifyBytes(bytes: Uint8Array): SecureConversion {
  return convert(decodePinVerifyStructure(bytes), secureVerifyDataFromStructure);
}

/** SCardControl(MODIFY_PIN_DIRECT) input bytes → Secure abData. */
export function secureDataFromPinModifyBytes(bytes: Uint8Array): SecureConversion {
  return convert(decodePinModifyStructure(bytes), secureModifyDataFromStructure);
}
