/**
 * CCID 1.1 value tables (Wireshark style: data, not code). Keys are the raw field values.
 */
import { hexLiteral } from '../bytes/hex.js';
import type { ExchangeLevel } from './message-types.js';

/** bStatus bits 1-0. */
export const ICC_STATUS_NAMES: Record<number, string> = {
  0: 'ICC present and active',
  1: 'ICC present and inactive',
  2: 'no ICC present',
  3: 'RFU',
};

/** bStatus bits 7-6. */
export const COMMAND_STATUS_NAMES: Record<number, string> = {
  0: 'processed without error',
  1: 'failed (error code in bError)',
  2: 'time extension requested',
  3: 'RFU',
};

/**
 * Slot error codes by their spec names (CCID 1.1 Table 6.2-2). 0x01..0x7F is the offset of the bad
 * field (BAD_PARAMETER, see describeBError); 0x00 is CMD_NOT_SUPPORTED.
 */
export const CCID_BERROR = {
  CMD_ABORTED: 0xff,
  ICC_MUTE: 0xfe,
  XFR_PARITY_ERROR: 0xfd,
  XFR_OVERRUN: 0xfc,
  HW_ERROR: 0xfb,
  BAD_ATR_TS: 0xf8,
  BAD_ATR_TCK: 0xf7,
  ICC_PROTOCOL_NOT_SUPPORTED: 0xf6,
  ICC_CLASS_NOT_SUPPORTED: 0xf5,
  PROCEDURE_BYTE_CONFLICT: 0xf4,
  DEACTIVATED_PROTOCOL: 0xf3,
  BUSY_WITH_AUTO_SEQUENCE: 0xf2,
  PIN_TIMEOUT: 0xf0,
  PIN_CANCELLED: 0xef,
  CMD_SLOT_BUSY: 0xe0,
  CMD_NOT_SUPPORTED: 0x00,
} as const;

/** The named error codes (the negative ones; 0x00 and the field offsets are read by describeBError). */
export const BERROR_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(CCID_BERROR)
    .filter(([, code]) => code >= 0x80)
    .map(([name, code]) => [code, name]),
);

export const BERROR_MEANINGS: Record<number, string> = {
  0xff: 'the command was aborted by the host (Abort request)',
  0xfe: 'the card did not answer (time out)',
  0xfd: 'parity error while talking to the card',
  0xfc: 'the card sent more data than expected (overrun)',
  0xfb: 'hardware error in the reader (e.g. over-current on activation)',
  0xf8: 'bad ATR: invalid TS byte',
  0xf7: 'bad ATR: wrong TCK check byte',
  0xf6: 'the card protocol is not supported by the reader',
  0xf5: 'the card class (voltage) is not supported by the reader',
  0xf4: 'procedure byte conflict (T=0)',
  0xf3: 'the protocol is deactivated',
  0xf2: 'the reader is busy with an automatic sequence (e.g. activation on insertion)',
  0xf0: 'PIN entry timed out',
  0xef: 'PIN entry cancelled by the user',
  0xe0: 'the slot is busy with another command',
};

/**
 * Names of the header and body fields by their byte offset, so that a positive bError (which the
 * spec defines as the offset of the offending field) can name it.
 */
const FIELD_AT_OFFSET_OUT: Record<number, string> = {
  1: 'dwLength',
  5: 'bSlot',
  6: 'bSeq',
  7: 'byte 7 (bPowerSelect / bBWI / bProtocolNum / bClockCommand / bmChanges / bFunction)',
  8: 'byte 8 (wLevelParameter / bClassGetResponse)',
  9: 'byte 9 (wLevelParameter / bClassEnvelope)',
  10: 'abData[0] (e.g. bPINOperation)',
};

export interface ErrorMeaning {
  name?: string;
  meaning: string;
}

/**
 * What a bError means. Its reading depends on bmCommandStatus: with a time extension it is the
 * BWT multiplier, with success it has no meaning, with failure it is a code or a field index.
 */
export function describeBError(bError: number, commandStatus: number): ErrorMeaning {
  if (commandStatus === 2) return { meaning: `time extension: the card needs ${bError} × BWT (or WWT) more` };
  if (commandStatus === 0) return { meaning: bError === 0 ? 'no error' : `ignored (command succeeded), ${hexLiteral(bError)}` };
  const name = BERROR_NAMES[bError];
  if (name) return { name, meaning: BERROR_MEANINGS[bError]! };
  if (bError === CCID_BERROR.CMD_NOT_SUPPORTED) return { name: 'CMD_NOT_SUPPORTED', meaning: 'command not supported' };
  if (bError >= 0x01 && bError <= 0x7f) {
    const at = FIELD_AT_OFFSET_OUT[bError] ?? `byte ${bError}`;
    return { name: 'BAD_PARAMETER', meaning: `the field at offset ${bError} (${at}) is not supported or wrong` };
  }
  if (bError >= 0x81 && bError <= 0xc0) return { name: 'USER_DEFINED', meaning: `vendor-defined error ${hexLiteral(bError)}` };
  return { name: 'RFU', meaning: `reserved error code ${hexLiteral(bError)}` };
}

/**
 * Extended APDU level chaining (CCID 1.1 §6.1.4 wLevelParameter, §6.2.1 bChainParameter): the
 * same values say where an abData stands in a command APDU and in a response APDU.
 */
