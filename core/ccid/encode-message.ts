/**
 * Builders for every CCID bulk and interrupt message (the USB driver sends the commands, the
 * virtual reader sends the answers). Inputs are plain values; out-of-range values throw
 * RangeError because these are programmer inputs, not wire data.
 */
import { CCID_HEADER_LENGTH, CCID_MAX_DATA_LENGTH } from './message-types.js';

export interface MessageAddress {
  slot: number;
  seq: number;
}

/** bStatus/bError of an answer: defaults to "ICC present and active, command OK". */
export interface AnswerStatus extends MessageAddress {
  /** bmICCStatus: 0 present active, 1 present inactive, 2 absent. */
  iccStatus?: number;
  /** bmCommandStatus: 0 ok, 1 failed, 2 time extension. */
  commandStatus?: number;
  bError?: number;
}

function byte(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`${name} must be a byte, got ${v}`);
  return v;
}

function word(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${name} must be 16-bit, got ${v}`);
  return v;
}

function dword(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${name} must be 32-bit, got ${v}`);
  return v;
}

/** Header + abData; bytes 7-9 are the three type-specific bytes. */
function message(type: number, a: MessageAddress, b7: number, b8: number, b9: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (data.length > CCID_MAX_DATA_LENGTH)
    throw new RangeError(`abData of ${data.length} bytes is longer than CCID allows (${CCID_MAX_DATA_LENGTH})`);
  const out = new Uint8Array(CCID_HEADER_LENGTH + data.length);
  const view = new DataView(out.buffer);
  out[0] = type;
  view.setUint32(1, data.length, true);
  out[5] = byte('slot', a.slot);
  out[6] = byte('seq', a.seq);
  out[7] = byte('byte 7', b7);
  out[8] = byte('byte 8', b8);
  out[9] = byte('byte 9', b9);
  out.set(data, CCID_HEADER_LENGTH);
  return out;
}

function status(s: AnswerStatus): number {
  const icc = s.iccStatus ?? 0;
  const cmd = s.commandStatus ?? 0;
  if (icc < 0 || icc > 3 || cmd < 0 || cmd > 3) throw new RangeError('iccStatus and commandStatus are 2-bit values');
  return (cmd << 6) | icc;
}

function levelBytes(levelParameter = 0): [number, number] {
  word('levelParameter', levelParameter);
  return [levelParameter & 0xff, levelParameter >> 8];
}

function clockAndRate(clockFrequency: number, dataRate: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, dword('clockFrequency', clockFrequency), true);
  view.setUint32(4, dword('dataRate', dataRate), true);
  return out;
}

// ---- PC_to_RDR ---------------------------------------------------------------------------------

/** powerSelect: 0 automatic, 1 5 V, 2 3 V, 3 1.8 V. */
export function encodeIccPowerOn(a: MessageAddress & { powerSelect?: number }): Uint8Array {
  return message(0x62, a, a.powerSelect ?? 0, 0, 0);
}

export function encodeIccPowerOff(a: MessageAddress): Uint8Array {
  return message(0x63, a, 0, 0, 0);
}

export function encodeGetSlotStatus(a: MessageAddress): Uint8Array {
  return message(0x65, a, 0, 0, 0);
}

export function encodeXfrBlock(a: MessageAddress & { bwi?: number; levelParameter?: number; data: Uint8Array }): Uint8Array {
  const [lo, hi] = levelBytes(a.levelParameter);
  return message(0x6f, a, a.bwi ?? 0, lo, hi, a.data);
}

export function encodeGetParameters(a: MessageAddress): Uint8Array {
  return message(0x6c, a, 0, 0, 0);
}

export function encodeResetParameters(a: MessageAddress): Uint8Array {
  return message(0x6d, a, 0, 0, 0);
}

/** protocolData: 5 bytes for T=0, 7 for T=1 (see encodeProtocolParameters). */
export function encodeSetParameters(a: MessageAddress & { protocolNum: number; protocolData: Uint8Array }): Uint8Array {
  return message(0x61, a, a.protocolNum, 0, 0, a.protocolData);
}

