/**
 * Typed views of PIN structure values: what readPinFields decoded, as verify and modify fields
 * with their bit fields decoded (PinVerifyFields / PinModifyFields), back to the parameter model
 * (parametersFromValues), and the older meaning-named input (PinVerifyInput / PinModifyInput) the
 * reader simulators and their tests build requests from.
 */
import * as bits from './pin-bit-fields.js';
import type { PinFieldName, PinFieldValues, PinParameters } from './pin-fields.js';

// ---- typed views of decoded values -------------------------------------------------------------

/** The bit fields and bytes common to verify and modify, decoded. */
export interface PinEntryCommon {
  /** bTimeOut (CCID) / bTimerOut (PC/SC): seconds, 0 = reader default. */
  bTimeOut: number;
  bmFormatString: bits.FormatString;
  bmPINBlockString: bits.PinBlockString;
  bmPINLengthFormat: bits.PinLengthFormat;
  wPINMaxExtraDigit: bits.PinMaxExtraDigit;
  bEntryValidationCondition: bits.EntryValidationCondition;
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
  bConfirmPIN: bits.ConfirmPin;
  bMsgIndex1: number;
  /** Absent from a CCID structure when bNumberMessage is 0. */
  bMsgIndex2?: number;
  /** Absent from a CCID structure when bNumberMessage is below 3. */
  bMsgIndex3?: number;
}

export function commonFromValues(v: PinFieldValues): PinEntryCommon {
  const prologue = v.bTeoPrologue ?? 0;
  return {
    bTimeOut: v.bTimerOut ?? 0,
    bmFormatString: bits.decodeFormatString(v.bmFormatString ?? 0),
    bmPINBlockString: bits.decodePinBlockString(v.bmPINBlockString ?? 0),
    bmPINLengthFormat: bits.decodePinLengthFormat(v.bmPINLengthFormat ?? 0),
    wPINMaxExtraDigit: bits.decodePinMaxExtraDigit(v.wPINMaxExtraDigit ?? 0),
    bEntryValidationCondition: bits.decodeEntryValidationCondition(v.bEntryValidationCondition ?? 0),
    bNumberMessage: v.bNumberMessage ?? 0,
    wLangId: v.wLangId ?? 0,
    bTeoPrologue: [(prologue >> 16) & 0xff, (prologue >> 8) & 0xff, prologue & 0xff],
  };
}

export function verifyFromValues(v: PinFieldValues): PinVerifyFields {
  return { ...commonFromValues(v), bMsgIndex: v.bMsgIndex ?? 0 };
}

export function modifyFromValues(v: PinFieldValues): PinModifyFields {
  const out: PinModifyFields = {
    ...commonFromValues(v),
    bInsertionOffsetOld: v.bInsertionOffsetOld ?? 0,
    bInsertionOffsetNew: v.bInsertionOffsetNew ?? 0,
    bConfirmPIN: bits.decodeConfirmPin(v.bConfirmPIN ?? 0),
    bMsgIndex1: v.bMsgIndex1 ?? 0,
  };
  if (v.bMsgIndex2 !== undefined) out.bMsgIndex2 = v.bMsgIndex2;
  if (v.bMsgIndex3 !== undefined) out.bMsgIndex3 = v.bMsgIndex3;
  return out;
}

/** All-zero parameters with an empty template: the base every other set starts from. */
export function emptyPinParameters(): PinParameters {
  return {
    bTimerOut: 0,
    bTimerOut2: 0,
    bmFormatString: 0,
    bmPINBlockString: 0,
    bmPINLengthFormat: 0,
    bInsertionOffsetOld: 0,
    bInsertionOffsetNew: 0,
    wPINMaxExtraDigit: 0,
    bConfirmPIN: 0,
    bEntryValidationCondition: 0,
    bNumberMessage: 0,
    wLangId: 0,
    bMsgIndex: 0,
    bMsgIndex1: 0,
    bMsgIndex2: 0,
    bMsgIndex3: 0,
    bTeoPrologue: 0,
    apdu: new Uint8Array(0),
  };
}

/** Decoded values back to the parameter model (fields a layout lacks stay 0). */
export function parametersFromValues(v: PinFieldValues, apdu: Uint8Array): PinParameters {
  const p = emptyPinParameters();
  for (const [name, value] of Object.entries(v) as [PinFieldName, number][]) if (name !== 'ulDataLength') p[name] = value;
  p.apdu = apdu;
  return p;
}

// ---- the older, meaning-named input (kept for the reader simulators and their tests) -----------

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

function prologueNumber(t: readonly [number, number, number] | undefined): number {
  return t ? ((t[0] & 0xff) << 16) | ((t[1] & 0xff) << 8) | (t[2] & 0xff) : 0;
}

/** The older input as parameters (defaults: EVC 02, one message for verify, three for modify, 0409). */
export function parametersFromInput(i: PinVerifyInput | PinModifyInput, timeOut2 = 0): PinParameters {
  const p = emptyPinParameters();
  p.bTimerOut = i.timeOut ?? 0;
  p.bTimerOut2 = timeOut2;
  p.bmFormatString = i.formatString;
  p.bmPINBlockString = i.pinBlockString;
  p.bmPINLengthFormat = i.pinLengthFormat;
  p.wPINMaxExtraDigit = bits.encodePinMaxExtraDigit(i.minPinSize, i.maxPinSize);
  p.bEntryValidationCondition = i.entryValidationCondition ?? 0x02;
  p.wLangId = i.langId ?? 0x0409;
  p.bTeoPrologue = prologueNumber(i.teoPrologue);
  p.apdu = i.apdu;
  if ('confirmPin' in i) {
    p.bNumberMessage = i.numberMessage ?? 0x03;
    p.bInsertionOffsetOld = i.insertionOffsetOld;
    p.bInsertionOffsetNew = i.insertionOffsetNew;
    p.bConfirmPIN = i.confirmPin;
    p.bMsgIndex1 = i.msgIndex1 ?? 0;
    p.bMsgIndex2 = i.msgIndex2 ?? 1;
    p.bMsgIndex3 = i.msgIndex3 ?? 2;
  } else {
    p.bNumberMessage = i.numberMessage ?? 0x01;
    p.bMsgIndex = i.msgIndex ?? 0;
  }
  return p;
}
