/**
 * PC_to_RDR_Secure (0x69) abData: bPINOperation then the PIN verification or modification data
 * structure (CCID 1.1 §6.1.11). The bit fields are decoded by core/pcsc/pin-format, the same
 * code that decodes PC/SC PIN_VERIFY_STRUCTURE, because libccid copies them byte for byte.
 */
import type { ByteReader } from '../bytes/byte-reader.js';
import { field, type DissectNode, type Problem } from '../dissect/node.js';
import {
  ccidModifyMessageIndexCount,
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
} from '../pcsc/pin-format.js';
import { hex2, hexOf } from './field-cursor.js';
import { nameOr, PIN_OPERATION_NAMES } from './value-tables.js';

export type PinOperation = 'verify' | 'modify' | 'transfer-pin' | 'wait-icc-response' | 'cancel' | 'resend-i-block' | 'send-next-apdu-part';

const OPERATIONS: readonly PinOperation[] = [
  'verify',
  'modify',
  'transfer-pin',
  'wait-icc-response',
  'cancel',
  'resend-i-block',
  'send-next-apdu-part',
];

export interface SecureRequest {
  /** 'continuation' when wLevelParameter says abData continues an earlier Secure (no bPINOperation). */
  operation: PinOperation | 'unknown' | 'continuation';
  bPINOperation?: number;
  verify?: PinVerifyFields;
  modify?: PinModifyFields;
  /** The APDU template (verify/modify). */
  apdu?: PinApduTemplate;
  /** Bytes after bPINOperation for the other operations, or the continuation bytes. */
  rest?: { offset: number; length: number };
}

export interface SecureDecode {
  secure: SecureRequest;
  nodes: DissectNode[];
  problems: Problem[];
}

const PREFIX = 'ccid.secure';

export const CCID_VERIFY_FIELDS: readonly PinFieldSpec[] = [
  ['bTimeOut', 1],
  ['bmFormatString', 1],
  ['bmPINBlockString', 1],
  ['bmPINLengthFormat', 1],
  ['wPINMaxExtraDigit', 2],
  ['bEntryValidationCondition', 1],
  ['bNumberMessage', 1],
  ['wLangId', 2],
  ['bMsgIndex', 1],
  ['bTeoPrologue', 3],
];

/** Up to bNumberMessage: the rest depends on it. */
const CCID_MODIFY_HEAD: readonly PinFieldSpec[] = [
  ['bTimeOut', 1],
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
];

function modifyTail(bNumberMessage: number): PinFieldSpec[] {
  const names = ['bMsgIndex1', 'bMsgIndex2', 'bMsgIndex3'].slice(0, ccidModifyMessageIndexCount(bNumberMessage));
  return [...names.map((n): PinFieldSpec => [n, 1]), ['bTeoPrologue', 3]];
}

/** wLevelParameter values for which abData starts with bPINOperation. */
function startsWithOperation(wLevelParameter: number): boolean {
  return wLevelParameter === 0x0000 || wLevelParameter === 0x0001;
}

/** Decodes abData (the reader covers exactly the abData bytes present). Never throws. */
export function decodeSecureData(reader: ByteReader, wLevelParameter = 0): SecureDecode {
  const nodes: DissectNode[] = [];
  const problems: Problem[] = [];
  if (!startsWithOperation(wLevelParameter)) {
    const offset = reader.absolutePosition;
    const length = reader.remaining;
    reader.skip(length);
    nodes.push(field(`${PREFIX}.continuation`, `abData continues an earlier Secure: ${length} bytes`, offset, length));
    return { secure: { operation: 'continuation', rest: { offset, length } }, nodes, problems };
  }
  if (reader.remaining < 1) {
    problems.push({ code: 'truncated', message: 'Secure without bPINOperation', severity: 'error' });
    return { secure: { operation: 'unknown' }, nodes, problems };
  }
  const opOffset = reader.absolutePosition;
  const op = reader.u8();
  const operation = OPERATIONS[op] ?? 'unknown';
  nodes.push(field(`${PREFIX}.bPINOperation`, `bPINOperation: ${hex2(op)} (${nameOr(PIN_OPERATION_NAMES, op)})`, opOffset, 1, op));
  const secure: SecureRequest = { operation, bPINOperation: op };
  if (operation === 'unknown')
    problems.push({ code: 'unknown-pin-operation', message: `bPINOperation ${hex2(op)} is RFU`, severity: 'warning' });

  if (operation === 'verify' || operation === 'modify') {
    const structureNodes: DissectNode[] = [];
    const structureOffset = reader.absolutePosition;
    let truncatedAt: string | undefined;
    let values: Map<string, number | Uint8Array>;
    if (operation === 'verify') {
      const read = readPinFields(reader, CCID_VERIFY_FIELDS, PREFIX, 'verify');
      structureNodes.push(...read.nodes);
      truncatedAt = read.truncatedAt;
      values = read.values;
    } else {
      const head = readPinFields(reader, CCID_MODIFY_HEAD, PREFIX, 'modify');
      structureNodes.push(...head.nodes);
      truncatedAt = head.truncatedAt;
      values = head.values;
      if (!truncatedAt) {
        const tail = readPinFields(reader, modifyTail(values.get('bNumberMessage') as number), PREFIX, 'modify');
        structureNodes.push(...tail.nodes);
        truncatedAt = tail.truncatedAt;
        for (const [k, v] of tail.values) values.set(k, v);
      }
    }
    if (truncatedAt) {
      problems.push({ code: 'truncated', message: `PIN ${operation} structure cut short at ${truncatedAt}`, severity: 'error' });
    } else if (operation === 'verify') {
      secure.verify = verifyFromValues(values);
      addApdu(reader, secure, secure.verify, structureNodes, problems);
      checkCommon(secure.verify, problems, 'verify');
    } else {
      secure.modify = modifyFromValues(values);
      addApdu(reader, secure, secure.modify, structureNodes, problems);
      checkCommon(secure.modify, problems, 'modify');
    }
    const end = reader.absolutePosition;
    nodes.push(
      field(
        `${PREFIX}.abPINDataStructure`,
        `abPINDataStructure: PIN ${operation === 'verify' ? 'verification' : 'modification'} data structure`,
        structureOffset,
        end - structureOffset,
        undefined,
        structureNodes,
      ),
    );
    return { secure, nodes, problems };
  }

  if (reader.remaining > 0) {
    const offset = reader.absolutePosition;
    const length = reader.remaining;
    const bytes = reader.bytesView(length);
    secure.rest = { offset, length };
    const what = operation === 'send-next-apdu-part' ? 'next part of the APDU' : 'abPINDataStructure';
    nodes.push(field(`${PREFIX}.abData`, `${what}: ${length} bytes`, offset, length, hexOf(bytes)));
  }
  return { secure, nodes, problems };
}