export function encodeEscape(a: MessageAddress & { data: Uint8Array }): Uint8Array {
  return message(0x6b, a, 0, 0, 0, a.data);
}

/** clockCommand: 0 restart, 1 stop. */
export function encodeIccClock(a: MessageAddress & { clockCommand: number }): Uint8Array {
  return message(0x6e, a, a.clockCommand, 0, 0);
}

export function encodeT0Apdu(a: MessageAddress & { changes: number; classGetResponse: number; classEnvelope: number }): Uint8Array {
  return message(0x6a, a, a.changes, a.classGetResponse, a.classEnvelope);
}

/** data: abData, e.g. from encodeSecureVerifyData / encodeSecureModifyData. */
export function encodeSecure(a: MessageAddress & { bwi?: number; levelParameter?: number; data: Uint8Array }): Uint8Array {
  const [lo, hi] = levelBytes(a.levelParameter);
  return message(0x69, a, a.bwi ?? 0, lo, hi, a.data);
}

/** fn: 1 accept, 2 eject, 3 capture, 4 lock, 5 unlock. */
export function encodeMechanical(a: MessageAddress & { fn: number }): Uint8Array {
  return message(0x71, a, a.fn, 0, 0);
}

export function encodeAbort(a: MessageAddress): Uint8Array {
  return message(0x72, a, 0, 0, 0);
}

/** clockFrequency in kHz, dataRate in bps. */
export function encodeSetDataRateAndClockFrequency(a: MessageAddress & { clockFrequency: number; dataRate: number }): Uint8Array {
  return message(0x73, a, 0, 0, 0, clockAndRate(a.clockFrequency, a.dataRate));
}

// ---- RDR_to_PC ---------------------------------------------------------------------------------

export function encodeDataBlock(a: AnswerStatus & { chainParameter?: number; data: Uint8Array }): Uint8Array {
  return message(0x80, a, status(a), a.bError ?? 0, a.chainParameter ?? 0, a.data);
}

/** clockStatus: 0 running, 1 stopped L, 2 stopped H, 3 stopped unknown. */
export function encodeSlotStatus(a: AnswerStatus & { clockStatus?: number }): Uint8Array {
  return message(0x81, a, status(a), a.bError ?? 0, a.clockStatus ?? 0);
}

export function encodeParameters(a: AnswerStatus & { protocolNum: number; protocolData: Uint8Array }): Uint8Array {
  return message(0x82, a, status(a), a.bError ?? 0, a.protocolNum, a.protocolData);
}

export function encodeEscapeResponse(a: AnswerStatus & { data: Uint8Array }): Uint8Array {
  return message(0x83, a, status(a), a.bError ?? 0, 0, a.data);
}

export function encodeDataRateAndClockFrequency(a: AnswerStatus & { clockFrequency: number; dataRate: number }): Uint8Array {
  return message(0x84, a, status(a), a.bError ?? 0, 0, clockAndRate(a.clockFrequency, a.dataRate));
}

// ---- interrupt IN ------------------------------------------------------------------------------

/** One entry per slot, slot 0 first; 2 bits each (present, changed), 4 slots per byte. */
export function encodeNotifySlotChange(slots: readonly { present: boolean; changed: boolean }[]): Uint8Array {
  if (slots.length === 0 || slots.length > 256) throw new RangeError('NotifySlotChange needs 1..256 slots');
  const out = new Uint8Array(1 + Math.ceil(slots.length / 4));
  out[0] = 0x50;
  slots.forEach((s, i) => {
    const bits = (s.present ? 1 : 0) | (s.changed ? 2 : 0);
    out[1 + (i >> 2)]! |= bits << ((i & 3) * 2);
  });
  return out;
}

export function encodeHardwareError(a: MessageAddress & { code: number }): Uint8Array {
  return Uint8Array.of(0x51, byte('slot', a.slot), byte('seq', a.seq), byte('code', a.code));
}
