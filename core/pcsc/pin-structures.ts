/**
 * PC/SC part 10 PIN_VERIFY_STRUCTURE and PIN_MODIFY_STRUCTURE (the SCardControl input of
 * FEATURE_VERIFY_PIN_DIRECT / FEATURE_MODIFY_PIN_DIRECT): packed, little-endian, ending with
 * ulDataLength and the APDU template. Build and decode; the bit fields come from pin-format.
 */
import { ByteReader } from '../bytes/byte-reader.js';
import { field, type DissectNode, type Problem } from '../dissect/node.js';
import {
  encodePinMaxExtraDigit,
  modifyFromValues,
  PinBytesWriter,
  pinApduTemplate,
  readPinFields,
  verifyFromValues,
  type PinApduTemplate,
  type PinFieldSpec,
  type PinModifyFields,
  type PinModifyInput,
  type PinVerifyFields,
  type PinVerifyInput,
} from './pin-format.js';

export interface PinVerifyStructure extends PinVerifyFields {
  bTimeOut2: number;
  ulDataLength: number;
  apdu: PinApduTemplate;
}

export interface PinModifyStructure extends PinModifyFields {
  bTimeOut2: number;
  ulDataLength: number;
  /** Always present in PC/SC (CCID may drop them). */
  bMsgIndex2: number;
  bMsgIndex3: number;
  apdu: PinApduTemplate;
}

export interface PinStructureDecode<T> {
  /** Present when the fixed part was complete (the APDU may still be inconsistent: see problems). */
  structure?: T;
  node: DissectNode;
  problems: Problem[];
}

/** Fixed part sizes: the APDU follows ulDataLength. */
export const PIN_VERIFY_HEADER_LENGTH = 19;
export const PIN_MODIFY_HEADER_LENGTH = 24;

const VERIFY_FIELDS: readonly PinFieldSpec[] = [
  ['bTimerOut', 1],
  ['bTimerOut2', 1],
  ['bmFormatString', 1],
  ['bmPINBlockString', 1],
  ['bmPINLengthFormat', 1],
  ['wPINMaxExtraDigit', 2],
  ['bEntryValidationCondition', 1],
  ['bNumberMessage', 1],
  ['wLangId', 2],
  ['bMsgIndex', 1],
  ['bTeoPrologue', 3],
  ['ulDataLength', 4],
];

const MODIFY_FIELDS: readonly PinFieldSpec[] = [
  ['bTimerOut', 1],
  ['bTimerOut2', 1],
  ['bmFormatString', 1],
  ['bmPINBlockString', 1],
  ['bmPINLengthFormat', 1],
  ['bInsertionOffsetOld', 1],
  ['bInsertionOffsetNew', 1],
  ['wPINMaxExtraDigit', 2],
  ['bConfirmPIN', 1],
  ['bEntryValidationCondition', 1],
  ['bNumberMessage', 1],
  ['wLangId', 2],
  ['bMsgIndex1', 1],
  ['bMsgIndex2', 1],
  ['bMsgIndex3', 1],
  ['bTeoPrologue', 3],
  ['ulDataLength', 4],
];

export function decodePinVerifyStructure(bytes: Uint8Array, offset = 0): PinStructureDecode<PinVerifyStructure> {
  return decodeStructure(bytes, offset, 'verify');
}

export function decodePinModifyStructure(bytes: Uint8Array, offset = 0): PinStructureDecode<PinModifyStructure> {
  return decodeStructure(bytes, offset, 'modify');
}

