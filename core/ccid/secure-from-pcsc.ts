/**
 * Turns a PC/SC PIN_VERIFY/MODIFY_STRUCTURE into the abData of a CCID PC_to_RDR_Secure the way
 * libccid does for any reader (commands.c SecurePINVerify/SecurePINModify): drop bTimerOut2 and
 * ulDataLength, drop the bMsgIndex2/3 CCID does not carry, rewrite an invalid
 * bEntryValidationCondition to 02, refuse what libccid refuses. The reader-specific rewrites
 * libccid adds for some models live in core/pinpad/reader-quirks (libccidWireParameters).
 * The direct-USB driver, the virtual reader and the pinpad wizard all use it.
 *
 * API: secureDataFromPinVerifyBytes / secureDataFromPinModifyBytes(bytes) → { data?, problems };
 * secureDataFromParameters(operation, parameters) → the same from the parameter model.
 */
import { hexLiteral } from '../bytes/hex.js';
import type { Problem } from '../dissect/node.js';
import type { PinOperationName, PinParameters } from '../pcsc/pin-format.js';
import { decodePinStructure, type PinModifyStructure, type PinStructureDecode, type PinVerifyStructure } from '../pcsc/pin-structures.js';
import { encodeSecurePinData } from './secure.js';

export interface SecureConversion {
  /** abData of the Secure message (starting with bPINOperation), absent when refused. */
  data?: Uint8Array;
  /** Why it was refused (errors) or what was changed (warnings). */
  problems: Problem[];
}

function validEntryCondition(raw: number): number {
  return raw === 0 || raw > 0x07 ? 0x02 : raw;
}

/** The parameters libccid puts on the wire for any reader (before its per-model rewrites). */
export function genericLibccidParameters(parameters: PinParameters): PinParameters {
  return { ...parameters, bTimerOut2: 0, bEntryValidationCondition: validEntryCondition(parameters.bEntryValidationCondition) };
}

/** What libccid refuses before anything reaches the wire. */
function refusals(operation: PinOperationName, problems: readonly Problem[]): Problem[] {
  return problems
    .filter(
      (p) =>
        p.code === 'truncated' ||
        p.code === 'length-mismatch' ||
        p.code === 'apdu-too-short' ||
        // "Wrong bNumberMessage" exists for a modify only.
        (p.code === 'bad-number-message' && operation === 'modify'),
    )
    .map((p): Problem => ({ ...p, severity: 'error' }));
}

function convert(operation: PinOperationName, decoded: PinStructureDecode<PinVerifyStructure | PinModifyStructure>): SecureConversion {
  const refused = refusals(operation, decoded.problems);
  if (!decoded.parameters || refused.length > 0) return { problems: refused.length ? refused : decoded.problems };
  return secureDataFromParameters(operation, decoded.parameters);
}

/** The Secure abData for already-decoded parameters (the wizard's path), with libccid's generic fix-up. */
export function secureDataFromParameters(operation: PinOperationName, parameters: PinParameters): SecureConversion {
  const problems: Problem[] = [];
  const evc = parameters.bEntryValidationCondition;
  if (validEntryCondition(evc) !== evc) {
    problems.push({
      code: 'entry-validation-fixed',
      message: `bEntryValidationCondition ${hexLiteral(evc)} sent as 02`,
      severity: 'warning',
    });
  }
  return { data: encodeSecurePinData(operation, genericLibccidParameters(parameters)), problems };
}

/** SCardControl(VERIFY_PIN_DIRECT) input bytes → Secure abData. */
export function secureDataFromPinVerifyBytes(bytes: Uint8Array): SecureConversion {
  return convert('verify', decodePinStructure('verify', bytes));
}

/** SCardControl(MODIFY_PIN_DIRECT) input bytes → Secure abData. */
export function secureDataFromPinModifyBytes(bytes: Uint8Array): SecureConversion {
  return convert('modify', decodePinStructure('modify', bytes));
}
