/**
 * The PIN entry bit fields shared by CCID PC_to_RDR_Secure (abPINDataStructure) and PC/SC part 10
 * PIN_VERIFY_STRUCTURE / PIN_MODIFY_STRUCTURE. libccid copies these bytes verbatim from one to
 * the other, so there is exactly one decoder for each of them, used by core/ccid and core/pcsc.
 */
import { intHex } from '../bytes/hex.js';
import { field, type DissectNode } from '../dissect/node.js';

export type PinCoding = 'binary' | 'bcd' | 'ascii' | 'rfu';

/** bmFormatString: how each digit is coded and where the PIN block goes in the APDU data. */
export interface FormatString {
  raw: number;
  /** bit 7: the PIN position is counted in bytes (true) or bits (false). */
  unitsBytes: boolean;
  /** bits 6-3: PIN position after formatting, counted from the first byte after Lc. */
  pinPosition: number;
  /** bit 2: right justification (fillers on the left). */
  rightJustify: boolean;
  /** bits 1-0. */
  coding: PinCoding;
}

/** bmPINBlockString: size of the inserted PIN length and of the PIN block. */
export interface PinBlockString {
  raw: number;
  /** bits 7-4: size in bits of the PIN length field inserted in the APDU (0 = no length inserted). */
  lengthSizeBits: number;
  /** bits 3-0: PIN block size in bytes after justification and formatting. */
  blockSizeBytes: number;
}

/** bmPINLengthFormat: where the PIN length goes. */
export interface PinLengthFormat {
  raw: number;
  /** bit 4: position counted in bytes (true) or bits (false). */
  unitsBytes: boolean;
  /** bits 3-0: PIN length position, counted from the first byte after Lc. */
  lengthPosition: number;
  /** bits 7-5 must be zero. */
  rfuBits: number;
}

/** wPINMaxExtraDigit 0xXXYY: XX minimum, YY maximum PIN size in digits. */
export interface PinMaxExtraDigit {
  raw: number;
  min: number;
  max: number;
}

/** bEntryValidationCondition: what ends PIN entry (any combination). */
export interface EntryValidationCondition {
  raw: number;
  maxSizeReached: boolean;
  validationKeyPressed: boolean;
  timeout: boolean;
}

/** bConfirmPIN (modify only). */
export interface ConfirmPin {
  raw: number;
  confirmationRequested: boolean;
  currentPinRequested: boolean;
}

const CODINGS: readonly PinCoding[] = ['binary', 'bcd', 'ascii', 'rfu'];

const CODING_TEXT: Record<PinCoding, string> = {
  binary: 'binary (one digit per byte, value 0-9)',
  bcd: 'BCD (one digit per half byte)',
  ascii: 'ASCII (one digit per byte, 30-39)',
  rfu: 'RFU (reserved coding 3)',
};

export function decodeFormatString(raw: number): FormatString {
  return {
    raw,
    unitsBytes: (raw & 0x80) !== 0,
    pinPosition: (raw >> 3) & 0x0f,
    rightJustify: (raw & 0x04) !== 0,
    coding: CODINGS[raw & 0x03]!,
  };
}

export function encodeFormatString(fs: Omit<FormatString, 'raw'>): number {
  return (fs.unitsBytes ? 0x80 : 0) | ((fs.pinPosition & 0x0f) << 3) | (fs.rightJustify ? 0x04 : 0) | CODINGS.indexOf(fs.coding);
}

export function decodePinBlockString(raw: number): PinBlockString {
  return { raw, lengthSizeBits: raw >> 4, blockSizeBytes: raw & 0x0f };
}

export function encodePinBlockString(pb: Omit<PinBlockString, 'raw'>): number {
  return ((pb.lengthSizeBits & 0x0f) << 4) | (pb.blockSizeBytes & 0x0f);
}

export function decodePinLengthFormat(raw: number): PinLengthFormat {
  return { raw, unitsBytes: (raw & 0x10) !== 0, lengthPosition: raw & 0x0f, rfuBits: raw >> 5 };
}

export function encodePinLengthFormat(lf: Omit<PinLengthFormat, 'raw' | 'rfuBits'>): number {
  return (lf.unitsBytes ? 0x10 : 0) | (lf.lengthPosition & 0x0f);
}