function decodeStructure<T extends PinVerifyStructure | PinModifyStructure>(
  bytes: Uint8Array,
  offset: number,
  operation: 'verify' | 'modify',
): PinStructureDecode<T> {
  const prefix = operation === 'verify' ? 'pcsc.pinVerify' : 'pcsc.pinModify';
  const title = operation === 'verify' ? 'PIN_VERIFY_STRUCTURE' : 'PIN_MODIFY_STRUCTURE';
  const problems: Problem[] = [];
  const reader = new ByteReader(bytes, offset);
  const read = readPinFields(reader, operation === 'verify' ? VERIFY_FIELDS : MODIFY_FIELDS, prefix, operation);
  const nodes = read.nodes;
  const finish = (structure?: T): PinStructureDecode<T> => {
    const node = field(prefix, title, offset, bytes.length, undefined, nodes);
    const worst = problems.find((p) => p.severity === 'error') ?? problems[0];
    if (worst) node.problem = worst;
    return structure ? { structure, node, problems } : { node, problems };
  };
  if (read.truncatedAt) {
    problems.push({ code: 'truncated', message: `${title} cut short at ${read.truncatedAt} (${bytes.length} bytes)`, severity: 'error' });
    return finish();
  }
  const ulDataLength = read.values.get('ulDataLength') as number;
  const apduOffset = reader.absolutePosition;
  const apduBytes = reader.bytesView(reader.remaining);
  if (ulDataLength !== apduBytes.length) {
    // libccid refuses these ("Wrong lengths"); we decode what is there.
    problems.push({
      code: 'length-mismatch',
      message: `ulDataLength ${ulDataLength} but ${apduBytes.length} APDU byte(s) follow`,
      severity: 'error',
    });
  }
  if (apduBytes.length < 4) {
    problems.push({ code: 'apdu-too-short', message: `APDU of ${apduBytes.length} bytes (needs CLA INS P1 P2)`, severity: 'error' });
  }
  const bTimeOut2 = read.values.get('bTimerOut2') as number;
  let structure: PinVerifyStructure | PinModifyStructure;
  if (operation === 'verify') {
    const fields = verifyFromValues(read.values);
    const { template, node } = pinApduTemplate(prefix, apduOffset, apduBytes, fields);
    nodes.push(node);
    structure = { ...fields, bTimeOut2, ulDataLength, apdu: template };
  } else {
    const fields = modifyFromValues(read.values);
    const { template, node } = pinApduTemplate(prefix, apduOffset, apduBytes, fields, {
      bInsertionOffsetOld: fields.bInsertionOffsetOld,
      bInsertionOffsetNew: fields.bInsertionOffsetNew,
      currentPinRequested: fields.bConfirmPIN.currentPinRequested,
    });
    nodes.push(node);
    structure = {
      ...fields,
      bMsgIndex2: fields.bMsgIndex2 ?? 0,
      bMsgIndex3: fields.bMsgIndex3 ?? 0,
      bTimeOut2,
      ulDataLength,
      apdu: template,
    };
    if (fields.bNumberMessage > 3 && fields.bNumberMessage !== 0xff) {
      problems.push({ code: 'bad-number-message', message: `bNumberMessage ${fields.bNumberMessage} is invalid`, severity: 'warning' });
    }
  }
  const evc = structure.bEntryValidationCondition.raw;
  if (evc === 0 || evc > 0x07) {
    problems.push({
      code: 'bad-entry-validation',
      message: `bEntryValidationCondition 0x${evc.toString(16)} is invalid (libccid sends 02)`,
      severity: 'warning',
    });
  }
  if (apduBytes.length >= 4 && (!structure.apdu.placement.fitsInApdu || structure.apdu.newPinPlacement?.fitsInApdu === false)) {
    problems.push({ code: 'pin-outside-apdu', message: 'the PIN block does not fit in the APDU template', severity: 'warning' });
  }
  return finish(structure as T);
}

const MAX_APDU = 65544;

/** Builds PIN_VERIFY_STRUCTURE (ulDataLength = APDU length). */
export function encodePinVerifyStructure(i: PinVerifyInput & { timeOut2?: number }): Uint8Array {
  if (i.apdu.length > MAX_APDU) throw new RangeError(`APDU template of ${i.apdu.length} bytes is too long`);
  const w = new PinBytesWriter(PIN_VERIFY_HEADER_LENGTH + i.apdu.length);
  w.u8(i.timeOut ?? 0)
    .u8(i.timeOut2 ?? 0)
    .u8(i.formatString)
    .u8(i.pinBlockString)
    .u8(i.pinLengthFormat);
  w.u16le(encodePinMaxExtraDigit(i.minPinSize, i.maxPinSize));
  w.u8(i.entryValidationCondition ?? 0x02)
    .u8(i.numberMessage ?? 0x01)
    .u16le(i.langId ?? 0x0409);
  w.u8(i.msgIndex ?? 0)
    .bytes(i.teoPrologue ?? [0, 0, 0])
    .u32le(i.apdu.length)
    .bytes(i.apdu);
  return w.done();
}

/** Builds PIN_MODIFY_STRUCTURE (all three bMsgIndex bytes, as PC/SC requires). */
export function encodePinModifyStructure(i: PinModifyInput & { timeOut2?: number }): Uint8Array {
  if (i.apdu.length > MAX_APDU) throw new RangeError(`APDU template of ${i.apdu.length} bytes is too long`);
  const w = new PinBytesWriter(PIN_MODIFY_HEADER_LENGTH + i.apdu.length);
  w.u8(i.timeOut ?? 0)
    .u8(i.timeOut2 ?? 0)
    .u8(i.formatString)
    .u8(i.pinBlockString)
    .u8(i.pinLengthFormat);
  w.u8(i.insertionOffsetOld).u8(i.insertionOffsetNew).u16le(encodePinMaxExtraDigit(i.minPinSize, i.maxPinSize));
  w.u8(i.confirmPin)
    .u8(i.entryValidationCondition ?? 0x02)
    .u8(i.numberMessage ?? 0x03)
    .u16le(i.langId ?? 0x0409);
  w.u8(i.msgIndex1 ?? 0)
    .u8(i.msgIndex2 ?? 1)
    .u8(i.msgIndex3 ?? 2)
    .bytes(i.teoPrologue ?? [0, 0, 0]);
  w.u32le(i.apdu.length).bytes(i.apdu);
  return w.done();
}
