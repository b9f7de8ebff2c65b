/**
 * The one validity check of a PIN request, whichever layout carried it (PC/SC structure or CCID
 * Secure): the capture viewer, the SCardControl decoder and the wizard all see the same problems
 * with the same severities. Errors are what a driver refuses or a reader cannot execute (libccid
 * commands.c SecurePINVerify/SecurePINModify: "Command too short", "Wrong lengths", "Wrong
 * bNumberMessage" for a modify); warnings are what works somewhere but breaks elsewhere.
 *
 * API: checkPinStructure(input) → Problem[] (stable codes: truncated, length-mismatch,
 * apdu-too-short, bad-number-message, bad-entry-validation, reserved-nonzero, reserved-coding,
 * min-above-max, pin-outside-apdu).
 */
import { hexLiteral } from '../bytes/hex.js';
import type { Problem } from '../dissect/node.js';
import type { PinOperationName } from './pin-bit-fields.js';
import type { PinFieldValues, PinStructureFormat } from './pin-fields.js';
import type { PinApduTemplate } from './pin-placement.js';

export interface PinStructureCheckInput {
  format: PinStructureFormat;
  operation: PinOperationName;
  values: PinFieldValues;
  /** The layout's name of the first field missing, when the bytes ended early. */
  truncatedAt?: string;
  /** Bytes given in total (for messages). */
  totalLength: number;
  /** APDU template bytes present after the fields. */
  apduLength: number;
  template?: PinApduTemplate;
}

export function pinStructureTitle(format: PinStructureFormat, operation: PinOperationName): string {
  if (format === 'pcsc') return operation === 'verify' ? 'PIN_VERIFY_STRUCTURE' : 'PIN_MODIFY_STRUCTURE';
  return operation === 'verify' ? 'PIN verification data structure' : 'PIN modification data structure';
}

export function checkPinStructure(c: PinStructureCheckInput): Problem[] {
  const title = pinStructureTitle(c.format, c.operation);
  if (c.truncatedAt) {
    return [{ code: 'truncated', message: `${title} cut short at ${c.truncatedAt} (${c.totalLength} bytes)`, severity: 'error' }];
  }
  const problems: Problem[] = [];
  const v = c.values;
  if (c.format === 'pcsc' && v.ulDataLength !== c.apduLength) {
    // libccid refuses these ("Wrong lengths"); the decoders still show what is there.
    problems.push({
      code: 'length-mismatch',
      message: `ulDataLength ${v.ulDataLength ?? 0} but ${c.apduLength} APDU byte(s) follow`,
      severity: 'error',
    });
  }
  if (c.apduLength < 4) {
    problems.push({ code: 'apdu-too-short', message: `APDU template of ${c.apduLength} bytes (needs CLA INS P1 P2)`, severity: 'error' });
  }
  const messages = v.bNumberMessage ?? 0;
  const maxMessages = c.operation === 'verify' ? 1 : 3;
  if (messages > maxMessages && messages !== 0xff) {
    // libccid refuses a modify with more than 3 messages; a verify one is passed on as it is.
    problems.push({
      code: 'bad-number-message',
      message: `bNumberMessage ${messages} is invalid for ${c.operation} (0..${maxMessages} or FF)`,
      severity: 'warning',
    });
  }
  const evc = v.bEntryValidationCondition ?? 0;
  if (evc === 0 || evc > 0x07) {
    problems.push({
      code: 'bad-entry-validation',
      message: `bEntryValidationCondition ${hexLiteral(evc)} is invalid (libccid sends 02 instead)`,
      severity: 'warning',
    });
  }
  if (((v.bmPINLengthFormat ?? 0) & 0xe0) !== 0) {
    problems.push({ code: 'reserved-nonzero', message: 'bmPINLengthFormat bits 7-5 are not zero', severity: 'warning' });
  }
  if (((v.bmFormatString ?? 0) & 0x03) === 0x03) {
    problems.push({ code: 'reserved-coding', message: 'bmFormatString uses the reserved PIN coding 3', severity: 'warning' });
  }
  const digits = v.wPINMaxExtraDigit ?? 0;
  if (digits >> 8 > (digits & 0xff)) {
    problems.push({
      code: 'min-above-max',
      message: `wPINMaxExtraDigit asks for at least ${digits >> 8} and at most ${digits & 0xff} digits`,
      severity: 'warning',
    });
  }
  const t = c.template;
  if (t && c.apduLength >= 4 && (!t.placement.fitsInApdu || t.newPinPlacement?.fitsInApdu === false)) {
    problems.push({ code: 'pin-outside-apdu', message: 'the PIN block does not fit in the APDU template', severity: 'warning' });
  }
  return problems;
}
