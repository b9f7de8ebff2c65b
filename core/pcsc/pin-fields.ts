/**
 * The field lists of the four PIN request layouts, and the ONE reader and ONE writer driven by
 * them: PC/SC part 10 PIN_VERIFY_STRUCTURE / PIN_MODIFY_STRUCTURE (SCardControl input) and the
 * CCID abPINDataStructure of PC_to_RDR_Secure (verify / modify). The layouts differ only in their
 * lists: CCID has no bTimerOut2 and no ulDataLength, starts with bPINOperation, and carries
 * bMsgIndex2/3 only when bNumberMessage asks for them. Multi-byte integers are little-endian in
 * both specs; bTeoPrologue is three bytes, handled as one 24-bit number NAD‖PCB‖LEN.
 *
 * API:
 * - PinParameters: every field by its PC/SC name, plus the APDU template (the wizard's model).
 * - pinStructureFields(format, operation, bNumberMessage) → the field list (name, size, label).
 * - writePinStructure(format, operation, parameters) → bytes (PC/SC structure or CCID abData).
 * - readPinFields(source, format, operation, prefix) → values + decode nodes (never throws).
 * - pinFieldNode(prefix, label, offset, length, value) → one explained decode node.
 * The typed views of the values (verify/modify fields, the older meaning-named input) are
 * pin-field-values.ts's.
 */
import { MAX_EXTENDED_APDU_LENGTH } from '../iso7816/apdu-limits.js';
import { ByteWriter } from '../bytes/byte-writer.js';
import { intHex } from '../bytes/hex.js';
import { field, type DissectNode } from '../dissect/node.js';
import {
  ccidModifyMessageIndexCount,
  decodeConfirmPin,
  decodeEntryValidationCondition,
  decodeFormatString,
  decodePinBlockString,
  decodePinLengthFormat,
  decodePinMaxExtraDigit,
  explainConfirmPin,
  explainEntryValidationCondition,
  explainFormatString,
  explainLangId,
  explainNumberMessage,
  explainPinBlockString,
  explainPinLengthFormat,
  explainPinMaxExtraDigit,
  explainTeoPrologue,
  explainTimeOut,
  type PinOperationName,
} from './pin-bit-fields.js';

export type PinStructureFormat = 'pcsc' | 'ccid';

/**
 * Every parameter of a PIN entry request, by its PC/SC part 10 name. A verify uses bMsgIndex; a
 * modify uses bInsertionOffsetOld/New, bConfirmPIN and bMsgIndex1..3; the rest is shared. The
 * CCID layout calls bTimerOut "bTimeOut" and has no bTimerOut2.
 */
export interface PinParameters {
  /** Seconds to wait for the first key, 0 = the reader's default. */
  bTimerOut: number;
  /** Seconds after the first key (PC/SC only; libccid drops it). */
  bTimerOut2: number;
  bmFormatString: number;
  bmPINBlockString: number;
  bmPINLengthFormat: number;
  bInsertionOffsetOld: number;
  bInsertionOffsetNew: number;
  /** 0xXXYY: XX minimum, YY maximum digits. */
  wPINMaxExtraDigit: number;
  bConfirmPIN: number;
  bEntryValidationCondition: number;
  bNumberMessage: number;
  wLangId: number;
  bMsgIndex: number;
  bMsgIndex1: number;
  bMsgIndex2: number;
  bMsgIndex3: number;
  /** NAD‖PCB‖LEN as one 24-bit number. */
  bTeoPrologue: number;
  /** The APDU the reader completes with the PIN. */
  apdu: Uint8Array;
}

export type PinNumericField = Exclude<keyof PinParameters, 'apdu'>;
export type PinFieldName = PinNumericField | 'ulDataLength';

export interface PinFieldSpec {
  /** The PC/SC name (the PinParameters key). */
  name: PinFieldName;
  /** The name this layout's specification uses (CCID: bTimeOut). */
  label: string;
  size: 1 | 2 | 3 | 4;
  /** Words are little-endian in both specs; bTeoPrologue's three bytes go NAD, PCB, LEN (big-endian as a number). */
  endian: 'le' | 'be';
}

const f = (name: PinFieldName, size: 1 | 2 | 3 | 4, label: string = name): PinFieldSpec => ({
  name,
  size,
  label,
  endian: size === 3 ? 'be' : 'le',
});

const PCSC_VERIFY: readonly PinFieldSpec[] = [
  f('bTimerOut', 1),
  f('bTimerOut2', 1),
  f('bmFormatString', 1),
  f('bmPINBlockString', 1),
  f('bmPINLengthFormat', 1),
  f('wPINMaxExtraDigit', 2),
  f('bEntryValidationCondition', 1),
  f('bNumberMessage', 1),
  f('wLangId', 2),
  f('bMsgIndex', 1),
  f('bTeoPrologue', 3),
  f('ulDataLength', 4),
];