export const EXTENDED_APDU_CHAIN = { whole: 0x00, begins: 0x01, ends: 0x02, continues: 0x03, more: 0x10 } as const;

/** RDR_to_PC_DataBlock bChainParameter (extended APDU level). */
export const CHAIN_PARAMETER_NAMES: Record<number, string> = {
  [EXTENDED_APDU_CHAIN.whole]: 'the response APDU begins and ends in this command',
  [EXTENDED_APDU_CHAIN.begins]: 'the response APDU begins with this command and continues in the next RDR_to_PC_DataBlock',
  [EXTENDED_APDU_CHAIN.ends]: 'this abData continues a response APDU and ends it',
  [EXTENDED_APDU_CHAIN.continues]: 'this abData continues a response APDU and another block follows',
  [EXTENDED_APDU_CHAIN.more]: 'empty abData: the host must send an empty XfrBlock to get the rest of the response',
};

/** PC_to_RDR_XfrBlock / Secure wLevelParameter at extended APDU level. */
export const LEVEL_PARAMETER_NAMES: Record<number, string> = {
  [EXTENDED_APDU_CHAIN.whole]: 'the command APDU begins and ends with this command',
  [EXTENDED_APDU_CHAIN.begins]: 'the command APDU begins with this command and continues in the next PC_to_RDR_XfrBlock',
  [EXTENDED_APDU_CHAIN.ends]: 'this abData continues a command APDU and ends it',
  [EXTENDED_APDU_CHAIN.continues]: 'this abData continues a command APDU and another block follows',
  [EXTENDED_APDU_CHAIN.more]: 'empty abData: continuation of the response APDU is expected in the next RDR_to_PC_DataBlock',
};

// ---- readings no value table can give (the header fields' `explain`) ---------------------------

/** bBWI: a multiplier of the block waiting time, 0 meaning 1. */
export function explainBwi(x: number): string {
  return `${x} (block waiting time × ${x === 0 ? 1 : x})`;
}

/** wLevelParameter means different things per exchange level (CCID 1.1 §6.1.4). */
export function explainLevelParameter(v: number, level: ExchangeLevel | undefined): string {
  if (level === 'character') return `${v} (character level: size of the expected answer)`;
  if (level === 'tpdu' || level === 'short-apdu') return `${hexLiteral(v, 4)} (RFU at ${level === 'tpdu' ? 'TPDU' : 'short APDU'} level)`;
  const meaning = LEVEL_PARAMETER_NAMES[v];
  if (level === 'extended-apdu') return `${hexLiteral(v, 4)} (${meaning ?? 'RFU'})`;
  return v === 0 ? hexLiteral(v, 4) : `${hexLiteral(v, 4)}${meaning ? ` (extended APDU level: ${meaning})` : ''}`;
}

/** PC_to_RDR_T0APDU bmChanges: which of the two class bytes to take. */
export function explainT0Changes(x: number): string {
  const parts: string[] = [];
  if (x & 0x01) parts.push('use bClassGetResponse');
  if (x & 0x02) parts.push('use bClassEnvelope');
  return `${hexLiteral(x)} (${parts.length ? parts.join(', ') : 'no change'})`;
}

/** bClassGetResponse / bClassEnvelope: FF means the class byte of the APDU itself. */
export function explainClassByte(x: number): string {
  return `${hexLiteral(x)}${x === 0xff ? ' (echo the APDU class)' : ''}`;
}

export const POWER_SELECT_NAMES: Record<number, string> = {
  0x00: 'automatic voltage selection',
  0x01: '5.0 V',
  0x02: '3.0 V',
  0x03: '1.8 V',
};

export const CLOCK_COMMAND_NAMES: Record<number, string> = {
  0x00: 'restart the clock',
  0x01: 'stop the clock in the state shown in bClockStop',
};

export const CLOCK_STATUS_NAMES: Record<number, string> = {
  0x00: 'clock running',
  0x01: 'clock stopped in state L',
  0x02: 'clock stopped in state H',
  0x03: 'clock stopped in an unknown state',
};

export const MECHANICAL_FUNCTION_NAMES: Record<number, string> = {
  0x01: 'accept card',
  0x02: 'eject card',
  0x03: 'capture card',
  0x04: 'lock card',
  0x05: 'unlock card',
};

export const HARDWARE_ERROR_NAMES: Record<number, string> = {
  0x01: 'over-current',
};

export const PROTOCOL_NUM_NAMES: Record<number, string> = {
  0x00: 'T=0',
  0x01: 'T=1',
  0x80: '2-wire protocol',
  0x81: '3-wire protocol',
  0x82: 'I2C protocol',
};

export const CLOCK_STOP_NAMES: Record<number, string> = {
  0x00: 'clock stop not allowed',
  0x01: 'clock may stop in state L',
  0x02: 'clock may stop in state H',
  0x03: 'clock may stop in either state',
};

/** PC_to_RDR_Secure bPINOperation. */
export const PIN_OPERATION_NAMES: Record<number, string> = {
  0x00: 'PIN verification',
  0x01: 'PIN modification',
  0x02: 'transfer PIN from the secure CCID buffer',
  0x03: 'wait ICC response',
  0x04: 'cancel PIN function',
  0x05: 'resend last I-block (T=1)',
  0x06: 'send next part of APDU (T=1)',
};

export function nameOr(table: Record<number, string>, value: number, fallback = 'RFU'): string {
  return table[value] ?? fallback;
}