export function decodePinMaxExtraDigit(raw: number): PinMaxExtraDigit {
  return { raw, min: raw >> 8, max: raw & 0xff };
}

export function encodePinMaxExtraDigit(min: number, max: number): number {
  return ((min & 0xff) << 8) | (max & 0xff);
}

export function decodeEntryValidationCondition(raw: number): EntryValidationCondition {
  return {
    raw,
    maxSizeReached: (raw & 0x01) !== 0,
    validationKeyPressed: (raw & 0x02) !== 0,
    timeout: (raw & 0x04) !== 0,
  };
}

export function decodeConfirmPin(raw: number): ConfirmPin {
  return { raw, confirmationRequested: (raw & 0x01) !== 0, currentPinRequested: (raw & 0x02) !== 0 };
}

/** A few USB LANGIDs seen on pinpads; the rest are shown as hex. */
export const LANG_ID_NAMES: Record<number, string> = {
  0x0405: 'Czech',
  0x0406: 'Danish',
  0x0407: 'German (Germany)',
  0x0409: 'English (United States)',
  0x040b: 'Finnish',
  0x040c: 'French (France)',
  0x0410: 'Italian (Italy)',
  0x0411: 'Japanese',
  0x0413: 'Dutch (Netherlands)',
  0x0414: 'Norwegian (Bokmal)',
  0x0415: 'Polish',
  0x0419: 'Russian',
  0x041d: 'Swedish',
  0x0424: 'Slovenian',
  0x0425: 'Estonian',
  0x0807: 'German (Switzerland)',
  0x0809: 'English (United Kingdom)',
  0x080c: 'French (Belgium)',
  0x0813: 'Dutch (Belgium)',
  0x0816: 'Portuguese (Portugal)',
  0x0c07: 'German (Austria)',
  0x0c0a: 'Spanish (Spain)',
};