const PCSC_MODIFY: readonly PinFieldSpec[] = [
  f('bTimerOut', 1),
  f('bTimerOut2', 1),
  f('bmFormatString', 1),
  f('bmPINBlockString', 1),
  f('bmPINLengthFormat', 1),
  f('bInsertionOffsetOld', 1),
  f('bInsertionOffsetNew', 1),
  f('wPINMaxExtraDigit', 2),
  f('bConfirmPIN', 1),
  f('bEntryValidationCondition', 1),
  f('bNumberMessage', 1),
  f('wLangId', 2),
  f('bMsgIndex1', 1),
  f('bMsgIndex2', 1),
  f('bMsgIndex3', 1),
  f('bTeoPrologue', 3),
  f('ulDataLength', 4),
];

const CCID_VERIFY: readonly PinFieldSpec[] = PCSC_VERIFY.filter((s) => s.name !== 'bTimerOut2' && s.name !== 'ulDataLength').map((s) =>
  s.name === 'bTimerOut' ? f('bTimerOut', 1, 'bTimeOut') : s,
);

/** The CCID modify fields up to wLangId: what follows depends on bNumberMessage. */
const CCID_MODIFY_HEAD: readonly PinFieldSpec[] = PCSC_MODIFY.slice(
  0,
  PCSC_MODIFY.findIndex((s) => s.name === 'bMsgIndex1'),
)
  .filter((s) => s.name !== 'bTimerOut2')
  .map((s) => (s.name === 'bTimerOut' ? f('bTimerOut', 1, 'bTimeOut') : s));

const MESSAGE_INDEXES: readonly PinFieldSpec[] = [f('bMsgIndex1', 1), f('bMsgIndex2', 1), f('bMsgIndex3', 1)];

/** The field list of one layout. For a CCID modify, bNumberMessage decides the message indexes. */
export function pinStructureFields(format: PinStructureFormat, operation: PinOperationName, bNumberMessage = 3): readonly PinFieldSpec[] {
  if (format === 'pcsc') return operation === 'verify' ? PCSC_VERIFY : PCSC_MODIFY;
  if (operation === 'verify') return CCID_VERIFY;
  return [...CCID_MODIFY_HEAD, ...MESSAGE_INDEXES.slice(0, ccidModifyMessageIndexCount(bNumberMessage)), f('bTeoPrologue', 3)];
}

/** Bytes before the APDU template (for CCID: bPINOperation included). */
export function pinStructureHeaderLength(format: PinStructureFormat, operation: PinOperationName, bNumberMessage = 3): number {
  const fields = pinStructureFields(format, operation, bNumberMessage);
  return fields.reduce((n, s) => n + s.size, format === 'ccid' ? 1 : 0);
}

/** bPINOperation of PC_to_RDR_Secure. */
export const CCID_PIN_OPERATION: Record<PinOperationName, number> = { verify: 0x00, modify: 0x01 };

// ---- the one writer ---------------------------------------------------------------------------

/**
 * Writes a PIN request in the given layout: the PC/SC structure (ulDataLength = template length),
 * or the CCID abData (bPINOperation first). Values are written modulo their field size; the
 * parameter model (core/pinpad) is where ranges are checked and explained.
 */
export function writePinStructure(format: PinStructureFormat, operation: PinOperationName, p: PinParameters): Uint8Array {
  if (p.apdu.length > MAX_EXTENDED_APDU_LENGTH) throw new RangeError(`APDU template of ${p.apdu.length} bytes is too long`);
  const fields = pinStructureFields(format, operation, p.bNumberMessage);
  const w = new ByteWriter(pinStructureHeaderLength(format, operation, p.bNumberMessage) + p.apdu.length);
  if (format === 'ccid') w.u8(CCID_PIN_OPERATION[operation]);
  for (const spec of fields) {
    const value = spec.name === 'ulDataLength' ? p.apdu.length : p[spec.name];
    if (spec.size === 1) w.u8(value);
    else if (spec.size === 2) w.u16le(value);
    else if (spec.size === 3) w.u24be(value);
    else w.u32le(value);
  }
  return w.bytes(p.apdu).done();
}

// ---- the one reader ---------------------------------------------------------------------------

/** Minimal reading surface (satisfied by core/bytes ByteReader) so this module stays generic. */
export interface PinFieldSource {
  readonly remaining: number;
  readonly absolutePosition: number;
  u8(): number;
  u16le(): number;
  u32le(): number;
  bytesView(count: number): Uint8Array;
}

export type PinFieldValues = Partial<Record<PinFieldName, number>>;

