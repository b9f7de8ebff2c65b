/**
 * The bit fields of a PIN entry request, shared by PC/SC part 10 PIN_VERIFY/MODIFY_STRUCTURE and
 * CCID PC_to_RDR_Secure (libccid copies them byte for byte): each one decoded to its meaning,
 * encoded back, and explained in sentences. Exactly one codec per field for every layer.
 *
 * API: decode<Field>(raw) → typed meaning; encode<Field>(meaning) → raw; explain<Field>(meaning)
 * → lines for a decode tree or a wizard's help text.
 */
import { intHex } from '../bytes/hex.js';

export type PinCoding = 'binary' | 'bcd' | 'ascii' | 'rfu';
export type PinOperationName = 'verify' | 'modify';

/** bmFormatString: how each digit is coded and where the PIN goes inside the PIN block. */
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

export function encodeEntryValidationCondition(c: Omit<EntryValidationCondition, 'raw'>): number {
  return (c.maxSizeReached ? 0x01 : 0) | (c.validationKeyPressed ? 0x02 : 0) | (c.timeout ? 0x04 : 0);
}

export function decodeConfirmPin(raw: number): ConfirmPin {
  return { raw, confirmationRequested: (raw & 0x01) !== 0, currentPinRequested: (raw & 0x02) !== 0 };
}

export function encodeConfirmPin(c: Omit<ConfirmPin, 'raw'>): number {
  return (c.confirmationRequested ? 0x01 : 0) | (c.currentPinRequested ? 0x02 : 0);
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

export function explainNumberMessage(value: number, operation: PinOperationName): string {
  if (value === 0) return 'no message';
  if (value === 0xff) return 'default reader message';
  if (operation === 'verify') return value === 1 ? 'one message (bMsgIndex)' : `${value} messages (invalid for verify)`;
  return value <= 3 ? `${value} message${value === 1 ? '' : 's'} (bMsgIndex1..${value})` : `${value} messages (invalid)`;
}

export function explainLangId(value: number): string {
  if (value === 0) return 'no language given (the reader picks)';
  return LANG_ID_NAMES[value] ?? `language 0x${intHex(value, 4)}`;
}

export function explainTimeOut(value: number): string {
  return value === 0 ? 'reader default timeout' : `${value} s`;
}

/** bTeoPrologue as one 24-bit number NAD‖PCB‖LEN. */
export function explainTeoPrologue(value: number): string {
  const nad = (value >> 16) & 0xff;
  const pcb = (value >> 8) & 0xff;
  const len = value & 0xff;
  if (value === 0) return 'zero (only TPDU-level T=1 readers use it; the driver fills it in)';
  return `NAD ${intHex(nad, 2)} PCB ${intHex(pcb, 2)} LEN ${intHex(len, 2)} (T=1 prologue for TPDU-level readers)`;
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