function units(bytes: boolean, n: number): string {
  const unit = bytes ? 'byte' : 'bit';
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

export function explainFormatString(fs: FormatString): string[] {
  return [
    `system units: ${fs.unitsBytes ? 'bytes' : 'bits'}`,
    `PIN position: ${units(fs.unitsBytes, fs.pinPosition)} after Lc`,
    `justification: ${fs.rightJustify ? 'right (fillers on the left)' : 'left (fillers on the right)'}`,
    `PIN format: ${CODING_TEXT[fs.coding]}`,
  ];
}

export function explainPinBlockString(pb: PinBlockString): string[] {
  return [
    pb.lengthSizeBits === 0
      ? 'PIN length size: 0 bits (no PIN length inserted)'
      : `PIN length size: ${pb.lengthSizeBits} bits inserted in the APDU`,
    pb.blockSizeBytes === 0 ? 'PIN block size: 0 bytes (no PIN block in the template)' : `PIN block size: ${pb.blockSizeBytes} bytes`,
  ];
}

export function explainPinLengthFormat(lf: PinLengthFormat): string[] {
  const lines = [
    `system units: ${lf.unitsBytes ? 'bytes' : 'bits'}`,
    `PIN length position: ${units(lf.unitsBytes, lf.lengthPosition)} after Lc`,
  ];
  if (lf.rfuBits !== 0) lines.push(`RFU bits 7-5 are ${lf.rfuBits} (should be 0)`);
  return lines;
}

export function explainPinMaxExtraDigit(m: PinMaxExtraDigit): string[] {
  const lines = [`minimum PIN size: ${m.min} digits`, `maximum PIN size: ${m.max} digits`];
  if (m.min > m.max) lines.push('minimum is larger than maximum');
  return lines;
}

export function explainEntryValidationCondition(c: EntryValidationCondition): string[] {
  const lines: string[] = [];
  if (c.maxSizeReached) lines.push('bit 0: entry ends when the maximum size is reached');
  if (c.validationKeyPressed) lines.push('bit 1: entry ends when the validation key is pressed');
  if (c.timeout) lines.push('bit 2: entry ends on timeout');
  if (c.raw === 0) lines.push('no condition set (invalid: libccid rewrites it to 02, validation key)');
  if (c.raw > 0x07) lines.push(`RFU bits set (0x${intHex(c.raw, 2)})`);
  return lines;
}

export function explainConfirmPin(c: ConfirmPin): string[] {
  return [
    `bit 0: ${c.confirmationRequested ? 'new PIN entered twice (confirmation requested)' : 'no confirmation of the new PIN'}`,
    `bit 1: ${c.currentPinRequested ? 'current PIN entered first' : 'no current PIN entry (bInsertionOffsetOld ignored)'}`,
  ];
}

export function explainNumberMessage(value: number, operation: 'verify' | 'modify'): string {
  if (value === 0) return 'no message';
  if (value === 0xff) return 'default reader message';
  if (operation === 'verify') return value === 1 ? 'one message (bMsgIndex)' : `${value} messages (invalid for verify)`;
  return value <= 3 ? `${value} message${value === 1 ? '' : 's'} (bMsgIndex1..${value})` : `${value} messages (invalid)`;
}

export function explainLangId(value: number): string {
  return LANG_ID_NAMES[value] ?? `language 0x${intHex(value, 4)}`;
}

export function explainTimeOut(value: number): string {
  return value === 0 ? 'reader default timeout' : `${value} s`;
}

/**
 * How many bMsgIndex bytes a CCID PIN modify structure carries: bMsgIndex2 only when
 * bNumberMessage is not 0, bMsgIndex3 only when it is 3 (CCID 1.1 §6.1.11.8; libccid treats the
 * default 0xFF like 3). PC/SC's PIN_MODIFY_STRUCTURE always has all three.
 */
export function ccidModifyMessageIndexCount(bNumberMessage: number): number {
  if (bNumberMessage === 0) return 1;
  return bNumberMessage < 3 ? 2 : 3;
}

/**
 * Where the reader puts the PIN in the APDU template. The PIN block (bmPINBlockString size)
 * starts at the first data byte after Lc (for a modify, plus bInsertionOffsetOld/New); the PIN
 * digits and the PIN length are placed inside it at the bmFormatString and bmPINLengthFormat
 * positions. So in the real "binary PIN at byte 1, length at byte 0" case (88/88/10), the 8-byte
 * block is APDU bytes 5..12, the length goes to byte 5 and the digits from byte 6.
 */
export interface PinPlacement {
  /** APDU byte offset of the PIN block (5 = first byte after Lc, plus the insertion offset). */
  blockOffset: number;
  blockSize: number;
  /** APDU byte offset of the first PIN digit (block offset + PIN position). */
  pinOffset: number;
  /** Bit offset inside that byte when the position is counted in bits. */
  pinBitOffset: number;
  /** Present when bmPINBlockString asks for a PIN length field. */
  lengthField?: { offset: number; bitOffset: number; sizeBits: number };
  /** The PIN block (and length field) lie inside the template's bytes. */
  fitsInApdu: boolean;
}

const APDU_HEADER_WITH_LC = 5;

function position(blockOffset: number, bytes: boolean, pos: number): { offset: number; bitOffset: number } {
  if (bytes) return { offset: blockOffset + pos, bitOffset: 0 };
  return { offset: blockOffset + (pos >> 3), bitOffset: pos & 7 };
}

/**
 * Computes where the PIN goes. For a modify, pass bInsertionOffsetOld/New (bytes after Lc) as
 * `insertionOffset`.
 */
export function locatePin(
  apduLength: number,
  fs: FormatString,
  pb: PinBlockString,
  lf: PinLengthFormat,
  insertionOffset = 0,
): PinPlacement {
  const blockOffset = APDU_HEADER_WITH_LC + insertionOffset;
  const pin = position(blockOffset, fs.unitsBytes, fs.pinPosition);
  const blockEnd = blockOffset + pb.blockSizeBytes;
  const placement: PinPlacement = {
    blockOffset,
    blockSize: pb.blockSizeBytes,
    pinOffset: pin.offset,
    pinBitOffset: pin.bitOffset,
    fitsInApdu: pb.blockSizeBytes === 0 || (blockEnd <= apduLength && pin.offset < blockEnd),
  };
  if (pb.lengthSizeBits > 0) {
    const len = position(blockOffset, lf.unitsBytes, lf.lengthPosition);
    placement.lengthField = { offset: len.offset, bitOffset: len.bitOffset, sizeBits: pb.lengthSizeBits };
    const lastBit = len.offset * 8 + len.bitOffset + pb.lengthSizeBits;
    if (lastBit > apduLength * 8) placement.fitsInApdu = false;
  }
  return placement;
}

export function explainPlacement(p: PinPlacement, label = 'PIN'): string[] {
  if (p.blockSize === 0) return [`${label}: no PIN block in the template (it would start at APDU byte ${p.blockOffset})`];
  const lines = [
    `${label} block: APDU bytes ${p.blockOffset}..${p.blockOffset + p.blockSize - 1} (${p.blockSize} bytes)`,
    `${label} digits from APDU byte ${p.pinOffset}` + (p.pinBitOffset ? ` bit ${p.pinBitOffset}` : ''),
  ];
  if (p.lengthField) {
    lines.push(
      `PIN length: ${p.lengthField.sizeBits} bits at APDU byte ${p.lengthField.offset}` +
        (p.lengthField.bitOffset ? ` bit ${p.lengthField.bitOffset}` : ''),
    );
  }
  if (!p.fitsInApdu) lines.push(`the ${label} block does not fit in the APDU template`);
  return lines;
}

// ---- dissect nodes shared by both structures -------------------------------------------------

function explained(id: string, name: string, offset: number, length: number, value: number, lines: string[]): DissectNode {
  // Explanation lines are children covering the same bytes, so a click in the hex pane still
  // selects the field itself (nodeAtOffset returns the first matching child: the first line).
  const children = lines.map((line) => field(`${id}.explain`, line, offset, length));
  const digits = length * 2;
  return field(id, `${name}: 0x${intHex(value, digits)}`, offset, length, value, children);
}

/**
 * One dissect node for any shared PIN field, with its explanation lines as children.
 * `prefix` is the layer's id prefix ('ccid.secure', 'pcsc.pinVerify'); `name` the field name.
 */
export function pinFieldNode(
  prefix: string,
  name: string,
  offset: number,
  length: number,
  value: number,
  operation: 'verify' | 'modify' = 'verify',
): DissectNode {
  const id = `${prefix}.${name}`;
  switch (name) {
    case 'bmFormatString':
      return explained(id, name, offset, length, value, explainFormatString(decodeFormatString(value)));
    case 'bmPINBlockString':
      return explained(id, name, offset, length, value, explainPinBlockString(decodePinBlockString(value)));
    case 'bmPINLengthFormat':
      return explained(id, name, offset, length, value, explainPinLengthFormat(decodePinLengthFormat(value)));
    case 'wPINMaxExtraDigit':
      return explained(id, name, offset, length, value, explainPinMaxExtraDigit(decodePinMaxExtraDigit(value)));
    case 'bEntryValidationCondition':
      return explained(id, name, offset, length, value, explainEntryValidationCondition(decodeEntryValidationCondition(value)));
    case 'bConfirmPIN':
      return explained(id, name, offset, length, value, explainConfirmPin(decodeConfirmPin(value)));
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
    default:
      return field(id, `${name}: ${value}`, offset, length, value);
  }
}

// ---- one reader for the field sequences of both structures -----------------------------------

/** A field of a PIN structure: name and size (2 and 4 are little-endian; 3 is bTeoPrologue). */
export type PinFieldSpec = readonly [name: string, size: 1 | 2 | 3 | 4];

export interface PinFieldsRead {
  values: Map<string, number | Uint8Array>;
  nodes: DissectNode[];
  /** Name of the first field that did not fit, when the structure is cut short. */
  truncatedAt?: string;
}

/** Minimal reading surface (satisfied by core/bytes ByteReader) so this module stays generic. */
export interface PinFieldSource {
  readonly remaining: number;
  readonly absolutePosition: number;
  u8(): number;
  u16le(): number;
  u32le(): number;
  bytesView(count: number): Uint8Array;
}

/**
 * Reads fields in order; stops at the first one that does not fit (never throws). The
 * wPINMaxExtraDigit and wLangId words are little-endian in both CCID and PC/SC.
 */
export function readPinFields(
  source: PinFieldSource,
  specs: readonly PinFieldSpec[],
  prefix: string,
  operation: 'verify' | 'modify',
): PinFieldsRead {
  const out: PinFieldsRead = { values: new Map(), nodes: [] };
  for (const [name, size] of specs) {
    if (source.remaining < size) {
      out.truncatedAt = name;
      break;
    }
    const offset = source.absolutePosition;
    if (size === 3) {
      const bytes = source.bytesView(3);
      out.values.set(name, bytes);
      const hex = Array.from(bytes, (b) => intHex(b, 2)).join(' ');
      out.nodes.push(
        field(`${prefix}.${name}`, `${name}: ${hex} (T=1 prologue NAD PCB LEN, used by TPDU-level T=1 readers)`, offset, 3, hex),
      );
      continue;
    }
    const value = size === 1 ? source.u8() : size === 2 ? source.u16le() : source.u32le();
    out.values.set(name, value);
    out.nodes.push(pinFieldNode(prefix, name, offset, size, value, operation));
  }
  return out;
}

/** The bit fields and bytes common to verify and modify, decoded. */
export interface PinEntryCommon {
  /** bTimeOut (CCID) / bTimerOut (PC/SC): seconds, 0 = reader default. */
  bTimeOut: number;
  bmFormatString: FormatString;
  bmPINBlockString: PinBlockString;
  bmPINLengthFormat: PinLengthFormat;
  wPINMaxExtraDigit: PinMaxExtraDigit;
  bEntryValidationCondition: EntryValidationCondition;
  bNumberMessage: number;
  wLangId: number;
  bTeoPrologue: [number, number, number];
}

export interface PinVerifyFields extends PinEntryCommon {
  bMsgIndex: number;
}

export interface PinModifyFields extends PinEntryCommon {
  bInsertionOffsetOld: number;
  bInsertionOffsetNew: number;
  bConfirmPIN: ConfirmPin;
  bMsgIndex1: number;
  /** Absent from a CCID structure when bNumberMessage is 0. */
  bMsgIndex2?: number;
  /** Absent from a CCID structure when bNumberMessage is below 3. */
  bMsgIndex3?: number;
}

/** The APDU the reader completes with the PIN, with absolute offsets and PIN placement. */
export interface PinApduTemplate {
  offset: number;
  length: number;
  bytes: Uint8Array;
  /** Verify: the PIN. Modify: the current (old) PIN. */
  placement: PinPlacement;
  /** Modify only: the new PIN. */
  newPinPlacement?: PinPlacement;
}

function num(values: Map<string, number | Uint8Array>, name: string): number {
  const v = values.get(name);
  return typeof v === 'number' ? v : 0;
}

function prologue(values: Map<string, number | Uint8Array>): [number, number, number] {
  const v = values.get('bTeoPrologue');
  return v instanceof Uint8Array ? [v[0] ?? 0, v[1] ?? 0, v[2] ?? 0] : [0, 0, 0];
}

/** Field names differ between the specs only for the timeout (bTimeOut vs bTimerOut). */
export function commonFromValues(values: Map<string, number | Uint8Array>): PinEntryCommon {
  return {
    bTimeOut: values.has('bTimerOut') ? num(values, 'bTimerOut') : num(values, 'bTimeOut'),
    bmFormatString: decodeFormatString(num(values, 'bmFormatString')),
    bmPINBlockString: decodePinBlockString(num(values, 'bmPINBlockString')),
    bmPINLengthFormat: decodePinLengthFormat(num(values, 'bmPINLengthFormat')),
    wPINMaxExtraDigit: decodePinMaxExtraDigit(num(values, 'wPINMaxExtraDigit')),
    bEntryValidationCondition: decodeEntryValidationCondition(num(values, 'bEntryValidationCondition')),
    bNumberMessage: num(values, 'bNumberMessage'),
    wLangId: num(values, 'wLangId'),
    bTeoPrologue: prologue(values),
  };
}

export function verifyFromValues(values: Map<string, number | Uint8Array>): PinVerifyFields {
  return { ...commonFromValues(values), bMsgIndex: num(values, 'bMsgIndex') };
}

export function modifyFromValues(values: Map<string, number | Uint8Array>): PinModifyFields {
  const out: PinModifyFields = {
    ...commonFromValues(values),
    bInsertionOffsetOld: num(values, 'bInsertionOffsetOld'),
    bInsertionOffsetNew: num(values, 'bInsertionOffsetNew'),
    bConfirmPIN: decodeConfirmPin(num(values, 'bConfirmPIN')),
    bMsgIndex1: num(values, 'bMsgIndex1'),
  };
  if (values.has('bMsgIndex2')) out.bMsgIndex2 = num(values, 'bMsgIndex2');
  if (values.has('bMsgIndex3')) out.bMsgIndex3 = num(values, 'bMsgIndex3');
  return out;
}

/** Builds the template description and its dissect node (with placement explanation lines). */
export function pinApduTemplate(
  prefix: string,
  offset: number,
  bytes: Uint8Array,
  common: PinEntryCommon,
  modify?: { bInsertionOffsetOld: number; bInsertionOffsetNew: number; currentPinRequested: boolean },
): { template: PinApduTemplate; node: DissectNode } {
  const fs = common.bmFormatString;
  const pb = common.bmPINBlockString;
  const lf = common.bmPINLengthFormat;
  const placement = locatePin(bytes.length, fs, pb, lf, modify ? modify.bInsertionOffsetOld : 0);
  const template: PinApduTemplate = { offset, length: bytes.length, bytes, placement };
  // Explanation nodes point at the bytes they talk about (clamped to the template) so the hex
  // pane highlights the PIN block and the length field.
  const children: DissectNode[] = [];
  const at = (id: string, label: string, from: number, size: number) => {
    const start = Math.min(from, bytes.length);
    const length = Math.max(0, Math.min(size, bytes.length - start));
    children.push(field(`${prefix}.abPINApdu.${id}`, label, offset + start, length));
  };
  const describe = (p: PinPlacement, label: string, id: string) => {
    const lines = explainPlacement(p, label);
    lines.forEach((line) => {
      if (line.startsWith('PIN length') && p.lengthField) at('pinLength', line, p.lengthField.offset, 1);
      else if (line.includes('digits from')) at(`${id}Digits`, line, p.pinOffset, p.blockSize - (p.pinOffset - p.blockOffset));
      else at(id, line, p.blockOffset, p.blockSize);
    });
  };
  if (modify) {
    template.newPinPlacement = locatePin(bytes.length, fs, pb, lf, modify.bInsertionOffsetNew);
    if (modify.currentPinRequested) describe(placement, 'current PIN', 'currentPinBlock');
    describe(template.newPinPlacement, 'new PIN', 'newPinBlock');
  } else {
    describe(placement, 'PIN', 'pinBlock');
  }
  if (bytes.length < 4) at('short', `APDU shorter than CLA INS P1 P2 (${bytes.length} bytes)`, 0, bytes.length);
  const hex = Array.from(bytes, (b) => intHex(b, 2)).join('');
  const node = field(`${prefix}.abPINApdu`, `abPINApdu: ${bytes.length} bytes`, offset, bytes.length, hex, children);
  return { template, node };
}

// ---- what a caller gives to build a structure (CCID Secure or PC/SC) --------------------------

/** Raw bytes for the bit fields (build them with encodeFormatString etc. when starting from meaning). */
export interface PinVerifyInput {
  /** Seconds, 0 = reader default. */
  timeOut?: number;
  formatString: number;
  pinBlockString: number;
  pinLengthFormat: number;
  minPinSize: number;
  maxPinSize: number;
  /** Default 0x02 (validation key pressed). */
  entryValidationCondition?: number;
  /** Default 0x01. */
  numberMessage?: number;
  /** Default 0x0409. */
  langId?: number;
  msgIndex?: number;
  teoPrologue?: readonly [number, number, number];
  /** The APDU template the reader completes with the PIN. */
  apdu: Uint8Array;
}

export interface PinModifyInput extends Omit<PinVerifyInput, 'msgIndex'> {
  insertionOffsetOld: number;
  insertionOffsetNew: number;
  /** bConfirmPIN: bit 0 confirm new PIN, bit 1 enter current PIN. */
  confirmPin: number;
  msgIndex1?: number;
  msgIndex2?: number;
  msgIndex3?: number;
}

/** Little-endian byte writer with a fixed capacity (callers size it from the input). */
export class PinBytesWriter {
  private readonly out: Uint8Array;
  private pos = 0;
  constructor(capacity: number) {
    this.out = new Uint8Array(capacity);
  }
  u8(v: number): this {
    this.out[this.pos++] = v & 0xff;
    return this;
  }
  u16le(v: number): this {
    return this.u8(v).u8(v >> 8);
  }
  u32le(v: number): this {
    return this.u16le(v & 0xffff).u16le(v >>> 16);
  }
  bytes(b: ArrayLike<number>): this {
    this.out.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  done(): Uint8Array {
    return this.out.subarray(0, this.pos);
  }
}
