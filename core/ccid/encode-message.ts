/**
 * Builders for every CCID bulk and interrupt message (the USB driver sends the commands, the
 * virtual reader sends the answers), each laid out by its type's row in message-types. Inputs are
 * plain values; out-of-range values throw RangeError because these are programmer inputs, not wire
 * data.
 */
import {
  CCID_HEADER_LENGTH,
  CCID_MAX_DATA_LENGTH,
  CCID_MESSAGE_CODE,
  messageTypeByName,
  type CcidMessageName,
  type CcidValueFieldName,
} from './message-types.js';

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

const EMPTY = new Uint8Array(0);

function byte(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`${name} must be a byte, got ${v}`);
  return v;
}

function dword(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${name} must be 32-bit, got ${v}`);
  return v;
}

/** The values of a type's header fields by name; a field left out (and every reserved one) is zero. */
type HeaderValues = Partial<Record<CcidValueFieldName, number>>;

/**
 * Header + abData, laid out as the type's row in message-types says: the common part, bStatus and
 * bError for an answer, then the type's own fields, little-endian, each checked against its size.
 */
function message(
  name: CcidMessageName,
  a: MessageAddress,
  values: HeaderValues,
  data: Uint8Array = EMPTY,
  answer?: AnswerStatus,
): Uint8Array {
  const type = messageTypeByName(name);
  if (data.length > CCID_MAX_DATA_LENGTH)
    throw new RangeError(`abData of ${data.length} bytes is longer than CCID allows (${CCID_MAX_DATA_LENGTH})`);
  const out = new Uint8Array(CCID_HEADER_LENGTH + data.length);
  const view = new DataView(out.buffer);
  out[0] = type.code;
  view.setUint32(1, data.length, true);
  out[5] = byte('slot', a.slot);
  out[6] = byte('seq', a.seq);
  let at = 7;
  if (answer) {
    out[at++] = status(answer);
    out[at++] = byte('bError', answer.bError ?? 0);
  }
  for (const field of type.header) {
    const reserved = field.name === 'abRFU' || field.name === 'bRFU' || field.name === 'bSlot' || field.name === 'bSeq';
    const value = reserved ? 0 : (values[field.name as CcidValueFieldName] ?? 0);
    const max = 2 ** (8 * field.size) - 1;
    if (!Number.isInteger(value) || value < 0 || value > max)
      throw new RangeError(`${field.name} must fit in ${field.size * 8} bits, got ${value}`);
    for (let i = 0; i < field.size; i++) out[at++] = (value >> (8 * i)) & 0xff;
  }
  out.set(data, CCID_HEADER_LENGTH);
  return out;
}

function status(s: AnswerStatus): number {
  const icc = s.iccStatus ?? 0;
  const cmd = s.commandStatus ?? 0;
  if (icc < 0 || icc > 3 || cmd < 0 || cmd > 3) throw new RangeError('iccStatus and commandStatus are 2-bit values');
  return (cmd << 6) | icc;
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
  return message('PC_to_RDR_IccPowerOn', a, { bPowerSelect: a.powerSelect ?? 0 });
}

export function encodeIccPowerOff(a: MessageAddress): Uint8Array {
  return message('PC_to_RDR_IccPowerOff', a, {});
}

export function encodeGetSlotStatus(a: MessageAddress): Uint8Array {
  return message('PC_to_RDR_GetSlotStatus', a, {});
}

export function encodeXfrBlock(a: MessageAddress & { bwi?: number; levelParameter?: number; data: Uint8Array }): Uint8Array {
  return message('PC_to_RDR_XfrBlock', a, { bBWI: a.bwi ?? 0, wLevelParameter: a.levelParameter ?? 0 }, a.data);
}

export function encodeGetParameters(a: MessageAddress): Uint8Array {
  return message('PC_to_RDR_GetParameters', a, {});
}

export function encodeResetParameters(a: MessageAddress): Uint8Array {
  return message('PC_to_RDR_ResetParameters', a, {});
}

/** protocolData: 5 bytes for T=0, 7 for T=1 (see encodeProtocolParameters). */
export function encodeSetParameters(a: MessageAddress & { protocolNum: number; protocolData: Uint8Array }): Uint8Array {
  return message('PC_to_RDR_SetParameters', a, { bProtocolNum: a.protocolNum }, a.protocolData);
}

export function encodeEscape(a: MessageAddress & { data: Uint8Array }): Uint8Array {
  return message('PC_to_RDR_Escape', a, {}, a.data);
}

/** clockCommand: 0 restart, 1 stop. */
export function encodeIccClock(a: MessageAddress & { clockCommand: number }): Uint8Array {
  return message('PC_to_RDR_IccClock', a, { bClockCommand: a.clockCommand });
}

export function encodeT0Apdu(a: MessageAddress & { changes: number; classGetResponse: number; classEnvelope: number }): Uint8Array {
  return message('PC_to_RDR_T0APDU', a, { bmChanges: a.changes, bClassGetResponse: a.classGetResponse, bClassEnvelope: a.classEnvelope });
}

/** data: abData, e.g. from encodeSecureVerifyData / encodeSecureModifyData. */
export function encodeSecure(a: MessageAddress & { bwi?: number; levelParameter?: number; data: Uint8Array }): Uint8Array {
  return message('PC_to_RDR_Secure', a, { bBWI: a.bwi ?? 0, wLevelParameter: a.levelParameter ?? 0 }, a.data);
}

/** fn: 1 accept, 2 eject, 3 capture, 4 lock, 5 unlock. */
export function encodeMechanical(a: MessageAddress & { fn: number }): Uint8Array {
  return message('PC_to_RDR_Mechanical', a, { bFunction: a.fn });
}

export function encodeAbort(a: MessageAddress): Uint8Array {
  return message('PC_to_RDR_Abort', a, {});
}

/** clockFrequency in kHz, dataRate in bps. */
export function encodeSetDataRateAndClockFrequency(a: MessageAddress & { clockFrequency: number; dataRate: number }): Uint8Array {
  return message('PC_to_RDR_SetDataRateAndClockFrequency', a, {}, clockAndRate(a.clockFrequency, a.dataRate));
}

// ---- RDR_to_PC ---------------------------------------------------------------------------------

export function encodeDataBlock(a: AnswerStatus & { chainParameter?: number; data: Uint8Array }): Uint8Array {
  return message('RDR_to_PC_DataBlock', a, { bChainParameter: a.chainParameter ?? 0 }, a.data, a);
}

/** clockStatus: 0 running, 1 stopped L, 2 stopped H, 3 stopped unknown. */
export function encodeSlotStatus(a: AnswerStatus & { clockStatus?: number }): Uint8Array {
  return message('RDR_to_PC_SlotStatus', a, { bClockStatus: a.clockStatus ?? 0 }, EMPTY, a);
}

export function encodeParameters(a: AnswerStatus & { protocolNum: number; protocolData: Uint8Array }): Uint8Array {
  return message('RDR_to_PC_Parameters', a, { bProtocolNum: a.protocolNum }, a.protocolData, a);
}

export function encodeEscapeResponse(a: AnswerStatus & { data: Uint8Array }): Uint8Array {
  return message('RDR_to_PC_Escape', a, {}, a.data, a);
}

export function encodeDataRateAndClockFrequency(a: AnswerStatus & { clockFrequency: number; dataRate: number }): Uint8Array {
  return message('RDR_to_PC_DataRateAndClockFrequency', a, {}, clockAndRate(a.clockFrequency, a.dataRate), a);
}

// ---- interrupt IN ------------------------------------------------------------------------------

/** One entry per slot, slot 0 first; 2 bits each (present, changed), 4 slots per byte. */
export function encodeNotifySlotChange(slots: readonly { present: boolean; changed: boolean }[]): Uint8Array {
  if (slots.length === 0 || slots.length > 256) throw new RangeError('NotifySlotChange needs 1..256 slots');
  const out = new Uint8Array(1 + Math.ceil(slots.length / 4));
  out[0] = CCID_MESSAGE_CODE.RDR_to_PC_NotifySlotChange;
  slots.forEach((s, i) => {
    const bits = (s.present ? 1 : 0) | (s.changed ? 2 : 0);
    out[1 + (i >> 2)]! |= bits << ((i & 3) * 2);
  });
  return out;
}

export function encodeHardwareError(a: MessageAddress & { code: number }): Uint8Array {
  return Uint8Array.of(CCID_MESSAGE_CODE.RDR_to_PC_HardwareError, byte('slot', a.slot), byte('seq', a.seq), byte('code', a.code));
}