function addApdu(
  reader: ByteReader,
  secure: SecureRequest,
  fields: PinVerifyFields | PinModifyFields,
  nodes: DissectNode[],
  problems: Problem[],
): void {
  const offset = reader.absolutePosition;
  const bytes = reader.bytesView(reader.remaining);
  const modify =
    'bConfirmPIN' in fields
      ? {
          bInsertionOffsetOld: fields.bInsertionOffsetOld,
          bInsertionOffsetNew: fields.bInsertionOffsetNew,
          currentPinRequested: fields.bConfirmPIN.currentPinRequested,
        }
      : undefined;
  const { template, node } = pinApduTemplate(PREFIX, offset, bytes, fields, modify);
  secure.apdu = template;
  nodes.push(node);
  if (bytes.length < 4) {
    problems.push({ code: 'apdu-too-short', message: `APDU template of ${bytes.length} bytes (needs CLA INS P1 P2)`, severity: 'warning' });
  } else if (!template.placement.fitsInApdu || (template.newPinPlacement && !template.newPinPlacement.fitsInApdu)) {
    problems.push({ code: 'pin-outside-apdu', message: 'the PIN block does not fit in the APDU template', severity: 'warning' });
  }
}

function checkCommon(f: PinVerifyFields | PinModifyFields, problems: Problem[], operation: 'verify' | 'modify'): void {
  const evc = f.bEntryValidationCondition.raw;
  if (evc === 0 || evc > 0x07) {
    problems.push({ code: 'bad-entry-validation', message: `bEntryValidationCondition ${hex2(evc)} is invalid`, severity: 'warning' });
  }
  const n = f.bNumberMessage;
  const max = operation === 'verify' ? 1 : 3;
  if (n > max && n !== 0xff)
    problems.push({ code: 'bad-number-message', message: `bNumberMessage ${n} is invalid for ${operation}`, severity: 'warning' });
  if (f.bmPINLengthFormat.rfuBits !== 0)
    problems.push({ code: 'reserved-nonzero', message: 'bmPINLengthFormat bits 7-5 are not zero', severity: 'warning' });
}

// ---- building abData --------------------------------------------------------------------------

const MAX_APDU = 65544;

function checkApdu(apdu: Uint8Array): void {
  if (apdu.length > MAX_APDU) throw new RangeError(`APDU template of ${apdu.length} bytes is too long`);
}

/** abData of a PIN verification Secure: bPINOperation 00 + structure + APDU. */
export function encodeSecureVerifyData(i: PinVerifyInput): Uint8Array {
  checkApdu(i.apdu);
  const w = new PinBytesWriter(1 + 14 + i.apdu.length);
  w.u8(0x00)
    .u8(i.timeOut ?? 0)
    .u8(i.formatString)
    .u8(i.pinBlockString)
    .u8(i.pinLengthFormat);
  w.u16le(encodePinMaxExtraDigit(i.minPinSize, i.maxPinSize));
  w.u8(i.entryValidationCondition ?? 0x02)
    .u8(i.numberMessage ?? 0x01)
    .u16le(i.langId ?? 0x0409);
  w.u8(i.msgIndex ?? 0)
    .bytes(i.teoPrologue ?? [0, 0, 0])
    .bytes(i.apdu);
  return w.done();
}

/** abData of a PIN modification Secure; bMsgIndex2/3 are written only when bNumberMessage asks. */
export function encodeSecureModifyData(i: PinModifyInput): Uint8Array {
  checkApdu(i.apdu);
  const numberMessage = i.numberMessage ?? 0x03;
  const w = new PinBytesWriter(1 + 20 + i.apdu.length);
  w.u8(0x01)
    .u8(i.timeOut ?? 0)
    .u8(i.formatString)
    .u8(i.pinBlockString)
    .u8(i.pinLengthFormat);
  w.u8(i.insertionOffsetOld).u8(i.insertionOffsetNew);
  w.u16le(encodePinMaxExtraDigit(i.minPinSize, i.maxPinSize));
  w.u8(i.confirmPin)
    .u8(i.entryValidationCondition ?? 0x02)
    .u8(numberMessage)
    .u16le(i.langId ?? 0x0409);
  const indexes = [i.msgIndex1 ?? 0, i.msgIndex2 ?? 1, i.msgIndex3 ?? 2].slice(0, ccidModifyMessageIndexCount(numberMessage));
  w.bytes(indexes)
    .bytes(i.teoPrologue ?? [0, 0, 0])
    .bytes(i.apdu);
  return w.done();
}
