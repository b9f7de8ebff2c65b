/**
 * Where a pinpad puts the PIN in the APDU template: the PIN block, the digits inside it and the
 * PIN length field, computed from bmFormatString / bmPINBlockString / bmPINLengthFormat (and
 * bInsertionOffsetOld/New for a modify). One computation serves the decoders (capture viewer),
 * the wizard's highlighted template and the virtual reader that really inserts the digits.
 *
 * API: locatePin(apduLength, fs, pb, lf, insertionOffset) → PinPlacement;
 * explainPlacement(p) → lines; pinApduTemplate(prefix, offset, bytes, fields, modify?) → the
 * template and its decode node; markApduTemplate(bytes, fields, options) → a role per byte
 * (header, Lc, PIN digits, fillers, length) for highlighting.
 */
import { intHex } from '../bytes/hex.js';
import { field, type DissectNode } from '../dissect/node.js';
import type { FormatString, PinBlockString, PinLengthFormat } from './pin-bit-fields.js';

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

/** The three bit fields placement depends on. */
export interface PinLayoutFields {
  bmFormatString: FormatString;
  bmPINBlockString: PinBlockString;
  bmPINLengthFormat: PinLengthFormat;
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

/** Builds the template description and its dissect node (with placement explanation lines). */
export function pinApduTemplate(
  prefix: string,
  offset: number,
  bytes: Uint8Array,
  fields: PinLayoutFields,
  modify?: { bInsertionOffsetOld: number; bInsertionOffsetNew: number; currentPinRequested: boolean },
): { template: PinApduTemplate; node: DissectNode } {
  const fs = fields.bmFormatString;
  const pb = fields.bmPINBlockString;
  const lf = fields.bmPINLengthFormat;
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

// ---- the template with every byte's role, for highlighting ------------------------------------

export type TemplateByteRole =
  | 'cla'
  | 'ins'
  | 'p1'
  | 'p2'
  | 'lc'
  | 'data'
  /** Where PIN digits land (the current PIN for a modify). */
  | 'pin'
  /** Inside the PIN block but not reached by digits: fillers the reader leaves alone. */
  | 'pin-block'
  | 'pin-length'
  | 'new-pin'
  | 'new-pin-block'
  | 'new-pin-length';

export interface MarkedApduTemplate {
  /** One role per template byte, by offset. */
  roles: TemplateByteRole[];
  /** True when the template has no PIN block: the reader appends Lc and the digits itself. */
  appended: boolean;
  /** Sentences for people, placement first. */
  lines: string[];
}

export interface MarkTemplateOptions extends PinLayoutFields {
  /** The most digits the reader accepts (wPINMaxExtraDigit max): how far the digits can reach. */
  maxDigits: number;
  modify?: { bInsertionOffsetOld: number; bInsertionOffsetNew: number; currentPinRequested: boolean };
}

function digitBits(fs: FormatString): number {
  return fs.coding === 'bcd' ? 4 : 8;
}

/** Marks the block, the digit bytes and the length field of one PIN. */
function markPlacement(
  roles: TemplateByteRole[],
  p: PinPlacement,
  fs: FormatString,
  maxDigits: number,
  names: { pin: TemplateByteRole; block: TemplateByteRole; length: TemplateByteRole },
): void {
  const set = (at: number, role: TemplateByteRole) => {
    if (at >= 4 && at < roles.length) roles[at] = role;
  };
  const blockEnd = p.blockOffset + p.blockSize;
  for (let at = p.blockOffset; at < blockEnd; at++) set(at, names.block);
  const bits = Math.max(0, maxDigits) * digitBits(fs);
  const firstBit = fs.rightJustify ? blockEnd * 8 - bits : p.pinOffset * 8 + p.pinBitOffset;
  const startBit = Math.max(firstBit, p.blockOffset * 8);
  const endBit = Math.min(firstBit + bits, blockEnd * 8);
  for (let bit = startBit; bit < endBit; bit += 8 - (bit % 8)) set(bit >> 3, names.pin);
  if (p.lengthField) {
    // A length field can straddle two bytes (e.g. 8 bits from bit 4).
    const first = p.lengthField.offset * 8 + p.lengthField.bitOffset;
    for (let bit = first; bit < first + p.lengthField.sizeBits; bit += 8 - (bit % 8)) set(bit >> 3, names.length);
  }
}

/**
 * Every byte's role in the template: what the reader will overwrite with digits, what stays as
 * filler, where the length goes. A template without a PIN block (case 1, or Lc only) is marked
 * `appended`: readers then add Lc and the digits after the header.
 */
export function markApduTemplate(bytes: Uint8Array, options: MarkTemplateOptions): MarkedApduTemplate {
  const header: TemplateByteRole[] = ['cla', 'ins', 'p1', 'p2', 'lc'];
  const roles: TemplateByteRole[] = Array.from(bytes, (_, i) => header[i] ?? 'data');
  const fs = options.bmFormatString;
  const pb = options.bmPINBlockString;
  const lf = options.bmPINLengthFormat;
  const lines: string[] = [];
  const appended = pb.blockSizeBytes === 0;
  if (appended) {
    lines.push(
      bytes.length <= 4
        ? 'no PIN block: the reader appends Lc and the PIN after P2 (variable length PIN)'
        : `no PIN block: the reader sets Lc (byte 4, now ${intHex(bytes[4]!, 2)}) and appends the PIN`,
    );
    return { roles, appended, lines };
  }
  const modify = options.modify;
  const current = locatePin(bytes.length, fs, pb, lf, modify ? modify.bInsertionOffsetOld : 0);
  if (!modify || modify.currentPinRequested) {
    markPlacement(roles, current, fs, options.maxDigits, { pin: 'pin', block: 'pin-block', length: 'pin-length' });
    lines.push(...explainPlacement(current, modify ? 'current PIN' : 'PIN'));
  }
  if (modify) {
    const next = locatePin(bytes.length, fs, pb, lf, modify.bInsertionOffsetNew);
    markPlacement(roles, next, fs, options.maxDigits, { pin: 'new-pin', block: 'new-pin-block', length: 'new-pin-length' });
    lines.push(...explainPlacement(next, 'new PIN'));
    const overlap =
      modify.currentPinRequested &&
      pb.blockSizeBytes > 0 &&
      Math.abs(modify.bInsertionOffsetNew - modify.bInsertionOffsetOld) < pb.blockSizeBytes;
    if (overlap) lines.push('the current and the new PIN blocks overlap (bInsertionOffsetOld/New too close)');
  }
  return { roles, appended, lines };
}