export interface PinFieldsRead {
  values: PinFieldValues;
  nodes: DissectNode[];
  /** Name (as the layout spells it) of the first field that did not fit, when cut short. */
  truncatedAt?: string;
}

/**
 * Reads the fields of a layout in order (for CCID, starting after bPINOperation); stops at the
 * first one that does not fit and never throws. The APDU template is left to the caller.
 */
export function readPinFields(
  source: PinFieldSource,
  format: PinStructureFormat,
  operation: PinOperationName,
  prefix: string,
): PinFieldsRead {
  const out: PinFieldsRead = { values: {}, nodes: [] };
  const readList = (specs: readonly PinFieldSpec[]): boolean => {
    for (const spec of specs) {
      if (spec.name in out.values) continue;
      if (source.remaining < spec.size) {
        out.truncatedAt = spec.label;
        return false;
      }
      const offset = source.absolutePosition;
      let value: number;
      if (spec.size === 3) {
        const b = source.bytesView(3);
        value = (b[0]! << 16) | (b[1]! << 8) | b[2]!;
      } else {
        value = spec.size === 1 ? source.u8() : spec.size === 2 ? source.u16le() : source.u32le();
      }
      out.values[spec.name] = value;
      out.nodes.push(pinFieldNode(prefix, spec.label, offset, spec.size, value, operation));
    }
    return true;
  };
  if (format === 'ccid' && operation === 'modify') {
    // The message indexes present depend on bNumberMessage, read just before them.
    if (readList(CCID_MODIFY_HEAD)) readList(pinStructureFields('ccid', 'modify', out.values.bNumberMessage ?? 3));
  } else {
    readList(pinStructureFields(format, operation));
  }
  return out;
}

// ---- decode nodes ------------------------------------------------------------------------------

function explained(id: string, name: string, offset: number, length: number, value: number, lines: string[]): DissectNode {
  // Explanation lines are children covering the same bytes, so a click in the hex pane still
  // selects the field itself (nodeAtOffset returns the first matching child: the first line).
  const children = lines.map((line) => field(`${id}.explain`, line, offset, length));
  return field(id, `${name}: 0x${intHex(value, length * 2)}`, offset, length, value, children);
}

/** The bit fields whose explanation is their decoded parts, one line each. */
const BIT_FIELD_LINES = new Map<string, (value: number) => string[]>([
  ['bmFormatString', (value) => explainFormatString(decodeFormatString(value))],
  ['bmPINBlockString', (value) => explainPinBlockString(decodePinBlockString(value))],
  ['bmPINLengthFormat', (value) => explainPinLengthFormat(decodePinLengthFormat(value))],
  ['wPINMaxExtraDigit', (value) => explainPinMaxExtraDigit(decodePinMaxExtraDigit(value))],
  ['bEntryValidationCondition', (value) => explainEntryValidationCondition(decodeEntryValidationCondition(value))],
  ['bConfirmPIN', (value) => explainConfirmPin(decodeConfirmPin(value))],
]);

/**
 * One dissect node for any PIN field, with its explanation lines as children. `prefix` is the
 * layer's id prefix ('ccid.secure', 'pcsc.pinVerify'); `name` the field name as the layout spells it.
 */
export function pinFieldNode(
  prefix: string,
  name: string,
  offset: number,
  length: number,
  value: number,
  operation: PinOperationName = 'verify',
): DissectNode {
  const id = `${prefix}.${name}`;
  const explain = BIT_FIELD_LINES.get(name);
  if (explain) return explained(id, name, offset, length, value, explain(value));
  switch (name) {
    case 'bNumberMessage':
      return field(id, `${name}: ${value} (${explainNumberMessage(value, operation)})`, offset, length, value);
    case 'wLangId':
      return field(id, `${name}: 0x${intHex(value, 4)} (${explainLangId(value)})`, offset, length, value);
    case 'bTimeOut':
    case 'bTimerOut':
    case 'bTimeOut2':
    case 'bTimerOut2':
      return field(id, `${name}: ${value} (${explainTimeOut(value)})`, offset, length, value);
    case 'bInsertionOffsetOld':
    case 'bInsertionOffsetNew':
      return field(id, `${name}: ${value} (bytes after Lc)`, offset, length, value);
    case 'bTeoPrologue': {
      const hex = [value >> 16, value >> 8, value].map((b) => intHex(b & 0xff, 2)).join(' ');
      return field(id, `${name}: ${hex} (${explainTeoPrologue(value)})`, offset, 3, hex);
    }
    case 'ulDataLength':
      return field(id, `${name}: ${value} (APDU template bytes that follow)`, offset, length, value);
    default:
      return field(id, `${name}: ${value}`, offset, length, value);
  }
}
